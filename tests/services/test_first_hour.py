"""What a new user meets in their first hour on the services pages: the month in progress is progress, not a
failure; the logging form knows who is logging; selects say 请选择; lists say what they count and add it up."""

import importlib
from datetime import date, timedelta

import pytest
from django import forms
from django.apps import apps
from django.test import Client

from config.forms import PortalFormMixin
from services.models import ServiceRecord
from services.rules import month_visit_rate, visit_progress
from services.selectors import record_totals

from .helpers import beneficiary, log, staff_member

pytestmark = pytest.mark.django_db

TODAY = date.today()
PORTAL_APPS = ("accounts", "stations", "staffing", "services", "evaluation", "reports", "funding")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def s1(world):
    return world.stations["S1"]


# --- the visit rate of the month in progress ----------------------------------------------------------------------


def test_a_month_in_progress_is_not_judged_however_low_its_rate(world, s1):
    """On 2 December one key target of three visited is progress: no verdict until the month has ended."""
    people = [beneficiary(s1, n, key_target=True) for n in (1, 2, 3)]
    log(s1, world.users["worker"], date(2026, 12, 1), people=people[:1])
    in_progress = month_visit_rate(station=s1, month="2026-12", on=date(2026, 12, 2))
    assert (in_progress.final, in_progress.goal_met, str(in_progress.rate)) == (False, None, "0.33")
    assert in_progress.as_of == date(2026, 12, 2)
    ended = month_visit_rate(station=s1, month="2026-12", on=date(2027, 1, 1))
    assert (ended.final, ended.goal_met, ended.as_of) == (True, False, date(2026, 12, 31))


def test_the_last_day_of_a_month_is_still_in_progress_and_the_next_day_is_final(world, s1):
    everyone = beneficiary(s1, 4, key_target=True)
    log(s1, world.users["worker"], date(2026, 11, 3), people=[everyone])
    assert month_visit_rate(station=s1, month="2026-11", on=date(2026, 11, 30)).final is False
    final = month_visit_rate(station=s1, month="2026-11", on=date(2026, 12, 1))
    assert (final.final, final.goal_met) == (True, True)


def test_visit_progress_leads_with_last_months_final_rate(world, s1):
    person = beneficiary(s1, 5, key_target=True)
    log(s1, world.users["worker"], date(2026, 11, 20), people=[person])
    progress = visit_progress(station=s1, on=date(2026, 12, 2))
    assert (progress.last_month.month, progress.last_month.final, progress.last_month.goal_met) == (
        date(2026, 11, 1),
        True,
        True,
    )
    assert (progress.this_month.month, progress.this_month.final, progress.this_month.rate) == (
        date(2026, 12, 1),
        False,
        0,
    )


def test_the_visits_page_shows_this_month_as_progress_in_a_neutral_colour_and_last_month_first(world, s1):
    beneficiary(s1, 6, key_target=True)
    html = signed_in(world.users["worker"]).get(f"/services/stations/{s1.pk}/visits/").content.decode()
    assert html.index('id="visit-rate-last-month"') < html.index('id="visit-rate"')
    at = html.index('id="visit-rate"')
    this_month = html[html.rindex('<div class="card', 0, at) : html.index("</div></div></div>", at)]
    assert 'data-final="0"' in this_month and "截至今日" in this_month
    assert "text-danger" not in this_month and "portal-stat-info" in this_month


def test_the_visits_page_gives_each_key_target_still_to_visit_their_last_visit_longest_ago_first(world, s1):
    worker = world.users["worker"]
    never, long_ago, lately = (beneficiary(s1, n, key_target=True) for n in (7, 8, 9))
    start = TODAY.replace(day=1)
    log(s1, worker, start - timedelta(days=70), people=[long_ago, lately])
    log(s1, worker, start - timedelta(days=5), people=[lately])
    page = signed_in(worker).get(f"/services/stations/{s1.pk}/visits/")
    assert [(person, person.last_visit) for person in page.context["waiting"]] == [
        (never, None),
        (long_ago, start - timedelta(days=70)),
        (lately, start - timedelta(days=5)),
    ]
    html = page.content.decode()
    assert f'data-last-visit="{start - timedelta(days=5):%Y-%m-%d}"' in html and "从未探访" in html


def test_the_station_home_leads_with_last_months_final_rate_and_shows_this_month_so_far(world, s1):
    """Everyone visited last month, nobody yet this month: the card is green, this month's 0 % only progress."""
    person = beneficiary(s1, 10, key_target=True)
    log(s1, world.users["worker"], TODAY.replace(day=1) - timedelta(days=3), people=[person])
    html = signed_in(world.users["worker"]).get("/").content.decode()
    at = html.index('id="glance-visits"')
    card = html[html.rindex("<a ", 0, at) : html.index("</a>", at)]
    assert 'data-final-rate="1.00"' in card and 'data-rate-so-far="0.00"' in card
    assert "本月截至今日" in card and "（全月）" in card
    assert "portal-stat-success" in card and "portal-stat-warning" not in card


# --- the logging form ---------------------------------------------------------------------------------------------


def test_the_signed_in_worker_is_ticked_among_the_staff_by_their_linked_staff_record(world, s1):
    worker = world.users["worker"]
    me, colleague = staff_member(s1, 20, user=worker), staff_member(s1, 21)
    form = signed_in(worker).get(f"/services/stations/{s1.pk}/log/").context["form"]
    assert form["staff"].value() == [me.pk]
    assert colleague.pk not in form["staff"].value()


def test_an_account_without_a_linked_record_is_matched_by_its_full_name_only_when_unambiguous(world, s1):
    worker = world.users["worker"]
    worker.full_name = "吴晓婷"
    worker.save()
    same = staff_member(s1, 22, name="吴晓婷")
    url = f"/services/stations/{s1.pk}/log/"
    assert signed_in(worker).get(url).context["form"]["staff"].value() == [same.pk]
    staff_member(s1, 23, name="吴晓婷")  # a namesake: no guess
    assert not signed_in(worker).get(url).context["form"]["staff"].value()


def test_todays_records_are_mine_by_default_with_a_switch_to_the_whole_stations(world, s1):
    worker, manager = world.users["worker"], world.users["manager"]
    me = staff_member(s1, 24, user=worker)
    mine = log(s1, worker, TODAY, headcount=1)
    served = log(s1, manager, TODAY, staff=[me], headcount=1)  # logged by the manager, served by me
    theirs = log(s1, manager, TODAY, headcount=1)
    client = signed_in(worker)
    url = f"/services/stations/{s1.pk}/log/"
    assert {r.pk for r in client.get(url).context["today_records"]} == {mine.pk, served.pk}
    station = client.get(url, {"records": "station"})
    assert {r.pk for r in station.context["today_records"]} == {mine.pk, served.pk, theirs.pk}
    assert 'aria-current="true">全站记录' in station.content.decode()


def test_the_lookup_waits_for_the_input_method_and_the_dropdown_fits_the_screen():
    """The picker's script asks nothing while a composition is open, and the list is as wide as its box."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = (root / "static/js/beneficiary_picker.js").read_text()
    assert "compositionstart" in script and "compositionend" in script and "if (composing" in script
    css = (root / "static/css/portal.css").read_text()
    assert ".portal-lookup-options" in css and "max-width: 100%" in css and "position: sticky" in css


# --- 请选择 on every select of the portal --------------------------------------------------------------------------


def portal_form_classes() -> list[type]:
    for app in PORTAL_APPS:
        if not apps.is_installed(app):
            continue
        for module in ("forms", "views"):
            try:
                importlib.import_module(f"{app}.{module}")
            except ModuleNotFoundError:
                continue
    found, queue = [], [forms.BaseForm]
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PORTAL_APPS and not cls.__name__.startswith("Historical"):
            found.append(cls)
    return found


def test_every_form_of_the_portal_names_its_empty_choice_please_choose():
    classes = portal_form_classes()
    assert len(classes) >= 20
    forgotten = [f"{cls.__module__}.{cls.__name__}" for cls in classes if not issubclass(cls, PortalFormMixin)]
    assert forgotten == []


def test_no_select_on_the_logging_and_case_forms_shows_dashes(world, s1):
    staff_member(s1, 25)
    client = signed_in(world.users["manager"])
    for url in (f"/services/stations/{s1.pk}/log/", f"/services/stations/{s1.pk}/cases/new/"):
        html = client.get(url).content.decode()
        assert "---------" not in html and "请选择" in html, url


# --- the new-case form and the records list -----------------------------------------------------------------------


def test_the_new_case_form_finds_the_beneficiary_by_typing_and_lists_nobody(world, s1):
    people = [beneficiary(s1, n) for n in range(30, 36)]
    worker = world.users["worker"]
    me = staff_member(s1, 36, user=worker)
    client = signed_in(worker)
    page = client.get(f"/services/stations/{s1.pk}/cases/new/", {"beneficiary": people[2].pk})
    html = page.content.decode()
    assert 'id="beneficiary-search"' in html and f'<option value="{people[0].pk}"' not in html
    assert [p.pk for p in page.context["form"].chosen_beneficiaries()] == [people[2].pk]
    assert page.context["form"]["worker"].value() == me.pk
    assert "开案日期" in html and "负责社工" in html
    created = client.post(
        f"/services/stations/{s1.pk}/cases/new/",
        {"beneficiary": people[2].pk, "worker": me.pk, "opened_on": TODAY.isoformat(), "intake_notes": "独居"},
    )
    assert created.status_code == 302 and people[2].cases.get().worker == me


def test_the_records_list_filters_by_worker_and_person_shows_who_served_and_adds_up(world, s1):
    worker = world.users["worker"]
    wu, li = staff_member(s1, 40, name="吴"), staff_member(s1, 41, name="李")
    a, b = beneficiary(s1, 42), beneficiary(s1, 43)
    log(s1, worker, TODAY, people=[a, b], staff=[wu], headcount=3, duration_minutes=90)
    log(s1, worker, TODAY, people=[a], staff=[wu, li], duration_minutes=30)
    log(s1, worker, TODAY, people=[b], staff=[li], headcount=2, duration_minutes=45)
    client = signed_in(worker)
    url = f"/services/stations/{s1.pk}/records/"
    everything = client.get(url).context["totals"]
    assert (everything.records, everything.people, everything.unregistered, str(everything.hours)) == (3, 2, 5, "2.8")
    by_wu = client.get(url, {"worker": wu.pk})
    assert by_wu.context["paginator"].count == 2
    assert (by_wu.context["totals"].records, by_wu.context["totals"].people, by_wu.context["totals"].minutes) == (
        2,
        2,
        120,
    )
    for_b = client.get(url, {"beneficiary": b.pk})
    assert (for_b.context["totals"].records, for_b.context["totals"].unregistered) == (2, 5)
    html = for_b.content.decode()
    assert "李" in html and "服务人员" in html and "登记服务对象人数" in html and "未登记人次" in html
    totals_row = html[html.index("data-totals") : html.index("</tfoot>")]
    assert "合计 2 条记录" in totals_row and "135 分钟（2.3 小时）" in totals_row


def test_record_totals_take_one_query_and_count_a_record_once_however_many_people_it_names(
    world, s1, django_assert_num_queries
):
    people = [beneficiary(s1, n) for n in range(50, 55)]
    log(s1, world.users["worker"], TODAY, people=people, duration_minutes=60)
    with django_assert_num_queries(1):
        totals = record_totals(ServiceRecord.objects.filter(station=s1))
    assert (totals.records, totals.people, totals.minutes) == (1, 5, 60)
    with django_assert_num_queries(1):
        assert record_totals(ServiceRecord.objects.filter(station=s1, kind="meeting")).records == 0


def test_the_records_list_takes_the_same_number_of_queries_for_one_record_or_many(world, s1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker = world.users["worker"]
    member = staff_member(s1, 60)
    client = signed_in(worker)
    url = f"/services/stations/{s1.pk}/records/?worker={member.pk}"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    log(s1, worker, TODAY, people=[beneficiary(s1, 61)], staff=[member])
    few = count()
    for n in range(62, 70):
        log(s1, worker, TODAY, people=[beneficiary(s1, n)], staff=[member, staff_member(s1, n + 100)])
    assert count() == few
