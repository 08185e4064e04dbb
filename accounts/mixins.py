"""The page-side twin of ``viewsets.py``: every browser view reads and writes within the user's scope.

- ``RolePermissionRequiredMixin``: anonymous visitors are sent to the sign-in page, signed-in users
  whose role lacks the permission get a 403.
- ``ScopedQuerysetMixin``: the view's queryset is always ``model.objects.visible_to(user)``;
  subclasses refine it in ``scoped_queryset`` and cannot replace ``get_queryset`` (checked when the
  class is defined), so a detail or edit page of an object outside the scope is a 404, the same
  answer as an object that does not exist.
- ``save_in_scope`` / ``ScopedFormMixin``: a save is re-checked against the scope inside the
  transaction; a write that would land outside the scope is rolled back and reported on the form.
- ``StationPageMixin``: the pages of one station (``<id:pk>`` in the address) reach it through
  ``Station.objects.visible_to(user)``, so another station's page is a 404.
"""

from collections.abc import Callable, Iterable
from datetime import date
from functools import cached_property

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework.exceptions import PermissionDenied as ScopeDenied

from config.params import query_date
from stations.models import Station

from .viewsets import assert_in_scope


class RolePermissionRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Signed in (else redirect to the sign-in page) and holding ``permission_required`` (else 403)."""

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied(self.get_permission_denied_message())
        return super().handle_no_permission()


class ScopedQuerysetMixin:
    """``get_queryset()`` is sealed: it is ``model.objects.visible_to(user)`` refined by ``scoped_queryset``.

    Put this mixin before Django's generic views in the bases; a class whose ``get_queryset`` would
    resolve to anything else is refused when it is defined.
    """

    model: type[models.Model]  # set by the view (or another base), never here: it would shadow theirs

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.get_queryset is not ScopedQuerysetMixin.get_queryset:
            raise TypeError(f"{cls.__name__} must refine scoped_queryset(), not override get_queryset()")

    def get_queryset(self):
        return self.scoped_queryset(self.model.objects.visible_to(self.request.user))

    def scoped_queryset(self, queryset):
        return queryset


class OutOfScope(Exception):
    """A save whose result the user could not see; the transaction was rolled back."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def save_in_scope(user, save: Callable[[], models.Model | Iterable[models.Model]]):
    """Run ``save()`` in a transaction and keep its result only if every saved object is in ``user``'s scope.

    Raises ``OutOfScope`` (after rolling back) otherwise; returns what ``save()`` returned.
    """
    try:
        with transaction.atomic():
            saved = save()
            for obj in saved if isinstance(saved, Iterable) else [saved]:
                assert_in_scope(user, obj)
    except ScopeDenied as error:
        raise OutOfScope(str(error.detail)) from error
    return saved


class ScopedFormMixin:
    """For Create/UpdateView: save with ``save_in_scope``, then a success message and the redirect.

    A save refused by the scope changes nothing and shows the reason above the form.
    """

    success_message = ""

    def save_form(self, form):
        return form.save()

    def form_valid(self, form):
        adding = form.instance._state.adding
        try:
            self.object = save_in_scope(self.request.user, lambda: self.save_form(form))
        except OutOfScope as refusal:
            if adding:
                # The rolled-back insert left its id on the unsaved instance.
                form.instance.pk = None
                form.instance._state.adding = True
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message % {"object": self.object})
        return HttpResponseRedirect(self.get_success_url())


def add_rule_errors(form: forms.Form, error: ValidationError) -> None:
    """A rule's refusal on the form: on its field when the form has that field, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def asked_date(request, name: str = "on") -> date:
    """The date in ``?on=`` (ISO, a year the portal covers), or today when absent or not such a date."""
    return query_date(request.GET, name)


class StationPageMixin:
    """The station in the address, within the user's scope (else 404), and its name in every page's context."""

    @cached_property
    def station(self) -> Station:
        stations = Station.objects.visible_to(self.request.user).select_related("township__parent")
        return get_object_or_404(stations, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("station", self.station)
        return super().get_context_data(**kwargs)


class ObjectStationMixin:
    """An edit page of one of a station's rows: the station is the row's (with its township, for the breadcrumbs).

    Put it before ``ScopedQuerysetMixin`` in the bases, so its ``scoped_queryset`` refines the scoped one.
    """

    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).select_related("station__township")

    @property
    def station(self) -> Station:
        return self.object.station


class PersonFormMixin(ScopedFormMixin):
    """The form of a person a station keeps (staff member, volunteer, beneficiary).

    The form gets the station and the user (whose "already registered" answers are logged and limited), the page
    says whether the user may see a whole ID number, and a save goes back to the station's list ``list_url_name``.
    """

    list_url_name = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "station": self.station, "user": self.request.user}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("station", self.station)
        kwargs.setdefault("can_see_whole", self.request.user.has_perm("staffing.view_full_id_number"))
        return super().get_context_data(**kwargs)

    def get_success_url(self):
        return reverse(self.list_url_name, args=[self.station.pk])
