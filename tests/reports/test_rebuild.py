"""Rebuilding a report: for the roles with the report right only, queued (never rendered in the request), and
throttled to a few a minute per user."""

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from reports import tasks
from reports.choices import ReportKind, ReportStatus
from reports.models import Report
from reports.services import report_request
from reports.throttles import ReportRebuildThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def done(world):
    """A finished station profile of S1, asked for by its manager."""
    return Report.objects.create(
        kind=ReportKind.STATION_PROFILE,
        station=world.stations["S1"],
        status=ReportStatus.DONE,
        requested_by=world.users["manager"],
    )


@pytest.fixture
def queued(monkeypatch):
    """Jobs handed to the task queue; rendering in the request would fail the test."""
    ids = []
    monkeypatch.setattr(tasks.render_report, "delay", ids.append)

    def no_render(report):
        raise AssertionError("rendered in the request")

    monkeypatch.setattr(tasks, "render_report_pdf", no_render)
    return ids


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def rebuild(client, station):
    return client.post("/api/v1/reports/", {"kind": "station_profile", "station": station.pk, "rebuild": True})


def test_an_evaluator_can_neither_rebuild_nor_ask_and_the_job_stays_as_it_was(world, done, queued):
    evaluator = world.users["evaluator"]
    page = Client()
    page.force_login(evaluator)

    assert rebuild(api(evaluator), world.stations["S1"]).status_code == 403
    assert (
        page.post(
            "/reports/request/", {"kind": "station_profile", "station": world.stations["S1"].pk, "rebuild": "on"}
        ).status_code
        == 403
    )
    done.refresh_from_db()
    assert (done.status, done.requested_by, queued) == (ReportStatus.DONE, world.users["manager"], [])
    # They still read it.
    assert api(evaluator).get(f"/api/v1/reports/{done.pk}/").status_code == 200


def test_the_rebuild_rule_refuses_a_user_without_the_report_right(world, done):
    with pytest.raises(PermissionDenied):
        report_request(
            user=world.users["evaluator"], kind=ReportKind.STATION_PROFILE, station=world.stations["S1"], rebuild=True
        )


def test_a_rebuild_is_queued_not_rendered_in_the_request(world, done, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = rebuild(api(world.users["worker"]), world.stations["S1"])

    assert response.status_code == 202
    assert response.json()["status"] == ReportStatus.PENDING
    assert queued == [done.pk]


def test_rebuilds_beyond_the_configured_rate_are_refused_with_429(world, done, queued):
    allowed, _period = ReportRebuildThrottle().parse_rate(ReportRebuildThrottle().get_rate())
    client = api(world.users["manager"])
    answers = [rebuild(client, world.stations["S1"]).status_code for _ in range(allowed + 1)]

    assert answers == [202] * allowed + [429]
    assert rebuild(api(world.users["worker"]), world.stations["S1"]).status_code == 202  # counted per user


def test_asking_without_rebuild_is_not_throttled(world, done, queued):
    allowed, _period = ReportRebuildThrottle().parse_rate(ReportRebuildThrottle().get_rate())
    client = api(world.users["manager"])
    payload = {"kind": "station_profile", "station": world.stations["S1"].pk}

    assert {client.post("/api/v1/reports/", payload).status_code for _ in range(allowed + 2)} == {202}


def test_the_request_page_throttles_rebuilds_too_and_says_why(world, done, queued):
    allowed, _period = ReportRebuildThrottle().parse_rate(ReportRebuildThrottle().get_rate())
    client = Client()
    client.force_login(world.users["manager"])
    form = {"kind": "station_profile", "station": world.stations["S1"].pk, "rebuild": "on"}
    for _ in range(allowed):
        client.post("/reports/request/", form)
    Report.objects.filter(pk=done.pk).update(status=ReportStatus.DONE)

    refused = client.post("/reports/request/", form)

    assert refused.status_code == 302 and refused["Location"] == f"/reports/{done.pk}/"
    assert Report.objects.get(pk=done.pk).status == ReportStatus.DONE  # not queued again
    assert [m.level_tag for m in get_messages(refused.wsgi_request)][-1] == "warning"
