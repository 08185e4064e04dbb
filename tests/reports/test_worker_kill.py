"""A worker killed in the middle of a render: the job is requeued and completed exactly once, quickly.

A real Redis and real worker processes on the test database (like ``test_celery_worker.py``), on a queue of this
test's own. The render is made slow by a hook that only this module installs, in the worker it starts
(``--include`` of this module with ``PORTAL_TEST_SLOW_RENDER`` set): production code has no such path. The hook
logs each render's start and end, so the test counts renders, not just outcomes.

The heartbeat runs fast here (``WORKER_KILL_HEARTBEAT_SECONDS``, ``WORKER_KILL_STALE_SECONDS``); run with 20 and 90
to measure the recovery with the production defaults (the bound follows the settings).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app
from reports import tasks
from reports.choices import ReportStatus
from reports.models import Report
from reports.services import report_send

from .test_celery_worker import worker_database_url

SLOW_RENDER = "PORTAL_TEST_SLOW_RENDER"  # "<seconds>:<log file>", set only for the workers this module starts


def install_slow_render(spec: str) -> None:
    """In a worker started by this module: make each render sleep first, logging "start"/"end" lines."""
    from reports import tasks

    seconds, log = spec.split(":", 1)
    real_render = tasks.render_report_pdf

    def slow_render(report):
        with open(log, "a") as out:
            out.write(f"start {report.pk} {os.getpid()}\n")
        time.sleep(float(seconds))
        pdf = real_render(report)
        with open(log, "a") as out:
            out.write(f"end {report.pk} {os.getpid()}\n")
        return pdf

    tasks.render_report_pdf = slow_render


if os.environ.get(SLOW_RENDER):
    install_slow_render(os.environ[SLOW_RENDER])

HEARTBEAT_SECONDS = float(os.environ.get("WORKER_KILL_HEARTBEAT_SECONDS", "0.5"))
STALE_SECONDS = float(os.environ.get("WORKER_KILL_STALE_SECONDS", "4"))
RENDER_SLEEP = 3.0  # seconds: long enough to be killed in the middle of
# From the kill to done: the heartbeat lapses, the job is looked at again, and rendered again (worker start-up
# and a first PDF included); the reclaim's minute of beat is simulated here by calling it every half second.
RECOVERY_BOUND = STALE_SECONDS + 2 * HEARTBEAT_SECONDS + RENDER_SLEEP + 20

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs CELERY_BROKER_URL (a real broker)"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker processes must share the test database: needs PostgreSQL",
    ),
]


class Workers:
    """Starts real workers on this test's own queue, with the slow render; stops what is left at the end."""

    def __init__(self, tmp_path: Path, media_root: Path, queue: str):
        self.tmp_path, self.media_root, self.queue = tmp_path, media_root, queue
        self.render_log = tmp_path / "renders.log"
        self.render_log.touch()
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        """A prefork worker with one child process, so that the child can be killed apart from its parent."""
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_REPORTS_QUEUE": self.queue,
            "MEDIA_ROOT": str(self.media_root),
            "PDF_FONT_DIR": str(settings.PDF_FONT_DIR),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "REPORT_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "REPORT_STALE_SECONDS": str(STALE_SECONDS),
            SLOW_RENDER: f"{RENDER_SLEEP}:{self.render_log}",
        }
        log = (self.tmp_path / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
             "-Q", self.queue, "--include", __name__, "--loglevel=INFO", "--without-gossip", "--without-mingle",
             f"--hostname=kill-{len(self.processes)}@%h"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def renders(self) -> list[tuple[str, int]]:
        """("start" | "end", pid) of every render the slow hook saw, in order."""
        lines = [line.split() for line in self.render_log.read_text().splitlines()]
        return [(event, int(pid)) for event, _, pid in lines]

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.tmp_path.glob("worker-*.log")))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(transactional_db, media_root, tmp_path, settings, monkeypatch):
    """Workers of a queue of this test's own (another test's worker on the same Redis never takes its jobs); this
    process sends to it and reclaims with the workers' heartbeat settings."""
    queue = f"reports-kill-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_always_eager = False  # the autouse eager_tasks fixture restores it afterwards
    monkeypatch.setattr(tasks.render_report, "queue", queue, raising=False)  # an explicit queue beats the routes
    monkeypatch.setattr(tasks.render_report, "_exec_options", None)  # Celery caches the options a task is sent with
    settings.REPORT_HEARTBEAT_SECONDS, settings.REPORT_STALE_SECONDS = HEARTBEAT_SECONDS, STALE_SECONDS
    started = Workers(tmp_path, media_root, queue)
    yield started
    started.stop()
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


def wait_for(condition, what: str, workers: Workers, timeout: float, reclaim: bool = False):
    """Poll ``condition`` until it returns something true; with ``reclaim``, run the reclaim each time (beat)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reclaim:
            tasks.reclaim_stuck_reports()
        if result := condition():
            return result
        time.sleep(0.5)
    pytest.fail(f"{what} not within {timeout:.0f} s\nrenders: {workers.renders()}\n{workers.logs()}")


def render_started(workers: Workers, count: int):
    starts = [pid for event, pid in workers.renders() if event == "start"]
    return starts[count - 1] if len(starts) >= count else None


def done(report_id: int):
    report = Report.objects.get(pk=report_id)
    return report if report.status in (ReportStatus.DONE, ReportStatus.FAILED) else None


def assert_done_once(report: Report, workers: Workers, media_root: Path, killed_pid: int) -> None:
    """Done, with its one file, rendered to the end once, by another process than the killed one."""
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 2  # the killed render and the one that finished
    events = workers.renders()
    assert [event for event, _ in events] == ["start", "start", "end"]
    assert events[-1][1] != killed_pid
    assert [p.relative_to(media_root).as_posix() for p in media_root.rglob("*.pdf")] == [report.file.name]
    assert report.file.open("rb").read(5) == b"%PDF-"


def test_a_job_whose_worker_child_is_killed_is_requeued_and_done_once(workers, profile_report, media_root):
    """Given a render under way, when its worker child is SIGKILLed, then the message comes back (rejected on
    worker lost), waits for the heartbeat to lapse, and a new child renders the job: done once, quickly."""
    parent = workers.start()
    report_send(profile_report.pk)
    child = wait_for(lambda: render_started(workers, 1), "a render", workers, timeout=30)
    assert child != parent.pid

    os.kill(child, signal.SIGKILL)
    killed_at = time.monotonic()
    report = wait_for(lambda: done(profile_report.pk), "the job done", workers, timeout=RECOVERY_BOUND)
    recovery = time.monotonic() - killed_at

    print(f"child SIGKILL to done: {recovery:.1f} s (heartbeat {HEARTBEAT_SECONDS} s, stale {STALE_SECONDS} s)")
    assert_done_once(report, workers, media_root, child)
    assert recovery < RECOVERY_BOUND


def test_a_job_whose_whole_worker_is_killed_is_reclaimed_by_another_worker_once(workers, profile_report, media_root):
    """Given a render under way, when the whole worker (parent and child) is SIGKILLed, its message stays
    unacknowledged in Redis; the reclaim takes the job back once its heartbeat lapses and a second worker renders
    it, done once; a message delivered again afterwards (as Redis does after the visibility timeout) does nothing."""
    first = workers.start()
    report_send(profile_report.pk)
    child = wait_for(lambda: render_started(workers, 1), "a render", workers, timeout=30)

    os.kill(child, signal.SIGKILL)
    first.kill()  # SIGKILL: nothing is given back to the broker
    first.wait()
    killed_at = time.monotonic()
    workers.start()
    report = wait_for(lambda: done(profile_report.pk), "the job done", workers, timeout=RECOVERY_BOUND, reclaim=True)
    recovery = time.monotonic() - killed_at
    print(f"worker SIGKILL to done: {recovery:.1f} s (heartbeat {HEARTBEAT_SECONDS} s, stale {STALE_SECONDS} s)")
    assert_done_once(report, workers, media_root, child)
    assert recovery < RECOVERY_BOUND

    report_send(profile_report.pk)  # the late redelivery of the dead worker's message
    wait_for(
        lambda: "render_report" in workers.logs() and workers.logs().count("succeeded") >= 2,
        "the duplicate handled", workers, timeout=20,
    )  # fmt: skip
    report.refresh_from_db()
    assert (report.status, report.attempts, len(workers.renders())) == (ReportStatus.DONE, 2, 3)
