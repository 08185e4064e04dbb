"""The dashboard pages: the officials' dashboard (their home) and the township ranking, showing ``dashboard()``."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from config.periods import MONTH, QUARTER, current_period
from reports.dashboard import dashboard
from reports.models import Report
from reports.rollups.refresh import rollups_refresh
from services.models import ServicePolicy
from stations.choices import RegionLevel
from tests.factories import RegionFactory, StationFactory
from tests.services.helpers import beneficiary, log

TODAY = timezone.localdate()
MONTH_NOW = current_period(MONTH, today=TODAY)
QUARTER_NOW = current_period(QUARTER, today=TODAY)
QUARTER_BEFORE = QUARTER_NOW.previous()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def records(world, station_key: str, count: int, on=TODAY, kind="community"):
    station = world.stations[station_key]
    for _n in range(count):
        log(station, world.users["manager"], on, kind=kind, headcount=2)


def filled(world, **counts):
    """Records this month in the named stations (``S1=3``), the rollups refreshed."""
    for key, count in counts.items():
        records(world, key, count)
    rollups_refresh()
    return world


def sheet_rows(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


# --- the dashboard ---------------------------------------------------------------------------------------


def test_the_cards_show_the_figures_of_dashboard_and_their_change(world):
    last_month = MONTH_NOW.previous()
    for key, count in (("S1", 3), ("S2", 1), ("S3", 2)):
        records(world, key, count, on=last_month.first)
    records(world, "S1", 1, on=last_month.first - timedelta(days=1))
    rollups_refresh()
    city = world.users["city"]

    response = signed_in(city).get("/reports/dashboard/", {"region": world.regions["A"].pk, "period": last_month.key})

    board = response.context["board"]
    expected = dashboard(city, period=last_month, region_id=world.regions["A"].pk)
    assert board.figures == expected.figures and board.previous == expected.previous
    cards = {card.key: card for card in response.context["cards"]}
    assert cards["records"].value == str(expected.figures.services.records) == "6"
    assert cards["records"].change.text == "+5" and cards["records"].change.tone == "success"
    html = response.content.decode()
    assert 'data-card="records"' in html and 'data-change="up"' in html


def test_a_running_month_shows_its_totals_so_far_beside_the_whole_previous_month(world):
    """Half a month against a whole one is not a fall: while the month runs, the records, people, hours, visits
    and spending so far stand beside the previous month's whole figure, without an arrow; the stations and the
    rates of a day (coverage, compliance) keep their change."""
    filled(world, S1=1)
    records(world, "S1", 4, on=MONTH_NOW.first - timedelta(days=1))
    rollups_refresh()

    response = signed_in(world.users["city"]).get("/reports/dashboard/", {"region": world.regions["A"].pk})

    cards = {card.key: card for card in response.context["cards"]}
    assert cards["records"].value == "1"
    assert cards["records"].change.text == "上期全期 4" and cards["records"].change.direction == "whole"
    assert cards["stations"].change.direction == "same"
    html = response.content.decode()
    assert "进行中" in html and 'data-change="whole"' in html and 'data-change="down"' not in html


def test_the_children_are_the_counties_ranked_each_linking_to_its_own_dashboard(world):
    filled(world, S1=3, S2=1, S3=2)

    response = signed_in(world.users["city"]).get("/reports/dashboard/", {"period": MONTH_NOW.key})

    rows = response.context["object_list"]
    assert [(row.child.name, row.child.rank, row.figures.services.records) for row in rows] == [
        ("甲一县", 1, 4),
        ("甲二区", 2, 2),
    ]
    html = response.content.decode()
    assert f'href="/reports/dashboard/?region={world.regions["A1"].pk}&amp;period={MONTH_NOW.key}"' in html


def test_a_township_lists_its_stations_linking_to_the_station_page(world):
    filled(world, S1=2)
    township = world.regions["T1"]

    response = signed_in(world.users["county"]).get("/reports/dashboard/", {"region": township.pk})

    [row] = response.context["object_list"]
    assert row.child.kind == "station" and row.url == f"/stations/{world.stations['S1'].pk}/"
    assert [name for name, _pk in response.context["crumbs"]] == ["甲一县", "马桥街道"]


def test_sorting_by_a_column_orders_the_rows_and_the_rank_follows_rank_by(world):
    filled(world, S1=3, S3=5)
    client = signed_in(world.users["city"])

    by_records = client.get("/reports/dashboard/", {"sort": "-services.records"}).context["object_list"]
    ascending = client.get("/reports/dashboard/", {"sort": "services.records"}).context["object_list"]

    assert [row.child.name for row in by_records] == ["甲二区", "甲一县"]
    assert [row.child.name for row in ascending] == ["甲一县", "甲二区"]
    assert [row.child.rank for row in by_records] == [1, 2]


def test_station_staff_get_their_station_s_dashboard_without_a_table(world):
    filled(world, S1=2)

    response = signed_in(world.users["worker"]).get("/reports/dashboard/")

    board = response.context["board"]
    assert board.level == "station" and board.figures.services.records == 2
    assert "children-table" not in response.content.decode()


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "9999-99", "x"])
def test_a_bad_period_shows_the_message_beside_the_input_and_no_figures(world, period):
    response = signed_in(world.users["city"]).get("/reports/dashboard/", {"period": period})

    assert response.status_code == 200
    assert response.context["board"] is None
    html = response.content.decode()
    assert 'id="period-error"' in html and "dashboard-cards" not in html
    assert 'aria-invalid="true"' in html


def test_next_month_has_not_begun(world):
    after = MONTH_NOW.last + timedelta(days=1)
    response = signed_in(world.users["city"]).get("/reports/dashboard/", {"period": f"{after:%Y-%m}"})

    assert response.context["asked"].error and response.context["board"] is None
    export = signed_in(world.users["city"]).get("/reports/dashboard/export/", {"period": f"{after:%Y-%m}"})
    assert export.status_code == 400


def test_a_region_outside_the_reach_is_not_found(world):
    assert (
        signed_in(world.users["outsider"]).get("/reports/dashboard/", {"region": world.regions["A1"].pk}).status_code
        == 404
    )
    assert (
        signed_in(world.users["county"]).get("/reports/dashboard/", {"region": world.regions["A"].pk}).status_code
        == 404
    )
    assert (
        signed_in(world.users["manager"]).get("/reports/dashboard/", {"region": world.regions["T1"].pk}).status_code
        == 404
    )


def test_evaluators_have_no_dashboard(world):
    assert signed_in(world.users["evaluator"]).get("/reports/dashboard/").status_code == 403
    assert signed_in(world.users["evaluator"]).get("/reports/ranking/").status_code == 403


def test_the_visit_goal_is_the_services_policy_of_each_child(world):
    ServicePolicy.objects.create(region=world.regions["A1"], year=MONTH_NOW.year, key_target_visit_goal=Decimal("0.80"))

    response = signed_in(world.users["city"]).get("/reports/dashboard/")

    visits = response.context["chart"]["visits"]
    assert dict(zip(visits["names"], visits["goals"], strict=True)) == {"甲一县": 0.8, "甲二区": 1.0}


def test_the_dashboard_takes_as_many_queries_for_many_children_as_for_few(world, django_assert_num_queries):
    filled(world, S1=1)
    client = signed_in(world.users["city"])
    url = f"/reports/dashboard/?region={world.regions['A'].pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        county = RegionFactory(
            name=f"新县{n}", code=f"3304{90 + n}000000", level=RegionLevel.COUNTY, parent=world.regions["A"]
        )
        township = RegionFactory(name=f"新镇{n}", code=f"3304{90 + n}100000", level=RegionLevel.TOWNSHIP, parent=county)
        station = StationFactory(township=township)
        log(station, world.users["manager"], TODAY, kind="community", headcount=2)
    rollups_refresh()

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["object_list"]) == 8


def test_the_export_holds_every_child_with_exact_figures(world):
    filled(world, S1=3, S3=2)
    beneficiary(world.stations["S1"], 1, key_target=True)

    response = signed_in(world.users["city"]).get("/reports/dashboard/export/", {"sort": "name"})

    rows = sheet_rows(response)
    header = rows[0]
    assert header[:3] == ["排名", "地区", "运营中的站点"]
    records_at = header.index("服务记录")
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"甲一县", "甲二区"}
    assert by_name["甲一县"][records_at] == 3 and by_name["甲二区"][records_at] == 2
    assert response["Cache-Control"] == "no-store"


# --- the officials' home and the menu --------------------------------------------------------------------


def test_the_officials_home_is_their_dashboard_with_the_contracts_ending(world):
    response = signed_in(world.users["county"]).get("/")

    assert response.templates[0].name == "reports/dashboard/dashboard.html"
    assert response.context["board"].subject == world.regions["A1"]
    assert "contracts_ending" in response.context


def test_station_staff_keep_their_home_and_have_the_dashboard_in_the_menu(world):
    response = signed_in(world.users["manager"]).get("/")

    assert response.templates[0].name == "stations/home.html"
    entries = [(str(item.label), item.url) for item in response.context["nav_items"]]
    assert ("数据看板", "/reports/dashboard/") in entries


def test_on_the_dashboard_the_menu_marks_the_dashboard_not_the_reports(world):
    response = signed_in(world.users["city"]).get("/reports/dashboard/")

    active = [str(item.label) for item in response.context["nav_items"] if item.active]
    assert active == ["数据看板"]


# --- the ranking -----------------------------------------------------------------------------------------


def ranked_world(world):
    """T2 led the previous quarter; T1 leads this one."""
    records(world, "S2", 3, on=QUARTER_BEFORE.first)
    records(world, "S1", 1, on=QUARTER_BEFORE.first)
    records(world, "S1", 4, on=QUARTER_NOW.first)
    records(world, "S2", 2, on=QUARTER_NOW.first)
    rollups_refresh()
    return world


def test_the_ranking_ranks_the_townships_with_their_change_from_the_previous_quarter(world):
    ranked_world(world)

    response = signed_in(world.users["city"]).get(
        "/reports/ranking/",
        {"region": world.regions["A"].pk, "period": QUARTER_NOW.key, "rank_by": "services.records"},
    )

    rows = response.context["object_list"]
    assert [(row.child.name, row.child.rank, row.rank_change_text) for row in rows] == [
        ("马桥街道", 1, "▲1"),
        ("许村镇", 2, "▼1"),
        ("大桥镇", 3, "—"),
    ]
    expected = dashboard(world.users["city"], period=QUARTER_NOW, region_id=world.regions["A"].pk, townships=True)
    assert [row.figures for row in rows] == [child.figures for child in expected.children]


def test_a_township_unranked_the_quarter_before_is_new(world):
    """Ranked by the visit rate, a township whose key targets were first registered this quarter is new."""
    beneficiary(world.stations["S1"], 1, key_target=True, registered_on=QUARTER_NOW.first)
    records(world, "S1", 1, on=QUARTER_NOW.first)
    rollups_refresh()

    response = signed_in(world.users["county"]).get("/reports/ranking/", {"rank_by": "visits.rate"})

    rows = response.context["object_list"]
    assert [(row.child.name, row.child.rank, row.rank_change_text) for row in rows] == [
        ("马桥街道", 1, "新上榜"),
        ("许村镇", None, "—"),
    ]


@pytest.mark.parametrize("period", [MONTH_NOW.key, str(TODAY.year)])
def test_the_ranking_refuses_a_month_or_a_year(world, period):
    response = signed_in(world.users["city"]).get("/reports/ranking/", {"period": period})

    assert response.status_code == 200 and response.context["board"] is None
    assert "季度" in response.context["asked"].error


def test_a_township_official_is_asked_for_a_region_to_rank(world):
    response = signed_in(world.users["township"]).get("/reports/ranking/")

    assert response.status_code == 200 and response.context["region"] is None
    assert signed_in(world.users["township"]).get("/reports/ranking/export/").status_code == 400


def test_the_ranking_export_holds_every_township_with_its_county_and_change(world):
    ranked_world(world)

    response = signed_in(world.users["city"]).get("/reports/ranking/export/", {"period": QUARTER_NOW.key})

    rows = sheet_rows(response)
    header = rows[0]
    name, county, moved = header.index("镇（街道）"), header.index("区县"), header.index("较上季度变化")
    assert [(row[name], row[county], row[moved]) for row in rows[1:]] == [
        ("马桥街道", "甲一县", "▲1"),
        ("许村镇", "甲一县", "▼1"),
        ("大桥镇", "甲二区", "—"),
    ]


def test_the_ranking_takes_as_many_queries_for_many_townships_as_for_few(world, django_assert_num_queries):
    ranked_world(world)
    client = signed_in(world.users["city"])
    url = f"/reports/ranking/?period={QUARTER_NOW.key}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        township = RegionFactory(
            name=f"新镇{n}", code=f"33048120{n}000", level=RegionLevel.TOWNSHIP, parent=world.regions["A1"]
        )
        log(StationFactory(township=township), world.users["manager"], QUARTER_NOW.first, kind="community", headcount=2)
    rollups_refresh()

    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["object_list"]) == 8


def test_a_county_dashboard_links_to_its_ranking(world):
    html = signed_in(world.users["county"]).get("/reports/dashboard/").content.decode()

    assert f'href="/reports/ranking/?region={world.regions["A1"].pk}&amp;period={QUARTER_NOW.key}"' in html


@pytest.mark.parametrize(
    ("role", "period", "expected"),
    [
        ("city", QUARTER_NOW.key, {"kind": "quarterly", "region": "A"}),
        ("county", MONTH_NOW.key, {"kind": "monthly", "region": "A1"}),
        ("township", MONTH_NOW.key, {"kind": "monthly", "region": "T1"}),
        ("township", QUARTER_NOW.key, None),  # a quarterly report ranks townships: of a county or above
        ("manager", MONTH_NOW.key, {"kind": "monthly", "station": "S1"}),
        ("city", str(TODAY.year), None),  # no yearly report
    ],
)
def test_the_dashboard_offers_the_report_of_what_it_shows(world, role, period, expected):
    context = signed_in(world.users[role]).get("/reports/dashboard/", {"period": period}).context
    asked = context["report_request"]
    if expected is None:
        assert asked is None
        return
    subject = "station" if "station" in expected else "region"
    place = world.stations[expected["station"]] if subject == "station" else world.regions[expected["region"]]
    assert (asked["kind"], asked["period"], asked[subject]) == (expected["kind"], period, place.pk)
    page = signed_in(world.users[role]).get("/reports/dashboard/", {"period": period}).content.decode()
    assert 'id="dashboard-report"' in page


def test_the_report_asked_from_the_dashboard_is_the_one_of_its_region_and_period(world):
    client = signed_in(world.users["city"])
    response = client.post(
        "/reports/request/", {"kind": "quarterly", "region": world.regions["A"].pk, "period": QUARTER_NOW.key}
    )
    assert response.status_code == 302
    report = Report.objects.get(kind="quarterly", region=world.regions["A"], period=QUARTER_NOW.key)
    assert response["Location"].endswith(f"/reports/{report.pk}/")
