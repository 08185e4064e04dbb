"""Staffing policies: those that apply to an official, their own region's to set and edit, and every saved version."""

from datetime import date

from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, ListView, UpdateView
from rest_framework.exceptions import PermissionDenied as ScopeDenied

from accounts.mixins import (
    RolePermissionRequiredMixin,
    ScopedFormMixin,
    ScopedQuerysetMixin,
)
from accounts.scope import scope_of
from config.params import query_year
from stations.choices import RegionLevel
from stations.models import Region

from ..forms import StaffingPolicyForm
from ..models import StaffingPolicy
from ..rules import (
    salary_floor,
)
from .common import PAGE_SIZE


def policy_regions(user):
    """Regions ``user`` may set a staffing policy for: their own and those below it, down to counties."""
    levels = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]
    regions = Region.objects.visible_to(user).filter(level__in=levels)
    scope = scope_of(user)
    return regions if scope.everything else regions.filter(path__startswith=scope.region.path)


class PolicyListView(RolePermissionRequiredMixin, ScopedQuerysetMixin, ListView):
    """The staffing policies that may apply in the user's scope, newest year first, with their salary floors."""

    model = StaffingPolicy
    permission_required = "staffing.view_staffingpolicy"
    template_name = "staffing/policy_list.html"
    paginate_by = PAGE_SIZE

    def scoped_queryset(self, queryset):
        year = query_year(self.request.GET, default=None)
        self.year = "" if year is None else str(year)
        if year is not None:
            queryset = queryset.filter(year=year)
        return queryset.select_related("region").order_by("-year", "region__path")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        editable = set(
            StaffingPolicy.objects.editable_by(self.request.user)
            .filter(pk__in=[policy.pk for policy in context["object_list"]])
            .values_list("pk", flat=True)
        )
        for policy in context["object_list"]:
            policy.floor = salary_floor(policy)
            policy.editable = policy.pk in editable
        years = StaffingPolicy.objects.visible_to(self.request.user).order_by("-year").values_list("year", flat=True)
        return {
            **context,
            "year": self.year,
            "years": sorted(set(years), reverse=True),
            "defaults": StaffingPolicy(),
            "can_add": self.request.user.has_perm("staffing.add_staffingpolicy"),
        }


class PolicyFormMixin(ScopedFormMixin):
    model = StaffingPolicy
    form_class = StaffingPolicyForm
    template_name = "staffing/policy_form.html"
    success_url = reverse_lazy("staffing:policies")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "regions": policy_regions(self.request.user)}

    def save_form(self, form):
        policy = form.save()
        if not StaffingPolicy.objects.editable_by(self.request.user).filter(pk=policy.pk).exists():
            raise ScopeDenied(_("Only officials of this policy's region, or above it, can change it."))
        return policy


class PolicyCreateView(RolePermissionRequiredMixin, PolicyFormMixin, CreateView):
    """A new staffing policy for a region and year; figures start at the shipped defaults."""

    permission_required = "staffing.add_staffingpolicy"
    success_message = gettext_lazy("Staffing policy of %(object)s saved.")

    def get_initial(self):
        return {"year": date.today().year}


class PolicyUpdateView(RolePermissionRequiredMixin, ScopedQuerysetMixin, PolicyFormMixin, UpdateView):
    """A policy the user may change (their region or below), with every saved version listed under the form."""

    permission_required = "staffing.change_staffingpolicy"
    success_message = gettext_lazy("Staffing policy of %(object)s saved.")

    def scoped_queryset(self, queryset):
        return (queryset & StaffingPolicy.objects.editable_by(self.request.user)).select_related("region")

    def get_context_data(self, **kwargs):
        history = self.object.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
        return super().get_context_data(history=history, **kwargs)
