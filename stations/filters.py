"""Filters shared by the station pages and the API, so both accept the same questions."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.filters import IdFilter

from .choices import OrganizationKind, ProcurementMethod, Rating, RegionLevel, RegistrationLevel, StationStatus
from .models import OperatingContract, Organization, Region, Station, StationStandard


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)
    parent = IdFilter(field_name="parent_id")
    within = IdFilter(method="filter_within", label=_("within region"))

    class Meta:
        model = Region
        fields = ["level", "parent", "code"]

    def filter_within(self, queryset, name, value):
        region = Region.objects.filter(pk=value).only("path").first()
        return queryset.filter(path__startswith=region.path) if region else queryset.none()


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices)
    rating = django_filters.TypedChoiceFilter(choices=Rating.choices, coerce=int)
    rating_min = django_filters.NumberFilter(
        field_name="rating", lookup_expr="gte", label=_("minimum rating"), min_value=0, max_value=5
    )
    registration_level = django_filters.ChoiceFilter(choices=RegistrationLevel.choices)

    class Meta:
        model = Organization
        fields = ["kind", "rating", "registration_level", "credit_code"]


class StationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    status = django_filters.MultipleChoiceFilter(choices=StationStatus.choices)
    region = IdFilter(method="filter_region", label=_("region"))
    township = IdFilter(field_name="township_id")
    operator = IdFilter(field_name="contracts__operator_id", distinct=True)
    site_area_min = django_filters.NumberFilter(
        field_name="site_area_m2", lookup_expr="gte", min_value=0, max_value=10**9
    )
    opened_after = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_before = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte")

    class Meta:
        model = Station
        fields = ["status", "township"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(address__icontains=value) | Q(township__name__icontains=value)
        )

    def filter_region(self, queryset, name, value):
        """Stations anywhere under the given region (county, city, ...)."""
        region = Region.objects.filter(pk=value).only("path").first()
        return queryset.filter(township__path__startswith=region.path) if region else queryset.none()


class ContractFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    operator = IdFilter(field_name="operator_id")
    procurement_method = django_filters.ChoiceFilter(choices=ProcurementMethod.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("in force on"))

    class Meta:
        model = OperatingContract
        fields = ["station", "operator", "procurement_method"]

    def filter_active_on(self, queryset, name, value):
        return queryset.current(value)


class StationStandardFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")

    class Meta:
        model = StationStandard
        fields = ["station", "met"]
