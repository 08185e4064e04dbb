"""Batches of the periodic reports: one job per operating station and region, once however often started; the
fan-out in chunks with the batch priority; progress read from the jobs; the retry of the failed ones."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.choices import Role
from accounts.models import User
from reports import batches
from reports.batches import batch_progress, batch_retry, batch_start, scheduled_period
from reports.choices import ReportKind, ReportStatus
from reports.models import Report, ReportBatch
from stations.choices import RegionLevel, StationStatus
from stations.models import Region, Station

TODAY = date.today()


def last_month() -> str:
    return (TODAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def last_quarter() -> str:
    return scheduled_period(ReportKind.QUARTERLY, today=TODAY).key


@pytest.fixture
def rendered(monkeypatch):
    """Rendering is faked (the PDFs are tested elsewhere): the station named 失败 fails, the rest pass."""
    failing = {"value": True}

    def render(report):
        if failing["value"] and report.station_id and report.station.name.startswith("失败"):
            raise RuntimeError("font missing")
        return b"%PDF-1.4 fake"

    monkeypatch.setattr("reports.tasks.render_report_pdf", render)
    return failing


@pytest.fixture
def tree(place, station):
    """The conftest city (one county, one township, its station) with a second township and two more stations:
    one operating that fails to render, one closed (no report)."""
    township = Region.objects.create(
        name="新丰镇", code="330402101000", level=RegionLevel.TOWNSHIP, parent=place.county
    )
    Station.objects.create(name="失败社会工作站", township=township, status=StationStatus.OPERATING)
    Station.objects.create(name="筹建社会工作站", township=township, status=StationStatus.PLANNING)
    return place


def test_a_monthly_batch_has_one_job_per_operating_station_and_region(
    tree, rendered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch, created = batch_start(ReportKind.MONTHLY, last_month(), region=tree.city, trigger="test")
    assert created
    # two operating stations, two townships, one county, one city (communities and the other city are not in it)
    assert batch.total == 6
    assert Report.objects.filter(batch=batch, station__isnull=False).count() == 2
    assert set(Report.objects.filter(batch=batch, region__isnull=False).values_list("region__level", flat=True)) == {
        "township",
        "county",
        "city",
    }
    progress = batch_progress(batch)
    assert (progress.done, progress.failed, progress.total) == (5, 1, 6)
    assert batch.finished_at is not None
    assert "font missing" in Report.objects.get(batch=batch, status=ReportStatus.FAILED).error


def test_a_quarterly_batch_is_of_the_counties_cities_and_provinces_only(tree, rendered):
    batch, _created = batch_start(ReportKind.QUARTERLY, last_quarter(), region=tree.city)
    assert sorted(Report.objects.filter(batch=batch).values_list("region__level", flat=True)) == ["city", "county"]


def test_starting_a_batch_twice_makes_one_batch_and_each_report_once(
    tree, rendered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, created = batch_start(ReportKind.MONTHLY, last_month(), region=tree.city)
        again, created_again = batch_start(ReportKind.MONTHLY, last_month(), region=tree.city)
    assert created and not created_again and again.pk == first.pk
    assert ReportBatch.objects.count() == 1
    assert Report.objects.filter(kind=ReportKind.MONTHLY).count() == 6


def test_a_batch_reuses_a_report_a_person_asked_for(tree, station, official, rendered):
    asked = Report.objects.create(kind=ReportKind.MONTHLY, station=station, period=last_month(), requested_by=official)
    batch, _created = batch_start(ReportKind.MONTHLY, last_month(), region=tree.county)
    asked.refresh_from_db()
    assert asked.batch_id == batch.pk
    assert Report.objects.filter(kind=ReportKind.MONTHLY, station=station).count() == 1


def test_the_nations_batch_covers_every_city(tree, rendered):
    batch, _created = batch_start(ReportKind.MONTHLY, last_month())
    assert batch.region is None and batch.scope_key == "nation"
    assert Report.objects.filter(batch=batch, region=tree.elsewhere).exists()


def test_a_batch_period_of_the_wrong_kind_or_not_begun_is_refused(tree):
    from config.periods import PeriodError

    with pytest.raises(PeriodError):
        batch_start(ReportKind.MONTHLY, "2026-Q1", region=tree.city)
    with pytest.raises(PeriodError):
        batch_start(ReportKind.QUARTERLY, f"{TODAY.year + 1}-Q1", region=tree.city)
    assert not ReportBatch.objects.exists()


def test_the_fan_out_sends_chunks_with_the_batch_priority(tree, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(batches, "CHUNK", 4)
    monkeypatch.setattr("reports.services.report_send", lambda pk, priority=None: sent.append((pk, priority)))
    chunks = []
    real = batches.batch_send_chunk
    monkeypatch.setattr(
        batches,
        "batch_send_chunk",
        lambda batch_id, after=0, size=4: chunks.append(after) or real(batch_id, after=after, size=size),
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch, _created = batch_start(ReportKind.MONTHLY, last_month(), region=tree.city)
    assert sorted(pk for pk, _priority in sent) == sorted(
        Report.objects.filter(batch=batch).values_list("pk", flat=True)
    )
    assert {priority for _pk, priority in sent} == {9}
    assert len(chunks) == 3  # 4 + 2 + the empty last look


def test_progress_is_read_from_the_jobs_statuses(tree):
    batch, _created = batch_start(ReportKind.MONTHLY, last_month(), region=tree.city)
    jobs = list(Report.objects.filter(batch=batch).order_by("pk"))
    Report.objects.filter(pk=jobs[0].pk).update(status=ReportStatus.DONE)
    Report.objects.filter(pk=jobs[1].pk).update(status=ReportStatus.FAILED)
    Report.objects.filter(pk=jobs[2].pk).update(status=ReportStatus.RUNNING)
    progress = batch_progress(batch)
    assert (progress.total, progress.done, progress.failed, progress.running, progress.pending) == (6, 1, 1, 1, 3)
    assert not progress.complete and batch.finished_at is None


def test_retry_queues_the_failed_again_and_they_complete(tree, official, rendered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch, _created = batch_start(ReportKind.MONTHLY, last_month(), region=tree.city)
    assert batch_progress(batch).failed == 1
    rendered["value"] = False  # the font is back
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_retry(batch, user=official) == 1
    batch.refresh_from_db()
    progress = batch_progress(batch)
    assert (progress.done, progress.failed) == (6, 0)
    assert Report.objects.get(batch=batch, station__name="失败社会工作站").attempts == 1


def test_retry_needs_the_right_and_the_batch_in_scope(tree, outsider, rendered):
    batch, _created = batch_start(ReportKind.MONTHLY, last_month(), region=tree.city)
    Report.objects.filter(batch=batch).update(status=ReportStatus.FAILED)
    township_official = User.objects.create_user(
        username="township", password="x", role=Role.TOWNSHIP_OFFICIAL, region=tree.township
    )
    for user in (outsider, township_official):
        with pytest.raises(PermissionDenied):
            batch_retry(batch, user=user)
    assert Report.objects.filter(batch=batch, status=ReportStatus.FAILED).count() == 6


def test_a_county_official_sees_the_batches_of_the_county_not_of_the_city(tree, rendered):
    city_batch, _ = batch_start(ReportKind.MONTHLY, last_month(), region=tree.city)
    county_batch, _ = batch_start(ReportKind.MONTHLY, last_month(), region=tree.county)
    county = User.objects.create_user(username="county", password="x", role=Role.CITY_OFFICIAL, region=tree.county)
    assert list(ReportBatch.objects.visible_to(county)) == [county_batch]
    client = Client()
    client.force_login(county)
    assert client.get(f"/reports/batches/{city_batch.pk}/").status_code == 404
    assert client.get(f"/reports/batches/{county_batch.pk}/").status_code == 200


def test_the_batch_list_page_keeps_its_queries_fixed(tree, official, rendered, django_assert_max_num_queries):
    for period in ("2026-01", "2026-02", "2026-03"):
        batch_start(ReportKind.MONTHLY, period, region=tree.city, today=date(2026, 5, 1))
    client = Client()
    client.force_login(official)
    with django_assert_max_num_queries(12):
        response = client.get("/reports/batches/")
    assert response.status_code == 200
    assert response.content.decode().count("<progress") == 3


def test_the_scheduled_periods_are_the_month_and_the_quarter_just_ended():
    assert scheduled_period(ReportKind.MONTHLY, today=date(2026, 1, 1)).key == "2025-12"
    assert scheduled_period(ReportKind.QUARTERLY, today=date(2026, 4, 1)).key == "2026-Q1"


def test_beat_schedules_the_monthly_and_quarterly_batches(settings):
    monthly = settings.CELERY_BEAT_SCHEDULE["monthly-reports"]
    quarterly = settings.CELERY_BEAT_SCHEDULE["quarterly-reports"]
    assert monthly["task"] == quarterly["task"] == "reports.tasks.periodic_batch"
    assert (monthly["schedule"].hour, monthly["schedule"].day_of_month) == ({2}, {1})
    assert (quarterly["schedule"].hour, quarterly["schedule"].month_of_year) == ({3}, {1, 4, 7, 10})


def test_an_official_starts_the_batch_of_the_region_by_hand_once(tree, official, rendered):
    client = Client()
    client.force_login(official)
    page = client.get("/reports/batches/").content.decode()
    assert 'id="start-batch"' in page and last_month() in page  # last month offered
    response = client.post("/reports/batches/start/", {"kind": "monthly", "period": last_month()})
    batch = ReportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/reports/batches/{batch.pk}/")
    assert (batch.region, batch.trigger, batch.started_by) == (official.region, "manual", official)
    again = client.post("/reports/batches/start/", {"kind": "monthly", "period": last_month()})
    assert again["Location"] == response["Location"] and ReportBatch.objects.count() == 1


@pytest.mark.parametrize("period", ["2026-13", "2026-Q3", "2099-01"])
def test_a_batch_started_with_a_bad_period_is_an_error_beside_it_and_starts_nothing(tree, official, period):
    client = Client()
    client.force_login(official)
    response = client.post("/reports/batches/start/", {"kind": "monthly", "period": period})
    assert response.status_code == 400
    assert response.context["start_form"].errors["period"]
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not ReportBatch.objects.exists()


def test_a_township_official_sees_batches_but_starts_none(tree, rendered):
    township = User.objects.create_user(
        username="township", password="x", role=Role.TOWNSHIP_OFFICIAL, region=tree.township
    )
    client = Client()
    client.force_login(township)
    assert 'id="start-batch"' not in client.get("/reports/batches/").content.decode()
    assert client.post("/reports/batches/start/", {"kind": "monthly", "period": last_month()}).status_code == 403
