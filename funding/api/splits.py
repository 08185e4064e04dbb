"""The funding API: the two-level split of a township (``townships/{id}/funding-split/``), the splits of the
townships in scope (``funding-splits/``) and the city's instalments (``disbursements/``).

Every figure is ``funding.rules.split.township_funding_split(s)``'s, the same the split page, the overview and its
export show. Money is a decimal string with two places (``null`` while the split is pending); the unrounded products
(``raw_share``, ``raw_city_share``) are exact decimals, at least two places. Splits and disbursements are the
officials' (``funding.view_disbursement``): a station's staff and evaluators get 403, a township outside the caller's
region 404. Disbursements are recorded through ``funding.rules.disbursements.disbursement_record`` (a field error
400, a pending split 409) and never changed or deleted.
"""

from datetime import date
from decimal import Decimal

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.viewsets import ScopedRelatedField, ScopedViewSetMixin
from config.filters import ID_REGEX, IdFilter
from config.pagination import PortalPagination
from config.params import ID_MAX, YEAR_MAX, YEAR_MIN
from config.serializer_fields import AsciiIntegerField
from services.api import ruled
from stations.models import Region

from ..choices import SplitStatus
from ..models import Disbursement
from ..models.scope import townships_in_funding_scope
from ..rules.disbursements import disbursement_record
from ..rules.split import township_funding_split, township_funding_splits


def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


def rate(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=5, decimal_places=4, read_only=True, **kwargs)


@extend_schema_field(OpenApiTypes.DECIMAL)
class ExactDecimalField(serializers.Field):
    """An unrounded product (spending x rate x factor) as an exact decimal string, at least two places."""

    def to_representation(self, value) -> str:
        value = Decimal(value)
        places = max(2, -value.normalize().as_tuple().exponent)
        return f"{value:.{places}f}"


class YearField(AsciiIntegerField):
    """A year between 2000 and 2100."""

    def __init__(self, **kwargs):
        super().__init__(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


class SplitQuerySerializer(serializers.Serializer):
    year = YearField(required=False, help_text=_("The year funded; this year when left out."))


class SplitsQuerySerializer(SplitQuerySerializer):
    region = AsciiIntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=_("A region in scope: the townships under it (all in scope if left out)."),
    )


class StationShareSerializer(serializers.Serializer):
    station = serializers.IntegerField(source="station_id")
    station_name = serializers.CharField()
    spent = money()
    grade = serializers.CharField(allow_null=True, help_text=_("The published grade of the year; null if none."))
    factor = rate(allow_null=True)
    raw_share = ExactDecimalField(
        allow_null=True, help_text=_("spent x city rate x factor, unrounded; null without a published grade.")
    )


class TownshipSplitSerializer(serializers.Serializer):
    township = serializers.IntegerField(source="township_id")
    township_name = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SplitStatus.choices)
    spent = money()
    city_rate = rate()
    cap = money()
    raw_city_share = ExactDecimalField(allow_null=True, help_text=_("The stations' raw shares added, before the cap."))
    city_share = money(allow_null=True, help_text=_("C = min(raw city share, cap), to the fen; null while pending."))
    township_share = money(allow_null=True, help_text=_("T = spent - C; null while pending."))
    paid = money()
    due = money(allow_null=True)
    overpaid = money()
    capped = serializers.BooleanField()
    stations = StationShareSerializer(many=True)


def asked(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SplitReadMixin:
    """Splits are the officials' figures: the permission to view disbursements."""

    perm_model = Disbursement

    def townships(self):
        return townships_in_funding_scope(self.request.user)


class TownshipFundingSplitView(SplitReadMixin, APIView):
    @extend_schema(
        parameters=[SplitQuerySerializer],
        responses={
            200: TownshipSplitSerializer,
            400: OpenApiResponse(description="Not a year between 2000 and 2100"),
            404: OpenApiResponse(description="No township of the caller's region has this id"),
        },
    )
    def get(self, request, pk):
        """A township's two-level split for a year, with every station's spending, grade, factor and raw share."""
        year = asked(SplitQuerySerializer, request).get("year", date.today().year)
        township = get_object_or_404(self.townships(), pk=pk)
        return Response(TownshipSplitSerializer(township_funding_split(township=township, year=year)).data)


class FundingSplitListView(SplitReadMixin, generics.GenericAPIView):
    serializer_class = TownshipSplitSerializer
    pagination_class = PortalPagination
    filter_backends: list = []

    @extend_schema(
        parameters=[SplitsQuerySerializer],
        responses={
            200: TownshipSplitSerializer(many=True),
            400: OpenApiResponse(description="Not a year between 2000 and 2100, or not a region id"),
            404: OpenApiResponse(description="The region is outside the caller's scope"),
        },
    )
    def get(self, request):
        """One split per township in the caller's scope (under ``region`` if given), in region order, a page at a
        time; the figures of a page take a fixed number of queries however many townships there are."""
        params = asked(SplitsQuerySerializer, request)
        year = params.get("year", date.today().year)
        townships = self.townships().order_by("path", "pk")
        if "region" in params:
            region = get_object_or_404(Region.objects.visible_to(request.user).only("path"), pk=params["region"])
            townships = townships.filter(path__startswith=region.path)
        page = self.paginate_queryset(townships)
        splits = township_funding_splits(townships=page, year=year)
        data = TownshipSplitSerializer([splits[township.pk] for township in page], many=True).data
        return self.get_paginated_response(data)


# --- disbursements ------------------------------------------------------------------------------------


class TownshipField(ScopedRelatedField):
    def get_queryset(self):
        return super().get_queryset().filter(level="township")


class DisbursementSerializer(serializers.ModelSerializer):
    township = TownshipField(queryset=Region.objects.all())
    township_name = serializers.CharField(source="township.name", read_only=True)
    year = YearField()
    reverses = ScopedRelatedField(queryset=Disbursement.objects.all(), required=False, allow_null=True)
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "township",
            "township_name",
            "year",
            "date",
            "amount",
            "reference",
            "approver",
            "note",
            "reverses",
            "split",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = ["split", "recorded_by", "recorded_at"]

    def get_recorded_by_name(self, disbursement) -> str | None:
        user = disbursement.recorded_by
        return (user.full_name or user.username) if user else None


class DisbursementFilter(django_filters.FilterSet):
    township = IdFilter(field_name="township_id")
    year = django_filters.NumberFilter(min_value=YEAR_MIN, max_value=YEAR_MAX)

    class Meta:
        model = Disbursement
        fields = ["township", "year"]


@extend_schema_view(
    list=extend_schema(description="The instalments (and recoveries) paid to the townships of the caller's region."),
    retrieve=extend_schema(description="One instalment, with the split it was made against."),
    create=extend_schema(
        description="Record an instalment (a city or county official of the township's region): refused while the "
        "split is pending (409) and above the city subsidy still due (400); a negative amount is a recovery.",
        responses={
            201: DisbursementSerializer,
            400: OpenApiResponse(description="A field error: amount, date, reference, approver, reverses"),
            403: OpenApiResponse(description="The caller does not record disbursements"),
            409: OpenApiResponse(description="The evaluations of the year are not all published"),
        },
    ),
)
class DisbursementViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Disbursements of the townships in scope: recorded, never changed or deleted (a recovery reverses one)."""

    queryset = Disbursement.objects.select_related("township", "recorded_by")
    serializer_class = DisbursementSerializer
    filterset_class = DisbursementFilter
    ordering_fields = ["date", "year", "amount", "recorded_at"]
    ordering = ["township__path", "year", "date", "pk"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        recorded = ruled(
            disbursement_record,
            township=data["township"],
            year=data["year"],
            date=data["date"],
            amount=data["amount"],
            reference=data["reference"],
            approver=data["approver"],
            note=data.get("note", ""),
            reverses=data.get("reverses"),
            user=request.user,
        )
        fresh = self.get_queryset().get(pk=recorded.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


ROUTES = [("disbursements", DisbursementViewSet, "disbursement")]
PATHS = [
    # A regex, not ``<id:pk>``: this module is imported (by ``config/api.py`` and the tests) before ``config/urls.py``
    # registers the ``id`` converter.
    re_path(
        rf"^townships/(?P<pk>{ID_REGEX})/funding-split/$",
        TownshipFundingSplitView.as_view(),
        name="township-funding-split",
    ),
    re_path(r"^funding-splits/$", FundingSplitListView.as_view(), name="funding-splits"),
]
