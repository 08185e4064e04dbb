"""Asking for reports: one job per report, whoever asks and however often (DOMAIN.md section 7).

A job is handed to the task queue once its row has committed (``report_send``). If the queue's broker cannot
be reached, the job is failed with the reason at once (``BrokerUnavailable`` tells the caller, who answers 503):
no job stays pending with nothing to run it. Asking again for such a job, which never ran, queues it again;
a pending job whose sending was lost with its web process is sent again by the reclaim (``tasks.py``).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from stations.models import Region, Station

from .choices import ReportKind, ReportStatus
from .models import Report

logger = logging.getLogger(__name__)

REBUILD_PERMISSION = "reports.add_report"


class BrokerUnavailable(Exception):
    """The task queue could not be reached; the job was failed with the reason."""


def report_request(
    *,
    user,
    kind: str,
    station: Station | None = None,
    region: Region | None = None,
    evaluation=None,
    period: str = "",
    rebuild: bool = False,
) -> tuple[Report, bool]:
    """The report job for (kind, subject, period), created and queued if new.

    Asking again returns the existing job; with ``rebuild`` a finished or failed job is queued
    again (a job still pending or running is left alone); only holders of the report right rebuild.
    A job that never reached the task queue is queued again by asking for it. Returns ``(report, queued)``.
    The subject must lie in ``user``'s scope. An evaluation's report (``evaluation``, its station the subject) is of a
    published evaluation only. Raises ``BrokerUnavailable`` when the queue cannot be reached.
    """
    if rebuild and not user.has_perm(REBUILD_PERMISSION):
        raise PermissionDenied(_("Rebuilding a report needs the right to ask for reports."))
    if (kind == ReportKind.EVALUATION) != (evaluation is not None):
        raise ValueError("An evaluation result report needs its evaluation, and only it has one.")
    if evaluation is not None:
        from evaluation.models import Evaluation

        if not Evaluation.objects.visible_to(user).filter(pk=evaluation.pk).exists():
            raise PermissionDenied(_("This report's subject is outside your scope."))
        if not evaluation.is_published:
            raise PermissionDenied(_("Only a published evaluation has a result report."))
        station = evaluation.station
    subject_visible = (
        Station.objects.visible_to(user).filter(pk=station.pk).exists()
        if station
        else Region.objects.visible_to(user).filter(pk=region.pk).exists()
    )
    if not subject_visible:
        raise PermissionDenied(_("This report's subject is outside your scope."))
    lookup = {"kind": kind, "station": station, "region": region, "evaluation": evaluation, "period": period}
    report = Report.objects.filter(**lookup).first()
    if report is None:
        try:
            with transaction.atomic():
                report = Report.objects.create(requested_by=user, **lookup)
        except IntegrityError:
            # Somebody asked for the same report at the same moment: theirs is ours.
            return Report.objects.get(**lookup), False
        report_enqueue(report)
        return report, True
    if report_never_sent(report):
        # The broker was down when it was asked for, or its sending was lost: nothing else will run it.
        if report.status == ReportStatus.PENDING:
            report_enqueue(report)
            return report, True
        rebuild = True
    if rebuild and report.status in (ReportStatus.DONE, ReportStatus.FAILED):
        requeued = Report.objects.filter(pk=report.pk, status=report.status).update(
            status=ReportStatus.PENDING,
            error="",
            requested_by=user,
            sent_at=None,
            started_at=None,
            finished_at=None,
        )
        report.refresh_from_db()
        if requeued:
            report_enqueue(report)
        return report, bool(requeued)
    return report, False


def reports_refresh(*, evaluation) -> int:
    """Queue again every finished report of ``evaluation``, whose figures an amendment has just changed.

    A report still pending or running is left alone: it reads the evaluation when it runs. Returns how many were
    queued. Called inside the amendment's transaction; the jobs are sent once it commits.
    """
    stale = list(
        Report.objects.filter(evaluation=evaluation, status__in=(ReportStatus.DONE, ReportStatus.FAILED)).values_list(
            "pk", flat=True
        )
    )
    for report in Report.objects.filter(pk__in=stale):
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.PENDING, error="", sent_at=None, started_at=None, finished_at=None
        )
        transaction.on_commit(lambda pk=report.pk: report_send_quietly(pk))
    return len(stale)


def report_send_quietly(report_id: int) -> None:
    """``report_send`` for work that is not about the report: a broker that is down fails the job (with the reason,
    to be asked for again) without failing the change that queued it."""
    try:
        report_send(report_id)
    except BrokerUnavailable:
        pass


def report_never_sent(report: Report, *, now=None) -> bool:
    """Whether the job never reached the task queue: failed before it was sent (the broker was down), or
    still pending, unsent, longer than ``REPORT_UNSENT_MINUTES`` (its web process died before sending it)."""
    if report.sent_at is not None or report.started_at is not None:
        return False
    if report.status == ReportStatus.FAILED:
        return True
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.REPORT_UNSENT_MINUTES)
    return report.status == ReportStatus.PENDING and report.requested_at < cutoff


def report_enqueue(report: Report) -> None:
    """Send the job to the task queue once the surrounding transaction has committed."""
    transaction.on_commit(lambda: report_send(report.pk))


def report_send(report_id: int) -> None:
    """Hand job ``report_id`` to the task queue now and note when; if the broker cannot be reached, fail the
    job with the reason and raise ``BrokerUnavailable``."""
    from .tasks import render_report

    try:
        render_report.delay(report_id)
    except (BrokerError, OSError) as error:
        logger.error("Report %s could not be queued: %s", report_id, error)
        Report.objects.filter(pk=report_id, status=ReportStatus.PENDING).update(
            status=ReportStatus.FAILED,
            error=_("The task queue could not be reached (%(error)s); ask for the report again later.")
            % {"error": error},
            finished_at=timezone.now(),
        )
        raise BrokerUnavailable(str(error)) from error
    Report.objects.filter(pk=report_id, sent_at__isnull=True).update(sent_at=timezone.now())
