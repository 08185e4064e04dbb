"""The evaluation API: two-way assessments (双向考核), each side's rating of the other for a station and year.

Read by everyone who reaches the station; written only through ``rules.twoway.two_way_rate``: a POST rates a side
of a station and year (201, or 200 when that side had already rated the year and revises it), a PUT or PATCH
revises an assessment. Deleting is the administrator's alone (the model permission).
"""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.viewsets import ScopedModelViewSet, ScopedRelatedField
from config.filters import IdFilter
from config.params import ID_MAX, YEAR_MAX, YEAR_MIN
from services.api import ruled
from stations.models import Station

from ..choices import TwoWayDirection
from ..models import TwoWayAssessment, TwoWayScore
from ..rules.twoway import two_way_rate

YEAR = {"min_value": YEAR_MIN, "max_value": YEAR_MAX}


class TwoWayAssessmentFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    year = django_filters.NumberFilter(**YEAR)
    direction = django_filters.ChoiceFilter(choices=TwoWayDirection.choices)

    class Meta:
        model = TwoWayAssessment
        fields = ["station", "year", "direction"]


class TwoWayScoreSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    max_points = serializers.DecimalField(source="indicator.max_points", max_digits=4, decimal_places=1, read_only=True)

    class Meta:
        model = TwoWayScore
        fields = ["indicator", "indicator_code", "indicator_name", "max_points", "score"]
        read_only_fields = fields


class TwoWayAssessmentSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    template_name = serializers.CharField(source="template.name", read_only=True)
    scores = TwoWayScoreSerializer(many=True, read_only=True)

    class Meta:
        model = TwoWayAssessment
        fields = [
            "id",
            "station",
            "station_name",
            "year",
            "direction",
            "template",
            "template_name",
            "total",
            "comment",
            "by",
            "at",
            "scores",
        ]
        read_only_fields = fields


class TwoWayScoreInputSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    # The range (0 to the indicator's maximum) is the rule's to check; this only reads a number of one decimal.
    score = serializers.DecimalField(max_digits=4, decimal_places=1)


class TwoWayRevisionSerializer(serializers.Serializer):
    """A side's scores (every indicator of its scorecard) and comment."""

    scores = TwoWayScoreInputSerializer(many=True)
    comment = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)

    def validate_scores(self, scores):
        indicators = [row["indicator"] for row in scores]
        if len(indicators) != len(set(indicators)):
            raise serializers.ValidationError(_("Score each indicator once."))
        return scores


class TwoWayRateSerializer(TwoWayRevisionSerializer):
    """Rate one side of a station for a year (``operator``: the township official; ``support``: the manager)."""

    station = ScopedRelatedField(queryset=Station.objects.all())
    year = serializers.IntegerField(**YEAR)
    direction = serializers.ChoiceField(choices=TwoWayDirection.choices)


def as_scores(rows) -> dict:
    return {row["indicator"]: row["score"] for row in rows}


class TwoWayAssessmentViewSet(ScopedModelViewSet):
    """The two-way assessments of the stations in the caller's scope, with their scores."""

    queryset = TwoWayAssessment.objects.select_related("station", "template").prefetch_related(
        Prefetch("scores", queryset=TwoWayScore.objects.select_related("indicator"))
    )
    serializer_class = TwoWayAssessmentSerializer
    filterset_class = TwoWayAssessmentFilter
    ordering_fields = ["year", "total", "at"]
    ordering = ["-year", "station__name", "direction", "pk"]

    def answer(self, assessment, code: int) -> Response:
        fresh = self.get_queryset().get(pk=assessment.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        request=TwoWayRateSerializer, responses={201: TwoWayAssessmentSerializer, 200: TwoWayAssessmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = TwoWayRateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = TwoWayAssessment.objects.filter(
            station=data["station"], year=data["year"], direction=data["direction"]
        ).exists()
        assessment = ruled(
            two_way_rate,
            station=data["station"],
            year=data["year"],
            direction=data["direction"],
            scores=as_scores(data["scores"]),
            comment=data["comment"],
            user=request.user,
        )
        return self.answer(assessment, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=TwoWayRevisionSerializer, responses=TwoWayAssessmentSerializer)
    def update(self, request, *args, **kwargs):
        assessment = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = TwoWayRevisionSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        scores = (
            as_scores(data["scores"])
            if "scores" in data
            else {score.indicator_id: score.score for score in assessment.scores.all()}
        )
        revised = ruled(
            two_way_rate,
            station=assessment.station,
            year=assessment.year,
            direction=assessment.direction,
            scores=scores,
            comment=data.get("comment", assessment.comment),
            user=request.user,
        )
        return self.answer(revised, status.HTTP_200_OK)

    @extend_schema(request=TwoWayRevisionSerializer, responses=TwoWayAssessmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)


# (prefix, viewset, basename) registered on the API router under /api/v1/, and extra paths.
ROUTES: list = [("two-way-assessments", TwoWayAssessmentViewSet, "two-way-assessment")]
PATHS: list = []
