"""The evaluations of a region and their steps (review, return, publish, amend, confirm, object), and assignments.

The pages orchestrate only: who may take which step is ``rules.workflow``'s ``may_*`` (buttons) and its step
functions (the decision), and every display of scores is ``selectors.evaluation_sheet``.
"""

from datetime import date
from functools import cached_property

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from accounts.mixins import (
    RolePermissionRequiredMixin,
    ScopedFormMixin,
    ScopedQuerysetMixin,
    add_rule_errors,
)
from accounts.scope import scope_of
from config.lists import Column, ListPageMixin
from config.params import query_id
from reports.models import Report
from reports.rendering import FONT_STACK, bar_chart
from services.views.common import count_of
from stations.choices import OrganizationKind, RegionLevel
from stations.models import Organization, Region

from ..choices import EvaluationStatus, Grade, TownshipAnswer
from ..forms.officials import (
    NOT_GRADED,
    STEP_FORMS,
    AssignmentFilter,
    AssignmentForm,
    EvaluationFilter,
)
from ..models import Assignment, Evaluation
from ..rules.twoway import two_way_pair
from ..rules.workflow import (
    Conflict,
    evaluation_amend,
    evaluation_answer,
    evaluation_publish,
    evaluation_return,
    evaluation_review,
    may_amend,
    may_answer,
    may_publish,
    may_return,
    may_review,
    may_score,
)
from ..selectors import evaluation_sheet, evaluation_with_history

PAGE_SIZE = 25

GRADE_COLOURS = {
    Grade.EXCELLENT: "#2e7d32",
    Grade.GOOD: "#1565c0",
    Grade.PASS: "#f9a825",
    Grade.FAIL: "#c62828",
    NOT_GRADED: "#9e9e9e",
}
STATUS_COLOURS = {
    EvaluationStatus.DRAFT: "secondary",
    EvaluationStatus.SUBMITTED: "info",
    EvaluationStatus.REVIEWED: "primary",
    EvaluationStatus.PUBLISHED: "success",
}


def as_select(field: forms.Field, choices, empty_label: str) -> None:
    """Show a filter's id or number field as a select of the given choices."""
    field.widget = forms.Select(choices=[("", empty_label), *choices], attrs={"class": "form-select"})


def with_empty_label(field: forms.ChoiceField, empty_label: str) -> None:
    field.choices = [("", empty_label), *[(value, label) for value, label in field.choices if value != ""]]
    if hasattr(field, "empty_label"):
        field.empty_label = None
    field.widget.attrs["class"] = "form-select"


def stars_text(stars) -> str:
    return "★" * stars if stars else ""


# --- the evaluations list --------------------------------------------------------------------------------


class EvaluationListView(RolePermissionRequiredMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """Every evaluation in the user's scope, filtered, sortable, to Excel; with the grade distribution of the
    filtered set and its counts by status."""

    model = Evaluation
    permission_required = "evaluation.view_evaluation"
    template_name = "evaluation/officials/evaluation_list.html"
    paginate_by = PAGE_SIZE
    filterset_class = EvaluationFilter
    default_ordering = ("-year", "station__township__path", "station__name", "pk")
    export_filename = gettext_lazy("evaluations %(date)s.xlsx")
    empty_message = gettext_lazy("No evaluation matches these filters.")
    empty_icon = "clipboard-data"
    columns = (
        Column("station", gettext_lazy("Station"), "station__name", value="station.name", width=28),
        Column("township", gettext_lazy("Township"), "station__township__path", value="station.township.name"),
        Column("county", gettext_lazy("County"), value="station.township.parent.name", on_page=False),
        Column("year", gettext_lazy("Year"), "year", value="year", width=8),
        Column("stage", gettext_lazy("Stage"), "stage", value="get_stage_display", width=10),
        Column("agency", gettext_lazy("Evaluation agency"), value="assignment.agency.name", width=24),
        Column("status", gettext_lazy("Status"), "status", value="get_status_display", width=10),
        Column("total", gettext_lazy("Total points"), "total", css="text-end", value="total", width=8),
        Column("grade", gettext_lazy("Grade"), "grade", value="get_grade_display", width=10),
        Column("stars", gettext_lazy("Stars"), "stars", value=lambda e: stars_text(e.stars), width=8),
        Column("updated", gettext_lazy("Updated"), "updated_at", value=lambda e: e.updated_at.date(), width=12),
    )

    @property
    def filter_labels(self):
        labels = {
            "year": _("Year"),
            "stage": _("Stage"),
            "status": _("Status"),
            "grade": _("Grade"),
            "region": _("County or township"),
            "agency": _("Evaluation agency"),
        }
        if len(self.region_choices) <= 1:
            del labels["region"]
        if len(self.agency_choices) <= 1:
            del labels["agency"]
        return labels

    def scoped_queryset(self, queryset):
        self.scoped = queryset
        evaluations = self.listed(queryset).select_related("station__township__parent", "assignment__agency")
        return self.ordered(evaluations)

    @cached_property
    def region_choices(self) -> list[tuple[int, str]]:
        """Counties and townships of the user's scope (a county's townships indented under it)."""
        regions = Region.objects.visible_to(self.request.user).filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
        )
        return [
            (region.pk, region.name if region.level == RegionLevel.COUNTY else f"· {region.name}")
            for region in regions.order_by("path")
        ]

    @cached_property
    def agency_choices(self) -> list[tuple[int, str]]:
        agencies = Organization.objects.filter(
            kind=OrganizationKind.EVALUATION_AGENCY, pk__in=self.scoped.values("assignment__agency")
        )
        return list(agencies.order_by("name").values_list("pk", "name"))

    def year_choices(self) -> list[tuple[int, int]]:
        years = self.scoped.order_by("-year").values_list("year", flat=True).distinct()
        return [(year, year) for year in years]

    def distribution(self) -> dict:
        """Counts of the filtered evaluations by grade (not graded yet included) and by status: one query."""
        by_grade, by_status = dict.fromkeys([*Grade.values, NOT_GRADED], 0), dict.fromkeys(EvaluationStatus.values, 0)
        rows = self.object_list.order_by().values_list("status", "grade").annotate(n=Count("pk"))
        for status, grade, n in rows:
            by_grade[grade or NOT_GRADED] += n
            by_status[status] += n
        grade_labels = {**dict(Grade.choices), NOT_GRADED: _("Not graded yet")}
        total = sum(by_grade.values())
        chart = bar_chart(
            [(str(grade_labels[grade]), n, GRADE_COLOURS[grade]) for grade, n in by_grade.items()], scale_to=total
        )
        return {
            "chart": chart,
            "grades": [(grade, grade_labels[grade], n) for grade, n in by_grade.items()],
            "statuses": [
                (status, label, by_status[status], STATUS_COLOURS[status]) for status, label in EvaluationStatus.choices
            ],
            "total": total,
        }

    def get_context_data(self, **kwargs):
        form = self.filterset.form
        as_select(form.fields["year"], self.year_choices(), _("All years"))
        as_select(form.fields["region"], self.region_choices, _("All regions"))
        as_select(form.fields["agency"], self.agency_choices, _("All agencies"))
        for name, label in (("stage", _("All stages")), ("status", _("All statuses")), ("grade", _("All grades"))):
            with_empty_label(form.fields[name], label)
        params = self.request.GET.copy()
        for name in ("grade", "status", "page"):
            params.pop(name, None)
        return super().get_context_data(
            tab="evaluations",
            distribution=self.distribution(),
            font_stack=FONT_STACK,
            status_colours=STATUS_COLOURS,
            facet_params=params.urlencode(),
            **kwargs,
        )


# --- one evaluation ----------------------------------------------------------------------------------------


def step_offered(user, evaluation) -> dict[str, bool]:
    """Which steps' forms the page shows ``user`` (the rules' predicates: only the buttons one may press)."""
    return {
        "review": may_review(user, evaluation),
        "return": may_return(user, evaluation),
        "publish": may_publish(user, evaluation),
        "amend": may_amend(user, evaluation),
        "confirm": may_answer(user, evaluation),
        "object": may_answer(user, evaluation),
    }


class EvaluationDetailView(RolePermissionRequiredMixin, ScopedQuerysetMixin, DetailView):
    """An evaluation: header, scores by dimension (with facts, evidence and comments), files, steps, the township's
    answers and the amendments, and the forms of the steps the user may take."""

    model = Evaluation
    permission_required = "evaluation.view_evaluation"
    template_name = "evaluation/officials/evaluation_detail.html"

    def scoped_queryset(self, queryset):
        return evaluation_with_history(queryset).select_related("station__township__parent", "assignment")

    def step_forms(self, sheet, objections, bound: dict | None = None) -> dict:
        offered = step_offered(self.request.user, self.object)
        chosen = {"objection": query_id(self.request.GET, "objection")}
        forms_ = {}
        for step, form_class in STEP_FORMS.items():
            extra = {"lines": sheet.lines, "objections": objections} if step == "amend" else {}
            if bound and step in bound:
                forms_[step] = bound[step]
            elif offered[step]:
                initial = chosen if step == "amend" and chosen["objection"] in {o.pk for o in objections} else None
                forms_[step] = form_class(prefix=step, initial=initial, **extra)
        return forms_

    @staticmethod
    def pdf_context(evaluation, user) -> dict:
        """The result PDF of a published evaluation: the report if one was asked for, and where to ask for it."""
        if not evaluation.is_published:
            return {"pdf_report": None, "pdf_request_url": None}
        report = Report.objects.visible_to(user).filter(evaluation=evaluation).first()
        may_ask = user.has_perm("reports.add_report")
        return {
            "pdf_report": report,
            "pdf_request_url": reverse("reports:evaluation", args=[evaluation.pk]) if may_ask else None,
        }

    def get_context_data(self, **kwargs):
        evaluation, user = self.object, self.request.user
        sheet = evaluation_sheet(evaluation)
        responses = list(evaluation.responses.all())
        amendments = list(evaluation.amendments.all())
        answered = {amendment.objection_id for amendment in amendments if amendment.objection_id}
        objections = [response for response in responses if response.answer == TownshipAnswer.OBJECT]
        for objection in objections:
            objection.answered = objection.pk in answered
        return super().get_context_data(
            sheet=sheet,
            files=list(evaluation.files.select_related("uploaded_by")),
            transitions=list(evaluation.transitions.all()),
            responses=responses,
            amendments=amendments,
            objections=objections,
            open_objections=[objection for objection in objections if not objection.answered],
            step_forms=self.step_forms(sheet, objections, kwargs.pop("bound", None)),
            may_amend=may_amend(user, evaluation),
            may_score=may_score(user, evaluation),
            stars=stars_text(evaluation.stars),
            status_colour=STATUS_COLOURS.get(evaluation.status, "secondary"),
            two_way=two_way_pair(station=evaluation.station, year=evaluation.year),
            **self.pdf_context(evaluation, user),
            **kwargs,
        )


def take_step(step: str, *, evaluation, user, data: dict):
    """Call the rule of ``step`` with the form's data."""
    reason = data.get("reason", "")
    if step == "review":
        return evaluation_review(evaluation=evaluation, user=user, reason=reason)
    if step == "return":
        return evaluation_return(evaluation=evaluation, user=user, reason=reason)
    if step == "publish":
        return evaluation_publish(evaluation=evaluation, user=user, reason=reason)
    if step == "amend":
        return evaluation_amend(
            evaluation=evaluation,
            user=user,
            indicator=data["indicator"],
            new_score=data["new_score"],
            reason=reason,
            objection=data.get("objection"),
        )
    answer = TownshipAnswer.CONFIRM if step == "confirm" else TownshipAnswer.OBJECT
    return evaluation_answer(evaluation=evaluation, user=user, answer=answer, reason=reason)


STEP_PERMISSIONS = {
    "review": "evaluation.review_evaluation",
    "return": "evaluation.review_evaluation",
    "publish": "evaluation.publish_evaluation",
    "amend": "evaluation.amend_evaluation",
    "confirm": "evaluation.answer_evaluation",
    "object": "evaluation.answer_evaluation",
}
STEP_DONE = {
    "review": gettext_lazy("Evaluation reviewed: a city official can publish it now."),
    "return": gettext_lazy("Evaluation returned to the evaluator."),
    "publish": gettext_lazy("Evaluation published: it is now the station's result."),
    "amend": gettext_lazy("Amendment recorded; total, grade and stars recomputed."),
    "confirm": gettext_lazy("Result confirmed."),
    "object": gettext_lazy("Objection recorded: the city's officials will see it."),
}


class EvaluationStepView(EvaluationDetailView):
    """POST one step through its rule: done, a message and back (PRG); a field error, the page again with it; a
    step the status does not allow (``Conflict``), its message and back; not the user's to take, 403."""

    http_method_names = ["post"]
    step = ""

    def get_permission_required(self):
        return ("evaluation.view_evaluation", STEP_PERMISSIONS[self.step])

    def post(self, request, *args, **kwargs):
        self.object = evaluation = self.get_object()
        back = reverse("evaluation:evaluation-detail", args=[evaluation.pk])
        extra = {}
        if self.step == "amend":
            sheet = evaluation_sheet(evaluation, with_facts=False)
            objections = [r for r in evaluation.responses.all() if r.answer == TownshipAnswer.OBJECT]
            extra = {"lines": sheet.lines, "objections": objections}
        form = STEP_FORMS[self.step](request.POST, prefix=self.step, **extra)
        if form.is_valid():
            try:
                take_step(self.step, evaluation=evaluation, user=request.user, data=form.cleaned_data)
            except Conflict as conflict:
                messages.error(request, conflict.message)
                return HttpResponseRedirect(back)
            except ValidationError as error:
                add_rule_errors(form, error)
            else:
                messages.success(request, STEP_DONE[self.step])
                return HttpResponseRedirect(back)
        self.object = self.get_object()  # unchanged: the refused step wrote nothing
        return self.render_to_response(self.get_context_data(bound={self.step: form}, failed_step=self.step))


# --- assignments -----------------------------------------------------------------------------------------


class AssignmentListView(RolePermissionRequiredMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """The assignments in the user's scope: agency, year and stage, scorecard, access and due dates, stations and
    how many of their evaluations have begun and been published."""

    model = Assignment
    permission_required = "evaluation.view_assignment"
    template_name = "evaluation/officials/assignment_list.html"
    paginate_by = PAGE_SIZE
    filterset_class = AssignmentFilter
    default_ordering = ("-year", "-starts_on", "pk")
    export_filename = gettext_lazy("evaluation assignments %(date)s.xlsx")
    empty_message = gettext_lazy("No evaluation assignment yet.")
    empty_icon = "clipboard-plus"
    columns = (
        Column("title", gettext_lazy("Assignment"), "title", value=lambda a: a.title or a.period, width=28),
        Column("agency", gettext_lazy("Evaluation agency"), "agency__name", value="agency.name", width=24),
        Column("year", gettext_lazy("Year"), "year", value="year", width=8),
        Column("stage", gettext_lazy("Stage"), "stage", value="get_stage_display", width=10),
        Column("template", gettext_lazy("Scorecard"), value=lambda a: str(a.template), width=24),
        Column("starts_on", gettext_lazy("Access from"), "starts_on", value="starts_on", width=12),
        Column("ends_on", gettext_lazy("Access until"), "ends_on", value="ends_on", width=12),
        Column("deadline", gettext_lazy("Due"), value="deadline", width=12),
        Column("stations", gettext_lazy("Stations"), "station_count", css="text-end", value="station_count", width=8),
        Column(
            "evaluations", gettext_lazy("Begun"), "evaluation_count", css="text-end", value="evaluation_count", width=8
        ),
        Column(
            "published", gettext_lazy("Published"), "published_count", css="text-end", value="published_count", width=8
        ),
    )

    @property
    def filter_labels(self):
        return {"year": _("Year"), "stage": _("Stage"), "agency": _("Evaluation agency")}

    def scoped_queryset(self, queryset):
        self.scoped = queryset
        published = Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED)
        assignments = self.listed(queryset).select_related("agency", "template", "region")
        assignments = assignments.annotate(
            station_count=count_of(Assignment.stations.through, "assignment"),
            evaluation_count=count_of(Evaluation, "assignment"),
            published_count=count_of_rows(published, "assignment"),
        )
        return self.ordered(assignments)

    def prepare_rows(self, rows: list) -> list:
        for row in rows:
            row.editable = assignment_editable(self.request.user, row)
        return rows

    def get_context_data(self, **kwargs):
        form = self.filterset.form
        years = self.scoped.order_by("-year").values_list("year", flat=True).distinct()
        as_select(form.fields["year"], [(year, year) for year in years], _("All years"))
        agencies = Organization.objects.filter(pk__in=self.scoped.values("agency")).order_by("name")
        as_select(form.fields["agency"], list(agencies.values_list("pk", "name")), _("All agencies"))
        with_empty_label(form.fields["stage"], _("All stages"))
        return super().get_context_data(tab="assignments", **kwargs)


def editable_assignments(user, queryset):
    """The assignments ``user`` may edit: those commissioned by their region or below (the administrator's: all)."""
    scope = scope_of(user)
    if scope.everything:
        return queryset
    if scope.region is None or not user.has_perm("evaluation.change_assignment"):
        return queryset.none()
    return queryset.filter(region__path__startswith=scope.region.path)


def assignment_editable(user, assignment) -> bool:
    """``editable_assignments`` for one assignment whose region is loaded (no query)."""
    scope = scope_of(user)
    if scope.everything:
        return True
    if scope.region is None or assignment.region is None or not user.has_perm("evaluation.change_assignment"):
        return False
    return assignment.region.path.startswith(scope.region.path)


def count_of_rows(rows, field: str):
    """``count_of`` over a filtered queryset of rows pointing at the outer row through ``field``."""
    counted = rows.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


class AssignmentFormMixin(ScopedFormMixin):
    model = Assignment
    form_class = AssignmentForm
    template_name = "evaluation/officials/assignment_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab="assignments", **kwargs)

    def get_success_url(self):
        return reverse("evaluation:assignment-list")


class AssignmentCreateView(RolePermissionRequiredMixin, AssignmentFormMixin, CreateView):
    """An official commissions an evaluation agency for stations of their region."""

    permission_required = "evaluation.add_assignment"
    success_message = gettext_lazy("Assignment %(object)s created.")

    def get_initial(self):
        return {"year": date.today().year}


class AssignmentUpdateView(RolePermissionRequiredMixin, AssignmentFormMixin, ScopedQuerysetMixin, UpdateView):
    """An assignment edited by an official of the region that commissioned it (or above); once evaluations have
    begun, its scorecard, year and stage are locked."""

    permission_required = "evaluation.change_assignment"
    success_message = gettext_lazy("Assignment %(object)s saved.")

    def scoped_queryset(self, queryset):
        return editable_assignments(self.request.user, queryset)


urlpatterns = [
    path("evaluations/", EvaluationListView.as_view(), name="evaluation-list"),
    path("<id:pk>/", EvaluationDetailView.as_view(), name="evaluation-detail"),
    *[
        path(f"<id:pk>/{step}/", EvaluationStepView.as_view(step=step), name=f"evaluation-{step}")
        for step in STEP_FORMS
    ],
    path("assignments/", AssignmentListView.as_view(), name="assignment-list"),
    path("assignments/new/", AssignmentCreateView.as_view(), name="assignment-create"),
    path("assignments/<id:pk>/edit/", AssignmentUpdateView.as_view(), name="assignment-edit"),
]
