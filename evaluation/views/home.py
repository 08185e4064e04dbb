"""The evaluator's home: the agency's current assignments, each station with its progress, status and deadline.

Officials reaching it see the current assignments of their region the same way (read only), so it is also the
assignments overview; station staff see their own station's. Starting an evaluation is a POST that begins the
draft (``rules.workflow.evaluation_start``) and goes to its scorecard.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView

from accounts.mixins import RolePermissionRequiredMixin
from stations.models import Station

from ..choices import EvaluationStatus
from ..models import Assignment, Evaluation, Transition
from ..rules.workflow import evaluation_start

STATUS_COLORS = {
    EvaluationStatus.DRAFT: "warning",
    EvaluationStatus.SUBMITTED: "info",
    EvaluationStatus.REVIEWED: "primary",
    EvaluationStatus.PUBLISHED: "success",
}


@dataclass
class StationRow:
    """One station of an assignment on the home page, with its evaluation (None until started)."""

    station: Station
    evaluation: Evaluation | None
    indicators: int

    @property
    def scored(self) -> int:
        return self.evaluation.scored if self.evaluation is not None else 0

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.indicators) if self.indicators else 0

    @property
    def status_color(self) -> str:
        return STATUS_COLORS.get(self.evaluation.status, "secondary") if self.evaluation else "secondary"

    @property
    def returned(self) -> str | None:
        """Why the evaluation came back to draft, if its last step was a return (a reviewer's reason)."""
        evaluation = self.evaluation
        if evaluation is None or evaluation.status != EvaluationStatus.DRAFT:
            return None
        return evaluation.returned_because if evaluation.last_step_to == EvaluationStatus.DRAFT else None

    @property
    def open(self) -> bool:
        """Still the evaluator's to do: not started, or a draft."""
        return self.evaluation is None or self.evaluation.status == EvaluationStatus.DRAFT


@dataclass
class AssignmentCard:
    assignment: Assignment
    rows: list[StationRow]
    today: date

    @property
    def days_left(self) -> int:
        return (self.assignment.deadline - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0 and any(row.open for row in self.rows)

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if not row.open)


def assignment_cards(user, today: date) -> list[AssignmentCard]:
    """The current assignments ``user`` reaches, each with the stations of it ``user`` reaches and their evaluation.

    Three queries whatever the number of assignments and stations: the assignments (with their scorecard's
    indicator count), their stations, and every evaluation of them with its scored and total indicator counts.
    """
    stations = Station.objects.visible_to(user).select_related("township").order_by("township__name", "name")
    assignments = list(
        Assignment.objects.visible_to(user)
        .current(today)
        .select_related("agency", "template")
        .annotate(indicator_count=Count("template__indicators", distinct=True))
        .prefetch_related(Prefetch("stations", queryset=stations, to_attr="shown_stations"))
        .order_by("due_on", "ends_on", "pk")
    )
    latest_step = Transition.objects.filter(evaluation=OuterRef("pk")).order_by("-at", "-pk")
    evaluations = (
        Evaluation.objects.visible_to(user)
        .filter(assignment__in=[assignment.pk for assignment in assignments])
        .annotate(
            scored=Count("scores", filter=Q(scores__score__isnull=False)),
            indicators=Count("scores"),
            returned_because=Subquery(latest_step.filter(to_status=EvaluationStatus.DRAFT).values("reason")[:1]),
            last_step_to=Subquery(latest_step.values("to_status")[:1]),
        )
        .order_by()
    )
    found = {(evaluation.assignment_id, evaluation.station_id): evaluation for evaluation in evaluations}
    cards = []
    for assignment in assignments:
        rows = []
        for station in assignment.shown_stations:
            evaluation = found.get((assignment.pk, station.pk))
            indicators = evaluation.indicators if evaluation is not None else assignment.indicator_count
            rows.append(StationRow(station=station, evaluation=evaluation, indicators=indicators))
        if rows:
            cards.append(AssignmentCard(assignment=assignment, rows=rows, today=today))
    return cards


class EvaluationHomeView(RolePermissionRequiredMixin, TemplateView):
    """Current assignments with each station's progress (indicators scored / all), status and deadline."""

    permission_required = "evaluation.view_evaluation"
    template_name = "evaluation/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = date.today()
        cards = assignment_cards(user, today)
        return super().get_context_data(
            cards=cards,
            today=today,
            can_score=user.has_perm("evaluation.score_evaluation"),
            **kwargs,
        )


class EvaluationStartView(RolePermissionRequiredMixin, View):
    """Begin (or continue) the evaluation of one station of an assignment, then open its scorecard."""

    permission_required = ("evaluation.view_evaluation", "evaluation.score_evaluation")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        assignment = get_object_or_404(Assignment.objects.visible_to(request.user), pk=kwargs["assignment_pk"])
        station = get_object_or_404(Station.objects.visible_to(request.user), pk=kwargs["station_pk"])
        try:
            evaluation = evaluation_start(assignment=assignment, station=station, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("evaluation:home"))
        return HttpResponseRedirect(reverse("evaluation:scorecard", args=[evaluation.pk]))


urlpatterns = [
    path("", EvaluationHomeView.as_view(), name="home"),
    path(
        "assignments/<id:assignment_pk>/stations/<id:station_pk>/start/",
        EvaluationStartView.as_view(),
        name="start",
    ),
]
