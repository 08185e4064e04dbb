"""The monthly and quarterly reports: which may be asked for, and that their PDFs show the dashboard's numbers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from config.periods import parse_period
from reports.choices import ReportKind
from reports.dashboard import dashboard, figures_data
from reports.models import Report, StationMonth, StationYear
from reports.periodic import PeriodicError, percent_text, periodic_check
from reports.rendering import render_report_pdf
from reports.rollups.regions import regions_refresh
from stations.choices import RegionLevel
from stations.models import Region

from .pdftools import pdf_text

TODAY = date(2026, 5, 15)


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English; the PDFs are in the portal's language whatever the request's."""
    with translation.override("en"):
        yield


def last_month() -> str:
    return (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


@pytest.mark.parametrize(
    ("kind", "period", "message"),
    [
        (ReportKind.MONTHLY, "2026-13", "month 13"),
        (ReportKind.QUARTERLY, "2026-Q5", "quarter 5"),
        (ReportKind.MONTHLY, "2026-06", "has not begun"),
        (ReportKind.QUARTERLY, "2026-Q3", "has not begun"),
        (ReportKind.MONTHLY, "2026-Q1", "2026-10"),
        (ReportKind.QUARTERLY, "2026-03", "2026-Q3"),
        (ReportKind.MONTHLY, "2026", "2026-10"),
        (ReportKind.MONTHLY, "", "month"),
    ],
)
def test_a_period_that_does_not_exist_has_not_begun_or_is_of_the_wrong_kind_is_refused(place, kind, period, message):
    with pytest.raises(PeriodicError) as refused:
        periodic_check(kind, period=period, station=None, region=place.county, today=TODAY)
    assert refused.value.field == "period"
    assert message in refused.value.message


def test_a_month_and_a_quarter_that_have_begun_are_accepted(place, station):
    assert periodic_check(ReportKind.MONTHLY, period="2026-05", station=station, region=None, today=TODAY).key == (
        "2026-05"
    )
    assert periodic_check(ReportKind.QUARTERLY, period="2026-Q2", station=None, region=place.city, today=TODAY).key == (
        "2026-Q2"
    )


def test_a_quarterly_report_is_of_a_county_or_above_never_of_a_station_or_a_township(place, station):
    with pytest.raises(PeriodicError) as of_station:
        periodic_check(ReportKind.QUARTERLY, period="2026-Q1", station=station, region=None, today=TODAY)
    assert of_station.value.field == "station"
    with pytest.raises(PeriodicError) as of_township:
        periodic_check(ReportKind.QUARTERLY, period="2026-Q1", station=None, region=place.township, today=TODAY)
    assert of_township.value.field == "region"


def test_a_monthly_report_is_of_no_community(place):
    with pytest.raises(PeriodicError) as refused:
        periodic_check(ReportKind.MONTHLY, period="2026-01", station=None, region=place.communities[0], today=TODAY)
    assert refused.value.field == "region"


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "2099-01", "2026-Q1"])
def test_the_api_refuses_a_bad_period_with_400_and_a_field_message(place, official, period):
    client = APIClient()
    client.force_authenticate(official)
    response = client.post(
        "/api/v1/reports/", {"kind": "monthly", "region": place.county.pk, "period": period}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["period"]
    assert not Report.objects.exists()


def test_the_api_asks_for_a_regions_monthly_report_once(place, official):
    client = APIClient()
    client.force_authenticate(official)
    body = {"kind": "monthly", "region": place.county.pk, "period": last_month()}
    first = client.post("/api/v1/reports/", body, format="json")
    again = client.post("/api/v1/reports/", body, format="json")
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["region"] == place.county.pk and first.json()["period"] == last_month()
    assert Report.objects.filter(kind="monthly", region=place.county).count() == 1


def test_the_api_refuses_a_region_outside_the_scope(place, outsider):
    client = APIClient()
    client.force_authenticate(outsider)
    response = client.post(
        "/api/v1/reports/", {"kind": "monthly", "region": place.county.pk, "period": last_month()}, format="json"
    )
    assert response.status_code == 400
    assert "region" in response.json()


def test_the_page_refuses_a_bad_period_with_a_message(client, place, official):
    client.force_login(official)
    response = client.post(
        "/reports/request/",
        {"kind": "quarterly", "region": place.county.pk, "period": "2026-Q5"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "There is no quarter 5" in response.content.decode()
    assert not Report.objects.exists()


def rollup(station, month: date, **figures) -> StationMonth:
    township = station.township
    return StationMonth.objects.create(
        station=station, month=month, township=township, county=township.parent, city=township.parent.parent, **figures
    )


@pytest.fixture
def figures(station):
    """Two months of rollups of the station (the month before last and last month) and its year's budget."""
    month = parse_period(last_month(), today=date.today()).first
    before = (month - timedelta(days=1)).replace(day=1)
    rollup(
        station,
        before,
        records=40,
        kind_case=10,
        kind_visit=30,
        people_served=25,
        headcount=60,
        service_minutes=3000,
        key_targets=20,
        key_targets_visited=12,
        volunteer_hours=Decimal("30.5"),
        spent=Decimal("52000.00"),
        line_personnel=Decimal("40000.00"),
        source_city_fiscal=Decimal("52000.00"),
    )
    rollup(
        station,
        month,
        records=57,
        kind_case=17,
        kind_group=5,
        kind_visit=35,
        people_served=33,
        headcount=81,
        service_minutes=4530,
        key_targets=24,
        key_targets_visited=19,
        volunteer_hours=Decimal("41.5"),
        spent=Decimal("61234.56"),
        line_personnel=Decimal("45678.90"),
        source_city_fiscal=Decimal("61234.56"),
        compliance_checked=True,
        compliant=False,
        fail_certified_staff=True,
    )
    township = station.township
    StationYear.objects.create(
        station=station,
        year=month.year,
        budget=Decimal("900000.00"),
        township=township,
        county=township.parent,
        city=township.parent.parent,
    )
    regions_refresh(months=[before, month])  # the region rows the regions' reports read, summed from these
    return month


def text_numbers(text: str) -> str:
    return " ".join(text.split())


def test_a_stations_monthly_pdf_shows_the_dashboards_numbers(station, figures, tmp_path):
    report = Report.objects.create(kind=ReportKind.MONTHLY, station=station, period=last_month())
    text = text_numbers(pdf_text(render_report_pdf(report), tmp_path))
    period = parse_period(last_month(), today=date.today())
    data = figures_data(dashboard(None, period=period, subject=station).figures)
    assert data["services"]["records"] == 57  # the rollup, read by the dashboard
    for shown in (
        str(data["services"]["records"]),
        str(data["services"]["people_served"]),
        str(data["services"]["headcount"]),
        data["services"]["hours"],
        data["volunteer_hours"],
        data["funding"]["spent"],
        data["funding"]["budget"],
        percent_text(data["visits"]["rate"]),
        percent_text(data["funding"]["personnel_share"]),
    ):
        assert shown in text, shown
    assert "+17" in text  # records: 57 this month against 40 the month before
    assert "编制人" in text and "审核人" in text and "签发日期" in text
    # DOMAIN.md section 7's monthly figures beyond the dashboard's: target groups, turnover, the 123X projects
    assert "各类服务对象人数" in text and "人员流动" in text and "流失率" in text and "“123X”项目" in text
    assert "城乡两级" not in text and "City share" not in text  # a station's report leaves out the township split


def test_a_countys_monthly_pdf_lists_its_townships_and_the_split(place, station, figures, tmp_path):
    report = Report.objects.create(kind=ReportKind.MONTHLY, region=place.county, period=last_month())
    text = text_numbers(pdf_text(render_report_pdf(report), tmp_path))
    assert place.township.name in text
    assert "61234.56" in text


def test_a_citys_quarterly_pdf_ranks_its_townships_with_the_dashboards_numbers(place, station, figures, tmp_path):
    other = Region.objects.create(name="新丰镇", code="330402101000", level=RegionLevel.TOWNSHIP, parent=place.county)
    quarter = parse_period(f"{figures.year}-Q{(figures.month - 1) // 3 + 1}", today=date.today())
    report = Report.objects.create(kind=ReportKind.QUARTERLY, region=place.city, period=quarter.key)
    text = text_numbers(pdf_text(render_report_pdf(report), tmp_path))
    board = dashboard(None, period=quarter, subject=place.city, townships=True)
    ranked = {child.name: child.rank for child in board.children}
    assert ranked[place.township.name] == 1 and other.name in ranked
    data = figures_data(board.figures)
    assert str(data["services"]["records"]) in text
    assert data["funding"]["spent"] in text
    assert f"1 {place.township.name}" in text
    assert "目录" in text or "Contents" in text
