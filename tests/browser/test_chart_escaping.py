"""Charts show names as text: a region named like markup runs nothing, under the Content Security Policy."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ProjectFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKUP = "<img src=x onerror=alert(1)>"


def watch(page: Page) -> dict:
    """Dialogs opened and Content-Security-Policy violations reported while the page runs."""
    seen = {"dialogs": [], "csp": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: "Content Security Policy" in m.text and seen["csp"].append(m.text))
    return seen


def test_a_region_named_like_markup_shows_literally_in_the_dashboard_chart_tooltip(page: Page, live_server, live_world):
    county = live_world.regions["A1"]
    county.name = MARKUP
    county.save()
    seen = watch(page)
    sign_in(page, live_server.url, "city")

    page.goto(f"{live_server.url}/")
    chart = page.locator("#visits-chart")  # the officials' home is the dashboard: visit rate by region
    expect(chart.locator("svg")).to_be_visible()
    # ECharts' tooltip is the HTML block beside the SVG; it names the visit rate and its goal, the axis labels do not.
    tooltip = chart.locator("div").filter(has_text="%").filter(has_not=page.locator("svg"))
    box = chart.bounding_box()
    # Sweep across the plot until the tooltip of the renamed county's bar shows.
    for step in range(1, 20):
        chart.hover(position={"x": box["width"] * step / 20, "y": box["height"] * 0.6})
        if tooltip.count() and MARKUP in tooltip.last.inner_text():
            break

    expect(tooltip.last).to_be_visible()
    assert MARKUP in tooltip.last.inner_text(), "the name is shown as text"
    assert chart.locator("img").count() == 0, "and never becomes an element"
    page.wait_for_timeout(300)
    assert seen["dialogs"] == []
    assert seen["csp"] == [], "ECharts and the page's scripts run under the policy"


def test_the_api_docs_render_under_the_content_security_policy(page: Page, live_server, live_world):
    seen = watch(page)
    sign_in(page, live_server.url, "admin")

    response = page.goto(f"{live_server.url}/api/v1/docs/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .information-container")).to_be_visible(timeout=20_000)
    assert seen["csp"] == []


def test_the_portfolio_year_select_submits_its_form_without_an_inline_handler(page: Page, live_server, live_world):
    station = live_world.stations["S1"]
    last_year = date.today().year - 1
    ProjectFactory(station=station, year=last_year)
    seen = watch(page)
    sign_in(page, live_server.url, "manager")

    page.goto(f"{live_server.url}/services/stations/{station.pk}/portfolio/")
    with page.expect_navigation():
        page.locator("#portfolio-year").select_option(str(last_year))

    assert f"year={last_year}" in page.url
    expect(page.locator("#portfolio-year")).to_have_value(str(last_year))
    assert seen["csp"] == []
