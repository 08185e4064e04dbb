"""The dashboards' and the periodic reports' figures, read from the rollups in a fixed number of queries.

``dashboard_figures`` answers a region, a station or a set of stations for a ``config.periods.Period``;
``children_figures`` answers every child region of a region (every station of a township) at once, by grouping
the same queries by the child's column. Both cost the same few indexed queries for a township or for the nation.

Rates are computed from summed numerators and denominators (a county's visit rate is the visited key targets of
all its stations over all their key targets), to 4 places rounded half-up, None without a denominator.
Money is brought to the fen (SQLite, the embedded default, sums decimals as floats). Conventions: the month's compliance is that of its last day (today's while it runs, as of the latest refresh);
a quarter's or a year's is that of its latest month begun. The budget, the split and the grades are the year's,
also for a month or a quarter of it (a split exists per year only). ``funding.pending`` counts the townships whose
split is pending; ``city_share`` and ``township_share`` add the townships whose split is settled.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from config.periods import MONTH, QUARTER, Period
from evaluation.choices import Grade
from funding.rules.money import fen
from stations.choices import RegionLevel, StationStatus
from stations.models import Region, Station

from ..models import (
    RegionCoverage,
    RegionMonth,
    RegionPeriod,
    RegionYear,
    StationMonth,
    StationPeriod,
    StationYear,
    TownshipYear,
)
from . import regions as region_rollups
from .compute import KIND_COLUMNS, RULES, SOURCE_COLUMNS

ZERO = Decimal("0")
# The rollup column of each region level, and the child level under it.
LEVEL_COLUMN = {
    RegionLevel.PROVINCE: "province_id",
    RegionLevel.CITY: "city_id",
    RegionLevel.COUNTY: "county_id",
    RegionLevel.TOWNSHIP: "township_id",
}
CHILD_COLUMN = {
    RegionLevel.PROVINCE: "city_id",
    RegionLevel.CITY: "county_id",
    RegionLevel.COUNTY: "township_id",
    RegionLevel.TOWNSHIP: "station_id",
}
# From a township region, the path to its ancestor of the child level (for the coverage's GROUP BY).
TOWNSHIP_TO_CHILD = {RegionLevel.PROVINCE: "parent__parent_id", RegionLevel.CITY: "parent_id", RegionLevel.COUNTY: "pk"}
# The nation (``None``, the administrator's reach): every row; its children are the roots of the tree (provinces,
# and cities that hang under none), read from the region rows without a parent.
NATION = None
TOWNSHIP_TO_CHILD[NATION] = "root"


def rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Coverage:
    townships: int
    covered: int
    rate: Decimal | None


@dataclass(frozen=True)
class Compliance:
    checked: int
    compliant: int
    failing: dict[str, int]
    month: date

    @property
    def rate(self) -> Decimal | None:
        return rate(self.compliant, self.checked)


@dataclass(frozen=True)
class Services:
    records: int
    by_kind: dict[str, int]
    people_served: int
    headcount: int
    hours: Decimal


@dataclass(frozen=True)
class Visits:
    key_targets: int
    visited: int
    rate: Decimal | None


@dataclass(frozen=True)
class Funding:
    budget: Decimal
    spent: Decimal
    personnel_share: Decimal | None
    by_source: dict[str, Decimal]
    city_share: Decimal
    township_share: Decimal
    pending: int

    @property
    def execution(self) -> Decimal | None:
        """The budget's execution: the period's spending over the year's approved budget (a year: the year's)."""
        return rate(self.spent, self.budget)


@dataclass(frozen=True)
class Figures:
    """What the dashboards and the monthly and quarterly reports show of a region, a station or stations."""

    period: Period
    stations: int
    coverage: Coverage
    compliance: Compliance
    services: Services
    visits: Visits
    volunteer_hours: Decimal
    funding: Funding
    evaluation: dict[str, int] = field(default_factory=dict)
    # When the newest rollup row read was computed (None: no row yet).
    as_of: object = None


def compliance_month(period: Period, today: date) -> date:
    """The month whose compliance a period shows: its last, or today's while the period runs."""
    return min(period.last, today).replace(day=1)


def month_sums(month: date) -> dict:
    """The aggregates of one query over ``StationMonth``; compliance only from the rows of ``month``."""
    at = Q(month=month)
    sums = {
        name: Coalesce(Sum(name), 0) for name in ("records", "headcount", "service_minutes", *KIND_COLUMNS.values())
    }
    sums |= {name: Coalesce(Sum(name), 0) for name in ("people_served", "key_targets", "key_targets_visited")}
    money = ("spent", "line_personnel", "volunteer_hours", *SOURCE_COLUMNS.values())
    sums |= {name: Coalesce(Sum(name), ZERO) for name in money}
    sums["as_of"] = Max("computed_at")
    sums["checked"] = Count("pk", filter=at & Q(compliance_checked=True))
    sums["compliant"] = Count("pk", filter=at & Q(compliance_checked=True, compliant=True))
    sums |= {
        f"fail_{rule}": Count("pk", filter=at & Q(compliance_checked=True, **{f"fail_{rule}": True})) for rule in RULES
    }
    return sums


def year_sums() -> dict:
    sums = {"budget": Coalesce(Sum("budget"), ZERO)}
    return sums | {f"grade_{grade}": Count("pk", filter=Q(grade=grade)) for grade in Grade.values}


def split_sums() -> dict:
    return {
        "city_share": Coalesce(Sum("city_share"), ZERO),
        "township_share": Coalesce(Sum("township_share"), ZERO),
        "pending": Count("pk", filter=Q(pending=True)),
    }


def people_kind(period: Period) -> str | None:
    return None if period.kind == MONTH else (StationPeriod.QUARTER if period.kind == QUARTER else StationPeriod.YEAR)


def figures_of(period: Period, *, months: dict, people: int | None, year: dict, split: dict, coverage: dict):
    """``Figures`` from the rows of the aggregates (one child's rows, or the whole's)."""
    empty = not months
    months = months or {**{name: 0 for name in month_sums(period.first)}, "as_of": None}
    return Figures(
        period=period,
        stations=coverage.get("stations", 0),
        coverage=Coverage(
            coverage.get("townships", 0),
            coverage.get("covered", 0),
            rate(coverage.get("covered", 0), coverage.get("townships", 0)),
        ),
        compliance=Compliance(
            checked=months["checked"],
            compliant=months["compliant"],
            failing={rule: months[f"fail_{rule}"] for rule in RULES},
            month=compliance_month(period, timezone.localdate()),
        ),
        services=Services(
            records=months["records"],
            by_kind={kind: months[column] for kind, column in KIND_COLUMNS.items()},
            people_served=months["people_served"] if people is None else people,
            headcount=months["headcount"],
            hours=(Decimal(months["service_minutes"]) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP),
        ),
        visits=Visits(
            months["key_targets"],
            months["key_targets_visited"],
            rate(months["key_targets_visited"], months["key_targets"]),
        ),
        volunteer_hours=Decimal(months["volunteer_hours"]).quantize(Decimal("0.1"), ROUND_HALF_UP),
        funding=Funding(
            budget=fen(year.get("budget", ZERO)),
            spent=fen(months["spent"]),
            personnel_share=None if empty else rate(months["line_personnel"], months["spent"]),
            by_source={source: fen(months[column]) for source, column in SOURCE_COLUMNS.items()},
            city_share=fen(split.get("city_share", ZERO)),
            township_share=fen(split.get("township_share", ZERO)),
            pending=split.get("pending", 0),
        ),
        evaluation={grade: year.get(f"grade_{grade}", 0) for grade in Grade.values},
        as_of=months["as_of"],
    )


def scope_filter(subject) -> tuple[Q, Q]:
    """The filter of the station rollups and of the township splits for the nation (``None``), a region, a station
    or stations."""
    if subject is NATION:
        return Q(), Q()
    if isinstance(subject, Region):
        column = LEVEL_COLUMN.get(subject.level)
        if column is None:
            raise ValueError(f"No rollups for a region of level {subject.level}")
        return Q(**{column: subject.pk}), Q(**{column: subject.pk})
    if isinstance(subject, Station):
        return Q(station_id=subject.pk), Q(township_id=subject.township_id)
    ids = subject.values("pk")  # a queryset of stations (an evaluator's, say)
    return Q(station_id__in=ids), Q(township_id__in=subject.values("township_id"))


def coverage_of(subject) -> dict:
    """Townships under the subject, those with an operating station, and the operating stations. Two queries for
    the nation or a region, one for stations.

    A region's two are plain aggregates, the townships on the (level, path) index and the operating stations
    joined to their township's path: at 40,000 townships a subquery counting each township's stations costs one
    index probe per township (1.4 s for the nation on the benchmark's loaded machine; these two, 70 ms)."""
    if subject is NATION or isinstance(subject, Region):
        townships = Region.objects.filter(level=RegionLevel.TOWNSHIP)
        stations = Station.objects.filter(status=StationStatus.OPERATING)
        if subject is not NATION:
            townships = townships.filter(path__startswith=subject.path)
            stations = stations.filter(township__path__startswith=subject.path)
        return {
            "townships": townships.count(),
            **stations.aggregate(stations=Count("pk"), covered=Count("township_id", distinct=True)),
        }
    if isinstance(subject, Station):
        townships = Region.objects.filter(pk=subject.township_id)
    else:
        townships = Region.objects.filter(pk__in=subject.values("township_id"))
    stations = Station.objects.filter(status=StationStatus.OPERATING, township=OuterRef("pk"))
    stations = stations.filter(pk__in=[subject.pk] if isinstance(subject, Station) else subject.values("pk"))
    counted = stations.order_by().values("township").annotate(n=Count("pk")).values("n")
    return townships.annotate(n=Coalesce(Subquery(counted), 0)).aggregate(
        townships=Count("pk"), covered=Count("pk", filter=Q(n__gt=0)), stations=Coalesce(Sum("n"), 0)
    )


def dashboard_figures(*, stations_or_region, period: Period) -> Figures:
    """The figures of the nation (``None``), a region (province, city, county or township), a station, or a
    queryset of stations for ``period``: five queries, whatever the number of stations below (see the module's
    docstring). The nation and a region read their own region rows (``region_figures``)."""
    if stations_or_region is NATION or isinstance(stations_or_region, Region):
        return region_figures(stations_or_region, period)
    return stations_figures(stations_or_region, period)


def stations_figures(subject, period: Period) -> Figures:
    """``dashboard_figures`` summed from the station rows below the subject (any subject; the region rows are
    tested equal to these)."""
    stations_or_region = subject
    rows, townships = scope_filter(stations_or_region)
    month = compliance_month(period, timezone.localdate())
    months = StationMonth.objects.filter(rows, month__gte=period.first, month__lte=period.last).aggregate(
        **month_sums(month)
    )
    people = None
    if people_kind(period):
        people = StationPeriod.objects.filter(rows, kind=people_kind(period), first=period.first).aggregate(
            n=Coalesce(Sum("people_served"), 0)
        )["n"]
    year = StationYear.objects.filter(rows, year=period.year).aggregate(**year_sums())
    split = TownshipYear.objects.filter(townships, year=period.year).aggregate(**split_sums())
    return figures_of(
        period, months=months, people=people, year=year, split=split, coverage=coverage_of(stations_or_region)
    )


def children_of(region: Region | None, *, townships: bool = False) -> list:
    """The child regions of ``region`` (the provinces of the nation, the stations of a township), or with
    ``townships`` every township below it."""
    if townships:
        below = Region.objects.filter(level=RegionLevel.TOWNSHIP)
        return list(below if region is NATION else below.filter(path__startswith=region.path).order_by("path"))
    if region is NATION:
        roots = Region.objects.filter(parent=None, level__in=(RegionLevel.PROVINCE, RegionLevel.CITY))
        return list(roots.order_by("path"))
    if region.level == RegionLevel.TOWNSHIP:
        return list(Station.objects.filter(township=region).order_by("name", "pk"))
    return list(Region.objects.filter(parent=region).order_by("path"))


def children_coverage(region: Region | None, *, child: str | None, children: list | None = None) -> dict:
    """Child id -> townships, covered and operating stations, ``child`` the path from a township to the child's
    id (None: the children are the stations of the township ``region``), ``children`` the child regions (read
    when not given). Two queries (and the children's when not given).

    Each township is grouped under the child whose path begins its path (the children of a region all have paths
    of one length), so neither query joins the tree above the townships nor counts each township's stations in a
    subquery: see ``coverage_of``."""
    if child is None:
        return {
            pk: {
                "townships": 1,
                "covered": int(status == StationStatus.OPERATING),
                "stations": int(status == StationStatus.OPERATING),
            }
            for pk, status in Station.objects.filter(township=region).values_list("pk", "status")
        }
    if children is None:
        children = children_of(region, townships=child == "pk")
    if not children:
        return {}
    by_path = {node.path: node.pk for node in children}
    # Townships are their own children (the ranking): their whole path, which differs in length across trees.
    length = None if child == "pk" else len(children[0].path)
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP)
    stations = Station.objects.filter(status=StationStatus.OPERATING)
    if region is not NATION:
        townships = townships.filter(path__startswith=region.path)
        stations = stations.filter(township__path__startswith=region.path)
    result = {pk: {"townships": 0, "covered": 0, "stations": 0} for pk in by_path.values()}
    for prefix, count in (
        townships.annotate(prefix=F("path") if length is None else Substr("path", 1, length))
        .order_by()
        .values("prefix")
        .annotate(n=Count("pk"))
        .values_list("prefix", "n")
    ):
        if prefix in by_path:
            result[by_path[prefix]]["townships"] = count
    for prefix, count, covered in (
        stations.annotate(prefix=F("township__path") if length is None else Substr("township__path", 1, length))
        .order_by()
        .values("prefix")
        .annotate(n=Count("pk"), covered=Count("township_id", distinct=True))
        .values_list("prefix", "n", "covered")
    ):
        if prefix in by_path:
            result[by_path[prefix]].update(stations=count, covered=covered)
    return result


def grouped(queryset, column: str, sums: dict) -> dict:
    return {row.pop(column): row for row in queryset.order_by().values(column).annotate(**sums)}


def children_figures(*, region: Region | None, period: Period, townships: bool = False) -> list[tuple[object, Figures]]:
    """One ``(child, Figures)`` per child region of ``region`` (the provinces of the nation, the stations of a
    township), or with ``townships`` per township below it (the ranking of a county's or a city's townships), in
    the tree's order: the queries of ``dashboard_figures`` grouped by the child's column, six whatever the number
    of children."""
    level = NATION if region is NATION else region.level
    if not townships and level != RegionLevel.TOWNSHIP:
        return region_children_figures(region, period)
    column = "township_id" if townships else CHILD_COLUMN[level]
    rows, township_rows = scope_filter(region)
    month = compliance_month(period, timezone.localdate())
    children = children_of(region, townships=townships)
    months = grouped(
        StationMonth.objects.filter(rows, month__gte=period.first, month__lte=period.last), column, month_sums(month)
    )
    people = {}
    if people_kind(period):
        people = {
            key: row["n"]
            for key, row in grouped(
                StationPeriod.objects.filter(rows, kind=people_kind(period), first=period.first),
                column,
                {"n": Coalesce(Sum("people_served"), 0)},
            ).items()
        }
    years = grouped(StationYear.objects.filter(rows, year=period.year), column, year_sums())
    if column == "station_id":
        splits = {}  # a township's split is not a station's
    else:
        splits = grouped(TownshipYear.objects.filter(township_rows, year=period.year), column, split_sums())
    coverage = children_coverage(region, child="pk" if townships else TOWNSHIP_TO_CHILD.get(level), children=children)
    return [
        (
            child,
            figures_of(
                period,
                months=months.get(child.pk, {}),
                people=people.get(child.pk, 0) if people_kind(period) else None,
                year=years.get(child.pk, {}),
                split=splits.get(child.pk, {}),
                coverage=coverage.get(child.pk, {}),
            ),
        )
        for child in children
    ]


@dataclass(frozen=True)
class MonthPoint:
    """One month of a subject's year, for the dashboards' and the reports' charts by month."""

    month: date
    records: int
    people_served: int
    headcount: int
    hours: Decimal
    key_targets: int
    visited: int
    spent: Decimal

    @property
    def visit_rate(self) -> Decimal | None:
        return rate(self.visited, self.key_targets)


def monthly_series(*, stations_or_region, first: date, last: date) -> list[MonthPoint]:
    """One point per month from ``first`` to ``last`` (first days), months without rows at zero. One query (over
    the region rows for the nation or a region)."""
    if stations_or_region is NATION or isinstance(stations_or_region, Region):
        rows, source = region_rows(stations_or_region), RegionMonth.objects
    else:
        rows, source = scope_filter(stations_or_region)[0], StationMonth.objects
    sums = {
        name: Coalesce(Sum(name), 0)
        for name in ("records", "people_served", "headcount", "service_minutes", "key_targets", "key_targets_visited")
    }
    found = grouped(
        source.filter(rows, month__gte=first, month__lte=last),
        "month",
        sums | {"spent": Coalesce(Sum("spent"), ZERO)},
    )
    points, month = [], first
    while month <= last:
        row = found.get(month, {})
        points.append(
            MonthPoint(
                month=month,
                records=row.get("records", 0),
                people_served=row.get("people_served", 0),
                headcount=row.get("headcount", 0),
                hours=(Decimal(row.get("service_minutes", 0)) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP),
                key_targets=row.get("key_targets", 0),
                visited=row.get("key_targets_visited", 0),
                spent=fen(row.get("spent", ZERO)),
            )
        )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return points


# --- from the region rows (``RegionMonth``, ``RegionPeriod``, ``RegionYear``) --------------------------------------


def region_rows(region: Region | None) -> Q:
    """The region rows of the region (the nation: the rows of the regions without a parent, provinces and root
    cities)."""
    if region is NATION:
        return Q(parent__isnull=True)
    if region.level not in LEVEL_COLUMN:
        raise ValueError(f"No rollups for a region of level {region.level}")
    return Q(region_id=region.pk)


def region_month_sums(month: date) -> dict:
    """``month_sums`` over the region rows: their sums summed, compliance only from the rows of ``month``."""
    at = Q(month=month)
    sums = {name: Coalesce(Sum(name), 0) for name in region_rollups.COUNTS}
    sums |= {name: Coalesce(Sum(name), ZERO) for name in region_rollups.AMOUNTS}
    sums["as_of"] = Max("computed_at")
    for name in ("checked", "compliant", *(f"fail_{rule}" for rule in RULES)):
        sums[name] = Coalesce(Sum(name, filter=at), 0)
    return sums


def region_year_sums() -> dict:
    sums = {name: Coalesce(Sum(name), ZERO) for name in ("budget", "city_share", "township_share")}
    return sums | {name: Coalesce(Sum(name), 0) for name in ("pending", *(f"grade_{g}" for g in Grade.values))}


def region_figures(region: Region | None, period: Period) -> Figures:
    """``dashboard_figures`` of the nation or a region from its region rows: at most twelve months' rows, its
    period's, its year's and its coverage. Four queries (three for a month)."""
    rows = region_rows(region)
    month = compliance_month(period, timezone.localdate())
    months = RegionMonth.objects.filter(rows, month__gte=period.first, month__lte=period.last).aggregate(
        **region_month_sums(month)
    )
    people = None
    if people_kind(period):
        people = RegionPeriod.objects.filter(rows, kind=people_kind(period), first=period.first).aggregate(
            n=Coalesce(Sum("people_served"), 0)
        )["n"]
    year = RegionYear.objects.filter(rows, year=period.year).aggregate(**region_year_sums())
    coverage = RegionCoverage.objects.filter(rows).aggregate(
        **{name: Coalesce(Sum(name), 0) for name in ("townships", "covered", "stations")}
    )
    return figures_of(period, months=months, people=people, year=year, split=year, coverage=coverage)


def region_children_figures(region: Region | None, period: Period) -> list[tuple[object, Figures]]:
    """``children_figures`` of the nation or a region above the townships, from the child regions' rows (their
    ``parent`` is the region; the nation's children have none). Five queries (four for a month)."""
    rows = Q(parent__isnull=True) if region is NATION else Q(parent_id=region.pk)
    month = compliance_month(period, timezone.localdate())
    children = children_of(region)
    months = grouped(
        RegionMonth.objects.filter(rows, month__gte=period.first, month__lte=period.last),
        "region_id",
        region_month_sums(month),
    )
    people = {}
    if people_kind(period):
        found = RegionPeriod.objects.filter(rows, kind=people_kind(period), first=period.first)
        people = dict(found.values_list("region_id", "people_served"))
    years = grouped(RegionYear.objects.filter(rows, year=period.year), "region_id", region_year_sums())
    coverage = {
        row["region_id"]: row
        for row in RegionCoverage.objects.filter(rows).values("region_id", "townships", "covered", "stations")
    }
    return [
        (
            child,
            figures_of(
                period,
                months=months.get(child.pk, {}),
                people=people.get(child.pk, 0) if people_kind(period) else None,
                year=years.get(child.pk, {}),
                split=years.get(child.pk, {}),
                coverage=coverage.get(child.pk, {}),
            ),
        )
        for child in children
    ]
