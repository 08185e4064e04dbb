"""The evaluation API: evaluation policies, the grade and star thresholds of a region and year.

The ``stations/policies.py`` mechanism, as for the staffing and service policies: read wherever they may apply,
changed only by officials of the policy's region or above, every saved version in ``history``.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from accounts.serializers import CleanModelSerializer
from accounts.viewsets import ScopedRelatedField
from config.filters import IdFilter
from stations.models import Region
from stations.policies import CHANGE_FIELDS, PolicyChangeSerializer, RegionPolicyViewSet

from ..models import EvaluationPolicy

FIGURES = EvaluationPolicy.FIGURES


class EvaluationPolicySerializer(CleanModelSerializer):
    """Thresholds must fall: excellent > good > pass, and five stars > four > ... > one (else 400 on a field)."""

    region = ScopedRelatedField(queryset=Region.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = EvaluationPolicy
        fields = ["id", "region", "region_name", "year", *FIGURES]


class EvaluationPolicyChangeSerializer(PolicyChangeSerializer):
    class Meta:
        model = EvaluationPolicy.history.model
        fields = [*CHANGE_FIELDS, *FIGURES]
        read_only_fields = fields


class EvaluationPolicyFilter(django_filters.FilterSet):
    region = IdFilter(field_name="region_id")
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)

    class Meta:
        model = EvaluationPolicy
        fields = ["region", "year"]


@extend_schema_view(history=extend_schema(responses=EvaluationPolicyChangeSerializer(many=True)))
class EvaluationPolicyViewSet(RegionPolicyViewSet):
    """Evaluation policies a station in scope may fall under; changed only by officials of that region or above."""

    queryset = EvaluationPolicy.objects.select_related("region")
    serializer_class = EvaluationPolicySerializer
    filterset_class = EvaluationPolicyFilter
    change_serializer_class = EvaluationPolicyChangeSerializer


ROUTES = [("evaluation-policies", EvaluationPolicyViewSet, "evaluation-policy")]
PATHS: list = []
