"""The evaluation API: assignments, an evaluation agency's commission to evaluate stations for a year and stage.

Read by everyone who reaches one of its stations (an agency's evaluators: its current assignments). City and county
officials (``evaluation.add_assignment`` / ``change_assignment``) commission them for stations of their region: every
station given must be in their scope (400 on ``stations``), the commissioning region is theirs. Once an evaluation
has begun under an assignment its scorecard, year and stage are fixed and its evaluated stations stay (409), as on
the assignment page (``evaluation.forms.officials.AssignmentForm``). Deleting is the administrator's alone, and only
of an assignment without evaluations (409 otherwise). ``start`` begins (or returns) a station's evaluation.
"""

import django_filters
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.viewsets import ScopedModelViewSet, assert_in_scope
from config.filters import IdFilter
from config.params import YEAR_MAX, YEAR_MIN
from services.api import ruled
from stations.models import Station

from ..choices import Stage
from ..models import Assignment, Evaluation
from ..rules.workflow import Conflict, evaluation_start
from ..selectors import evaluation_with_history
from .serializers import AssignmentSerializer, EvaluationSerializer, StartSerializer

# What evaluations are pinned to: fixed once one has begun.
LOCKED = ("template", "year", "stage")


class AssignmentFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(min_value=YEAR_MIN, max_value=YEAR_MAX)
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    agency = IdFilter(field_name="agency_id")
    station = IdFilter(field_name="stations", distinct=True)

    class Meta:
        model = Assignment
        fields = ["year", "stage", "agency", "station"]


class AssignmentViewSet(ScopedModelViewSet):
    """Assignments in the caller's scope, each with the stations the caller sees, the deadline and how far the
    evaluations have got (counted over those stations)."""

    queryset = Assignment.objects.select_related("agency", "template", "region", "created_by")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["starts_on", "ends_on", "due_on", "year", "stage", "created_at"]
    ordering = ["-starts_on", "-pk"]
    action_perms = {"start": "view"}  # the rule asks for evaluation.score_evaluation (403 otherwise)

    def scoped_queryset(self, queryset):
        user = self.request.user
        visible = Station.objects.visible_to(user)
        return queryset.prefetch_related(
            Prefetch("stations", queryset=visible.select_related("township").order_by("township__path", "name")),
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.visible_to(user).only("id", "assignment_id", "station_id", "status"),
                to_attr="visible_evaluations",
            ),
        )

    def answer(self, assignment, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=assignment.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            assignment = serializer.save(created_by=request.user, region=getattr(request.user, "region", None))
            assert_in_scope(request.user, assignment)
        return self.answer(assignment, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        assignment = self.get_object()
        outside = assignment.stations.exclude(pk__in=Station.objects.visible_to(request.user).values("pk"))
        serializer = self.get_serializer(assignment, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evaluated = set(assignment.evaluations.values_list("station_id", flat=True))
        if evaluated:
            changed = [name for name in LOCKED if name in data and data[name] != getattr(assignment, name)]
            if changed:
                raise Conflict(_("Evaluations have begun on this assignment: its scorecard, year and stage are fixed."))
            if "stations" in data:
                dropped = (
                    evaluated - {station.pk for station in data["stations"]} - set(outside.values_list("pk", flat=True))
                )
                if dropped:
                    raise Conflict(
                        _("Already being evaluated, so it stays in the assignment: %(names)s.")
                        % {
                            "names": "、".join(
                                Station.objects.filter(pk__in=dropped).order_by("name").values_list("name", flat=True)
                            )
                        }
                    )
        with transaction.atomic():
            kept = list(outside)  # stations the caller cannot see stay as they were
            if "stations" in data:
                data["stations"] = [*data["stations"], *kept]
            assignment = serializer.save()
            assert_in_scope(request.user, assignment)
        return self.answer(assignment)

    @extend_schema(
        request=StartSerializer,
        responses={
            201: OpenApiResponse(EvaluationSerializer, description="Begun now"),
            200: OpenApiResponse(EvaluationSerializer, description="Begun before: the evaluation as it stands"),
        },
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Begin the evaluation of one of the assignment's stations (the agency's evaluators): a draft with an empty
        score for every indicator of the assignment's scorecard; the one already begun, if any."""
        assignment = self.get_object()
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        station = Station.objects.visible_to(request.user).filter(pk=data.validated_data["station"]).first()
        if station is None:
            if not request.user.has_perm("evaluation.score_evaluation"):
                raise PermissionDenied(_("Only the assigned evaluation agency's evaluators score stations."))
            raise serializers.ValidationError({"station": [_("This station is not part of the assignment.")]})
        existed = Evaluation.objects.filter(assignment=assignment, station=station).exists()
        evaluation = ruled(evaluation_start, assignment=assignment, station=station, user=request.user)
        fresh = evaluation_with_history(Evaluation.objects.visible_to(request.user)).get(pk=evaluation.pk)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(EvaluationSerializer(fresh, context=self.get_serializer_context()).data, status=code)


ROUTES = [("assignments", AssignmentViewSet, "assignment")]
PATHS: list = []
