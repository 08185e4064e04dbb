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
    """Upsert ``computed`` (key tuple -> columns) into ``model`` where a column differs from ``stored_rows``."""
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
            changed.append(model(**dict(zip(key, row_key, strict=True)), **columns))
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


def stations_refresh(
    station_ids: list[int], months: Iterable[date], *, today: date | None = None, full: bool = True
) -> list[Difference]:
    """Recompute and store the rollups of ``station_ids`` for ``months`` (first days): the station-months, the
    people served of their quarters and years, the stations' years and their townships' splits of those years.
    Returns the differences found (empty when the rollups were right).

    Not ``full`` (the refresh of dirty marks), it leaves out the staffing compliance of a month whose row exists:
    the marked writes (service records, volunteer hours, expenditures, budgets, results) do not change it, and it
    costs four queries. The nightly repair recomputes everything."""
    today = today or timezone.localdate()
    months = sorted({month.replace(day=1) for month in months})
    differences: list[Difference] = []
    with transaction.atomic():
        for month in months:
            stored = list(StationMonth.objects.filter(station_id__in=station_ids, month=month))
            have = {row.station_id for row in stored}
            # (stations, with compliance): a new row always gets its compliance.
            groups = (
                [(station_ids, True)] if full else [(have & set(station_ids), False), (set(station_ids) - have, True)]
            )
            for ids, with_compliance in groups:
                if not ids:
                    continue
                computed = compute.month_figures(sorted(ids), month, today=today, compliance=with_compliance)
                differences += rows_write(
                    StationMonth,
                    key=("station_id", "month"),
                    computed={(pk, month): columns for pk, columns in computed.items()},
                    stored_rows=[row for row in stored if row.station_id in ids],
                )
        written = set()
        for month in months:
            for (kind, first), computed in compute.people_figures(station_ids, month).items():
                if (kind, first) in written:
                    continue  # the quarter or the year of an earlier month of the list
                written.add((kind, first))
                differences += rows_write(
                    StationPeriod,
                    key=("station_id", "kind", "first"),
                    computed={(pk, kind, first): columns for pk, columns in computed.items()},
                    stored_rows=StationPeriod.objects.filter(station_id__in=station_ids, kind=kind, first=first),
                )
        townships = list(
            Station.objects.filter(pk__in=station_ids).order_by().values_list("township_id", flat=True).distinct()
        )
        for year in sorted({month.year for month in months}):
            computed = compute.year_figures(station_ids, year)
            differences += rows_write(
                StationYear,
                key=("station_id", "year"),
                computed={(pk, year): columns for pk, columns in computed.items()},
                stored_rows=StationYear.objects.filter(station_id__in=station_ids, year=year),
            )
            computed = compute.township_figures(townships, year)
            differences += rows_write(
                TownshipYear,
                key=("township_id", "year"),
                computed={(pk, year): {k: v for k, v in c.items() if k != "township_id"} for pk, c in computed.items()},
                stored_rows=TownshipYear.objects.filter(township_id__in=townships, year=year),
            )
    return differences


def rollups_refresh(*, limit: int = REFRESH_LIMIT, today: date | None = None) -> int:
    """Recompute the station-months marked dirty (oldest marks first, at most ``limit``); return how many.

    A mark is deleted only if its ``marked_at`` is still the one read: a write during the refresh marks again
    and the next run takes it, so a change is never left out."""
    marks = list(
        RollupDirty.objects.order_by("marked_at").values_list("pk", "station_id", "month", "marked_at")[:limit]
    )
    if not marks:
        return 0
    stations_of = defaultdict(set)
    for _pk, station_id, month, _marked in marks:
        stations_of[month].add(station_id)
    for month, stations in sorted(stations_of.items()):
        stations_refresh(sorted(stations), [month], today=today, full=False)
    for start in range(0, len(marks), 500):
        taken = marks[start : start + 500]
        RollupDirty.objects.filter(reduce(or_, (Q(pk=pk, marked_at=marked) for pk, _s, _m, marked in taken))).delete()
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
        differences += stations_refresh(station_ids[start : start + CHUNK], chosen, today=today)
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
