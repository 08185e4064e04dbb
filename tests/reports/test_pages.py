"""Report pages: ask once, follow, retry, download; nothing outside the user's scope, no N+1."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.choices import ReportKind, ReportStatus
from reports.models import Report

pytestmark = pytest.mark.django_db

REQUEST_URL = reverse("reports:request")


def ask(client, station, **extra):
    """POST the request form for ``station``'s profile."""
    return client.post(REQUEST_URL, {"kind": ReportKind.STATION_PROFILE, "station": station.pk, **extra})


def done_report(report: Report) -> Report:
    """``report`` finished, with a small PDF."""
    report.file.save("ignored.pdf", ContentFile(b"%PDF-1.7 profile"), save=False)
    report.status = ReportStatus.DONE
    report.save()
    return report


def test_asking_twice_for_the_same_report_is_one_job(client, official, station, django_capture_on_commit_callbacks):
    """Given an official, when they ask twice for a station's profile, then one job exists and is rendered once."""
    client.force_login(official)

    with django_capture_on_commit_callbacks(execute=True) as first_queue:
        first = ask(client, station)
    with django_capture_on_commit_callbacks(execute=True) as second_queue:
        second = ask(client, station)

    report = Report.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("reports:detail", args=[report.pk])
    assert (len(first_queue), len(second_queue)) == (1, 0)
    assert report.status == ReportStatus.DONE and report.attempts == 1


def test_rebuild_queues_a_finished_report_again(client, official, profile_report, django_capture_on_commit_callbacks):
    """Given a done report, when a rebuild is asked for, then the same job is rendered again."""
    done_report(profile_report)
    client.force_login(official)

    with django_capture_on_commit_callbacks(execute=True) as queue:
        response = ask(client, profile_report.station, rebuild="on")

    profile_report.refresh_from_db()
    assert response.url == reverse("reports:detail", args=[profile_report.pk])
    assert len(queue) == 1
    assert (profile_report.status, profile_report.attempts) == (ReportStatus.DONE, 1)
    assert profile_report.file.open("rb").read(5) == b"%PDF-"
    assert Report.objects.count() == 1


def test_asking_for_a_station_outside_the_scope_is_not_found(
    client, outsider, station, django_capture_on_commit_callbacks
):
    """Given an official of another city, when they ask for the station's profile, then 404 and no job."""
    client.force_login(outsider)

    with django_capture_on_commit_callbacks(execute=True) as queue:
        response = ask(client, station)

    assert response.status_code == 404
    assert (Report.objects.count(), len(queue)) == (0, 0)


def test_asking_without_the_right_is_forbidden(client, official, station, monkeypatch):
    """Given an official whose role lacks reports.add_report, when they ask, then 403 and no job."""
    monkeypatch.setattr("accounts.backends.role_permissions", lambda role: frozenset({"reports.view_report"}))
    client.force_login(official)

    response = ask(client, station)

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_an_incomplete_request_is_refused(client, official, station):
    """A request with an unknown kind is a 400 and creates nothing."""
    client.force_login(official)

    response = client.post(REQUEST_URL, {"kind": "horoscope", "station": station.pk})

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_asking_needs_a_post(client, official, station):
    """The request URL changes state, so a GET is refused."""
    client.force_login(official)

    assert client.get(REQUEST_URL, {"kind": ReportKind.STATION_PROFILE, "station": station.pk}).status_code == 405


@pytest.mark.parametrize("name", ["reports:list", "reports:detail", "reports:download"])
def test_anonymous_visitors_are_sent_to_sign_in(client, profile_report, name):
    """Every report page asks an anonymous visitor to sign in."""
    args = [] if name == "reports:list" else [profile_report.pk]

    response = client.get(reverse(name, args=args))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["reports:detail", "reports:download"])
def test_a_report_outside_the_scope_is_not_found(client, outsider, profile_report, name):
    """Given a done report of a station elsewhere, its page and its file are 404 to an outsider."""
    done_report(profile_report)
    client.force_login(outsider)

    assert client.get(reverse(name, args=[profile_report.pk])).status_code == 404


def test_the_list_shows_only_reports_in_scope(client, official, outsider, profile_report):
    """An outsider's list does not show the report an official of the station's city sees."""
    detail_url = reverse("reports:detail", args=[profile_report.pk])

    client.force_login(official)
    assert detail_url in client.get(reverse("reports:list")).content.decode()
    client.force_login(outsider)
    assert detail_url not in client.get(reverse("reports:list")).content.decode()


def list_queries(client) -> int:
    """Number of queries the report list takes."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reports:list")).status_code == 200
    return len(queries)


def test_the_list_takes_as_many_queries_for_twelve_reports_as_for_one(
    client, official, station, django_assert_max_num_queries
):
    """Twelve reports list in as many queries as one, and in few: no N+1."""
    client.force_login(official)
    Report.objects.create(kind=ReportKind.STATION_PROFILE, station=station, period="2026-01", requested_by=official)
    one = list_queries(client)
    for month in range(2, 13):
        Report.objects.create(
            kind=ReportKind.STATION_PROFILE, station=station, period=f"2026-{month:02d}", requested_by=official
        )

    with django_assert_max_num_queries(one):
        response = client.get(reverse("reports:list"))

    assert one <= 10
    assert response.content.decode().count('class="badge') == 12


def test_download_serves_the_pdf_in_scope(client, official, profile_report):
    """Given a done report, its file downloads as a PDF attachment named after the station."""
    done_report(profile_report)
    client.force_login(official)

    response = client.get(reverse("reports:download", args=[profile_report.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 profile"
    assert "attachment" in response["Content-Disposition"]


def test_a_pending_report_page_follows_its_job(client, official, profile_report):
    """While the job is pending, its page polls the API and shows progress."""
    client.force_login(official)

    page = client.get(reverse("reports:detail", args=[profile_report.pk])).content.decode()

    assert reverse("api:report-detail", args=[profile_report.pk]) in page
    assert "progress-bar" in page


def test_a_failed_report_page_shows_the_reason_and_a_retry(client, official, profile_report):
    """A failed job's page shows why, and a button posting a rebuild of the same report."""
    Report.objects.filter(pk=profile_report.pk).update(status=ReportStatus.FAILED, error="ValueError: broken")
    client.force_login(official)

    page = client.get(reverse("reports:detail", args=[profile_report.pk])).content.decode()

    assert "ValueError: broken" in page
    assert f'action="{REQUEST_URL}"' in page and 'name="rebuild"' in page
    assert "progress-bar" not in page
