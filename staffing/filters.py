"""Filters of the staffing records, shared by the API (and the pages that want the same questions)."""

from datetime import date

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.filters import IdFilter

from .choices import Certification, StaffRole
from .models import (
    StaffingPolicy,
    StaffMember,
    StationSupervisor,
    SupervisionVisit,
    TrainingSession,
    Volunteer,
    VolunteerHours,
)


def still_there(prefix: str = "") -> Q:
    """Not yet left today: no leaving date, or one in the future (the leaving day itself no longer counts)."""
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": date.today()})


class ActiveFilter(django_filters.BooleanFilter):
    """``active=true``: still there today; ``active=false``: has left."""

    def filter(self, queryset, value):
        if value is None:
            return queryset
        return queryset.filter(still_there()) if value else queryset.exclude(still_there())


class StaffFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    role = django_filters.MultipleChoiceFilter(choices=StaffRole.choices)
    certification = django_filters.MultipleChoiceFilter(choices=Certification.choices)
    active = ActiveFilter(label=_("still working here"))
    hired_after = django_filters.DateFilter(field_name="hired_on", lookup_expr="gte")
    hired_before = django_filters.DateFilter(field_name="hired_on", lookup_expr="lte")
    left_after = django_filters.DateFilter(field_name="left_on", lookup_expr="gte")
    left_before = django_filters.DateFilter(field_name="left_on", lookup_expr="lte")

    class Meta:
        model = StaffMember
        fields = ["station", "role", "certification", "major_social_work", "labour_contract", "employer"]


class VolunteerFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    active = ActiveFilter(label=_("still registered"))
    registered_after = django_filters.DateFilter(field_name="registered_on", lookup_expr="gte")
    registered_before = django_filters.DateFilter(field_name="registered_on", lookup_expr="lte")

    class Meta:
        model = Volunteer
        fields = ["station"]


class VolunteerHoursFilter(django_filters.FilterSet):
    volunteer = IdFilter(field_name="volunteer_id")
    station = IdFilter(field_name="volunteer__station_id")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = VolunteerHours
        fields = ["volunteer"]


class TrainingFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    attendee = IdFilter(field_name="attendees", distinct=True)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = TrainingSession
        fields = ["station"]


class SupervisionFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = SupervisionVisit
        fields = ["station"]


class StationSupervisorFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")

    class Meta:
        model = StationSupervisor
        fields = ["station"]


class StaffingPolicyFilter(django_filters.FilterSet):
    region = IdFilter(field_name="region_id")
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)

    class Meta:
        model = StaffingPolicy
        fields = ["region", "year"]
