"""The rendering task: claim, render, store; failed with a reason; retried on transient errors; reclaimed."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from reports import services, tasks
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


def running_since(report: Report, seconds: float, attempts: int = 1, *, beat: float | None = None) -> None:
    """Mark ``report`` running for ``seconds``, its last heartbeat ``beat`` seconds ago (none when ``None``)."""
    now = timezone.now()
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING,
        started_at=now - timedelta(seconds=seconds),
        heartbeat_at=None if beat is None else now - timedelta(seconds=beat),
        attempts=attempts,
    )


def test_reclaim_requeues_a_job_claimed_before_heartbeats_once_it_is_stale(
    profile_report, settings, queued, django_capture_on_commit_callbacks
):
    """Given a running job with no heartbeat (claimed by an older worker) started long ago, when reclaimed, then it
    is pending and queued."""
    running_since(profile_report, settings.CELERY_TASK_TIME_LIMIT + 120)

    with django_capture_on_commit_callbacks(execute=True):
        reclaimed = tasks.reclaim_stuck_reports()

    profile_report.refresh_from_db()
    assert reclaimed == 1
    assert (profile_report.status, profile_report.started_at, profile_report.heartbeat_at) == (
        ReportStatus.PENDING,
        None,
        None,
    )
    assert queued == [profile_report.pk]


@pytest.mark.parametrize("beat, reclaimed", [(89, 0), (91, 1)], ids=["beating", "stale"])
def test_reclaim_takes_back_a_job_whose_heartbeat_is_older_than_the_staleness(
    profile_report, settings, queued, django_capture_on_commit_callbacks, beat, reclaimed
):
    """Given a job running for an hour, it is reclaimed when its heartbeat is older than REPORT_STALE_SECONDS (90),
    and left to its worker when the heartbeat is younger, however long it has run."""
    settings.REPORT_STALE_SECONDS = 90
    running_since(profile_report, 3600, beat=beat)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reclaim_stuck_reports() == reclaimed

    profile_report.refresh_from_db()
    assert profile_report.status == (ReportStatus.PENDING if reclaimed else ReportStatus.RUNNING)
    assert queued == [profile_report.pk] * reclaimed


def test_the_staleness_boundary_is_strict(profile_report, settings):
    """A heartbeat exactly REPORT_STALE_SECONDS old still counts as live; a microsecond older, lost."""
    settings.REPORT_STALE_SECONDS = 90
    now = timezone.now()
    Report.objects.filter(pk=profile_report.pk).update(
        status=ReportStatus.RUNNING, started_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(seconds=90)
    )
    stale = Report.objects.filter(pk=profile_report.pk)

    assert not stale.filter(services.report_stale_q(now=now)).exists()
    assert stale.filter(services.report_stale_q(now=now + timedelta(microseconds=1))).exists()


def test_reclaim_gives_up_on_a_job_that_keeps_killing_its_worker(
    profile_report, settings, queued, django_capture_on_commit_callbacks
):
    """Given a stale job already tried the maximum number of times, when reclaiming, then it is failed."""
    running_since(profile_report, 3600, attempts=tasks.MAX_ATTEMPTS, beat=settings.REPORT_STALE_SECONDS + 1)

    with django_capture_on_commit_callbacks(execute=True):
        reclaimed = tasks.reclaim_stuck_reports()

    profile_report.refresh_from_db()
    assert (reclaimed, profile_report.status, queued) == (0, ReportStatus.FAILED, [])
    assert str(tasks.MAX_ATTEMPTS) in profile_report.error


def test_reclaim_is_scheduled_every_minute(settings):
    """Celery beat (django-celery-beat reads the setting at start) runs the reclaim every minute: with a 90 s
    staleness a job whose worker vanished is taken back within 2.5 minutes of its last heartbeat."""
    entry = settings.CELERY_BEAT_SCHEDULE["reclaim-stuck-reports"]
    assert entry == {"task": "reports.tasks.reclaim_stuck_reports", "schedule": timedelta(minutes=1)}
    assert settings.REPORT_STALE_SECONDS + entry["schedule"].total_seconds() < 180


def test_a_redelivered_message_takes_over_a_job_whose_worker_stopped_beating(profile_report, settings):
    """Given a job left running by a dead worker (stale heartbeat), when its message comes again, then it is
    rendered, done, with the attempt counted."""
    running_since(profile_report, 200, beat=settings.REPORT_STALE_SECONDS + 5)

    tasks.render_report.delay(profile_report.pk)

    profile_report.refresh_from_db()
    assert (profile_report.status, profile_report.attempts) == (ReportStatus.DONE, 2)


def test_a_redelivered_message_for_a_job_with_a_live_heartbeat_looks_again_when_it_would_lapse(
    profile_report, settings, monkeypatch
):
    """Given a job another worker renders (heartbeat 10 s ago), when a second message arrives at a worker, then it
    renders nothing and sends itself again for when the heartbeat would be stale, at the same priority."""
    settings.REPORT_STALE_SECONDS = 90
    running_since(profile_report, 30, beat=10)
    sent = []
    monkeypatch.setattr(tasks.render_report, "apply_async", lambda args, **options: sent.append((args, options)))
    monkeypatch.setattr(tasks, "render_report_pdf", pytest.fail)

    # As a worker runs it (not in-process): the message's delivery as the broker gave it.
    tasks.render_report.push_request(delivery_info={"priority": 9, "redelivered": True}, is_eager=False)
    try:
        tasks.render_report.run(profile_report.pk)
    finally:
        tasks.render_report.pop_request()

    profile_report.refresh_from_db()
    assert (profile_report.status, profile_report.attempts) == (ReportStatus.RUNNING, 1)
    [(args, options)] = sent
    assert args == (profile_report.pk,) and options["priority"] == 9
    assert 80 < options["countdown"] <= 81 + services.RETRY_MARGIN_SECONDS


def test_a_lost_claim_writes_neither_file_nor_status(profile_report, media_root):
    """Given a worker whose job was taken over (another claim's heartbeat), when it finishes, then nothing of its
    rendering is written: one file, one done, by the holder."""
    first = services.report_claim(profile_report.pk).claim
    Report.objects.filter(pk=profile_report.pk).update(heartbeat_at=first.token - timedelta(hours=1))
    second = services.report_claim(profile_report.pk).claim  # the takeover, once the first looked dead

    assert services.report_complete(first, b"%PDF-zombie") is False
    assert services.report_fail(first, ValueError("late")) is False
    assert services.report_heartbeat(first) is None
    assert services.report_complete(second, b"%PDF-holder") is True

    profile_report.refresh_from_db()
    assert (profile_report.status, profile_report.attempts) == (ReportStatus.DONE, 2)
    assert profile_report.file.open("rb").read() == b"%PDF-holder"
    assert len(list(media_root.rglob("*.pdf"))) == 1


def test_a_claim_of_a_stale_job_out_of_attempts_fails_it(profile_report, settings):
    """A message for a job that has lost its worker MAX_ATTEMPTS times fails it instead of rendering again."""
    running_since(profile_report, 300, attempts=tasks.MAX_ATTEMPTS, beat=settings.REPORT_STALE_SECONDS + 1)

    outcome = services.report_claim(profile_report.pk)

    profile_report.refresh_from_db()
    assert outcome == services.ClaimOutcome()
    assert profile_report.status == ReportStatus.FAILED


def test_the_heartbeat_moves_the_token_of_the_holder(profile_report):
    """A heartbeat refreshes the job's heartbeat and hands back the new token; the old one no longer holds it."""
    claim = services.report_claim(profile_report.pk).claim
    later = claim.token + timedelta(seconds=20)

    renewed = services.report_heartbeat(claim, now=later)

    profile_report.refresh_from_db()
    assert renewed == services.Claim(profile_report.pk, later) and profile_report.heartbeat_at == later
    assert services.report_heartbeat(claim) is None


def test_a_report_is_routed_to_the_reports_queue_and_survives_its_worker(settings):
    """Rendering has its own queue; its message is acknowledged after the task and given back if the child dies;
    Redis holds an unacknowledged message longer than the longest render plus the wait for a stale heartbeat."""
    from config.celery import app

    task = tasks.render_report
    assert app.amqp.router.route({}, task.name)["queue"].name == settings.REPORTS_QUEUE == "reports"
    assert task.acks_late and task.reject_on_worker_lost and app.conf.task_reject_on_worker_lost
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT + settings.REPORT_STALE_SECONDS
    assert app.conf.worker_max_tasks_per_child > 0 and app.conf.worker_max_memory_per_child > 0


def test_a_batch_job_is_sent_behind_on_demand_ones(profile_report, monkeypatch):
    """report_send sends an on-demand job at the default priority (0: Redis' first) and a batch's job at
    REPORT_BATCH_PRIORITY."""
    sent = []
    monkeypatch.setattr(tasks.render_report, "delay", lambda *args: sent.append((args, None)))
    monkeypatch.setattr(
        tasks.render_report, "apply_async", lambda args, **options: sent.append((args, options["priority"]))
    )

    services.report_send(profile_report.pk)
    services.report_send(profile_report.pk, priority=9)

    assert sent == [((profile_report.pk,), None), ((profile_report.pk,), 9)]
