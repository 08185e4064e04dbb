"""The staffing compliance of many stations read from the rollups: the officials' compliance page and its export.

``compute.compliance_add`` stores on each ``StationMonth`` the staffing standard of the month's last day (today's
while the month runs, as of the latest refresh): the ``fail_<rule>`` flags and each rule's required and actual
figures (``checks``). The page then costs the same few indexed queries for a county or for the nation: the counts
per rule are one aggregate over the flags, the rule and "failing" filters and the sorting are SQL on the flags,
and only the 25 rows shown (or the exported rows, read in chunks) are turned into worded rules.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, Min, Q, QuerySet
from django.db.models.functions import Cast

from accounts.scope import scope_of
from staffing.rules import Check
from staffing.selectors import RULE_CODES, CheckRow, check_row
from stations.models import Region, Station

from ..models import StationMonth
from .compute import figure_of_json
from .figures import LEVEL_COLUMN


def compliance_rows(*, user, stations: QuerySet, month: date) -> QuerySet:
    """The station-months of ``month`` (its first day) checked against the standard, of the stations ``user``
    sees: ``stations`` is ``Station.objects.visible_to(user)``, cut to what the user reaches of ``month``'s year
    (``accounts.scope.stations_reaching``, for the evaluators).

    An official's stations are read through the rollup's column of their region's level (``province_id = ...``),
    the index the dashboards use: for a region that is the same set of stations as ``visible_to``'s path prefix
    (the rollup rows carry their township's ancestors), without joining every station and township below it.
    The other roles reach few stations, read as a subquery of ``stations``."""
    rows = StationMonth.objects.filter(month=month, compliance_checked=True)
    scope = scope_of(user)
    if scope.everything:
        return rows
    column = LEVEL_COLUMN.get(scope.region.level) if scope.region is not None else None
    if column is not None:
        return rows.filter(**{column: scope.region.pk})
    return rows.filter(station_id__in=stations.values("pk"))


def compliance_filter(rows: QuerySet, *, rule: str = "", failing_only: bool = True) -> QuerySet:
    """``rows`` failing ``rule``; without one, those failing any rule (``failing_only``) or all of them."""
    if rule:
        return rows.filter(**{f"fail_{rule}": True})
    return rows.filter(compliant=False) if failing_only else rows


def rules_failed() -> Cast:
    """How many rules a station-month fails, as an expression for sorting in SQL."""
    total = Cast(f"fail_{RULE_CODES[0]}", IntegerField())
    for code in RULE_CODES[1:]:
        total = total + Cast(f"fail_{code}", IntegerField())
    return total


@dataclass(frozen=True)
class ComplianceCounts:
    """Stations checked, those meeting every rule, those failing each rule; ``as_of`` the day checked (the
    earliest, should the rows have been refreshed on different days), None without rows."""

    checked: int
    compliant: int
    failing: dict[str, int]
    as_of: date | None


def compliance_counts(rows: QuerySet) -> ComplianceCounts:
    """The counts of ``compliance_rows``: one aggregate over the flags."""
    sums = rows.aggregate(
        checked=Count("pk"),
        compliant=Count("pk", filter=Q(compliant=True)),
        as_of=Min("compliance_on"),
        **{f"fail_{code}": Count("pk", filter=Q(**{f"fail_{code}": True})) for code in RULE_CODES},
    )
    return ComplianceCounts(
        checked=sums["checked"],
        compliant=sums["compliant"],
        failing={code: sums[f"fail_{code}"] for code in RULE_CODES},
        as_of=sums["as_of"],
    )


@dataclass(frozen=True)
class StationMonthCompliance:
    """One station's compliance as its rollup row stored it, its rules worded for people (``check_row``)."""

    station: Station
    county: Region | None
    township: Region
    on: date | None
    rows: list[CheckRow]

    @property
    def failed(self) -> list[str]:
        return [row.code for row in self.rows if not row.ok]


def for_display(rows: QuerySet) -> QuerySet:
    """``rows`` with what a result shows (the station, its county and township) in the same query."""
    return rows.select_related("station", "county", "township")


def compliance_results(rows: Iterable[StationMonth]) -> Iterator[StationMonthCompliance]:
    """Each station-month of ``rows`` (``for_display``) as a ``StationMonthCompliance``, in their order."""
    for row in rows:
        checks = [
            check_row(Check(c["code"], figure_of_json(c["required"]), figure_of_json(c["actual"]), c["ok"]))
            for c in row.checks
        ]
        yield StationMonthCompliance(
            station=row.station, county=row.county, township=row.township, on=row.compliance_on, rows=checks
        )
