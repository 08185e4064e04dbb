"""The base of every API viewset: its queryset is always cut to the caller's scope.

Subclasses cannot override ``get_queryset`` (``__init_subclass__`` refuses it); they refine the
already-scoped queryset in ``scoped_queryset``. Objects outside the scope are therefore a 404,
the same answer as objects that do not exist, and writes are re-checked after saving, inside
the transaction, so a write that lands outside the scope is rolled back.

Every write (any method but GET, HEAD and OPTIONS) runs in one transaction that also builds the response's
data: once the write has committed, nothing is left to do but send bytes, so a connection lost after the
commit can no longer answer 500 for a write that was saved. The actions a viewset names in
``idempotent_actions`` also accept an ``Idempotency-Key`` header (``idempotency.py``).
"""

from functools import wraps

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import SAFE_METHODS

from config.conflicts import Conflict
from config.filters import ID_REGEX

from .idempotency import IdempotencyAutoSchema, api_idempotent


class Conflict409(APIException):
    """A rule's refusal of a step the record's present state does not allow (``config.conflicts.Conflict``): every
    scoped write answers it 409."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This change is not allowed in the record's present state.")
    default_code = "conflict"


class InUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This record is still referred to by other records and cannot be deleted.")
    default_code = "in_use"


def assert_in_scope(user, obj) -> None:
    """Refuse (and so roll back) a write whose result the user could not see."""
    if not type(obj).objects.visible_to(user).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("This change would reach outside your scope."))


class ScopedViewSetMixin:
    queryset = None
    lookup_value_regex = ID_REGEX
    # Actions whose POST a client may send again under the same Idempotency-Key (creating nothing twice).
    idempotent_actions: frozenset[str] = frozenset()
    schema = IdempotencyAutoSchema()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must refine scoped_queryset(), not override get_queryset()")

    def get_queryset(self):
        return self.scoped_queryset(self.queryset.all().visible_to(self.request.user))

    def scoped_queryset(self, queryset):
        return queryset

    def initial(self, request, *args, **kwargs):
        """After authentication and permissions: a write's handler runs (and answers) inside its transaction."""
        super().initial(request, *args, **kwargs)
        method = request.method.lower()
        if request.method not in SAFE_METHODS and hasattr(self, method):
            setattr(self, method, self.answered_before_commit(getattr(self, method)))

    def answered_before_commit(self, handler):
        idempotent = self.action in self.idempotent_actions

        @wraps(handler)
        def write(request, *args, **kwargs):
            try:
                with transaction.atomic():
                    if idempotent:
                        return api_idempotent(handler, request, *args, **kwargs)
                    return handler(request, *args, **kwargs)
            except Conflict as error:
                # Raised inside the transaction, so whatever the handler wrote is rolled back before the 409.
                raise Conflict409(getattr(error, "message", None) or str(error)) from error

        return write

    def perform_create(self, serializer):
        with transaction.atomic():
            assert_in_scope(self.request.user, serializer.save())

    def perform_update(self, serializer):
        with transaction.atomic():
            assert_in_scope(self.request.user, serializer.save())

    def perform_destroy(self, instance):
        try:
            self.destroy_instance(instance)
        except ProtectedError as error:
            names = "、".join(sorted({str(obj) for obj in error.protected_objects})[:5])
            raise InUse(_("Still referred to by: %(names)s") % {"names": names}) from error

    def destroy_instance(self, instance) -> None:
        """Delete ``instance``; a viewset whose rows are deleted by a rule calls it here."""
        instance.delete()


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that accepts only objects the requesting user can see."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.visible_to(request.user if request else None)
