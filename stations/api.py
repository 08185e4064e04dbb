from django.db import transaction
from django.db.models import Prefetch
from rest_framework import mixins, viewsets

from accounts.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from evaluation.rules.grading import station_results

from .filters import ContractFilter, OrganizationFilter, RegionFilter, StationFilter, StationStandardFilter
from .models import OperatingContract, Organization, Region, Station, StationStandard, organization_check_editable
from .serializers import (
    ContractSerializer,
    OrganizationSerializer,
    RegionSerializer,
    StationSerializer,
    StationStandardSerializer,
)


class RegionViewSet(ScopedModelViewSet):
    """The region tree (city, county, township, community) under the caller's scope."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code", "level", "path"]
    ordering = ["path"]


class OrganizationViewSet(ScopedModelViewSet):
    """Operators, supervising organisations and evaluation agencies the caller deals with."""

    queryset = Organization.objects.select_related("region")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name", "rating", "kind"]
    ordering = ["name"]

    def get_object(self):
        organization = super().get_object()
        if self.action in ("update", "partial_update"):
            organization_check_editable(self.request.user, organization)
        return organization

    def perform_update(self, serializer):
        with transaction.atomic():
            # After the change too: a new registration region must stay inside the editor's region.
            organization_check_editable(self.request.user, serializer.save())


def with_results(stations):
    """``stations`` (a page of them) with ``evaluation_result`` attached: their grade and stars, in one query."""
    stations = list(stations)
    results = station_results(stations)
    for station in stations:
        station.evaluation_result = results.get(station.pk)
    return stations


class StationViewSet(ScopedModelViewSet):
    """Stations in the caller's scope, with the grade and stars of their latest published annual or final
    evaluation (attached to a whole page in one query)."""

    queryset = Station.objects.select_related("township").prefetch_related(
        Prefetch("communities", queryset=Region.objects.only("id"))
    )
    serializer_class = StationSerializer
    filterset_class = StationFilter
    search_fields = ["name", "address", "township__name"]
    ordering_fields = ["name", "status", "site_area_m2", "opened_on", "township__name"]
    ordering = ["township__path", "name"]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else with_results(page)


class ContractViewSet(ScopedModelViewSet):
    """Operating contracts of the stations in the caller's scope."""

    queryset = OperatingContract.objects.all()
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    ordering_fields = ["start_on", "end_on", "amount"]
    ordering = ["-start_on"]


class StationStandardViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A station's construction-standard checklist: each item met or not, with a note."""

    queryset = StationStandard.objects.select_related("item")
    serializer_class = StationStandardSerializer
    filterset_class = StationStandardFilter
    ordering_fields = ["item__order"]
    ordering = ["station", "item__order"]
