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
from .regions import regions_of, regions_refresh, regions_shift, rollups_lock

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


def rows_write(
    model, *, key: tuple[str, ...], computed: dict, stored_rows, report: bool = True, changes: list | None = None
) -> list[Difference]:
    """Upsert ``computed`` (key tuple -> columns) into ``model`` where a column differs from ``stored_rows`` (the
    stored rows of those keys). Returns the differences, none unless ``report`` (the refresh of marks, whose
    changes are expected); appends each row written to ``changes``, before (None: new) and after, for the region
    rows above it (``regions.regions_shift``)."""
    stored = {tuple(getattr(row, name) for name in key): row for row in stored_rows}
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
            keys = dict(zip(key, row_key, strict=True))
            changed.append(model(**keys, **columns))
            if changes is not None:
                before = (
                    None if row is None else {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
                )
                changes.append((model, before, {**(before or {}), **keys, **columns}))
    if changed:
        columns = [*next(iter(computed.values())).keys(), "computed_at"]
        model.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=[name.removesuffix("_id") for name in key],
            update_fields=[name.removesuffix("_id") for name in columns],
            batch_size=1000,
        )
    return differences if report else []


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
# compliance, the spending, the budget or the split; one that names nobody (a headcount), volunteer hours and a
# beneficiary (a key target or not) only the month's services; a payment changes the spending and, through the
# funding factor's base, the split; a published result the grade and the split; a budget the year's budget only.
PART_FIGURES = {
    RollupDirty.SERVICES: Recompute(month=frozenset({compute.SERVICES}), people=True),
    RollupDirty.RECORDS: Recompute(month=frozenset({compute.SERVICES})),
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
    refresh of marks), those of the quarter, year and township rows are not reported.

    A station without its row of one of ``months`` yet (a new station, a month just begun) gets everything
    recomputed, whatever ``parts`` says: its quarter, year and township rows may be missing too, and the nightly
    repair must find nothing to add. The repair and the rebuild recompute everything. Then, with ``regions``, the
    region rows above the stations move by the difference of each row written (``regions.regions_shift``) and,
    when a station's compliance was recomputed, their coverage is summed again; all in one transaction, holding
    ``regions.rollups_lock``."""
    today = today or timezone.localdate()
    months = sorted({month.replace(day=1) for month in months})
    what = reduce(or_, (PART_FIGURES[part] for part in parts), Recompute())
    differences: list[Difference] = []
    changes = [] if regions else None
    with transaction.atomic(savepoint=False):
        rollups_lock()
        stations = compute.stations_of(station_ids)
        stored = defaultdict(dict)
        for row in StationMonth.objects.filter(station_id__in=list(stations), month__in=months):
            stored[row.month][row.station_id] = row
        new = sorted(pk for pk in stations if any(pk not in stored[month] for month in months))
        rest = sorted(set(stations) - set(new))
        for ids, recompute in ((new, EVERYTHING), (rest, what)):
            if ids:
                group = {pk: stations[pk] for pk in ids}
                differences += group_refresh(ids, months, group, stored, recompute, today, compare, changes)
        if regions:
            regions_shift(changes)
            if new or compute.COMPLIANCE in what.month:  # a station saved: its status, so the coverage
                # of its regions now and of those it was in (a station moved to another township)
                rows = [station["ancestors"] for station in stations.values()]
                rows += [row for _model, *both in changes for row in both if row is not None]
                regions_refresh(
                    months=months, regions=regions_of(rows), month=False, people=False, year=False, coverage=True
                )
    return differences


def group_refresh(
    station_ids: list[int],
    months: list[date],
    stations: dict,
    stored: dict,
    what: Recompute,
    today: date,
    compare: bool = True,
    changes: list | None = None,
) -> list[Difference]:
    """``stations_refresh`` of stations that all have their rows of ``months`` (``stored``) or all get
    ``EVERYTHING``; the rows written go to ``changes`` (``rows_write``)."""
    differences = []
    if what.month:
        for month in months:
            computed = compute.month_figures(station_ids, month, today=today, groups=what.month, stations=stations)
            differences += rows_write(
                StationMonth,
                key=("station_id", "month"),
                computed={(pk, month): columns for pk, columns in computed.items()},
                stored_rows=[stored[month][pk] for pk in station_ids if pk in stored[month]],
                changes=changes,
            )
    if what.people:
        periods = {}
        for month in months:
            periods |= compute.people_figures(station_ids, month, stations=stations)
        differences += people_write(station_ids, periods, compare=compare, changes=changes)
    years = sorted({month.year for month in months})
    if what.year:
        for year in years:
            differences += years_write(station_ids, year, stations=stations, groups=what.year, changes=changes)
    if what.split:
        townships = sorted({station["ancestors"]["township_id"] for station in stations.values()})
        for year in years:
            computed = compute.township_figures(townships, year)
            differences += rows_write(
                TownshipYear,
                key=("township_id", "year"),
                computed={(pk, year): {k: v for k, v in c.items() if k != "township_id"} for pk, c in computed.items()},
                stored_rows=TownshipYear.objects.filter(township_id__in=townships, year=year),
                report=compare,
                changes=changes,
            )
    return differences


def people_write(
    station_ids: list[int], periods: dict, *, compare: bool = True, changes: list | None = None
) -> list[Difference]:
    """The ``StationPeriod`` rows of ``periods`` (``compute.people_figures``): one read and one upsert for all."""
    if not periods:
        return []
    wanted = reduce(or_, (Q(kind=kind, first=first) for kind, first in periods))
    return rows_write(
        StationPeriod,
        key=("station_id", "kind", "first"),
        computed={
            (pk, kind, first): columns for (kind, first), rows in periods.items() for pk, columns in rows.items()
        },
        stored_rows=StationPeriod.objects.filter(wanted, station_id__in=station_ids),
        report=compare,
        changes=changes,
    )


def years_write(
    station_ids: list[int], year: int, *, stations: dict, groups, changes: list | None = None
) -> list[Difference]:
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
        changes=changes,
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
    with transaction.atomic():
        for (month, parts), stations in sorted(batches.items(), key=lambda item: (item[0][0], sorted(item[0][1]))):
            stations_refresh(sorted(stations), [month], today=today, parts=parts, compare=False)
        for start in range(0, len(marks), 500):  # in the same transaction: one commit
            taken = marks[start : start + 500]
            RollupDirty.objects.filter(reduce(or_, (Q(pk=pk, marked_at=marked) for pk, *_r, marked in taken))).delete()
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
