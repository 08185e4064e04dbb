"""Asking for reports: one job per report, whoever asks and however often (DOMAIN.md section 7)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from stations.models import Region, Station

from .choices import ReportStatus
from .models import Report


def report_request(
    *,
    user,
    kind: str,
    station: Station | None = None,
    region: Region | None = None,
    period: str = "",
    rebuild: bool = False,
) -> tuple[Report, bool]:
    """The report job for (kind, subject, period), created and queued if new.

    Asking again returns the existing job; with ``rebuild`` a finished or failed job is queued
    again (a job still pending or running is left alone). Returns ``(report, queued)``.
    The subject must lie in ``user``'s scope.
    """
    subject_visible = (
        Station.objects.visible_to(user).filter(pk=station.pk).exists()
        if station
        else Region.objects.visible_to(user).filter(pk=region.pk).exists()
    )
    if not subject_visible:
        raise PermissionDenied(_("This report's subject is outside your scope."))
    lookup = {"kind": kind, "station": station, "region": region, "period": period}
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
    if rebuild and report.status in (ReportStatus.DONE, ReportStatus.FAILED):
        requeued = Report.objects.filter(pk=report.pk, status=report.status).update(
            status=ReportStatus.PENDING,
            error="",
            requested_by=user,
            started_at=None,
            finished_at=None,
        )
        report.refresh_from_db()
        if requeued:
            report_enqueue(report)
        return report, bool(requeued)
    return report, False


def report_enqueue(report: Report) -> None:
    """Queue the rendering once the surrounding transaction has committed."""
    from .tasks import render_report

    transaction.on_commit(lambda: render_report.delay(report.pk))
