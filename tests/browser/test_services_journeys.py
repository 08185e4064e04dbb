"""Services journeys in headless Chromium: a worker logs a visit from the keyboard; a manager reads the portfolio."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from services.models import ServiceRecord
from tests.services.helpers import beneficiary, project

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_logs_a_visit_without_the_mouse(page: Page, live_server, live_world):
    station = live_world.stations["S1"]
    wang = beneficiary(station, 1, name="王秀英", key_target=True)
    beneficiary(station, 2, name="王建国")
    project(station, date.today().year, "basic", "elderly_alone", name="银龄守护")
    sign_in(page, live_server.url, "worker")
    page.goto(f"{live_server.url}/services/stations/{station.pk}/log/")

    page.keyboard.press("Alt+4")  # the fourth kind: visit
    expect(page.locator("input[name=kind][value=visit]")).to_be_checked()
    page.select_option("#id_project", label="银龄守护")
    page.locator("#beneficiary-search").press_sequentially("王")
    options = page.locator("#beneficiary-options [role=option]")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("王秀英")  # key targets first
    page.keyboard.press("Enter")
    expect(page.locator("#beneficiary-chips")).to_contain_text("王秀英")
    page.fill("#id_summary", "上门探访，血压正常")
    page.keyboard.press("Control+Enter")

    expect(page).to_have_url(re.compile(r"/log/\?saved=\d+$"))
    expect(page.locator(".alert-success")).to_be_visible()
    record = ServiceRecord.objects.get()
    assert (record.kind, list(record.beneficiaries.all()), record.project.name) == ("visit", [wang], "银龄守护")
    # The next record starts from the same project and kind.
    expect(page.locator("#id_project option:checked")).to_have_text("银龄守护")
    expect(page.locator("#today-heading")).to_be_visible()
    expect(page.locator("[data-record]")).to_have_count(1)


def test_manager_sees_what_the_portfolio_lacks_and_fills_a_place(page: Page, live_server, live_world):
    station = live_world.stations["S1"]
    project(station, date.today().year, "core", name="党管社工人才服务")
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/services/stations/{station.pk}/portfolio/")
    expect(page.locator("#portfolio-problems [data-problem]")).to_have_count(5)
    page.locator('[data-slot="brand:governance"] a').click()
    expect(page.locator("#id_category")).to_have_value("brand")
    expect(page.locator("#id_subtype")).to_have_value("governance")
    page.fill("#id_name", "邻里议事厅")
    page.fill("#id_target_beneficiaries", "40")
    page.fill("#id_target_sessions", "12")
    page.fill("#id_target_communities", "1")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="邻里议事厅")).to_be_visible()
    page.goto(f"{live_server.url}/services/stations/{station.pk}/portfolio/")
    expect(page.locator("#portfolio-problems [data-problem]")).to_have_count(4)


def test_on_a_phone_the_worker_is_ticked_the_lookup_waits_for_the_input_method_and_save_stays_in_view(
    page: Page, live_server, live_world
):
    """375 x 812: the save bar stays on screen, taps are 44 px or more, the list of people stays inside the screen,
    and nothing is asked while pinyin is being composed."""
    from tests.services.helpers import staff_member

    station = live_world.stations["S1"]
    live_world.users["worker"].full_name = "吴晓婷"
    live_world.users["worker"].save()
    me = staff_member(station, 3, user=live_world.users["worker"], name="吴晓婷")
    liu = beneficiary(station, 4, name="刘根林", key_target=True)
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, live_server.url, "worker")
    asked = []
    page.on("request", lambda request: "/lookup/" in request.url and asked.append(request.url))
    page.goto(f"{live_server.url}/services/stations/{station.pk}/log/")
    expect(page.locator(f"input[name=staff][value='{me.pk}']")).to_be_checked()

    save = page.locator("#save-record")
    assert save.bounding_box()["y"] + save.bounding_box()["height"] <= 812  # in view at the top of the form
    search = page.locator("#beneficiary-search")
    search.scroll_into_view_if_needed()
    search.click()
    # An input method composing "liu": the box shows the letters, but no lookup is sent until it commits.
    search.dispatch_event("compositionstart")
    for text in ("l", "li", "liu"):
        search.evaluate(
            "(el, text) => { el.value = text; el.dispatchEvent(new InputEvent('input', "
            "{bubbles: true, isComposing: true})); }",
            text,
        )
    page.wait_for_timeout(400)
    assert asked == [] and page.locator("#beneficiary-options").is_hidden()
    search.evaluate(
        "el => { el.value = '刘'; el.dispatchEvent(new CompositionEvent('compositionend', {data: '刘'})); }"
    )
    options = page.locator("#beneficiary-options [role=option]")
    expect(options).to_have_count(1)
    assert len(asked) == 1
    box = page.locator("#beneficiary-options").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 812
    bar = page.locator("#service-log-form > .card-footer").bounding_box()
    assert box["y"] + box["height"] <= bar["y"] + 1  # not hidden under the sticky save bar
    page.keyboard.press("Enter")
    expect(page.locator("#beneficiary-chips")).to_contain_text("刘根林")

    assert save.bounding_box()["y"] + save.bounding_box()["height"] <= 812  # still in view down the form
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll(
            '#service-log-form .btn, #service-log-form .form-check, #service-log-form .form-control,'
            + ' #service-log-form .form-select, #records-switch .btn'))
          .map((el) => el.getBoundingClientRect())
          .filter((r) => r.width > 0 && r.height < 44).length"""
    )
    assert small == 0
    save.click()
    expect(page).to_have_url(re.compile(r"/log/\?saved=\d+$"))
    record = ServiceRecord.objects.get()
    assert (list(record.beneficiaries.all()), list(record.staff.all())) == ([liu], [me])
