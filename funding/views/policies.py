"""Funding policies (the city's share and cap, the personnel limit, the factor per grade, the budget warnings):
list, new, edit with every saved version.

The pages are ``stations.policy_views``' (shared with the staffing and evaluation policies); this names the model,
its URLs and words.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, ListView, UpdateView

from accounts.mixins import RolePermissionRequiredMixin
from stations.policy_views import RegionPolicyCreateMixin, RegionPolicyListMixin, RegionPolicyUpdateMixin

from ..forms.policies import FundingPolicyForm
from ..models import FundingPolicy


class FundingPolicyPages:
    """What every funding policy page names: the model, the list's title and the pages' URL names."""

    model = FundingPolicy
    list_title = _("Funding policies")
    list_url_name = "funding:policy-list"
    create_url_name = "funding:policy-create"
    edit_url_name = "funding:policy-edit"


class PolicyListView(RolePermissionRequiredMixin, FundingPolicyPages, RegionPolicyListMixin, ListView):
    """The funding policies that may apply in the user's scope, with the shipped defaults under them."""

    permission_required = "funding.view_fundingpolicy"
    template_name = "funding/policies/policy_list.html"
    intro = _(
        "How a township's project spending is shared: the city pays its share of each station's spending times the "
        "factor of the station's published grade, up to the cap; the township pays the rest. A township follows "
        "the policy of the nearest region above it that has one for the year; without any, the shipped defaults "
        "apply."
    )
    empty_message = _("No policy has been set: every township follows the shipped defaults.")


class PolicyFormMixin(FundingPolicyPages):
    """The form pages of a funding policy."""

    form_class = FundingPolicyForm
    template_name = "funding/policies/policy_form.html"
    success_message = _("Funding policy of %(object)s saved.")
    title_new = _("New funding policy")
    title_of = _("Funding policy of %(name)s")
    intro = _(
        "Shares and factors are fractions from 0 to 1 (0.40 is 40 %). The warning comes at or before the "
        "over-budget mark."
    )


class PolicyCreateView(RolePermissionRequiredMixin, PolicyFormMixin, RegionPolicyCreateMixin, CreateView):
    """A new funding policy for a region and year; its figures start at the shipped defaults."""

    permission_required = "funding.add_fundingpolicy"


class PolicyUpdateView(RolePermissionRequiredMixin, PolicyFormMixin, RegionPolicyUpdateMixin, UpdateView):
    """A policy the user may change (their region or below), with every saved version listed under the form."""

    permission_required = "funding.change_fundingpolicy"


urlpatterns = [
    path("policies/", PolicyListView.as_view(), name="policy-list"),
    path("policies/new/", PolicyCreateView.as_view(), name="policy-create"),
    path("policies/<id:pk>/edit/", PolicyUpdateView.as_view(), name="policy-edit"),
]
