"""The heartbeat of a rendering job: a thread refreshes it while the render runs, and stops once the job is taken."""

import time
from datetime import timedelta

import pytest
from django.db import OperationalError

from reports import services, tasks
from reports.choices import ReportStatus
from reports.models import Report

# The thread writes through its own database connection: it must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_heartbeat(settings):
    settings.REPORT_HEARTBEAT_SECONDS = 0.05
    return settings


def test_the_heartbeat_is_refreshed_while_the_block_runs(profile_report, fast_heartbeat):
    """Given a claimed job, while its render runs, then its heartbeat moves on and the latest token is kept."""
    claim = services.report_claim(profile_report.pk).claim

    with tasks.Heartbeat(claim) as heartbeat:
        time.sleep(0.4)

    profile_report.refresh_from_db()
    assert heartbeat.claim.token > claim.token
    assert profile_report.heartbeat_at == heartbeat.claim.token


def test_the_heartbeat_stops_once_another_worker_has_taken_the_job(profile_report, fast_heartbeat):
    """Given a job taken over by another claim during the render, then the heartbeat gives up its claim."""
    claim = services.report_claim(profile_report.pk).claim

    with tasks.Heartbeat(claim) as heartbeat:
        Report.objects.filter(pk=profile_report.pk).update(heartbeat_at=claim.token + timedelta(days=1))
        time.sleep(0.3)

    assert heartbeat.claim is None


def test_a_missed_heartbeat_is_tried_again(profile_report, fast_heartbeat, monkeypatch):
    """Given a database that refuses one heartbeat, then the next one still beats."""
    claim = services.report_claim(profile_report.pk).claim
    calls = []

    def flaky(current):
        calls.append(current)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return services.report_heartbeat(current)

    monkeypatch.setattr(tasks, "report_heartbeat", flaky)

    with tasks.Heartbeat(claim) as heartbeat:
        time.sleep(0.4)

    assert len(calls) >= 2 and heartbeat.claim.token > claim.token


def test_a_render_whose_job_was_taken_meanwhile_writes_nothing(profile_report, fast_heartbeat, monkeypatch):
    """Given a worker taken for dead in the middle of its render (another worker's claim), when its render ends,
    then it neither stores its file nor marks the job: the job stays the other worker's."""
    taken_at = []

    def slow_render(report):
        later = Report.objects.get(pk=report.pk).heartbeat_at + timedelta(days=1)
        Report.objects.filter(pk=report.pk).update(heartbeat_at=later)  # another worker's takeover
        taken_at.append(later)
        time.sleep(0.3)
        return b"%PDF-zombie"

    monkeypatch.setattr(tasks, "render_report_pdf", slow_render)

    tasks.render_report.delay(profile_report.pk)

    profile_report.refresh_from_db()
    assert (profile_report.status, profile_report.heartbeat_at) == (ReportStatus.RUNNING, taken_at[0])
    assert not profile_report.file
