"""Cases from intake to closure, with their timeline and the forms of each step."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, ListView

from accounts.mixins import (
    OutOfScope,
    RolePermissionRequiredMixin,
    ScopedFormMixin,
    ScopedQuerysetMixin,
    StationPageMixin,
    add_rule_errors,
    save_in_scope,
)
from accounts.privacy import people_view
from config.lists import Column, ListPageMixin
from config.params import query_id
from staffing.models import StaffMember
from staffing.selectors import staff_current, staff_member_of

from ..choices import (
    CaseStatus,
)
from ..forms import (
    CASE_STEPS,
    CaseOpenForm,
)
from ..models import Beneficiary, Case, CaseFollowUp
from ..rules import (
    case_assess,
    case_close,
    case_follow_up,
    case_open,
    case_plan,
    case_refer,
    case_timeline,
)
from .common import PAGE_SIZE, StationTabMixin, count_of


def case_scores(case) -> str:
    """The assessment scores before and after, as the case list shows them: ``42 → 68``."""
    before = "—" if case.before_score is None else case.before_score
    after = "—" if case.after_score is None else case.after_score
    return f"{before} → {after}"


class CaseListView(RolePermissionRequiredMixin, StationTabMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """A station's cases: by status, sortable, with the scores before and after; to Excel with names as
    ``accounts.privacy`` shows them to the user."""

    model = Case
    permission_required = "services.view_case"
    template_name = "services/case_list.html"
    paginate_by = PAGE_SIZE
    tab = "cases"
    keep_params = ("status",)
    default_ordering = ("-opened_on", "-pk")
    export_filename = gettext_lazy("cases %(date)s.xlsx")
    empty_message = gettext_lazy("No case here yet.")
    empty_icon = "folder2-open"

    def get_columns(self) -> list[Column]:
        people = people_view(self.request.user)
        return [
            Column("beneficiary", _("Beneficiary"), "beneficiary__name", value=lambda c: people.name(c.beneficiary)),
            Column("worker", _("Worker in charge"), value=lambda c: people.name(c.worker) if c.worker else ""),
            Column("opened_on", _("Case opened on"), "opened_on", value="opened_on", width=12),
            Column("status", _("Status"), "status", value="get_status_display", width=10),
            Column("follow_ups", _("Follow-ups"), css="text-end", value="follow_up_count", width=10),
            Column("scores", _("Score before → after"), css="text-end", value=case_scores, width=14),
        ]

    def scoped_queryset(self, queryset):
        cases = queryset.filter(station=self.station)
        self.status = self.request.GET.get("status", "")
        if self.status == "open":
            cases = cases.exclude(status=CaseStatus.CLOSED)
        elif self.status in CaseStatus.values:
            cases = cases.filter(status=self.status)
        return self.ordered(
            cases.select_related("beneficiary", "worker").annotate(follow_up_count=count_of(CaseFollowUp, "case"))
        )

    def get_context_data(self, **kwargs):
        counts = dict(
            Case.objects.visible_to(self.request.user)
            .filter(station=self.station)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        return super().get_context_data(
            status=self.status,
            statuses=[(value, label, counts.get(value, 0)) for value, label in CaseStatus.choices],
            open_count=sum(n for status, n in counts.items() if status != CaseStatus.CLOSED),
            **kwargs,
        )


class CaseCreateView(RolePermissionRequiredMixin, StationPageMixin, ScopedFormMixin, CreateView):
    """Intake: open a case for a beneficiary of the station (``?beneficiary=`` preselects one)."""

    model = Case
    form_class = CaseOpenForm
    permission_required = "services.add_case"
    template_name = "services/case_form.html"
    success_message = gettext_lazy("Case of %(object)s opened.")

    def get_form_kwargs(self):
        user, station = self.request.user, self.station
        kwargs = super().get_form_kwargs()
        beneficiary = query_id(self.request.GET, "beneficiary")
        if beneficiary is not None:
            kwargs["initial"] = {**kwargs.get("initial", {}), "beneficiary": beneficiary}
        workers = (StaffMember.objects.visible_to(user) & staff_current(station=station, on=date.today())).order_by(
            "name"
        )
        me = staff_member_of(user=user, staff=workers)
        if me is not None:  # who opens a case is usually the worker who takes it on
            kwargs["initial"] = {"worker": me.pk, **kwargs.get("initial", {})}
        return {
            **kwargs,
            "beneficiaries": Beneficiary.objects.visible_to(user).filter(station=station, active=True),
            "workers": workers,
        }

    def save_form(self, form):
        data = form.cleaned_data
        return case_open(
            station=self.station,
            beneficiary=data["beneficiary"],
            worker=data["worker"],
            opened_on=data["opened_on"],
            intake_notes=data["intake_notes"],
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab="cases", **kwargs)

    def get_success_url(self):
        return reverse("services:case_detail", args=[self.object.pk])


class CaseDetailView(RolePermissionRequiredMixin, ScopedQuerysetMixin, DetailView):
    """A case's timeline from intake to closure, with the forms of the steps its status allows."""

    model = Case
    permission_required = "services.view_case"
    template_name = "services/case_detail.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township", "beneficiary__community", "worker")

    def step_forms(self, bound: dict | None = None) -> dict:
        case, today = self.object, date.today()
        workers = (
            StaffMember.objects.visible_to(self.request.user) & staff_current(station=case.station, on=today)
        ).order_by("name")
        forms = {}
        for step, (form_class, statuses) in CASE_STEPS.items():
            extra = {"workers": workers} if step == "follow_up" else {}
            if bound and step in bound:
                forms[step] = bound[step]  # a refused step is shown with its errors, even if not offered now
            elif case.status in statuses:
                date_field = next(name for name in form_class.base_fields if name.endswith("_on") or name == "date")
                forms[step] = form_class(prefix=step, initial={date_field: today, "worker": case.worker_id}, **extra)
        return forms

    def get_context_data(self, **kwargs):
        case = self.object
        can_change = self.request.user.has_perm("services.change_case")
        return super().get_context_data(
            station=case.station,
            tab="cases",
            timeline=case_timeline(case, user=self.request.user),
            step_forms=self.step_forms(kwargs.pop("bound", None)) if can_change else {},
            change=(case.after_score - case.before_score)
            if case.after_score is not None and case.before_score is not None
            else None,
            **kwargs,
        )


class CaseStepView(CaseDetailView):
    """POST one step of a case (assess, plan, follow_up, refer, close) through its rule; errors on the timeline page."""

    permission_required = ("services.view_case", "services.change_case")
    http_method_names = ["post"]
    STEP_RULES = {
        "assess": case_assess,
        "plan": case_plan,
        "follow_up": case_follow_up,
        "refer": case_refer,
        "close": case_close,
    }

    def take_step(self, step: str, data: dict) -> Case:
        self.STEP_RULES[step](case=self.object, **data)
        return self.object

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        step = kwargs["step"]
        if step not in CASE_STEPS:
            return HttpResponseRedirect(reverse("services:case_detail", args=[self.object.pk]))
        form_class, _statuses = CASE_STEPS[step]
        extra = (
            {"workers": StaffMember.objects.visible_to(request.user).filter(station=self.object.station)}
            if step == "follow_up"
            else {}
        )
        form = form_class(request.POST, prefix=step, **extra)
        if form.is_valid():
            try:
                save_in_scope(request.user, lambda: self.take_step(step, form.cleaned_data))
            except ValidationError as error:
                add_rule_errors(form, error)
            except OutOfScope as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Case updated."))
                return HttpResponseRedirect(reverse("services:case_detail", args=[self.object.pk]))
        return self.render_to_response(self.get_context_data(bound={step: form}, failed_step=step))
