"""Celery tasks of the reports: render a report job's PDF, and reclaim jobs a lost worker left running.

Tasks carry the report's id only. The subject's scope was checked when the report was asked for
(``services.report_request``); rendering uses the report's own subject, so it needs no user.

A render survives its worker: the message is acknowledged late and given back when the worker child dies
(``reject_on_worker_lost``), and while a job renders a thread keeps its heartbeat (``Heartbeat``). The job's state
in the database, not the message, decides who renders it (``services.report_claim``), so a message delivered twice
renders once. Reports have their own queue (``settings.REPORTS_QUEUE``, ``CELERY_TASK_ROUTES``).
"""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

from .models import Report
from .rendering import render_report_pdf
from .services import (
    MAX_ATTEMPTS,  # noqa: F401 (part of this module's interface: tests and callers read it here)
    Claim,
    report_claim,
    report_complete,
    report_fail,
    report_heartbeat,
    report_release,
    reports_reclaim,
)

logger = logging.getLogger(__name__)

# A lost database connection or a restarting server passes; anything else would fail again.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
MAX_RETRIES = 3


class Heartbeat:
    """While its block runs, a thread refreshes the heartbeat of the job ``claim`` holds every
    ``REPORT_HEARTBEAT_SECONDS``; a thread, because WeasyPrint's layout gives no step to beat at.

    ``claim`` is the latest token afterwards, or ``None`` once another worker has taken the job (then the
    rendering must not be written). A heartbeat the database refuses for a moment is tried again next time:
    the job is taken for lost only when ``REPORT_STALE_SECONDS`` pass without one.
    """

    def __init__(self, claim: Claim):
        self.claim: Claim | None = claim
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"report-{claim.report_id}-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopped.set()
        self._thread.join()

    def _beat(self) -> None:
        try:
            while self.claim is not None and not self._stopped.wait(settings.REPORT_HEARTBEAT_SECONDS):
                try:
                    self.claim = report_heartbeat(self.claim)
                except TRANSIENT_ERRORS as exc:
                    logger.warning("Heartbeat of report %s missed: %s", self.claim.report_id, exc)
                    continue
                if self.claim is None:
                    logger.warning("A report job was taken from this worker while it rendered")
        finally:
            connections.close_all()  # this thread's own connections, not the task's


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=MAX_RETRIES,
    retry_backoff=5,
    retry_jitter=True,
)
def render_report(self, report_id: int) -> None:
    """Render report ``report_id`` if it is pending or its worker is lost: running, then done with its file,
    or failed; a job another worker renders is looked at again once its heartbeat would have lapsed."""
    outcome = report_claim(report_id)
    if outcome.retry_in is not None:
        # In-process (no broker) there is no later to look again at: the reclaim takes such a job back.
        if not self.request.is_eager:
            priority = (self.request.delivery_info or {}).get("priority")
            render_report.apply_async((report_id,), countdown=outcome.retry_in, priority=priority)
        return
    if outcome.claim is None:
        return  # done, failed or gone
    heartbeat = Heartbeat(outcome.claim)
    try:
        with heartbeat:
            pdf = render_report_pdf(Report.objects.select_related("station", "region").get(pk=report_id))
        if heartbeat.claim is not None:
            report_complete(heartbeat.claim, pdf)
    except TRANSIENT_ERRORS as exc:
        if heartbeat.claim is None:
            return  # the job is another worker's now
        if self.request.retries >= self.max_retries:
            report_fail(heartbeat.claim, exc)
            return
        report_release(heartbeat.claim)
        raise  # autoretry_for queues the job again after a back-off
    except Exception as exc:
        if heartbeat.claim is not None:
            report_fail(heartbeat.claim, exc)


@shared_task
def reclaim_stuck_reports() -> int:
    """Take back the jobs of lost workers and send again those never sent (``services.reports_reclaim``);
    return how many. Scheduled every minute by Celery beat."""
    done = reports_reclaim()
    return done.reclaimed + done.resent


# --- rollups (issue 11): the frequent refresh of dirty station-months and the nightly repair -----------------------


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, max_retries=MAX_RETRIES, retry_backoff=5)
def rollups_refresh() -> int:
    """Recompute the station-months marked dirty by the rule functions; every 30 seconds by Celery beat."""
    from .rollups.refresh import rollups_refresh as refresh

    return refresh()


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, max_retries=MAX_RETRIES, retry_backoff=60)
def rollups_repair(months: int = 3) -> int:
    """Recompute the last ``months`` months of every station from the records, repair and log each difference;
    return how many there were. Nightly by Celery beat."""
    from .rollups.refresh import rollups_repair as repair

    return len(repair(months=months))


# --- batches (issue 11): the scheduled monthly and quarterly runs and their fan-out ------------------------------


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, max_retries=MAX_RETRIES, retry_backoff=5)
def batch_fan_out(batch_id: int, after: int = 0) -> int:
    """Send the next chunk of the batch's jobs (``batches.batch_send_chunk``), then queue itself for the next one;
    return the last job sent (0: none was left). A chunk delivered twice sends nothing twice: it sends unsent jobs."""
    from .batches import batch_send_chunk

    last = batch_send_chunk(batch_id, after=after)
    if last is None:
        return 0
    batch_fan_out.delay(batch_id, last)
    return last


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, max_retries=MAX_RETRIES, retry_backoff=60)
def periodic_batch(kind: str) -> int:
    """Start the batch of ``kind`` (monthly, quarterly) reports of the period just ended for the whole nation;
    Celery beat runs it on the 1st (``CELERY_BEAT_SCHEDULE``). Returns the batch's id; firing twice is one batch."""
    from django.utils import timezone

    from .batches import batch_start, scheduled_period

    period = scheduled_period(kind, today=timezone.localdate())
    batch, _created = batch_start(kind, period.key, trigger="beat")
    return batch.pk
