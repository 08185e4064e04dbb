"""Asking for a report while the broker is down: a quick 503, and no job left that nothing will run."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app as celery_app
from reports import tasks
from reports.api import ReportQueueUnavailable
from reports.choices import ReportKind, ReportStatus
from reports.models import Report
from reports.services import report_request
from reports.views import QUEUE_UNAVAILABLE

CLOSED_PORT = "redis://127.0.0.1:1/0"


def reset_producers():
    celery_app._pool = None
    celery_app.__dict__.get("amqp") and setattr(celery_app.amqp, "_producer_pool", None)


@pytest.fixture
def broker_down(settings, monkeypatch):
    """Tasks are sent to a broker on a closed port (nothing listens there), not run in-process.

    Celery reads ``CELERY_BROKER_URL`` from the environment before its configuration (CI sets it to a real
    Redis), so the environment is pointed at the closed port too.
    """
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_PORT)
    conf = celery_app.conf
    previous = conf.broker_url, conf.task_always_eager
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = CLOSED_PORT, False
    conf.broker_url, conf.task_always_eager = CLOSED_PORT, False
    reset_producers()
    yield
    conf.broker_url, conf.task_always_eager = previous
    reset_producers()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_within_a_second_and_fails_the_job_with_the_reason(broker_down, station, official):
    client = api(official)
    assert client.get("/api/v1/reports/").status_code == 200  # the first request of a process loads the URLs
    started = time.monotonic()
    response = client.post("/api/v1/reports/", {"kind": "station_profile", "station": station.pk})
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == str(ReportQueueUnavailable.default_detail)
    assert elapsed < 1.0
    report = Report.objects.get(station=station)
    assert report.status == ReportStatus.FAILED and report.sent_at is None
    assert "127.0.0.1:1" in report.error  # the reason, as the broker's client gave it


@pytest.mark.django_db(transaction=True)
def test_the_page_answers_the_503_error_page_and_fails_the_job(broker_down, station, official):
    client = Client()
    client.force_login(official)
    response = client.post("/reports/request/", {"kind": "station_profile", "station": station.pk})

    assert response.status_code == 503
    page = response.content.decode()
    assert "portal-error" in page and "<nav" in page  # the portal's error card, inside its layout
    assert "503" in page and str(QUEUE_UNAVAILABLE.message) in page
    assert Report.objects.get(station=station).status == ReportStatus.FAILED


def test_asking_again_once_the_broker_is_back_queues_the_job_that_never_ran(
    station, official, django_capture_on_commit_callbacks
):
    """A job failed before it was sent is not a report that failed: asking for it again renders it."""
    failed = Report.objects.create(
        kind=ReportKind.STATION_PROFILE,
        station=station,
        requested_by=official,
        status=ReportStatus.FAILED,
        error="The task queue could not be reached",
    )
    with django_capture_on_commit_callbacks(execute=True):
        report, queued = report_request(user=official, kind=ReportKind.STATION_PROFILE, station=station)

    failed.refresh_from_db()
    assert (report.pk, queued) == (failed.pk, True)
    assert failed.status == ReportStatus.DONE and failed.sent_at is not None


def test_a_report_that_failed_while_rendering_is_not_queued_again_by_asking(station, official):
    Report.objects.create(
        kind=ReportKind.STATION_PROFILE,
        station=station,
        status=ReportStatus.FAILED,
        started_at=timezone.now(),
        error="ValueError: template variable missing",
    )
    report, queued = report_request(user=official, kind=ReportKind.STATION_PROFILE, station=station)

    assert (queued, report.status) == (False, ReportStatus.FAILED)


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    ids = []
    monkeypatch.setattr(tasks.render_report, "delay", ids.append)
    return ids


def pending_since(report, minutes, **fields):
    Report.objects.filter(pk=report.pk).update(requested_at=timezone.now() - timedelta(minutes=minutes), **fields)


def test_the_reclaim_sends_again_a_pending_job_that_was_never_sent(
    profile_report, settings, sent, django_capture_on_commit_callbacks
):
    settings.REPORT_UNSENT_MINUTES = 5
    pending_since(profile_report, 6)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reclaim_stuck_reports() == 1

    profile_report.refresh_from_db()
    assert sent == [profile_report.pk] and profile_report.sent_at is not None


@pytest.mark.parametrize(
    "minutes, fields", [(2, {}), (60, {"sent_at": timezone.now()})], ids=["just-asked", "already-sent"]
)
def test_the_reclaim_leaves_a_job_just_asked_for_or_already_sent(
    profile_report, settings, sent, django_capture_on_commit_callbacks, minutes, fields
):
    settings.REPORT_UNSENT_MINUTES = 5
    pending_since(profile_report, minutes, **fields)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reclaim_stuck_reports() == 0

    assert sent == []


def test_the_reclaim_with_the_broker_still_down_fails_the_job_instead_of_leaving_it_pending(
    broker_down, profile_report, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_UNSENT_MINUTES = 5
    pending_since(profile_report, 10)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.reclaim_stuck_reports()

    profile_report.refresh_from_db()
    assert profile_report.status == ReportStatus.FAILED and "127.0.0.1:1" in profile_report.error


def test_publishing_gives_up_at_once_instead_of_retrying_in_the_request(settings):
    assert celery_app.conf.task_publish_retry is False
    assert celery_app.conf.broker_connection_timeout < 1
    assert celery_app.conf.broker_transport_options["socket_connect_timeout"] < 1
