"""Staffing policies: those that apply to an official, their own region's to set and edit, and every saved version.

The pages are ``stations.policy_views``' (shared with the evaluation policies); this names the model, its URLs and
words, and adds each policy's salary floor to the list.
"""

from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, ListView, UpdateView

from accounts.mixins import RolePermissionRequiredMixin
from stations.policy_views import RegionPolicyCreateMixin, RegionPolicyListMixin, RegionPolicyUpdateMixin

from ..forms import StaffingPolicyForm
from ..models import StaffingPolicy
from ..rules import salary_floor


class StaffingPolicyPages:
    """What every staffing policy page names: the model, the list's title and the pages' URL names."""

    model = StaffingPolicy
    list_title = _("Staffing policies")
    list_url_name = "staffing:policies"
    create_url_name = "staffing:policy_create"
    edit_url_name = "staffing:policy_update"


class PolicyListView(RolePermissionRequiredMixin, StaffingPolicyPages, RegionPolicyListMixin, ListView):
    """The staffing policies that may apply in the user's scope, newest year first, with their salary floors."""

    permission_required = "staffing.view_staffingpolicy"
    template_name = "staffing/policy_list.html"
    intro = _(
        "A station follows the policy of the nearest region above it that has one for the year; without any, the "
        "shipped defaults apply."
    )
    empty_message = _("No policy has been set: every station follows the shipped defaults.")

    def prepare_rows(self, policies) -> None:
        for policy in policies:
            policy.floor = salary_floor(policy)


class PolicyFormMixin(StaffingPolicyPages):
    """The form pages of a staffing policy."""

    form_class = StaffingPolicyForm
    template_name = "staffing/policy_form.html"
    success_message = _("Staffing policy of %(object)s saved.")
    title_new = _("New staffing policy")
    title_of = _("Staffing policy of %(name)s")
    intro = _(
        "Every station of the region and below is checked against these figures for the year, unless a region "
        "nearer to it has its own policy."
    )


class PolicyCreateView(RolePermissionRequiredMixin, PolicyFormMixin, RegionPolicyCreateMixin, CreateView):
    """A new staffing policy for a region and year; figures start at the shipped defaults."""

    permission_required = "staffing.add_staffingpolicy"


class PolicyUpdateView(RolePermissionRequiredMixin, PolicyFormMixin, RegionPolicyUpdateMixin, UpdateView):
    """A policy the user may change (their region or below), with every saved version listed under the form."""

    permission_required = "staffing.change_staffingpolicy"
