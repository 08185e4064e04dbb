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
from ..rules.assignments import (
    assignment_dropped,
    assignment_locked_changes,
    assignment_stations,
    dropped_message,
    locked_message,
)
from ..rules.workflow import Conflict, evaluation_start
from ..selectors import evaluation_with_history
from .serializers import AssignmentSerializer, EvaluationSerializer, StartSerializer

# What evaluations are pinned to: fixed once one has begun.


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
        serializer = self.get_serializer(assignment, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data, user = serializer.validated_data, request.user
        if assignment_locked_changes(assignment, data):
            raise Conflict(locked_message())
        if "stations" in data and (dropped := assignment_dropped(assignment, data["stations"], user=user)):
            raise Conflict(dropped_message(dropped))
        with transaction.atomic():
            if "stations" in data:
                data["stations"] = assignment_stations(assignment, data["stations"], user=user)
            assignment = serializer.save()
            assert_in_scope(user, assignment)
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
