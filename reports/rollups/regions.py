"""The region rollups (``RegionMonth``, ``RegionPeriod``, ``RegionYear``): the station rollups summed per region.

Two ways to write them, both in the transaction that writes the station rows, so the two never disagree:

- ``regions_shift``, after a refresh of some stations (``refresh.stations_refresh``): each station row written
  moves the rows of its four regions by the difference it made (new minus old), one UPDATE per region table for
  all of them; a region row that does not exist yet is summed whole from its stations. The frequent refresh of one
  new record costs three statements here instead of a GROUP BY per level and table (DOMAIN.md section 8: the
  update for one record within 20 ms).
- ``regions_refresh`` recomputes the rows of some regions, or of every region, for some months (and the quarters
  and years of those months) from the station rows, one GROUP BY per level and table, and replaces them: a region
  whose stations have no row of a month has no row either (a read counts it as zero). The nightly repair and the
  rebuild run it once at the end for every region, so a region row a shift got wrong is right the next morning.

``rollups_lock`` keeps two writers of the rollups (the frequent refresh, a chunk of the repair) from computing a
difference against a station row the other is rewriting. ``tests/reports/test_region_rollups.py`` holds every
region's figures read from its rows equal to those summed from its stations.
"""

from collections import defaultdict
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.periods import QUARTER, period_of
from evaluation.choices import Grade
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
from .compute import KIND_COLUMNS, RULES, SOURCE_COLUMNS

LEVEL_COLUMNS = ("township_id", "county_id", "city_id", "province_id")
COUNTS = ("records", "headcount", "service_minutes", "people_served", "key_targets", "key_targets_visited")
COUNTS += tuple(KIND_COLUMNS.values())
AMOUNTS = ("volunteer_hours", "spent", "line_personnel", *SOURCE_COLUMNS.values())


def month_sums() -> dict:
    sums = {name: Coalesce(Sum(name), 0) for name in COUNTS} | {name: Sum(name) for name in AMOUNTS}
    checked = Q(compliance_checked=True)
    sums["checked"] = Count("pk", filter=checked)
    sums["compliant"] = Count("pk", filter=checked & Q(compliant=True))
    return sums | {f"fail_{rule}": Count("pk", filter=checked & Q(**{f"fail_{rule}": True})) for rule in RULES}


def year_sums() -> dict:
    sums = {"budget": Sum("budget")}
    return sums | {f"grade_{grade}": Count("pk", filter=Q(grade=grade)) for grade in Grade.values}


def split_sums() -> dict:
    return {
        "city_share": Sum("city_share"),
        "township_share": Sum("township_share"),
        "pending": Count("pk", filter=Q(pending=True)),
    }


def regions_of(station_rows) -> dict[str, set[int]]:
    """The region ids above some stations, per level column, from their stored ancestors (``RegionAncestors``)."""
    found = {column: set() for column in LEVEL_COLUMNS}
    for row in station_rows:
        for column in LEVEL_COLUMNS:
            if row[column] is not None:
                found[column].add(row[column])
    return found


# From a township, the path to its region of each level column (a root city's townships have no province).
TOWNSHIP_TO = {
    "township_id": "pk",
    "county_id": "parent_id",
    "city_id": "parent__parent_id",
    "province_id": "parent__parent__parent_id",
}


def regions_refresh(
    *,
    months: list[date],
    station_ids: list[int] | None = None,
    regions: dict[str, set[int]] | None = None,
    month: bool = True,
    people: bool = True,
    year: bool = True,
    coverage: bool = True,
) -> int:
    """Recompute the region rows of ``months`` (first days), their quarters and their years, for the regions
    above ``station_ids``, or ``regions`` (level column -> region ids), or every region (neither); ``month``, ``people`` and ``year`` say which tables (what the
    station refresh recomputed), ``coverage`` whether the coverage too (a station saved, its compliance marked).
    Returns how many rows were written.

    For some stations the rows are upserted (a region above a station with rows keeps having rows); for every
    region they are replaced, so a region left without stations loses its rows."""
    months = sorted({first.replace(day=1) for first in months})
    if not months:
        return 0
    if station_ids is not None:
        rows = StationMonth.objects.filter(station_id__in=station_ids, month__in=months).values(*LEVEL_COLUMNS)
        regions = regions_of(rows.distinct())
    periods = Q()
    for first in sorted({period_of(day, QUARTER).first for day in months}):
        periods |= Q(kind=StationPeriod.QUARTER, first=first)
    for number in sorted({day.year for day in months}):
        periods |= Q(kind=StationPeriod.YEAR, first=date(number, 1, 1))
    years = sorted({day.year for day in months})
    written = 0
    with transaction.atomic(savepoint=False):
        if regions is None:
            rollups_lock()
        parents = parents_of(regions)
        for column in LEVEL_COLUMNS:
            wanted = None if regions is None else regions.get(column, set())
            if wanted is not None and not wanted:
                continue
            if month:
                source = StationMonth.objects.filter(month__in=months)
                computed = grouped(source, column, wanted, ("month",), month_sums())
                written += store(RegionMonth, computed, ("month",), wanted, column, Q(month__in=months), parents)
            if people:
                source = StationPeriod.objects.filter(periods)
                computed = grouped(source, column, wanted, ("kind", "first"), {"people_served": Sum("people_served")})
                written += store(RegionPeriod, computed, ("kind", "first"), wanted, column, periods, parents)
            if year:
                written += years_replace(column, wanted, years, parents)
            if coverage:
                written += coverage_replace(column, wanted, parents)
    return written


def coverage_replace(column: str, wanted, parents: dict) -> int:
    """The ``RegionCoverage`` rows of a level: townships, covered townships and operating stations. Two queries."""
    path = TOWNSHIP_TO[column]
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP)
    stations = Station.objects.filter(status=StationStatus.OPERATING)
    at = "township_id" if path == "pk" else f"township__{path}"
    if wanted is not None:
        townships = townships.filter(**{f"{path}__in": wanted})
        stations = stations.filter(**{f"{at}__in": wanted})
    computed = {
        (region,): {"townships": count}
        for region, count in townships.order_by().values(path).annotate(n=Count("pk")).values_list(path, "n")
        if region is not None
    }
    found = stations.order_by().values(at).annotate(n=Count("pk"), covered=Count("township_id", distinct=True))
    for region, count, covered in found.values_list(at, "n", "covered"):
        if region is not None:
            computed.setdefault((region,), {"townships": 0}).update(stations=count, covered=covered)
    return store(RegionCoverage, computed, (), wanted, column, Q(), parents)


def parents_of(regions: dict[str, set[int]] | None) -> dict[int, int | None]:
    """Region id -> its parent's id, for the regions refreshed (all: None). One query."""
    queryset = Region.objects.all()
    if regions is not None:
        queryset = queryset.filter(pk__in=set().union(*regions.values()))
    return dict(queryset.values_list("pk", "parent_id"))


def grouped(queryset, column: str, wanted, keys: tuple, sums: dict) -> dict:
    if wanted is not None:
        queryset = queryset.filter(**{f"{column}__in": wanted})
    else:
        queryset = queryset.exclude(**{column: None})
    rows = queryset.order_by().values(column, *keys).annotate(**sums)
    return {(row.pop(column), *(row.pop(key) for key in keys)): row for row in rows}


def store(model, computed: dict, keys: tuple, wanted, column: str, scope: Q, parents: dict) -> int:
    """Write ``computed`` (region id and ``keys`` -> columns) as ``model`` rows: upserted for some regions
    (``wanted``), or replacing every row of the level's regions within ``scope`` (``wanted`` None)."""
    rows = [
        model(
            region_id=key[0],
            parent_id=parents.get(key[0]),
            **dict(zip(keys, key[1:], strict=True)),
            **{name: value for name, value in values.items() if value is not None},
        )
        for key, values in computed.items()
    ]
    if wanted is None:
        model.objects.filter(scope, region__in=level_regions(column)).delete()
        model.objects.bulk_create(rows, batch_size=1000)
        return len(rows)
    if rows:
        fields = [field.name for field in model._meta.concrete_fields if field.name not in ("id", "region", *keys)]
        model.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["region", *keys], update_fields=fields, batch_size=1000
        )
    return len(rows)


def level_regions(column: str):
    """The regions a level column names (every region of that level), for a refresh of every region."""
    level = column.removesuffix("_id")
    return Region.objects.filter(level=level).values("pk")


def years_replace(column: str, wanted, years: list[int], parents: dict) -> int:
    """The ``RegionYear`` rows of ``years``: the stations' budgets and grades, the townships' splits."""
    stations = grouped(StationYear.objects.filter(year__in=years), column, wanted, ("year",), year_sums())
    splits = grouped(TownshipYear.objects.filter(year__in=years), column, wanted, ("year",), split_sums())
    computed = {key: {**stations.get(key, {}), **splits.get(key, {})} for key in stations.keys() | splits.keys()}
    return store(RegionYear, computed, ("year",), wanted, column, Q(year__in=years), parents)


# --- moving region rows by the difference of the station rows written ----------------------------------------


def month_share(row: dict) -> dict:
    """What one ``StationMonth`` row adds to each of its regions' ``RegionMonth`` (``month_sums`` of one row)."""
    share = {name: row[name] or 0 for name in (*COUNTS, *AMOUNTS)}
    checked = bool(row["compliance_checked"])
    share["checked"] = int(checked)
    share["compliant"] = int(checked and row["compliant"])
    return share | {f"fail_{rule}": int(checked and row[f"fail_{rule}"]) for rule in RULES}


def year_share(row: dict) -> dict:
    """What one ``StationYear`` row adds to its regions' ``RegionYear`` (``year_sums`` of one row)."""
    return {"budget": row["budget"] or 0} | {f"grade_{grade}": int(row["grade"] == grade) for grade in Grade.values}


def split_share(row: dict) -> dict:
    """What one ``TownshipYear`` row adds to its regions' ``RegionYear`` (``split_sums`` of one row)."""
    return {
        "city_share": row["city_share"] or 0,
        "township_share": row["township_share"] or 0,
        "pending": int(row["pending"]),
    }


# A station (or township) rollup table -> the region table it sums into, the keys they share, one row's share.
SHARES = {
    StationMonth: (RegionMonth, ("month",), month_share),
    StationPeriod: (RegionPeriod, ("kind", "first"), lambda row: {"people_served": row["people_served"]}),
    StationYear: (RegionYear, ("year",), year_share),
    TownshipYear: (RegionYear, ("year",), split_share),
}
SHARES_KEYS = {target: keys for target, keys, _share in SHARES.values()}


def regions_shift(changes: list[tuple[type, dict | None, dict | None]]) -> int:
    """Move the region rows above station (and township) rows just written by the difference each write made.

    ``changes``: (station rollup model, the row's columns before or None, after or None), as
    ``refresh.rows_write`` collects them; a row's regions are its level columns before and after (a station moved
    to another township leaves its old regions). One UPDATE per region table for every region moved; a region row
    missing (the first station row of its month) is summed whole from its stations (``regions_refresh``). Returns
    how many region rows were moved or summed."""
    deltas = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # region model -> key -> column -> delta
    levels = {}
    for model, before, after in changes:
        target, keys, share = SHARES[model]
        for row, sign in ((before, -1), (after, 1)):
            if row is None:
                continue
            values = share(row)
            for column in LEVEL_COLUMNS:
                if row[column] is not None:
                    levels[row[column]] = column
                    delta = deltas[target][(row[column], *(row[name] for name in keys))]
                    for name, value in values.items():
                        delta[name] += sign * value
    moved = 0
    for target, rows in deltas.items():
        rows = {key: delta for key, delta in rows.items() if any(delta.values())}
        keys = SHARES_KEYS[target]
        found = rows_shift(target, keys, rows)
        missing = [key for key in rows if key not in found]
        moved += len(found)
        if missing:
            regions = defaultdict(set)
            for key in missing:
                regions[levels[key[0]]].add(key[0])
            firsts = [date(key[1], 1, 1) if target is RegionYear else key[-1] for key in missing]
            moved += regions_refresh(
                months=firsts,
                regions=regions,
                month=target is RegionMonth,
                people=target is RegionPeriod,
                year=target is RegionYear,
                coverage=False,
            )
    return moved


def rows_shift(model, keys: tuple, rows: dict) -> set[tuple]:
    """Add ``rows`` (region id and ``keys`` -> column -> difference) to the ``model`` rows that exist, in one
    UPDATE ... FROM (VALUES ...) per 500; return the keys of the rows found."""
    if not rows:
        return set()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = sorted({name for delta in rows.values() for name in delta})
    names = ["region_id", *keys]
    adapted = {key: tuple(adapt(value) for value in key) for key in rows}
    of_text = {tuple(str(value) for value in key): key for key in rows}  # RETURNING's dates: text or dates
    found = set()
    items = list(rows.items())
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        width = len(names) + len(columns)
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
        params = [value for key, delta in chunk for value in (*adapted[key], *(delta.get(c, 0) for c in columns))]
        sql = (
            f"WITH d ({', '.join(quote('d_' + name) for name in (*names, *columns))}) AS (VALUES {values}) "
            f"UPDATE {table} SET "
            + ", ".join(f"{quote(c)} = {quote(c)} + {quote('d_' + c)}" for c in columns)
            + ", computed_at = %s FROM d WHERE "
            + " AND ".join(f"{quote(name)} = {quote('d_' + name)}" for name in names)
            + f" RETURNING {', '.join(quote(name) for name in names)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, connection.ops.adapt_datetimefield_value(timezone.now())])
            found |= {of_text[tuple(str(value) for value in row)] for row in cursor.fetchall()}
    return found


def adapt(value):
    """A key's value as the database takes it in a raw statement (SQLite: a date as its ISO text)."""
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


# A number every writer of the rollups takes as a transaction-level advisory lock (PostgreSQL): ``rollups_lock``.
LOCK_KEY = 7_110_011


def rollups_lock() -> None:
    """Wait for, then hold until the transaction ends, the one lock of the rollups' writers: the frequent refresh
    and a chunk of the repair never compute a difference against a station row the other is rewriting, and the
    repair's summing of every region never interleaves with a shift. SQLite writes one transaction at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
