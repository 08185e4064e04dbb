"""What a user's reach is: the one answer every ``visible_to(user)`` queryset method builds on.

A right on a region covers everything below it; station staff reach their own station; an
evaluator reaches the stations its agency is currently assigned to; the platform administrator
reaches everything. Anyone else reaches nothing.

The evaluator's reach is also cut by year: of an assigned station's records, only those of a year some
current assignment of the agency evaluates for that station (an agency may evaluate 2025 annual and 2026
mid-term at once: a union of (station, year) pairs). A dated model says where its year lives (``YearOf``,
its ``year_of`` attribute) and its ``visible_to`` passes through ``within_evaluated_years``; a page or
endpoint that takes a date, month or year asks ``period_in_reach`` (and ``day_in_reach`` for its default).
People (staff, volunteers, beneficiaries) are not records of a year and stay visible, masked by the
privacy table.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404

from .choices import OFFICIAL_ROLES, STATION_ROLES, Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from stations.models import Region


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region: "Region | None" = None
    station_id: int | None = None
    agency_id: int | None = None


NOTHING = Scope()


def scope_of(user) -> Scope:
    """The reach of ``user``; inactive and anonymous users reach nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == Role.ADMIN:
        return Scope(everything=True)
    if user.role in OFFICIAL_ROLES and user.region_id:
        return Scope(region=user.region)
    if user.role in STATION_ROLES and user.station_id:
        return Scope(station_id=user.station_id)
    if user.role == Role.EVALUATOR and user.organization_id:
        return Scope(agency_id=user.organization_id)
    return NOTHING


# --- the evaluated years ------------------------------------------------------------------------------

# The end of a span still open (a case not closed) is as late as any year can be.
OPEN_END_YEAR = 9999


@dataclass(frozen=True)
class YearOf:
    """Where a dated record's station and year live, as field paths from the record.

    Give one of ``year`` (a year field: projects, surveys) or ``on`` (a date field: a service record); with
    ``until`` too, ``on`` and ``until`` are the first and last day of a span, still open while ``until`` is
    null, and the record belongs to every year it was open in (a case from ``opened_on`` to ``closed_on``).
    """

    station: str = "station"
    year: str | None = None
    on: str | None = None
    until: str | None = None

    def __post_init__(self):
        if (self.year is None) == (self.on is None) or (self.until is not None and self.on is None):
            raise ValueError("YearOf needs a year field, or a date field (with an optional end of its span)")

    def years(self) -> tuple:
        """The first and last year of the record, as expressions on the outer (record) row."""
        if self.year is not None:
            return OuterRef(self.year), OuterRef(self.year)
        first = ExtractYear(OuterRef(self.on))
        if self.until is None:
            return first, first
        return first, Coalesce(ExtractYear(OuterRef(self.until)), Value(OPEN_END_YEAR))


def evaluated_station_years(user):
    """The (station, year) pairs an evaluator's current assignments cover (through-rows of the assignments),
    or None when ``user``'s reach is not cut by year (every role but the evaluator)."""
    scope = scope_of(user)
    if scope.agency_id is None:
        return None
    assignment = apps.get_model("evaluation", "Assignment")
    return assignment.objects.current_station_years(agency_id=scope.agency_id)


def within_evaluated_years(rows: "QuerySet", user, year_of: "YearOf | None") -> "QuerySet":
    """``rows`` cut to the years of their station that ``user`` reaches: for an evaluator, a row is kept when
    some current assignment of the agency evaluates its station for a year the row falls in (one correlated
    ``EXISTS``, no query per row). Any other user, and rows that are not records of a year (``year_of`` None),
    are returned unchanged: the very same queryset."""
    pairs = evaluated_station_years(user)
    if pairs is None or year_of is None:
        return rows
    first, last = year_of.years()
    covering = pairs.filter(station_id=OuterRef(year_of.station), year__gte=first, year__lte=last)
    return rows.filter(Exists(covering))


def years_in_reach(user, station=None) -> frozenset[int] | None:
    """The years of ``station``'s records (of any station's, without one) ``user`` reaches; None for all of
    them (every role but the evaluator)."""
    pairs = evaluated_station_years(user)
    if pairs is None:
        return None
    if station is not None:
        pairs = pairs.filter(station_id=getattr(station, "pk", station))
    return frozenset(pairs.values_list("year", flat=True))


def stations_reaching(stations: "QuerySet", user, *, on: date) -> "QuerySet":
    """``stations`` cut to those whose records of ``on``'s year ``user`` reaches (a figure of many stations on a
    day); unchanged for every role but the evaluator."""
    pairs = evaluated_station_years(user)
    if pairs is None:
        return stations
    return stations.filter(pk__in=pairs.filter(year=on.year).values("station_id"))


def period_in_reach(user, *, station, start: date, end: date | None = None) -> bool:
    """Whether every year from ``start`` to ``end`` (a day, a month, a year, a period) is one ``user`` reaches
    of ``station``'s records. A page or endpoint answers 404 when it is not, as for a record out of reach."""
    years = years_in_reach(user, station)
    if years is None:
        return True
    return all(year in years for year in range(start.year, (end or start).year + 1))


def reach_or_404(user, *, station, start: date, end: date | None = None) -> None:
    """Raise ``Http404`` unless ``period_in_reach``: a figure of a year out of reach does not exist for ``user``."""
    if not period_in_reach(user, station=station, start=start, end=end):
        raise Http404


def day_in_reach(user, *, station, today: date) -> date:
    """The day a station figure is about when none is asked: ``today``, unless ``user`` does not reach this
    year of ``station``; then the last day of the latest year reached before it (the evaluated year, for an
    evaluator scoring last year), or the first day of the first one after it. Without a station: of any
    station ``user`` reaches."""
    years = years_in_reach(user, station)
    if years is None or today.year in years or not years:
        return today
    past = [year for year in years if year < today.year]
    return date(max(past), 12, 31) if past else date(min(years), 1, 1)
