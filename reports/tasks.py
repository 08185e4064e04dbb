"""Celery tasks of the reports: render a report job's PDF, and reclaim jobs a lost worker left running.

Tasks carry the report's id only. The subject's scope was checked when the report was asked for
(``services.report_request``); rendering uses the report's own subject, so it needs no user.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ReportStatus
from .models import Report
from .rendering import render_report_pdf
from .services import BrokerUnavailable, report_send

logger = logging.getLogger(__name__)

# A lost database connection or a restarting server passes; anything else would fail again.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
MAX_RETRIES = 3
# A worker killed at the hard time limit has been gone this long before its job is taken back.
RECLAIM_MARGIN = timedelta(seconds=60)
# A job that has killed its worker this many times is failed rather than reclaimed forever.
MAX_ATTEMPTS = 3


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=MAX_RETRIES,
    retry_backoff=5,
    retry_jitter=True,
)
def render_report(self, report_id: int) -> None:
    """Render report ``report_id`` if it is still pending: running, then done with its file, or failed."""
    claimed = Report.objects.filter(pk=report_id, status=ReportStatus.PENDING).update(
        status=ReportStatus.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return  # done, failed, or being rendered by another worker
    try:
        report_store(Report.objects.select_related("station", "region").get(pk=report_id))
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            report_fail(report_id, exc)
            return
        Report.objects.filter(pk=report_id).update(status=ReportStatus.PENDING, started_at=None)
        raise  # autoretry_for queues the job again after a back-off
    except Exception as exc:
        report_fail(report_id, exc)


def report_store(report: Report) -> None:
    """Render ``report``, save its PDF over any earlier one, and mark it done."""
    pdf = render_report_pdf(report)
    name = report.file.field.generate_filename(report, "report.pdf")
    report.file.storage.delete(name)  # the path is the report's own: a rebuild replaces the file
    report.file.save(name, ContentFile(pdf), save=False)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.DONE,
        file=report.file.name,
        error="",
        finished_at=timezone.now(),
    )


def report_fail(report_id: int, exc: BaseException) -> None:
    """Mark the job failed with a reason a person can read, and log the traceback."""
    logger.error("Report %s failed", report_id, exc_info=exc)
    Report.objects.filter(pk=report_id).update(
        status=ReportStatus.FAILED,
        error=f"{type(exc).__name__}: {exc}",
        finished_at=timezone.now(),
    )


def send_after_commit(report_id: int) -> None:
    """Send the job once the reclaim's transaction commits; a broker still down fails it (``report_send``)."""

    def send():
        try:
            report_send(report_id)
        except BrokerUnavailable:
            pass  # failed with the reason; asking for it again queues it

    transaction.on_commit(send)


@shared_task
def reclaim_stuck_reports() -> int:
    """Put back in the queue the jobs nothing will otherwise run; return how many.

    A job still running after the hard time limit (plus a margin) has lost its worker: the
    limit would have killed the render by then. A job pending for ``REPORT_UNSENT_MINUTES``
    without having been sent lost its sending (the web process died between its commit and
    the broker). Scheduled every five minutes by Celery beat.
    """
    now = timezone.now()
    unsent = Report.objects.filter(
        status=ReportStatus.PENDING,
        sent_at__isnull=True,
        requested_at__lt=now - timedelta(minutes=settings.REPORT_UNSENT_MINUTES),
    )
    resent = 0
    for report_id in unsent.values_list("pk", flat=True):
        send_after_commit(report_id)
        resent += 1
    cutoff = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - RECLAIM_MARGIN
    stuck = Report.objects.filter(status=ReportStatus.RUNNING, started_at__lt=cutoff)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ReportStatus.FAILED,
        finished_at=timezone.now(),
        error=_("Gave up after %(attempts)s attempts: the rendering never finished.") % {"attempts": MAX_ATTEMPTS},
    )
    reclaimed = 0
    for report_id in stuck.values_list("pk", flat=True):
        if Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING, started_at__lt=cutoff).update(
            status=ReportStatus.PENDING,
            sent_at=None,
            started_at=None,
        ):
            send_after_commit(report_id)
            reclaimed += 1
    if reclaimed:
        logger.warning("Reclaimed %s report job(s) left running by a lost worker", reclaimed)
    if resent:
        logger.warning("Sent again %s report job(s) that never reached the task queue", resent)
    return reclaimed + resent
