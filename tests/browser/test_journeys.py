"""The main journeys, driven in headless Chromium against a live server."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_official_filters_opens_a_station_and_downloads_its_pdf(page: Page, live_server, live_world):
    sign_in(page, live_server.url, "city")
    page.goto(f"{live_server.url}/stations/")
    expect(page.get_by_text("大桥镇社会工作站")).to_be_visible()

    page.fill("#id_q", "马桥")
    page.click("form[role=search] button[type=submit]")
    expect(page.get_by_text("大桥镇社会工作站")).to_have_count(0)
    page.get_by_role("link", name="马桥街道社会工作站").first.click()
    expect(page).to_have_url(re.compile(rf"/stations/{live_world.stations['S1'].pk}/$"))

    page.locator("form[action$='/reports/request/'] button[type=submit]").first.click()
    download_link = page.locator("a[href*='/download/']").first
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_link.click()
    path = info.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_station_manager_cannot_open_another_station(page: Page, live_server, live_world):
    sign_in(page, live_server.url, "manager")
    response = page.goto(f"{live_server.url}/stations/{live_world.stations['S2'].pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/stations/{live_world.stations['S1'].pk}/")
    assert response.status == 200
    expect(page.get_by_role("heading", name=re.compile("马桥街道社会工作站"))).to_be_visible()
