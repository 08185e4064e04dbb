"""The report archive (issue 11 item 6): find reports by kind, period and place; places found by typing, in scope.

World (tests/conftest.py): city A > county A1 (甲一县) > T1 马桥街道 (S1), T2 许村镇 (S2); A > A2 > T3 大桥镇 (S3);
city B > B1 > TB 八一镇 (SB). Stations are named after their township: 马桥街道社会工作站 and so on.
"""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from playwright.sync_api import expect

from config import urls as portal_urls  # first: it registers the ``id`` converter that config.api's routes use

# isort: split
from config import api as portal_api
from reports import api as reports_api
from reports.choices import ReportKind
from reports.filters import period_keys_within
from reports.models import Report
from stations.choices import RegionLevel
from tests.browser.conftest import browser_context_args, browser_type_launch_args, live_world, sign_in  # noqa: F401
from tests.factories import RegionFactory, StationFactory

LOOKUP = "/api/v1/lookup/places/"

if any(getattr(pattern, "name", None) == "place-lookup" for pattern in portal_api.urlpatterns):
    pytestmark = pytest.mark.django_db
else:
    # Until config/api.py lists reports.api.PATHS, this module serves them beside the portal's own routes.
    urlpatterns = [
        path("api/v1/", include(([*reports_api.PATHS, *portal_api.urlpatterns], "api"))),
        *[pattern for pattern in portal_urls.urlpatterns if getattr(pattern, "namespace", None) != "api"],
    ]
    handler400, handler403 = portal_urls.handler400, portal_urls.handler403
    handler404, handler500 = portal_urls.handler404, portal_urls.handler500
    pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def keys(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [place["id"] for place in response.json()["results"]]


def key(kind: str, thing) -> str:
    return f"{kind}:{thing.pk}"


def report(*, station=None, region=None, period="", kind=ReportKind.STATION_PROFILE) -> Report:
    return Report.objects.create(kind=kind, station=station, region=region, period=period, status="done")


def listed(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row.pk for row in response.context["reports"]}


# --- the lookup -----------------------------------------------------------------------------------------------


def test_the_lookup_finds_regions_and_stations_by_part_of_the_name_regions_first(world):
    """Typing 马桥 offers the township and its station, each with what lies above it."""
    response = signed_in(world.users["city"]).get(LOOKUP, {"q": "马桥"})
    assert keys(response) == [key("region", world.regions["T1"]), key("station", world.stations["S1"])]
    township, station = response.json()["results"]
    assert township["where"] == "甲一县"
    assert station["where"] == "甲一县 · 马桥街道"
    assert station["name"] == "马桥街道社会工作站"


def test_the_lookup_finds_places_by_the_start_of_the_division_code(world):
    """330481 is county A1's code: the county, its townships and their stations; never city A above it."""
    found = keys(signed_in(world.users["city"]).get(LOOKUP, {"q": "330481"}))
    r, s = world.regions, world.stations
    assert found == [key("region", r["A1"]), key("region", r["T1"]), key("region", r["T2"])] + [
        key("station", s["S1"]),
        key("station", s["S2"]),
    ]


def test_the_lookup_never_offers_an_outsider_the_places_of_city_a(world):
    """City B's official finds nothing of city A, by name or by code, and still finds their own."""
    client = signed_in(world.users["outsider"])
    for text in ("马桥", "甲市", "甲一县", "社会工作站街道", "330481", "3304"):
        assert keys(client.get(LOOKUP, {"q": text})) == [], text
    assert keys(client.get(LOOKUP, {"q": "社会工作站"})) == [key("station", world.stations["SB"])]


def test_the_lookup_offers_a_station_manager_their_station_only(world):
    """A manager of S1 reaches S1 and its township; the neighbouring township and county are not offered."""
    client = signed_in(world.users["manager"])
    assert keys(client.get(LOOKUP, {"q": "社会工作站"})) == [key("station", world.stations["S1"])]
    assert keys(client.get(LOOKUP, {"q": "许村"})) == []
    assert keys(client.get(LOOKUP, {"q": "甲一"})) == []


def test_the_lookup_offers_no_village_or_community(world):
    """Reports are never about a community: 利民社区 is not offered."""
    assert keys(signed_in(world.users["city"]).get(LOOKUP, {"q": "利民"})) == []


def test_the_lookup_needs_two_characters_and_keeps_to_a_kind_when_asked(world):
    client = signed_in(world.users["city"])
    assert keys(client.get(LOOKUP, {"q": "马"})) == []
    assert keys(client.get(LOOKUP, {"q": "马桥", "kind": "station"})) == [key("station", world.stations["S1"])]
    assert keys(client.get(LOOKUP, {"q": "马桥", "kind": "region"})) == [key("region", world.regions["T1"])]
    bad = client.get(LOOKUP, {"q": "马桥", "kind": "village"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_the_lookup_answers_at_most_twenty_places_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    """Thirty townships named 测试 and their stations: twenty places come back, names that start with the text
    first, in seven queries whatever the scope's size: the session, the user, their permissions (two), their
    region (the scope), the regions matching and the stations matching."""
    for number in range(30):
        township = RegionFactory(
            name=f"测试{number:02d}镇",
            code=f"3304813{number:02d}000",
            level=RegionLevel.TOWNSHIP,
            parent=world.regions["A1"],
        )
        StationFactory(township=township)
    client = signed_in(world.users["city"])
    client.get(LOOKUP, {"q": "测试"})  # the session is read once before counting
    with django_assert_max_num_queries(7):
        found = keys(client.get(LOOKUP, {"q": "测试"}))
    assert len(found) == 20
    assert all(place.startswith("region:") for place in found)


def test_the_lookup_is_refused_to_anonymous_callers(world):
    assert Client().get(LOOKUP, {"q": "马桥"}).status_code in (401, 403)


# --- periods --------------------------------------------------------------------------------------------------


def test_a_year_holds_its_quarters_and_months_and_a_quarter_its_months():
    from datetime import date

    from config.periods import parse_period

    today = date(2026, 12, 2)
    assert period_keys_within(parse_period("2026-Q3", today=today)) == ["2026-Q3", "2026-07", "2026-08", "2026-09"]
    year = period_keys_within(parse_period("2025", today=today))
    assert year[:5] == ["2025", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"] and len(year) == 17
    assert period_keys_within(parse_period("2026-10", today=today)) == ["2026-10"]


# --- the list page's filters ----------------------------------------------------------------------------------


@pytest.fixture
def archive(world):
    """Reports of several kinds, periods and subjects across city A and city B."""
    s, r = world.stations, world.regions
    return {
        "s1_profile": report(station=s["S1"]),
        "s1_july": report(station=s["S1"], period="2025-07"),
        "s2_q3": report(station=s["S2"], period="2025-Q3"),
        "s3_year": report(station=s["S3"], period="2025"),
        "a1_q3": report(region=r["A1"], period="2025-Q3"),
        "t1_dec": report(region=r["T1"], period="2024-12"),
        "a_year": report(region=r["A"], period="2025"),
        "sb_july": report(station=s["SB"], period="2025-07"),
    }


def pks(archive, *names) -> set[int]:
    return {archive[name].pk for name in names}


def test_the_archive_filters_by_a_period_and_finds_what_lies_within_it(world, archive):
    """2025-Q3 finds the quarter's reports and its months'; 2025 the year's, its quarters' and its months'."""
    client = signed_in(world.users["city"])
    assert listed(client.get("/reports/", {"period": "2025-Q3"})) == pks(archive, "s1_july", "s2_q3", "a1_q3")
    assert listed(client.get("/reports/", {"period": "2025"})) == pks(
        archive, "s1_july", "s2_q3", "s3_year", "a1_q3", "a_year"
    )
    assert listed(client.get("/reports/", {"period": "2024-12"})) == pks(archive, "t1_dec")


def test_the_archive_filters_by_kind(world, archive):
    client = signed_in(world.users["city"])
    assert listed(client.get("/reports/", {"kind": "evaluation"})) == set()
    assert len(listed(client.get("/reports/", {"kind": "station_profile"}))) == 7  # all of city A's


@pytest.mark.parametrize(
    "period, message",
    [
        ("2026-13", "13"),
        ("2026-Q5", "5"),
        ("2999", None),
        ("2030-01", "2030-01"),
        ("十月", None),
        ("2026-1", None),
    ],
)
def test_a_bad_period_is_an_error_beside_its_input_and_lists_nothing(world, archive, period, message):
    """A month 13, a quarter 5, a year out of range, a period not begun or a wrong form: the page says so beside
    the period input (aria-described), lists no report, and is no 500."""
    response = signed_in(world.users["city"]).get("/reports/", {"period": period})
    assert response.status_code == 200
    errors = response.context["filter_form"].errors["period"]
    assert errors and (message is None or message in errors[0])
    assert listed(response) == set()
    page = response.content.decode()
    assert 'id="id_period_errors"' in page and 'aria-invalid="true"' in page


def test_a_bad_period_is_a_400_with_a_field_message_in_the_api(world, archive, api_client_for):
    response = api_client_for("city").get("/api/v1/reports/", {"period": "2026-Q5"})
    assert response.status_code == 400
    assert "period" in response.json()


def test_the_api_filters_by_period_and_region_below_as_the_page_does(world, archive, api_client_for):
    response = api_client_for("city").get("/api/v1/reports/", {"period": "2025-Q3", "within": world.regions["A1"].pk})
    assert {row["id"] for row in response.json()["results"]} == pks(archive, "s1_july", "s2_q3", "a1_q3")


def test_a_station_picked_finds_its_reports(world, archive):
    response = signed_in(world.users["city"]).get(
        "/reports/", {"station": world.stations["S1"].pk, "place": "马桥街道社会工作站"}
    )
    assert listed(response) == pks(archive, "s1_profile", "s1_july")
    assert response.context["place_chosen"].key == key("station", world.stations["S1"])


def test_a_region_picked_finds_its_reports_and_every_report_below_it(world, archive):
    """County A1: its own report, its township T1's and the reports of S1 and S2; not S3 (A2) nor city A's own."""
    response = signed_in(world.users["city"]).get("/reports/", {"within": world.regions["A1"].pk})
    assert listed(response) == pks(archive, "s1_profile", "s1_july", "s2_q3", "a1_q3", "t1_dec")
    page = response.content.decode()
    assert f'name="within" value="{world.regions["A1"].pk}"' in page
    assert 'value="甲一县"' in page  # the box shows the place picked


def test_without_javascript_the_typed_text_finds_reports_of_places_named_so_or_below_them(world, archive):
    """No id, only the text: 甲一县 finds what a pick of the county finds; 马桥 the township's and its station's;
    a division code's start finds the places under it."""
    client = signed_in(world.users["city"])
    county = pks(archive, "s1_profile", "s1_july", "s2_q3", "a1_q3", "t1_dec")
    assert listed(client.get("/reports/", {"place": "甲一县"})) == county
    assert listed(client.get("/reports/", {"place": "马桥"})) == pks(archive, "s1_profile", "s1_july", "t1_dec")
    assert listed(client.get("/reports/", {"place": "330481"})) == county
    assert listed(client.get("/reports/", {"place": "许村镇社会"})) == pks(archive, "s2_q3")


def test_a_picked_place_wins_over_the_text_left_in_the_box(world, archive):
    response = signed_in(world.users["city"]).get("/reports/", {"station": world.stations["S2"].pk, "place": "马桥"})
    assert listed(response) == pks(archive, "s2_q3")


def test_an_outsider_filtering_on_city_as_places_sees_neither_reports_nor_names(world, archive):
    """City B's official with S1's id or city A's region id: nothing listed, and the page never names the place."""
    client = signed_in(world.users["outsider"])
    for params in ({"station": world.stations["S1"].pk}, {"within": world.regions["A"].pk}, {"place": "马桥"}):
        response = client.get("/reports/", params)
        assert listed(response) == set()
        assert response.context["place_chosen"] is None
        assert "马桥街道" not in response.content.decode() and "甲市" not in response.content.decode()
    assert listed(client.get("/reports/")) == pks(archive, "sb_july")


def test_the_archive_page_keeps_a_fixed_query_count_however_many_reports_and_stations(world):
    """One report or sixty over forty stations, with a place picked and a period: the same number of queries."""
    client = signed_in(world.users["city"])
    params = {"within": world.regions["A1"].pk, "period": "2025", "kind": "station_profile"}
    report(station=world.stations["S1"], period="2025-01")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/reports/", params).status_code == 200
        return len(queries)

    few = count()
    for number in range(40):
        township = RegionFactory(
            name=f"新镇{number:02d}",
            code=f"3304814{number:02d}000",
            level=RegionLevel.TOWNSHIP,
            parent=world.regions["A1"],
        )
        station = StationFactory(township=township)
        report(station=station, period="2025-02")
        report(station=station, period="2025-Q1")
    many = count()
    assert many == few
    assert few <= 12


# --- without JavaScript, and the request form ------------------------------------------------------------------


def test_the_page_draws_an_accessible_combobox_and_no_inline_script(world):
    page = signed_in(world.users["county"]).get("/reports/").content.decode()
    box = re.search(r'<input type="text"[^>]*id="filter-place-input"[^>]*>', page, re.S).group(0)
    for attribute in ('name="place"', 'role="combobox"', 'aria-autocomplete="list"', 'aria-expanded="false"'):
        assert attribute in box
    assert 'aria-controls="filter-place-options"' in box and 'id="filter-place-options" role="listbox"' in page
    assert 'data-place-lookup="/api/v1/lookup/places/"' in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "js/place_lookup.js" in page
    assert 'id="report-station"' not in page  # no list of stations to pick from: a search box


def test_a_station_manager_asks_for_a_report_of_their_station_without_picking_it(world):
    response = signed_in(world.users["manager"]).get("/reports/")
    page = response.content.decode()
    assert response.context["single_station"] == world.stations["S1"]
    assert f'name="station" value="{world.stations["S1"].pk}"' in page
    assert 'id="report-place-input"' not in page


def test_a_request_picked_in_the_box_posts_the_station_id(world):
    response = signed_in(world.users["county"]).post(
        "/reports/request/",
        {"kind": "station_profile", "station": world.stations["S2"].pk, "station_text": "许村镇社会工作站"},
    )
    assert response.status_code == 302
    assert Report.objects.get(kind="station_profile").station == world.stations["S2"]


def test_without_javascript_a_request_typed_naming_one_station_asks_for_it(world):
    """许村 is one station in county A1's reach: its report is asked for at once."""
    response = signed_in(world.users["county"]).post(
        "/reports/request/", {"kind": "station_profile", "station_text": "许村"}
    )
    made = Report.objects.get(kind="station_profile")
    assert made.station == world.stations["S2"]
    assert response.status_code == 302 and response["Location"] == f"/reports/{made.pk}/"


def test_without_javascript_a_request_typed_naming_several_stations_offers_them_to_choose(world):
    """社会工作站 names S1 and S2 in county A1: no report yet, the form comes back with the two to choose from."""
    client = signed_in(world.users["county"])
    response = client.post("/reports/request/", {"kind": "station_profile", "station_text": "社会工作站"})
    assert response.status_code == 302 and not Report.objects.exists()
    page = client.get(response["Location"])
    assert [place.pk for place in page.context["ask_matches"]] == [world.stations["S1"].pk, world.stations["S2"].pk]
    html = page.content.decode()
    assert f'type="radio" name="station" value="{world.stations["S2"].pk}"' in html
    assert "大桥镇" not in html.split('id="report-station-choices"')[1].split("</fieldset>")[0]


def test_a_request_typed_naming_no_station_in_reach_asks_for_nothing(world):
    """The outsider types 马桥: S1 is not in their reach, so nothing is asked and no name of city A is shown."""
    client = signed_in(world.users["outsider"])
    response = client.post("/reports/request/", {"kind": "station_profile", "station_text": "马桥"})
    assert response.status_code == 302 and not Report.objects.exists()
    page = client.get(response["Location"])
    assert page.context["ask_matches"] == []
    assert "马桥街道社会工作站" not in page.content.decode()


def test_a_request_naming_no_station_at_all_is_refused(world):
    client = signed_in(world.users["county"])
    assert client.post("/reports/request/", {"kind": "station_profile"}).status_code == 400
    assert not Report.objects.exists()


# --- in the browser -------------------------------------------------------------------------------------------

SHOTS = Path("/tmp/shots")


def browser_reports(world) -> None:
    report(station=world.stations["S1"], period="2025-07")
    report(station=world.stations["S2"], period="2025-Q3")
    report(region=world.regions["T1"], period="2025-Q3")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_official_types_two_characters_picks_a_station_and_finds_its_reports(page, live_server, live_world):  # noqa: F811
    """马桥 offers the township and its station; ↓ and Enter pick the station, the search finds its report only."""
    browser_reports(live_world)
    sign_in(page, live_server.url, "county")
    page.goto(f"{live_server.url}/reports/")
    box = page.locator("#filter-place-input")
    box.press_sequentially("马桥", delay=30)
    options = page.locator("#filter-place-options [role=option]")
    expect(options).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(options.first).to_contain_text("马桥街道")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "report-archive-suggestions.png"))
    box.press("ArrowDown")
    expect(box).to_have_attribute(
        "aria-activedescendant", f"filter-place-option-station-{live_world.stations['S1'].pk}"
    )
    box.press("Enter")  # picks; the list closes
    expect(box).to_have_value("马桥街道社会工作站")
    expect(page.locator("#filter-place-options")).to_be_hidden()
    box.press("Enter")  # submits
    expect(page).to_have_url(re.compile(rf"station={live_world.stations['S1'].pk}"))
    rows = page.locator("table.portal-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("马桥街道社会工作站")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_archive_finds_reports_by_the_typed_text(browser, live_server, live_world):  # noqa: F811
    """No script at all: the place box is a text box; 许村 finds one station's reports, 甲一县 in 2025-Q3 the county's,
    and a quarter 5 is an error beside the period."""
    browser_reports(live_world)
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "city")
    page.goto(f"{live_server.url}/reports/")
    page.fill("#filter-place-input", "许村")
    page.click("#report-filters button[type=submit]")
    rows = page.locator("table.portal-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("许村镇社会工作站")
    page.fill("#filter-place-input", "甲一县")
    page.fill("#id_period", "2025-Q3")
    page.click("#report-filters button[type=submit]")
    expect(rows).to_have_count(3)  # S1's July, S2's and T1's third quarter
    page.fill("#id_period", "2025-Q5")
    page.click("#report-filters button[type=submit]")
    expect(page.locator("#id_period_errors")).to_be_visible()
    context.close()
