"""The dashboard journeys in the browser: the city official drills from the city's dashboard down to a station,
then asks for the city's quarterly report from its dashboard and downloads it."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from reports.rollups.refresh import rollups_refresh
from tests.services.helpers import log

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page: Page) -> list[str]:
    """Script errors and Content-Security-Policy violations reported while the pages run."""
    seen = []
    page.on("pageerror", lambda error: seen.append(str(error)))
    page.on("console", lambda m: "Content Security Policy" in m.text and seen.append(m.text))
    return seen


def test_the_city_official_drills_from_the_city_to_a_station(page: Page, live_server, live_world):
    """City -> county -> township -> the station page, each dashboard showing its own figures and charts."""
    station = live_world.stations["S1"]
    for _n in range(3):
        log(station, live_world.users["manager"], date.today(), kind="community", headcount=4)
    rollups_refresh()
    seen = watch(page)
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, live_server.url, "city")

    page.goto(f"{live_server.url}/")
    expect(page.locator("h1")).to_contain_text("甲市")
    expect(page.locator("[data-card='records'] [data-value]")).to_have_text("3")
    expect(page.locator("#months-chart svg")).to_be_visible()
    expect(page.locator("#visits-chart svg")).to_be_visible()

    page.locator("#children-table").get_by_role("link", name="甲一县").click()
    expect(page.locator("h1")).to_contain_text("甲一县")
    expect(page.locator("#dashboard-breadcrumb")).to_contain_text("甲市")
    expect(page.locator("#to-ranking")).to_be_visible()

    page.locator("#children-table").get_by_role("link", name="马桥街道").click()
    expect(page.locator("h1")).to_contain_text("马桥街道")
    row = page.locator(f"#children-table tr[data-child='station-{station.pk}']")
    expect(row).to_contain_text("3")

    row.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/stations/{station.pk}/")

    # Back on the city's dashboard, the quarter: its report is one button away, then downloaded.
    page.goto(f"{live_server.url}/")
    page.locator("#period-kinds [data-kind='quarter']").click()
    page.locator("#dashboard-report button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("季报 · 甲市")
    download_link = page.locator("a[href*='/download/']").first
    expect(download_link).to_be_visible(timeout=90_000)
    with page.expect_download() as info:
        download_link.click()
    with open(info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert seen == []


def test_a_quarter_picked_and_the_ranking_reached_from_the_county(page: Page, live_server, live_world):
    """The county official switches the dashboard to the quarter, then opens the township ranking of that quarter."""
    log(live_world.stations["S2"], live_world.users["manager"], date.today(), kind="community", headcount=4)
    rollups_refresh()
    seen = watch(page)
    sign_in(page, live_server.url, "county")

    page.goto(f"{live_server.url}/reports/dashboard/")
    page.locator("#period-kinds [data-kind='quarter']").click()
    expect(page.locator("#period-input")).to_have_value(f"{date.today().year}-Q{(date.today().month - 1) // 3 + 1}")
    page.locator("#to-ranking").click()

    first = page.locator("#ranking-table tbody tr").first
    expect(first).to_contain_text("许村镇")
    expect(first.locator("td").first).to_have_text("1")
    assert seen == []
