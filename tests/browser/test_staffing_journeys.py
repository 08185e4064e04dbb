"""Staffing journeys in headless Chromium: the manager keeps the roster and volunteers, the official finds failures."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from staffing.models import StaffMember, Volunteer, VolunteerHours
from staffing.validators import id_number_check_char

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def id_number(n: int, born: str) -> str:
    body = f"330481{born}{n:03d}"
    return body + id_number_check_char(body)


def test_manager_adds_a_worker_sees_the_error_next_to_the_field_then_the_roster(page: Page, live_server, live_world):
    station = live_world.stations["S1"]
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/staffing/stations/{station.pk}/staff/new/")
    page.fill("#id_name", "沈丽萍")
    page.select_option("#id_gender", "female")
    right = id_number(1, "19930211")
    page.fill("#id_id_number", right[:-1] + ("1" if right[-1] == "0" else "0"))  # one check digit off
    page.select_option("#id_role", "full_time")
    page.select_option("#id_certification", "assistant")
    page.fill("#id_hired_on", "2026-02-01")
    page.fill("#id_annual_salary", "118000")
    page.get_by_role("button", name="保存").click()

    error = page.locator("#id_id_number_errors")
    expect(error).to_contain_text("校验")
    assert not StaffMember.objects.exists()

    page.fill("#id_id_number", right)
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/staffing/stations/{station.pk}/roster/$"))
    row = page.locator("tr", has_text="沈丽萍")
    expect(row).to_contain_text("330481********")
    expect(page.locator('[data-rule="full_time_staff"]')).to_have_attribute("data-ok", "false")


def test_manager_records_volunteer_hours_from_the_quick_form(page: Page, live_server, live_world):
    station = live_world.stations["S1"]
    volunteer = Volunteer.objects.create(
        station=station, name="钱玉兰", id_number=id_number(2, "19600812"), registered_on=date(2024, 1, 1)
    )
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/staffing/stations/{station.pk}/volunteers/")
    page.select_option("#id_volunteer", str(volunteer.pk))
    page.fill("#id_hours", "25")
    page.fill("#id_activity", "助餐")
    page.get_by_role("button", name="记录").click()
    expect(page.locator("#id_hours_errors")).to_be_visible()
    assert not VolunteerHours.objects.exists()

    page.fill("#id_hours", "2.5")
    page.get_by_role("button", name="记录").click()
    expect(page.locator(".alert-success")).to_contain_text("钱玉兰")
    assert VolunteerHours.objects.get().hours == 2.5


def test_city_official_filters_the_compliance_page_by_rule(page: Page, live_server, live_world):
    from reports.rollups.refresh import rollups_repair

    rollups_repair(months=1)  # the page reads the month's rollup, as the nightly repair and the refresh keep it
    sign_in(page, live_server.url, "city")
    page.get_by_role("link", name="人员配备达标").first.click()
    expect(page).to_have_url(re.compile(r"/staffing/compliance/"))
    page.select_option("#id_rule", "certified_staff")
    page.get_by_role("button", name="筛选").click()
    table = page.locator("#compliance-table")
    expect(table).to_contain_text("马桥街道社会工作站")
    expect(table.locator('[data-rule="certified_staff"][data-ok="false"]').first).to_be_visible()
