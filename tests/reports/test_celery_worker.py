"""End to end through a real broker and worker: ask over the API, a Celery worker renders, download the PDF.

Runs only with ``CELERY_BROKER_URL`` set and PostgreSQL as the database (the worker is a separate
process and must see the test database), e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_dev CELERY_BROKER_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/pytest tests/reports/test_celery_worker.py
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from config.celery import app as celery_app
from reports.choices import ReportStatus
from reports.models import Report

from .pdftools import pdf_fonts, pdf_text

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs CELERY_BROKER_URL (a real broker)"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker process must share the test database: needs PostgreSQL",
    ),
]

RENDER_TIMEOUT = 90  # seconds


@dataclass
class Worker:
    """A worker process and the file its log goes to."""

    process: subprocess.Popen
    log: Path


def worker_database_url() -> str:
    """A DATABASE_URL naming the test database this process is using."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, media_root, tmp_path):
    """A Celery worker (solo pool, default queue) on the test database and media directory."""
    celery_app.conf.task_always_eager = False  # the autouse eager_tasks fixture restores it afterwards
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(media_root),
        "PDF_FONT_DIR": str(settings.PDF_FONT_DIR),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                settings.REPORTS_QUEUE,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    yield Worker(process, log)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_finished(report_id: int, worker: Worker) -> Report:
    """Poll the job until it is done or failed; fail with the worker's log if it never is."""
    deadline = time.monotonic() + RENDER_TIMEOUT
    while time.monotonic() < deadline:
        report = Report.objects.get(pk=report_id)
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return report
        if worker.process.poll() is not None:
            pytest.fail(f"The worker exited with {worker.process.returncode}:\n{worker.log.read_text()}")
        time.sleep(0.5)
    pytest.fail(f"No result after {RENDER_TIMEOUT} s; worker log:\n{worker.log.read_text()}")


def test_a_worker_renders_the_station_profile_asked_for_over_the_api(worker, station, official, tmp_path):
    """Given a running worker, when an official asks for a profile, then it is done and its PDF is right."""
    client = APIClient()
    client.force_authenticate(official)

    response = client.post("/api/v1/reports/", {"kind": "station_profile", "station": station.pk}, format="json")
    assert response.status_code == 202
    report = wait_until_finished(response.json()["id"], worker)

    assert report.status == ReportStatus.DONE, report.error
    download = client.get(f"/api/v1/reports/{report.pk}/download/")
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)
    assert station.name in pdf_text(pdf, tmp_path)
    assert any(
        name.startswith("PortalSans") and embedded == "yes" for name, embedded in pdf_fonts(pdf, tmp_path).items()
    )
