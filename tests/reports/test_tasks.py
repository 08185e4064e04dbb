"""The rendering task: claim, render, store; failed with a reason; retried on transient errors; reclaimed."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from reports import tasks
from reports.choices import ReportStatus
from reports.models import Report

pytestmark = pytest.mark.django_db


def test_render_report_stores_the_pdf_and_marks_the_job_done(profile_report):
    """Given a pending job, when the task runs, then the job is done with its PDF at the report's own path."""
    tasks.render_report.delay(profile_report.pk)

    profile_report.refresh_from_db()
    assert profile_report.status == ReportStatus.DONE
    assert (
        profile_report.file.name
        == f"reports/station_profile/station-{profile_report.station_id}/current/{profile_report.pk}.pdf"
    )
    assert profile_report.file.open("rb").read(5) == b"%PDF-"
    assert profile_report.error == ""
    assert profile_report.attempts == 1
    assert profile_report.started_at <= profile_report.finished_at


def test_render_report_marks_the_job_failed_with_the_reason(profile_report, monkeypatch):
    """Given a rendering that raises, when the task runs, then the job is failed with a readable reason."""

    def broken(report):
        raise ValueError("template variable missing")

    monkeypatch.setattr(tasks, "render_report_pdf", broken)

    tasks.render_report.delay(profile_report.pk)

    profile_report.refresh_from_db()
    assert profile_report.status == ReportStatus.FAILED
    assert profile_report.error == "ValueError: template variable missing"
    assert not profile_report.file
    assert profile_report.finished_at is not None


def test_render_report_retries_a_transient_database_error(profile_report, monkeypatch):
    """Given a rendering that loses its database once, when the task runs, then a retry finishes the job."""
    outcomes = [OperationalError("server closed the connection unexpectedly"), b"%PDF-1.7 retried"]

    def flaky(report):
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(tasks, "render_report_pdf", flaky)

    tasks.render_report.delay(profile_report.pk)

    profile_report.refresh_from_db()
    assert profile_report.status == ReportStatus.DONE
    assert profile_report.attempts == 2
    assert profile_report.file.open("rb").read() == b"%PDF-1.7 retried"


def test_render_report_fails_once_the_retries_are_spent(profile_report, monkeypatch):
    """Given a database that never comes back, when the retries are spent, then the job is failed, not pending."""

    def down(report):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(tasks, "render_report_pdf", down)

    tasks.render_report.delay(profile_report.pk)

    profile_report.refresh_from_db()
    assert profile_report.status == ReportStatus.FAILED
    assert profile_report.attempts == tasks.MAX_RETRIES + 1
    assert profile_report.error.startswith("OperationalError: could not connect")


@pytest.mark.parametrize("status", [ReportStatus.RUNNING, ReportStatus.DONE, ReportStatus.FAILED])
def test_render_report_leaves_a_job_that_is_not_pending_alone(profile_report, monkeypatch, status):
    """Given a job another worker holds or has finished, when a duplicate message arrives, then nothing changes."""
    Report.objects.filter(pk=profile_report.pk).update(status=status)
    monkeypatch.setattr(tasks, "render_report_pdf", pytest.fail)

    tasks.render_report.delay(profile_report.pk)

    profile_report.refresh_from_db()
    assert (profile_report.status, profile_report.attempts) == (status, 0)


def test_a_rebuild_overwrites_the_same_file(profile_report, media_root):
    """Given a done job, when it is rendered again, then its one file is replaced, not duplicated."""
    tasks.render_report.delay(profile_report.pk)
    Report.objects.filter(pk=profile_report.pk).update(status=ReportStatus.PENDING)

    tasks.render_report.delay(profile_report.pk)

    profile_report.refresh_from_db()
    files = list(media_root.rglob("*.pdf"))
    assert [f.relative_to(media_root).as_posix() for f in files] == [profile_report.file.name]


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Ids handed to ``render_report.delay`` instead of running it."""
    ids = []
    monkeypatch.setattr(tasks.render_report, "delay", ids.append)
    return ids


def running_since(report: Report, seconds: int, attempts: int = 1) -> None:
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=seconds),
        attempts=attempts,
    )


def test_reclaim_requeues_a_job_running_past_the_time_limit(
    profile_report, settings, queued, django_capture_on_commit_callbacks
):
    """Given a job running longer than the hard limit plus the margin, when reclaimed, then it is pending and queued."""
    running_since(profile_report, settings.CELERY_TASK_TIME_LIMIT + 120)

    with django_capture_on_commit_callbacks(execute=True):
        reclaimed = tasks.reclaim_stuck_reports()

    profile_report.refresh_from_db()
    assert reclaimed == 1
    assert (profile_report.status, profile_report.started_at) == (ReportStatus.PENDING, None)
    assert queued == [profile_report.pk]


def test_reclaim_leaves_a_job_within_its_time_limit(
    profile_report, settings, queued, django_capture_on_commit_callbacks
):
    """Given a job running for less than the hard limit, when reclaiming, then it keeps running."""
    running_since(profile_report, settings.CELERY_TASK_TIME_LIMIT - 60)

    with django_capture_on_commit_callbacks(execute=True):
        reclaimed = tasks.reclaim_stuck_reports()

    profile_report.refresh_from_db()
    assert (reclaimed, profile_report.status, queued) == (0, ReportStatus.RUNNING, [])


def test_reclaim_gives_up_on_a_job_that_keeps_killing_its_worker(
    profile_report, settings, queued, django_capture_on_commit_callbacks
):
    """Given a stuck job already tried the maximum number of times, when reclaiming, then it is failed."""
    running_since(profile_report, settings.CELERY_TASK_TIME_LIMIT + 120, attempts=tasks.MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        reclaimed = tasks.reclaim_stuck_reports()

    profile_report.refresh_from_db()
    assert (reclaimed, profile_report.status, queued) == (0, ReportStatus.FAILED, [])
    assert str(tasks.MAX_ATTEMPTS) in profile_report.error


def test_reclaim_is_scheduled_every_five_minutes(settings):
    """Celery beat (django-celery-beat reads the setting at start) runs the reclaim every five minutes."""
    entry = settings.CELERY_BEAT_SCHEDULE["reclaim-stuck-reports"]
    assert entry == {"task": "reports.tasks.reclaim_stuck_reports", "schedule": timedelta(minutes=5)}
