"""Batches: one run producing the periodic reports of every operating station and region below a place.

``batch_start`` makes the run's record and its report jobs, once per place and period however often it is called
(beat firing twice, two workers): the batch and the jobs each have their unique constraint, and the jobs that
exist already are reused. The jobs are sent in chunks by ``reports.tasks.batch_fan_out`` with
``settings.REPORT_BATCH_PRIORITY``, so that a person's request goes before them. Progress is read from the jobs'
statuses (``batch_progress``), not counted by the workers: nothing to race.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from config.periods import MONTH, QUARTER, Period, PeriodError, parse_period, period_of
from stations.choices import StationStatus
from stations.models import Region, Station

from .choices import PERIOD_KINDS, ReportKind, ReportStatus
from .models import Report, ReportBatch
from .periodic import SUBJECT_LEVELS

CHUNK = 500  # render messages sent by one fan-out task
RETRY_PERMISSION = "reports.retry_reportbatch"


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    running: int
    pending: int

    @property
    def finished(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100

    @property
    def complete(self) -> bool:
        return self.finished >= self.total


def progress_sums() -> dict:
    """The counts of a batch's jobs by status, as aggregates over ``reports`` (for one batch or annotated)."""
    return {
        "jobs": Count("reports"),
        **{f"n_{status}": Count("reports", filter=Q(reports__status=status)) for status in ReportStatus.values},
    }


def with_progress(batches: QuerySet) -> QuerySet:
    """``batches`` annotated with their jobs' counts by status: one query for a page of them."""
    return batches.annotate(**progress_sums())


def progress_of(batch: ReportBatch) -> Progress:
    """The progress of ``batch`` (annotated by ``with_progress``, or read now in one query)."""
    if not hasattr(batch, "n_done"):
        counts = dict(
            Report.objects.filter(batch=batch)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    else:
        counts = {status: getattr(batch, f"n_{status}") for status in ReportStatus.values}
    return Progress(
        total=batch.total,
        done=counts.get(ReportStatus.DONE, 0),
        failed=counts.get(ReportStatus.FAILED, 0),
        running=counts.get(ReportStatus.RUNNING, 0),
        pending=counts.get(ReportStatus.PENDING, 0),
    )


def batch_progress(batch: ReportBatch) -> Progress:
    """The progress of ``batch``; the first reader to see it complete notes when it finished."""
    progress = progress_of(batch)
    if progress.complete and batch.finished_at is None:
        now = timezone.now()
        if ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=True, sent_at__isnull=False).update(
            finished_at=now
        ):
            batch.finished_at = now
    return progress


def batch_period(kind: str, period: str, *, today: date) -> Period:
    """The period of a batch of ``kind``: of the kind's kind and begun; else ``PeriodError``."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"{kind} reports are not produced in batches")
    parsed = parse_period(period, today=today)
    if parsed.kind != PERIOD_KINDS[kind]:
        raise PeriodError(
            _("A %(kind)s batch needs a period like %(example)s.")
            % {"kind": ReportKind(kind).label, "example": "2026-10" if kind == ReportKind.MONTHLY else "2026-Q3"}
        )
    return parsed


def batch_subjects(kind: str, region: Region | None) -> tuple[QuerySet, QuerySet]:
    """The stations and regions a batch of ``kind`` over ``region`` (None: the nation) makes a report of: for a
    month every operating station and every township, county, city and province; for a quarter every county, city
    and province. Querysets of primary keys."""
    regions = Region.objects.filter(level__in=SUBJECT_LEVELS[kind])
    stations = Station.objects.filter(status=StationStatus.OPERATING)
    if region is not None:
        regions = regions.filter(path__startswith=region.path)
        stations = stations.filter(township__path__startswith=region.path)
    if kind != ReportKind.MONTHLY:
        stations = stations.none()
    return stations.order_by("pk").values_list("pk", flat=True), regions.order_by("pk").values_list("pk", flat=True)


def batch_start(
    kind: str, period: str, *, region: Region | None = None, user=None, trigger: str = "beat", today=None
) -> tuple[ReportBatch, bool]:
    """The batch of ``kind`` reports for ``period`` over ``region`` (None: the nation), created with its jobs and
    sent (once the transaction commits) if new; an existing one is returned untouched. ``(batch, created)``."""
    today = today or timezone.localdate()
    period_key = batch_period(kind, period, today=today).key
    scope_key = f"region:{region.pk}" if region else "nation"
    existing = ReportBatch.objects.filter(kind=kind, scope_key=scope_key, period=period_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            batch = ReportBatch.objects.create(
                kind=kind, period=period_key, region=region, started_by=user, trigger=trigger
            )
            batch.total = batch_jobs(batch, user=user)
            ReportBatch.objects.filter(pk=batch.pk).update(total=batch.total)
    except IntegrityError:
        # Started at the same moment by another caller: theirs is ours.
        return ReportBatch.objects.get(kind=kind, scope_key=scope_key, period=period_key), False
    transaction.on_commit(lambda: batch_send(batch.pk))
    return batch, True


def batch_jobs(batch: ReportBatch, *, user=None) -> int:
    """Create the batch's report jobs, reusing those that exist (another batch's, or asked for by a person: those
    not yet in a batch join this one); return how many jobs the batch has."""
    station_ids, region_ids = batch_subjects(batch.kind, batch.region)
    keys = [(f"station:{pk}", {"station_id": pk}) for pk in station_ids.iterator(chunk_size=2000)]
    keys += [(f"region:{pk}", {"region_id": pk}) for pk in region_ids.iterator(chunk_size=2000)]
    for start in range(0, len(keys), 2000):
        chunk = keys[start : start + 2000]
        Report.objects.bulk_create(
            [
                Report(kind=batch.kind, period=batch.period, scope_key=key, requested_by=user, batch=batch, **subject)
                for key, subject in chunk
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        Report.objects.filter(
            kind=batch.kind, period=batch.period, scope_key__in=[key for key, _s in chunk], batch__isnull=True
        ).update(batch=batch)
    return Report.objects.filter(batch=batch).count()


def batch_send(batch_id: int) -> None:
    """Start sending the batch's unsent jobs (``tasks.batch_fan_out``, a chunk at a time)."""
    from .tasks import batch_fan_out

    ReportBatch.objects.filter(pk=batch_id, sent_at__isnull=True).update(sent_at=timezone.now())
    batch_fan_out.delay(batch_id)


def batch_send_chunk(batch_id: int, *, after: int = 0, size: int = CHUNK) -> int | None:
    """Send up to ``size`` pending, unsent jobs of the batch with primary keys above ``after``, with the batch
    priority; return the last key sent (to go on from), or None when none was left."""
    from .services import BrokerUnavailable, report_send

    ids = list(
        Report.objects.filter(batch_id=batch_id, pk__gt=after, status=ReportStatus.PENDING, sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    for report_id in ids:
        try:
            report_send(report_id, priority=settings.REPORT_BATCH_PRIORITY)
        except BrokerUnavailable:
            continue  # failed with the reason: the batch shows it, its retry sends it again
    return ids[-1] if ids else None


def batch_retry(batch: ReportBatch, *, user) -> int:
    """Queue again every failed job of ``batch``; only holders of the retry right whose scope covers the batch.
    Returns how many; they are sent once the transaction commits."""
    if not user.has_perm(RETRY_PERMISSION) or not ReportBatch.objects.visible_to(user).filter(pk=batch.pk).exists():
        raise PermissionDenied(_("Retrying a batch needs the right to, over its region."))
    retried = Report.objects.filter(batch=batch, status=ReportStatus.FAILED).update(
        status=ReportStatus.PENDING,
        error="",
        sent_at=None,
        started_at=None,
        finished_at=None,
        heartbeat_at=None,
        attempts=0,
    )
    if retried:
        ReportBatch.objects.filter(pk=batch.pk).update(finished_at=None)
        transaction.on_commit(lambda: batch_send(batch.pk))
    return retried


def scheduled_period(kind: str, *, today: date) -> Period:
    """The period a scheduled batch of ``kind`` produces on ``today``: the month or quarter just ended."""
    return period_of(today, MONTH if kind == ReportKind.MONTHLY else QUARTER).previous()
