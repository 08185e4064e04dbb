"""The funding journeys in the browser: a budget drafted, refused at 72 %, corrected, submitted and approved."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from funding.choices import BudgetStatus
from funding.models import Budget
from tests.funding.helpers import spend

from .conftest import sign_in

YEAR = date.today().year


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_budget_journey_in_the_browser(page, live_server, live_world):
    """The manager saves a draft at 72 % (refused in red), corrects and submits it; the township official approves it
    from the queue; the station page then shows the bars against spending."""
    station = live_world.stations["S1"]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}{reverse('funding:budget-create', args=[station.pk])}?year={YEAR}")
    for name, value in {
        "line_personnel": "288000",
        "line_activities": "112000",
        "source_township_fiscal": "400000",
    }.items():
        page.fill(f"#id_{name}", value)
    page.locator("#budget-form button[type=submit]").click()
    expect(page.locator("#budget-problems")).to_contain_text("人员经费占 72.00%，超过 70%")

    page.locator("a[href$='/edit/']").first.click()
    page.fill("#id_line_personnel", "280000")
    page.fill("#id_line_activities", "120000")
    page.locator("#budget-form button[type=submit]").click()
    page.locator("form[action$='/submit/'] button").click()
    expect(page.locator("[data-budget-status]").first).to_have_attribute("data-budget-status", "submitted")

    page.context.clear_cookies()
    sign_in(page, live_server.url, "township")
    page.goto(f"{live_server.url}{reverse('funding:budget-queue')}")
    page.locator("form[action$='/approve/'] button").click()
    assert Budget.objects.get().status == BudgetStatus.APPROVED

    spend(station, "252000.00", line="personnel")
    spend(station, "60000.00", line="activities", source="city_fiscal")
    page.goto(f"{live_server.url}{reverse('funding:budget', args=[station.pk])}")
    expect(page.locator("#execution-lines tr[data-key='personnel']")).to_have_attribute("data-level", "warning")
