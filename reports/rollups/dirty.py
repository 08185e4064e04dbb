"""Marking a station-month dirty: the one call a rule function makes when it writes a record the rollups count.

Kept apart from ``compute`` and ``refresh`` (which import the services, staffing and funding apps) so that those
apps' rule functions can import it without a cycle.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import RollupDirty


def rollup_mark(*, station_id: int, day: date) -> None:
    """Mark the month of ``day`` of station ``station_id`` for the frequent refresh (``refresh.rollups_refresh``).

    One upsert that moves ``marked_at``, in the caller's transaction: a rolled-back write leaves no mark, and a
    mark made while a refresh runs survives it (the refresh deletes only marks it read unchanged).

    Without a broker (the embedded default, ``ROLLUPS_REFRESH_ON_COMMIT``) no beat runs the refresh: it runs once
    after the commit, in the process, so a record logged in ``make run`` shows on the dashboard at once."""
    RollupDirty.objects.bulk_create(
        [RollupDirty(station_id=station_id, month=day.replace(day=1), marked_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["station", "month"],
        update_fields=["marked_at"],
    )
    connection = transaction.get_connection()
    if settings.ROLLUPS_REFRESH_ON_COMMIT and not any(entry[1] is refresh_now for entry in connection.run_on_commit):
        transaction.on_commit(refresh_now)  # once per transaction, however many marks it makes


def refresh_now() -> None:
    from .refresh import rollups_refresh  # refresh imports the apps whose rule functions import this module

    rollups_refresh()
