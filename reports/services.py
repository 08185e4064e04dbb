"""Asking for reports: one job per report, whoever asks and however often (DOMAIN.md section 7).

A job is handed to the task queue once its row has committed (``report_send``). If the queue's broker cannot
be reached, the job is failed with the reason at once (``BrokerUnavailable`` tells the caller, who answers 503):
no job stays pending with nothing to run it. Asking again for such a job, which never ran, queues it again;
a pending job whose sending was lost with its web process is sent again by the reclaim (``reports_reclaim``).

Rendering a job, exactly once however often its message is delivered (``report_claim`` and what follows): a worker
claims a pending job, or a running one whose heartbeat has lapsed (its worker died), and the heartbeat value its
claim wrote is its token. It refreshes the heartbeat while it renders (``report_heartbeat``), and it stores the file
and marks the job done only while that token is still the job's (``report_complete``), so a worker that was taken
for dead and comes back cannot write over the one that took its job. A message for a job another worker holds with
a live heartbeat is put off until the heartbeat would have lapsed (``ClaimOutcome.retry_in``).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from stations.models import Region, Station

from .choices import ReportKind, ReportStatus
from .models import Report

logger = logging.getLogger(__name__)

REBUILD_PERMISSION = "reports.add_report"
# A job that has lost its worker this many times (it may be what kills it) is failed rather than taken back again.
MAX_ATTEMPTS = 3
# Looking again at a job held by another worker a little after its heartbeat would lapse, not on the edge.
RETRY_MARGIN_SECONDS = 1.0


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


def report_send(report_id: int, *, priority: int | None = None) -> None:
    """Hand job ``report_id`` to the task queue now and note when; if the broker cannot be reached, fail the
    job with the reason and raise ``BrokerUnavailable``.

    Without ``priority`` the job goes first (Redis takes priority 0 first): a person is waiting for it. Jobs
    nobody waits for (a scheduled batch) pass ``settings.REPORT_BATCH_PRIORITY`` so they queue behind.
    """
    from .tasks import render_report

    try:
        if priority is None:
            render_report.delay(report_id)
        else:
            render_report.apply_async((report_id,), priority=priority)
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


@dataclass(frozen=True)
class Claim:
    """A worker's hold on a running job: ``token`` is the heartbeat it last wrote, which no other holder has."""

    report_id: int
    token: datetime


@dataclass(frozen=True)
class ClaimOutcome:
    """What a delivered message may do: render (``claim``), look again in ``retry_in`` seconds because another
    worker holds the job with a live heartbeat, or nothing (both ``None``: the job is done, failed or gone)."""

    claim: Claim | None = None
    retry_in: float | None = None


@dataclass(frozen=True)
class Reclaimed:
    """What one pass of ``reports_reclaim`` did: jobs taken back from lost workers, jobs sent again that never
    reached the queue, and jobs given up after ``MAX_ATTEMPTS``."""

    reclaimed: int = 0
    resent: int = 0
    given_up: int = 0


def report_stale_cutoff(*, now: datetime) -> datetime:
    """The heartbeat a running job must have beaten since, at ``now``, to count as held by a live worker."""
    return now - timedelta(seconds=settings.REPORT_STALE_SECONDS)


def report_stale_q(*, now: datetime) -> Q:
    """Running jobs whose worker is taken for lost at ``now``: the last heartbeat is older than
    ``REPORT_STALE_SECONDS`` (strictly); a job claimed before heartbeats existed counts from its start."""
    cutoff = report_stale_cutoff(now=now)
    return Q(status=ReportStatus.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )


def reports_give_up(*, now: datetime, pk: int | None = None) -> int:
    """Fail the stale jobs (all, or job ``pk``) that have lost their worker ``MAX_ATTEMPTS`` times already."""
    doomed = Report.objects.filter(report_stale_q(now=now), attempts__gte=MAX_ATTEMPTS)
    if pk is not None:
        doomed = doomed.filter(pk=pk)
    given_up = doomed.update(
        status=ReportStatus.FAILED,
        finished_at=now,
        error=_("Gave up after %(attempts)s attempts: the rendering never finished.") % {"attempts": MAX_ATTEMPTS},
    )
    if given_up:
        logger.error("Gave up %s report job(s) that lost their worker %s times", given_up, MAX_ATTEMPTS)
    return given_up


def report_claim(report_id: int, *, now: datetime | None = None) -> ClaimOutcome:
    """Take job ``report_id`` to render it: a pending job, or a running one whose worker is lost (stale heartbeat).

    One conditional update decides, so two workers given the same job cannot both get it. A stale job that has
    used up its attempts is failed instead. A job another worker holds with a live heartbeat is left to it, with
    the seconds after which its heartbeat would have lapsed.
    """
    now = now or timezone.now()
    claimable = Q(status=ReportStatus.PENDING) | (report_stale_q(now=now) & Q(attempts__lt=MAX_ATTEMPTS))
    if Report.objects.filter(claimable, pk=report_id).update(
        status=ReportStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    ):
        return ClaimOutcome(claim=Claim(report_id, now))
    if reports_give_up(now=now, pk=report_id):
        return ClaimOutcome()
    held = Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING).values_list("heartbeat_at", "started_at")
    for heartbeat_at, started_at in held:
        last = heartbeat_at or started_at or now
        lapses_in = (last - report_stale_cutoff(now=now)).total_seconds()
        return ClaimOutcome(retry_in=max(lapses_in, 0.0) + RETRY_MARGIN_SECONDS)
    return ClaimOutcome()


def report_heartbeat(claim: Claim, *, now: datetime | None = None) -> Claim | None:
    """Say that the worker holding ``claim`` still renders: the new token, or ``None`` if the job is no longer
    its own (taken back as lost, or rebuilt); then it must not write the job."""
    now = now or timezone.now()
    if Report.objects.filter(pk=claim.report_id, status=ReportStatus.RUNNING, heartbeat_at=claim.token).update(
        heartbeat_at=now
    ):
        return Claim(claim.report_id, now)
    return None


def _held(claim: Claim):
    """The job, locked until the transaction ends, if ``claim`` still holds it; a takeover waits for the lock."""
    return (
        Report.objects.select_for_update()
        .filter(pk=claim.report_id, status=ReportStatus.RUNNING, heartbeat_at=claim.token)
        .first()
    )


def report_complete(claim: Claim, pdf: bytes) -> bool:
    """Save ``pdf`` over any earlier file of the job and mark it done, if ``claim`` still holds it.

    Returns whether it did; a worker that lost its job writes nothing (no second file, no second "done").
    """
    with transaction.atomic():
        report = _held(claim)
        if report is None:
            logger.warning("Report %s was taken from this worker; its rendering is dropped", claim.report_id)
            return False
        name = report.file.field.generate_filename(report, "report.pdf")
        report.file.storage.delete(name)  # the path is the report's own: a rebuild replaces the file
        report.file.save(name, ContentFile(pdf), save=False)
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.DONE, file=report.file.name, error="", finished_at=timezone.now()
        )
    return True


def report_fail(claim: Claim, exc: BaseException) -> bool:
    """Mark the job ``claim`` holds failed with a reason a person can read, and log the traceback."""
    logger.error("Report %s failed", claim.report_id, exc_info=exc)
    return bool(
        Report.objects.filter(pk=claim.report_id, status=ReportStatus.RUNNING, heartbeat_at=claim.token).update(
            status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
    )


def report_release(claim: Claim) -> bool:
    """Give the job ``claim`` holds back as pending (a transient error: its message is retried)."""
    return bool(
        Report.objects.filter(pk=claim.report_id, status=ReportStatus.RUNNING, heartbeat_at=claim.token).update(
            status=ReportStatus.PENDING, started_at=None, heartbeat_at=None
        )
    )


def reports_reclaim(*, now: datetime | None = None) -> Reclaimed:
    """Put back in the queue the jobs nothing will otherwise run.

    A running job whose heartbeat is older than ``REPORT_STALE_SECONDS`` has lost its worker (killed, or its
    machine gone with the message unacknowledged until Redis' visibility timeout): it becomes pending and is sent
    again, or is failed after ``MAX_ATTEMPTS``. A job pending for ``REPORT_UNSENT_MINUTES`` without having been sent
    lost its sending (the web process died between its commit and the broker). Sent once the caller's transaction
    commits; a broker still down fails the job with the reason (``report_send_quietly``).
    """
    now = now or timezone.now()
    unsent = Report.objects.filter(
        status=ReportStatus.PENDING,
        sent_at__isnull=True,
        requested_at__lt=now - timedelta(minutes=settings.REPORT_UNSENT_MINUTES),
    ).values_list("pk", flat=True)
    resent = list(unsent)
    given_up = reports_give_up(now=now)
    reclaimed = []
    for report_id in Report.objects.filter(report_stale_q(now=now)).values_list("pk", flat=True):
        # Conditional again: the job may have finished, or a redelivered message taken it, since the read.
        if Report.objects.filter(report_stale_q(now=now), pk=report_id).update(
            status=ReportStatus.PENDING, sent_at=None, started_at=None, heartbeat_at=None
        ):
            reclaimed.append(report_id)
    for report_id in resent + reclaimed:
        transaction.on_commit(lambda pk=report_id: report_send_quietly(pk))
    if reclaimed:
        logger.warning("Reclaimed %s report job(s) whose worker stopped beating", len(reclaimed))
    if resent:
        logger.warning("Sent again %s report job(s) that never reached the task queue", len(resent))
    return Reclaimed(reclaimed=len(reclaimed), resent=len(resent), given_up=given_up)
