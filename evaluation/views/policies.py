"""Evaluation policies (the totals that make each grade and each star): list, new, edit with every saved version.

The pages are ``stations.policy_views``' (shared with the staffing policies); this names the model, its URLs and
words.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, ListView, UpdateView

from accounts.mixins import RolePermissionRequiredMixin
from stations.policy_views import RegionPolicyCreateMixin, RegionPolicyListMixin, RegionPolicyUpdateMixin

from ..forms.templates import EvaluationPolicyForm
from ..models import EvaluationPolicy


class EvaluationPolicyPages:
    """What every evaluation policy page names: the model, the list's title and the pages' URL names."""

    model = EvaluationPolicy
    list_title = _("Evaluation policies")
    list_url_name = "evaluation:policy-list"
    create_url_name = "evaluation:policy-create"
    edit_url_name = "evaluation:policy-edit"


class PolicyListView(RolePermissionRequiredMixin, EvaluationPolicyPages, RegionPolicyListMixin, ListView):
    """The evaluation policies that may apply in the user's scope, with the shipped defaults under them."""

    permission_required = "evaluation.view_evaluationpolicy"
    template_name = "evaluation/policies/policy_list.html"
    intro = _(
        "The totals that make each grade and each star. A station's evaluation follows the policy of the nearest "
        "region above it that has one for the evaluated year; without any, the shipped defaults apply."
    )
    empty_message = _("No policy has been set: every evaluation follows the shipped defaults.")


class PolicyFormMixin(EvaluationPolicyPages):
    """The form pages of an evaluation policy."""

    form_class = EvaluationPolicyForm
    template_name = "evaluation/policies/policy_form.html"
    success_message = _("Evaluation policy of %(object)s saved.")
    title_new = _("New evaluation policy")
    title_of = _("Evaluation policy of %(name)s")
    intro = _(
        "A total at or above a threshold reaches it. Thresholds fall: excellent above good above pass, five stars "
        "above four and so on down to one."
    )


class PolicyCreateView(RolePermissionRequiredMixin, PolicyFormMixin, RegionPolicyCreateMixin, CreateView):
    """A new evaluation policy for a region and year; thresholds start at the shipped defaults."""

    permission_required = "evaluation.add_evaluationpolicy"


class PolicyUpdateView(RolePermissionRequiredMixin, PolicyFormMixin, RegionPolicyUpdateMixin, UpdateView):
    """A policy the user may change (their region or below), with every saved version listed under the form."""

    permission_required = "evaluation.change_evaluationpolicy"


urlpatterns = [
    path("policies/", PolicyListView.as_view(), name="policy-list"),
    path("policies/new/", PolicyCreateView.as_view(), name="policy-create"),
    path("policies/<id:pk>/edit/", PolicyUpdateView.as_view(), name="policy-edit"),
]
