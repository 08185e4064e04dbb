"""Marking a station-month dirty: the one call a rule function makes when it writes a record the rollups count.

Kept apart from ``compute`` and ``refresh`` (which import the services, staffing and funding apps) so that those
apps' rule functions can import it without a cycle.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import RollupDirty

# What a write changed, for ``rollup_mark(part=...)``: the refresh recomputes only the figures it feeds.
SERVICES = RollupDirty.SERVICES  # a service record: the month's services, people, visits, hours; the people served
# of its quarter and year
RECORDS = RollupDirty.RECORDS  # a record naming nobody, volunteer hours, a beneficiary: the month's services only
STAFFING = RollupDirty.STAFFING  # the roster, volunteers, the site, the operator: the staffing compliance
SPENDING = RollupDirty.SPENDING  # an expenditure: the month's spending and the township's split of its year
BUDGET = RollupDirty.BUDGET  # an approved budget: the station's year
GRADES = RollupDirty.GRADES  # a published evaluation result: the station's grade and the split of its year
ALL = RollupDirty.ALL  # anything else, or not sure: every figure of the station-month and its year


def rollup_mark(*, station_id: int, day: date, part: str = ALL) -> None:
    """Mark the month of ``day`` of station ``station_id`` for the frequent refresh (``refresh.rollups_refresh``),
    saying what changed (``part``; ``ALL`` recomputes everything and is never wrong, only slower).

    One upsert that moves ``marked_at``, in the caller's transaction: a rolled-back write leaves no mark, and a
    mark made while a refresh runs survives it (the refresh deletes only marks it read unchanged).

    Without a broker (the embedded default, ``ROLLUPS_REFRESH_ON_COMMIT``) no beat runs the refresh: it runs once
    after the commit, in the process, so a record logged in ``make run`` shows on the dashboard at once."""
    RollupDirty.objects.bulk_create(
        [RollupDirty(station_id=station_id, month=day.replace(day=1), part=part, marked_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["station", "month", "part"],
        update_fields=["marked_at"],
    )
    connection = transaction.get_connection()
    if settings.ROLLUPS_REFRESH_ON_COMMIT and not any(entry[1] is refresh_now for entry in connection.run_on_commit):
        transaction.on_commit(refresh_now)  # once per transaction, however many marks it makes


def refresh_now() -> None:
    from .refresh import rollups_refresh  # refresh imports the apps whose rule functions import this module

    rollups_refresh()
