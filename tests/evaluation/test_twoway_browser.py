"""The two-way assessment in headless Chromium: the station manager rates the township's support, the total follows
the scores as they are typed (static/js/two_way.js), and the pair page shows the rating beside the other side's."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from evaluation.models import TwoWayAssessment
from tests.browser import conftest as browser
from tests.browser.conftest import sign_in

# The browser fixtures live in tests/browser/conftest.py (the system Chromium, the world): they apply here too.
browser_type_launch_args = browser.browser_type_launch_args
browser_context_args = browser.browser_context_args
live_world = browser.live_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def test_the_manager_rates_the_support_with_a_live_total(page: Page, live_server, live_world):
    station = live_world.stations["S1"]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/evaluation/stations/{station.pk}/two-way/")
    page.locator("#two-way-support a.btn").click()
    expect(page).to_have_url(re.compile(r"/two-way/support/\d{4}/$"))

    inputs = page.locator("input[data-two-way-score]")
    expect(inputs).to_have_count(5)
    total = page.locator("[data-two-way-total]")
    for index, value in enumerate(["25", "20.5", "18", "15", "12"]):
        inputs.nth(index).fill(value)
    expect(total).to_have_text("90.5")
    inputs.nth(0).fill("26")  # above its maximum of 25: marked, and left out of the total
    expect(inputs.nth(0)).to_have_class(re.compile(r"is-invalid"))
    expect(total).to_have_text("65.5")
    inputs.nth(0).fill("25")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "two_way_rate.png"), full_page=True)
    page.locator("#two-way-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/two-way/\?year=\d{4}$"))
    expect(page.locator("#two-way-support")).to_contain_text("90.5")
    page.screenshot(path=str(SHOTS / "two_way_pair.png"), full_page=True)
    assert TwoWayAssessment.objects.get(direction="support").total == Decimal("90.5")
