"""The funding API: funding policies, the city's share, its cap, the personnel limit and the factor per grade of a
region and year.

The ``stations/policies.py`` mechanism, as for the evaluation and staffing policies: read wherever they may apply,
changed only by officials of the policy's region or above, every saved version in ``history``. Shares and factors
are fractions 0 to 1 (0.4000 is 40 %); the cap and the voucher amount are CNY with two places.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from accounts.serializers import CleanModelSerializer
from accounts.viewsets import ScopedRelatedField
from config.filters import IdFilter
from stations.models import Region
from stations.policies import CHANGE_FIELDS, PolicyChangeSerializer, RegionPolicyViewSet

from ..models import FundingPolicy

FIGURES = FundingPolicy.FIGURES


class FundingPolicySerializer(CleanModelSerializer):
    """Shares and factors 0 to 1, money not negative, the warning at or before the over-budget mark (else 400 on
    the field)."""

    region = ScopedRelatedField(queryset=Region.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = FundingPolicy
        fields = ["id", "region", "region_name", "year", *FIGURES]


class FundingPolicyChangeSerializer(PolicyChangeSerializer):
    class Meta:
        model = FundingPolicy.history.model
        fields = [*CHANGE_FIELDS, *FIGURES]
        read_only_fields = fields


class FundingPolicyFilter(django_filters.FilterSet):
    region = IdFilter(field_name="region_id")
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)

    class Meta:
        model = FundingPolicy
        fields = ["region", "year"]


@extend_schema_view(history=extend_schema(responses=FundingPolicyChangeSerializer(many=True)))
class FundingPolicyViewSet(RegionPolicyViewSet):
    """Funding policies a station in scope may fall under; changed only by officials of that region or above."""

    queryset = FundingPolicy.objects.select_related("region")
    serializer_class = FundingPolicySerializer
    filterset_class = FundingPolicyFilter
    change_serializer_class = FundingPolicyChangeSerializer


ROUTES = [("funding-policies", FundingPolicyViewSet, "funding-policy")]
PATHS: list = []
