"""The budget pages: a station's budget of a year against actual spending, one version, the budget form, the steps
(submit, approve, return, revise) and the township official's approval queue.

The pages orchestrate only: the figures are ``rules.execution.budget_execution``'s, the problems
``rules.budgets.budget_problems``'s and every step a call into ``rules.budgets``, as in the API.
"""

from functools import cached_property

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView

from accounts.mixins import RolePermissionRequiredMixin, ScopedQuerysetMixin, StationPageMixin
from config.conflicts import Conflict
from config.lists import Column, ListPageMixin
from config.params import query_year

from ..choices import EDITABLE_BUDGET_STATUSES, OPEN_BUDGET_STATUSES, BudgetLine, BudgetStatus
from ..forms.budgets import BudgetForm, ReturnForm
from ..models import Budget
from ..rules.budgets import (
    budget_amounts,
    budget_approve,
    budget_create,
    budget_history,
    budget_return,
    budget_revise,
    budget_submit,
    budget_update,
    saved_budget_problems,
)
from ..rules.execution import budget_execution
from ..rules.money import share_of

PAGE_SIZE = 25
STATUS_COLOURS = {
    BudgetStatus.DRAFT: "secondary",
    BudgetStatus.SUBMITTED: "info",
    BudgetStatus.RETURNED: "warning",
    BudgetStatus.APPROVED: "success",
    BudgetStatus.SUPERSEDED: "light",
}


def offered_steps(user, budget: Budget, *, open_exists: bool) -> dict[str, bool]:
    """The steps whose buttons the page shows ``user`` for ``budget`` (the rules decide again on POST)."""
    editable = budget.status in EDITABLE_BUDGET_STATUSES
    decidable = budget.status == BudgetStatus.SUBMITTED and user.has_perm("funding.approve_budget")
    return {
        "edit": editable and user.has_perm("funding.change_budget"),
        "submit": editable and user.has_perm("funding.submit_budget"),
        "approve": decidable,
        "return": decidable,
        "revise": budget.status == BudgetStatus.APPROVED and not open_exists and user.has_perm("funding.add_budget"),
    }


def year_versions(user, station, year: int) -> list[Budget]:
    """Every version of the station's budget of ``year`` the user sees, newest first, with its amounts."""
    return list(
        Budget.objects.visible_to(user)
        .filter(station=station, year=year)
        .select_related("submitted_by", "decided_by")
        .prefetch_related("lines", "sources")
        .order_by("-version")
    )


def budget_context(user, budget: Budget, versions: list[Budget]) -> dict:
    """What the pages show of one version: its amounts, problems (an open one's), steps and change history."""
    open_exists = any(version.status in OPEN_BUDGET_STATUSES for version in versions)
    return {
        "budget": budget,
        "budget_lines": list(budget.lines.all()),
        "budget_sources": list(budget.sources.all()),
        "problems": saved_budget_problems(budget) if budget.status in OPEN_BUDGET_STATUSES else {},
        "steps": offered_steps(user, budget, open_exists=open_exists),
        "return_form": ReturnForm(),
        "history": budget_history(budget=budget),
        "status_colours": STATUS_COLOURS,
    }


def budget_url(station_pk: int, year: int) -> str:
    return f"{reverse('funding:budget', args=[station_pk])}?year={year}"


class StationBudgetView(RolePermissionRequiredMixin, StationPageMixin, TemplateView):
    """A station's budget of a year (``?year=``, this year by default): the budget in force, each line and source
    planned against actual spending (bars coloured by the policy's warnings), the personnel share of actual
    spending, every version of the year, the steps the user may take and the change history."""

    permission_required = "funding.view_budget"
    template_name = "funding/budgets/station.html"

    def get_context_data(self, **kwargs):
        user, station = self.request.user, self.station
        year = query_year(self.request.GET, default=timezone.localdate().year)
        execution = budget_execution(station=station, year=year, user=user)
        versions = year_versions(user, station, year)
        shown = next((version for version in versions if execution.budget and version.pk == execution.budget.pk), None)
        budgeted = set(Budget.objects.filter(station=station).values_list("year", flat=True).distinct())
        context = budget_context(user, shown, versions) if shown else {"status_colours": STATUS_COLOURS}
        open_version = next((version for version in versions if version.status in OPEN_BUDGET_STATUSES), None)
        if open_version is not None and open_version is not shown:
            context["open_version"] = open_version
            context["open_problems"] = saved_budget_problems(open_version)
        return super().get_context_data(
            year=year,
            years=sorted(budgeted | {timezone.localdate().year, year}, reverse=True),
            execution=execution,
            versions=versions,
            may_create=not versions and user.has_perm("funding.add_budget"),
            **context,
            **kwargs,
        )


class BudgetVersionView(RolePermissionRequiredMixin, ScopedQuerysetMixin, DetailView):
    """One version of a station's budget: its lines and sources, problems, steps and change history, and the other
    versions of its year."""

    model = Budget
    permission_required = "funding.view_budget"
    template_name = "funding/budgets/version.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township", "submitted_by", "decided_by").prefetch_related(
            "lines", "sources"
        )

    def get_context_data(self, **kwargs):
        budget, user = self.object, self.request.user
        versions = year_versions(user, budget.station, budget.year)
        return super().get_context_data(
            station=budget.station, versions=versions, **budget_context(user, budget, versions), **kwargs
        )


# --- the form -------------------------------------------------------------------------------------------------


class BudgetFormMixin:
    form_class = BudgetForm
    template_name = "funding/budgets/form.html"

    def saved(self, budget: Budget) -> HttpResponseRedirect:
        problems = saved_budget_problems(budget)
        if problems:
            messages.warning(
                self.request, _("Budget saved as a draft; it cannot be submitted until its problems are solved.")
            )
        else:
            messages.success(self.request, _("Budget saved."))
        return HttpResponseRedirect(reverse("funding:budget-version", args=[budget.pk]))

    def refused(self, form, error: Exception):
        if isinstance(error, Conflict):
            form.add_error(None, error.message)
        else:
            form.add_problems(error)
        return self.form_invalid(form)


class BudgetCreateView(RolePermissionRequiredMixin, StationPageMixin, BudgetFormMixin, FormView):
    """A station's first budget of a year (``?year=``), a draft; a year that already has one goes to its page."""

    permission_required = "funding.add_budget"

    @cached_property
    def year(self) -> int:
        return query_year(self.request.GET, default=timezone.localdate().year)

    def get(self, request, *args, **kwargs):
        if Budget.objects.filter(station=self.station, year=self.year).exists():
            messages.info(
                request, _("This station already has a budget for %(year)s: revise it instead.") % {"year": self.year}
            )
            return HttpResponseRedirect(budget_url(self.station.pk, self.year))
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "with_year": True}

    def get_initial(self):
        return {"year": self.year}

    def get_context_data(self, **kwargs):
        return super().get_context_data(creating=True, back_url=budget_url(self.station.pk, self.year), **kwargs)

    def form_valid(self, form):
        try:
            budget = budget_create(
                station=self.station,
                year=form.cleaned_data["year"],
                lines=form.lines(),
                sources=form.sources(),
                note=form.cleaned_data["note"],
                user=self.request.user,
            )
        except (Conflict, ValidationError) as error:
            return self.refused(form, error)
        return self.saved(budget)


class BudgetEditView(RolePermissionRequiredMixin, BudgetFormMixin, FormView):
    """A draft's or a returned budget's amounts and note; any other version is frozen (its page says so)."""

    permission_required = "funding.change_budget"

    @cached_property
    def budget(self) -> Budget:
        budgets = Budget.objects.visible_to(self.request.user).select_related("station__township")
        return get_object_or_404(budgets.prefetch_related("lines", "sources"), pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            if self.budget.status not in EDITABLE_BUDGET_STATUSES:
                messages.error(
                    request, _("Only a draft or a returned budget can be changed; an approved one is revised.")
                )
                return HttpResponseRedirect(reverse("funding:budget-version", args=[self.budget.pk]))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        lines, sources = budget_amounts(self.budget)
        return BudgetForm.initial_of(lines, sources, self.budget.note)

    def get_context_data(self, **kwargs):
        back = reverse("funding:budget-version", args=[self.budget.pk])
        return super().get_context_data(station=self.budget.station, budget=self.budget, back_url=back, **kwargs)

    def form_valid(self, form):
        try:
            budget = budget_update(
                budget=self.budget,
                lines=form.lines(),
                sources=form.sources(),
                note=form.cleaned_data["note"],
                user=self.request.user,
            )
        except (Conflict, ValidationError) as error:
            return self.refused(form, error)
        return self.saved(budget)


# --- the steps ------------------------------------------------------------------------------------------------


STEP_PERMISSIONS = {
    "submit": "funding.submit_budget",
    "approve": "funding.approve_budget",
    "return": "funding.approve_budget",
    "revise": "funding.add_budget",
}
STEP_DONE = {
    "submit": gettext_lazy("Budget submitted: the township official will approve or return it."),
    "approve": gettext_lazy("Budget approved: it is now the station's budget in force."),
    "return": gettext_lazy("Budget returned to the station."),
    "revise": gettext_lazy("Revision started: the approved budget stays in force until the revision is approved."),
}


class BudgetStepView(RolePermissionRequiredMixin, ScopedQuerysetMixin, DetailView):
    """POST one step through its rule, then back (to ``next`` when it is a page of this site, else the version's
    page) with its message: done, refused by the status (``Conflict``) or by the rule's checks (the problems)."""

    model = Budget
    http_method_names = ["post"]
    step = ""

    def get_permission_required(self):
        return ("funding.view_budget", STEP_PERMISSIONS[self.step])

    def back_url(self, budget: Budget) -> str:
        wanted = self.request.POST.get("next", "")
        if wanted and url_has_allowed_host_and_scheme(wanted, {self.request.get_host()}, self.request.is_secure()):
            return wanted
        return reverse("funding:budget-version", args=[budget.pk])

    def take(self, budget: Budget) -> Budget:
        user = self.request.user
        if self.step == "submit":
            return budget_submit(budget=budget, user=user)
        if self.step == "approve":
            return budget_approve(budget=budget, user=user)
        if self.step == "return":
            return budget_return(budget=budget, user=user, reason=self.request.POST.get("reason", ""))
        return budget_revise(budget=budget, user=user)

    def post(self, request, *args, **kwargs):
        budget = self.get_object()
        back = self.back_url(budget)
        try:
            result = self.take(budget)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, STEP_DONE[self.step])
            if self.step == "revise":
                back = reverse("funding:budget-version", args=[result.pk])
        return HttpResponseRedirect(back)


# --- the approval queue ---------------------------------------------------------------------------------------


class BudgetQueueFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(choices=BudgetStatus.choices, label=gettext_lazy("Status"))

    class Meta:
        model = Budget
        fields = ["year", "status"]


MONEY = DecimalField(max_digits=16, decimal_places=2)


class BudgetQueueView(RolePermissionRequiredMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """The township official's approval queue: the submitted budgets in scope, oldest first, with their totals and
    personnel shares and the approve and return buttons. ``?view=all`` (and for everyone else: officials above the
    township read it) lists every budget in scope, filtered by status and year, paged and sortable."""

    model = Budget
    permission_required = "funding.view_budget"
    template_name = "funding/budgets/queue.html"
    paginate_by = PAGE_SIZE
    filterset_class = BudgetQueueFilter
    keep_params = ("view",)
    empty_icon = "inbox"
    columns = (
        Column("station", gettext_lazy("Station"), "station__name", value="station.name", width=28),
        Column("township", gettext_lazy("Township"), "station__township__path", value="station.township.name"),
        Column("year", gettext_lazy("Year"), "year", value="year", width=8),
        Column("version", gettext_lazy("Version"), "version", css="text-end", value="version", width=8),
        Column("status", gettext_lazy("Status"), "status", value="get_status_display", width=10),
        Column("total", gettext_lazy("Total (yuan)"), "budget_total", css="text-end", value="budget_total"),
        Column("personnel", gettext_lazy("Personnel share"), css="text-end"),
        Column("submitted", gettext_lazy("Submitted"), "submitted_at", width=12),
        Column("actions", gettext_lazy("Actions"), label_hidden=True),
    )

    @cached_property
    def queue(self) -> bool:
        """The approver's queue (submitted budgets only), unless they ask for every budget."""
        return self.request.user.has_perm("funding.approve_budget") and self.request.GET.get("view") != "all"

    @property
    def default_ordering(self):
        return (
            ("submitted_at", "pk") if self.queue else ("-year", "station__township__path", "station__name", "-version")
        )

    @property
    def filter_labels(self):
        return {"year": _("Year")} if self.queue else {"year": _("Year"), "status": _("Status")}

    @property
    def empty_message(self):
        return _("No budget is waiting for approval.") if self.queue else _("No budget matches these filters.")

    def scoped_queryset(self, queryset):
        rows = self.listed(queryset).select_related("station__township")
        if self.queue:
            rows = rows.filter(status=BudgetStatus.SUBMITTED)
        rows = rows.annotate(
            budget_total=Coalesce(Sum("lines__amount"), Value(0), output_field=MONEY),
            personnel=Coalesce(
                Sum("lines__amount", filter=Q(lines__line=BudgetLine.PERSONNEL)), Value(0), output_field=MONEY
            ),
        )
        return self.ordered(rows)

    def prepare_rows(self, rows):
        for row in rows:
            row.personnel_share = share_of(row.personnel, row.budget_total)
        return rows

    def get_context_data(self, **kwargs):
        form = self.filterset.form
        form.fields["year"].widget = forms.NumberInput(attrs={"class": "form-control", "min": 2000, "max": 2100})
        status = form.fields["status"]
        status.choices = [("", _("All statuses")), *[(value, label) for value, label in BudgetStatus.choices]]
        status.widget.attrs["class"] = "form-select"
        return super().get_context_data(
            queue=self.queue,
            may_approve=self.request.user.has_perm("funding.approve_budget"),
            return_form=ReturnForm(),
            approver_steps={"approve": True, "return": True},
            status_colours=STATUS_COLOURS,
            **kwargs,
        )


urlpatterns: list = [
    path("stations/<id:pk>/budget/", StationBudgetView.as_view(), name="budget"),
    path("stations/<id:pk>/budget/new/", BudgetCreateView.as_view(), name="budget-create"),
    path("budgets/queue/", BudgetQueueView.as_view(), name="budget-queue"),
    path("budgets/<id:pk>/", BudgetVersionView.as_view(), name="budget-version"),
    path("budgets/<id:pk>/edit/", BudgetEditView.as_view(), name="budget-edit"),
    *[
        path(f"budgets/<id:pk>/{step}/", BudgetStepView.as_view(step=step), name=f"budget-{step}")
        for step in STEP_PERMISSIONS
    ],
]
