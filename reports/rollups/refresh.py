"""Keeping the rollups true: the frequent refresh of dirty station-months, the nightly repair, the rebuild.

Everything is written by ``stations_refresh``: it computes the figures of some stations for some months from the
records (``compute``), compares them with the stored rows, and upserts the rows that differ or are missing. The
repair is the same call over every station with each difference logged: a difference there is a write that did
not mark its month (an admin's delete, a bulk load, a beneficiary turned key target), and the log says which.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from stations.models import Station

from ..models import RollupDirty, StationMonth, StationPeriod, StationYear, TownshipYear
from . import compute
from .regions import regions_refresh

logger = logging.getLogger(__name__)

# Stations computed together: bounds the ids sent in one query and the rows held in memory.
CHUNK = 2000
# Marks one refresh takes; the rest wait for the next run (every 30 seconds).
REFRESH_LIMIT = 5000


@dataclass(frozen=True)
class Difference:
    """A stored rollup figure that was not the one the records give (``stored`` None: the row was missing)."""

    table: str
    key: tuple
    field: str
    stored: object
    computed: object


def rows_write(model, *, key: tuple[str, ...], computed: dict, stored_rows) -> list[Difference]:
    """Upsert ``computed`` (key tuple -> columns) into ``model`` where a column differs from ``stored_rows``;
    ``stored_rows`` None: upsert every row without reading them first, and report no difference (the refresh of
    marks, whose changes are expected)."""
    unread = stored_rows is None
    stored = {tuple(getattr(row, name) for name in key): row for row in stored_rows or []}
    differences, changed = [], []
    for row_key, columns in computed.items():
        row = stored.get(row_key)
        found = [
            Difference(model.__name__, row_key, name, None if row is None else getattr(row, name), value)
            for name, value in columns.items()
            if row is None or getattr(row, name) != value
        ]
        if found:
            differences.extend(found if row is not None else found[:1])
            changed.append(model(**dict(zip(key, row_key, strict=True)), **columns))
    if unread:
        differences = []
    if changed:
        columns = [*next(iter(computed.values())).keys(), "computed_at"]
        model.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=[name.removesuffix("_id") for name in key],
            update_fields=[name.removesuffix("_id") for name in columns],
            batch_size=1000,
        )
    return differences


@dataclass(frozen=True)
class Recompute:
    """What a refresh recomputes: the ``StationMonth`` column groups (``compute.MONTH_GROUPS``), the people served
    of the quarter and the year, the ``StationYear`` groups (``compute.YEAR_GROUPS``) and the township splits."""

    month: frozenset = frozenset()
    people: bool = False
    year: frozenset = frozenset()
    split: bool = False

    def __or__(self, other: "Recompute") -> "Recompute":
        return Recompute(
            self.month | other.month, self.people or other.people, self.year | other.year, self.split or other.split
        )


EVERYTHING = Recompute(compute.MONTH_GROUPS, True, compute.YEAR_GROUPS, True)
# What each part of a mark (``RollupDirty.part``) feeds. A service record changes its month's services (volunteer
# hours included: a record books and unbooks them) and the distinct people of its quarter and year, never the
# compliance, the spending, the budget or the split; a payment changes the spending and, through the funding
# factor's base, the split; a published result the grade and the split; a budget the year's budget only.
PART_FIGURES = {
    RollupDirty.SERVICES: Recompute(month=frozenset({compute.SERVICES}), people=True),
    RollupDirty.STAFFING: Recompute(month=frozenset({compute.COMPLIANCE})),
    RollupDirty.SPENDING: Recompute(month=frozenset({compute.SPENDING}), split=True),
    RollupDirty.BUDGET: Recompute(year=frozenset({compute.BUDGET})),
    RollupDirty.GRADES: Recompute(year=frozenset({compute.GRADE}), split=True),
    RollupDirty.ALL: EVERYTHING,
}


def stations_refresh(
    station_ids: list[int],
    months: Iterable[date],
    *,
    today: date | None = None,
    parts: Iterable[str] = ("all",),
    compare: bool = True,
    regions: bool = True,
) -> list[Difference]:
    """Recompute and store the rollups of ``station_ids`` for ``months`` (first days): the station-months, the
    people served of their quarters and years, the stations' years and their townships' splits of those years;
    with ``parts`` (what the marks say changed, ``RollupDirty.part``) only the figures those feed
    (``PART_FIGURES``). Returns the differences found (empty when the rollups were right); not ``compare`` (the
    refresh of marks), the quarter, year and township rows are upserted without being read first, and their
    differences are not reported.

    A station without its row of one of ``months`` yet (a new station, a month just begun) gets everything
    recomputed, whatever ``parts`` says: its quarter, year and township rows may be missing too, and the nightly
    repair must find nothing to add. The repair and the rebuild recompute everything. Then, with ``regions``, the
    region rows above the stations (``regions.regions_refresh``), in the same transaction."""
    today = today or timezone.localdate()
    months = sorted({month.replace(day=1) for month in months})
    what = reduce(or_, (PART_FIGURES[part] for part in parts), Recompute())
    differences: list[Difference] = []
    with transaction.atomic():
        stations = compute.stations_of(station_ids)
        stored = defaultdict(dict)
        for row in StationMonth.objects.filter(station_id__in=list(stations), month__in=months):
            stored[row.month][row.station_id] = row
        new = sorted(pk for pk in stations if any(pk not in stored[month] for month in months))
        rest = sorted(set(stations) - set(new))
        for ids, recompute in ((new, EVERYTHING), (rest, what)):
            if ids:
                group = {pk: stations[pk] for pk in ids}
                differences += group_refresh(ids, months, group, stored, recompute, today, compare)
        if regions:
            regions_refresh(months=months, station_ids=list(stations), **tables_of(EVERYTHING if new else what))
    return differences


def tables_of(what: Recompute) -> dict:
    """The region tables a station refresh of ``what`` changes (``regions.regions_refresh``'s switches)."""
    return {
        "month": bool(what.month),
        "people": what.people,
        "year": bool(what.year) or what.split,
        "coverage": compute.COMPLIANCE in what.month,  # a station saved: its status, so the coverage
    }


def group_refresh(
    station_ids: list[int],
    months: list[date],
    stations: dict,
    stored: dict,
    what: Recompute,
    today: date,
    compare: bool = True,
) -> list[Difference]:
    """``stations_refresh`` of stations that all have their rows of ``months`` (``stored``) or all get
    ``EVERYTHING``."""
    differences = []
    if what.month:
        for month in months:
            computed = compute.month_figures(station_ids, month, today=today, groups=what.month, stations=stations)
            differences += rows_write(
                StationMonth,
                key=("station_id", "month"),
                computed={(pk, month): columns for pk, columns in computed.items()},
                stored_rows=[stored[month][pk] for pk in station_ids if pk in stored[month]],
            )
    if what.people:
        periods = {}
        for month in months:
            periods |= compute.people_figures(station_ids, month, stations=stations)
        differences += people_write(station_ids, periods, compare=compare)
    years = sorted({month.year for month in months})
    if what.year:
        for year in years:
            differences += years_write(station_ids, year, stations=stations, groups=what.year)
    if what.split:
        townships = sorted({station["ancestors"]["township_id"] for station in stations.values()})
        for year in years:
            computed = compute.township_figures(townships, year)
            differences += rows_write(
                TownshipYear,
                key=("township_id", "year"),
                computed={(pk, year): {k: v for k, v in c.items() if k != "township_id"} for pk, c in computed.items()},
                stored_rows=TownshipYear.objects.filter(township_id__in=townships, year=year) if compare else None,
            )
    return differences


def people_write(station_ids: list[int], periods: dict, *, compare: bool = True) -> list[Difference]:
    """The ``StationPeriod`` rows of ``periods`` (``compute.people_figures``): one read (unless not ``compare``)
    and one upsert for all."""
    if not periods:
        return []
    wanted = reduce(or_, (Q(kind=kind, first=first) for kind, first in periods))
    return rows_write(
        StationPeriod,
        key=("station_id", "kind", "first"),
        computed={
            (pk, kind, first): columns for (kind, first), rows in periods.items() for pk, columns in rows.items()
        },
        stored_rows=StationPeriod.objects.filter(wanted, station_id__in=station_ids) if compare else None,
    )


def years_write(station_ids: list[int], year: int, *, stations: dict, groups) -> list[Difference]:
    """The ``StationYear`` rows of ``year``: the column ``groups`` asked, every column while a row is missing."""
    stored = list(StationYear.objects.filter(station_id__in=station_ids, year=year))
    if len(stored) < len(station_ids):
        groups = compute.YEAR_GROUPS
    computed = compute.year_figures(station_ids, year, groups=groups, stations=stations)
    return rows_write(
        StationYear,
        key=("station_id", "year"),
        computed={(pk, year): columns for pk, columns in computed.items()},
        stored_rows=stored,
    )


def rollups_refresh(*, limit: int = REFRESH_LIMIT, today: date | None = None) -> int:
    """Recompute the station-months marked dirty (oldest marks first, at most ``limit``); return how many marks.

    Each station-month gets the figures its marks' parts feed (``PART_FIGURES``), the stations of a month with the
    same parts in one ``stations_refresh``. A mark is deleted only if its ``marked_at`` is still the one read: a
    write during the refresh marks again and the next run takes it, so a change is never left out."""
    marks = list(
        RollupDirty.objects.order_by("marked_at").values_list("pk", "station_id", "month", "part", "marked_at")[:limit]
    )
    if not marks:
        return 0
    parts_of = defaultdict(set)
    for _pk, station_id, month, part, _marked in marks:
        parts_of[(month, station_id)].add(part)
    batches = defaultdict(list)
    for (month, station_id), parts in parts_of.items():
        batches[(month, frozenset(parts))].append(station_id)
    months = sorted({month for month, _station in parts_of})
    existing = set(
        StationMonth.objects.filter(station_id__in={pk for _m, pk in parts_of}, month__in=months).values_list(
            "month", "station_id"
        )
    )
    with transaction.atomic():
        for (month, parts), stations in sorted(batches.items(), key=lambda item: (item[0][0], sorted(item[0][1]))):
            stations_refresh(sorted(stations), [month], today=today, parts=parts, compare=False, regions=False)
        # The regions above every station refreshed, once (a province is summed once, however many of its marks);
        # a station-month without its row before gets every table (its station rows were computed whole).
        what = reduce(or_, (PART_FIGURES[part] for parts in parts_of.values() for part in parts), Recompute())
        whole = any(key not in existing for key in parts_of)
        regions_refresh(
            months=months, station_ids=[pk for _m, pk in parts_of], **tables_of(EVERYTHING if whole else what)
        )
    for start in range(0, len(marks), 500):
        taken = marks[start : start + 500]
        RollupDirty.objects.filter(reduce(or_, (Q(pk=pk, marked_at=marked) for pk, *_rest, marked in taken))).delete()
    return len(marks)


def last_months(count: int, today: date) -> list[date]:
    """The first days of the ``count`` months up to and including today's."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months[::-1]


def rollups_repair(*, months: int = 3, today: date | None = None, log: bool = True) -> list[Difference]:
    """Recompute the last ``months`` months (today's included) of every station from the records, store what
    differs and log each difference; return them. The nightly task; the rebuild runs it without the log."""
    today = today or timezone.localdate()
    chosen = last_months(months, today)
    station_ids = list(Station.objects.order_by("pk").values_list("pk", flat=True))
    differences: list[Difference] = []
    for start in range(0, len(station_ids), CHUNK):
        differences += stations_refresh(station_ids[start : start + CHUNK], chosen, today=today, regions=False)
    regions_refresh(months=chosen)  # every region, once, from the station rows just made right
    if log:
        for difference in differences:
            logger.warning(
                "Rollup repaired: %s %s %s was %r, the records give %r",
                difference.table,
                difference.key,
                difference.field,
                difference.stored,
                difference.computed,
            )
    logger.info("Rollups of %s months for %s stations: %s differences", months, len(station_ids), len(differences))
    return differences
