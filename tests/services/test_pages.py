"""The services pages: logging fast and safely, lists at a fixed query count, the portfolio, visits and case steps."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from services.models import Attachment, Case, ServiceRecord
from services.rules import case_open
from staffing.models import VolunteerHours

from .helpers import beneficiary, hours, log, project, staff_member, volunteer
from .matrix_api import PNG

pytestmark = pytest.mark.django_db

TODAY = date.today()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def no_volunteers() -> dict:
    return {"volunteers-TOTAL_FORMS": "1", "volunteers-INITIAL_FORMS": "0"}


@pytest.fixture
def s1(world):
    return world.stations["S1"]


def record_post(**fields) -> dict:
    return {
        "date": TODAY.isoformat(),
        "kind": "visit",
        "headcount": "0",
        "duration_minutes": "45",
        **no_volunteers(),
        **fields,
    }


# --- logging a service ---------------------------------------------------------------------------------------------


def test_a_worker_logs_a_visit_with_a_volunteer_and_a_photo_and_the_form_remembers_the_project(
    world, s1, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    person, helper = beneficiary(s1, 1, key_target=True), volunteer(s1, 2)
    home_visits = project(s1, TODAY.year, "basic", "elderly_alone")
    client = signed_in(world.users["worker"])
    response = client.post(
        f"/services/stations/{s1.pk}/log/",
        record_post(
            project=home_visits.pk,
            beneficiaries=[person.pk],
            **{"volunteers-0-volunteer": helper.pk, "volunteers-0-hours": "1.5"},
            attachments=SimpleUploadedFile("合影.png", PNG, "image/png"),
        ),
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.project, list(record.beneficiaries.all()), record.created_by) == (
        home_visits,
        [person],
        world.users["worker"],
    )
    assert VolunteerHours.objects.get(volunteer=helper).hours == hours("1.5")
    assert Attachment.objects.get(record=record).content_type == "image/png"

    form = client.get(f"/services/stations/{s1.pk}/log/").context["form"]
    assert (form["project"].value(), form["kind"].value()) == (home_visits.pk, "visit")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"date": (TODAY + timedelta(days=1)).isoformat(), "headcount": "3"}, "date"),
        ({"headcount": "0"}, "beneficiaries"),  # nobody served
        ({"headcount": "3", "duration_minutes": "0"}, "duration_minutes"),
        ({"headcount": "3", "kind": "party"}, "kind"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_saves_nothing(world, s1, fields, field):
    response = signed_in(world.users["worker"]).post(f"/services/stations/{s1.pk}/log/", record_post(**fields))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not ServiceRecord.objects.exists()


def test_a_beneficiary_of_another_station_cannot_be_named(world, s1):
    stranger = beneficiary(world.stations["S2"], 3)
    response = signed_in(world.users["worker"]).post(
        f"/services/stations/{s1.pk}/log/", record_post(beneficiaries=[stranger.pk])
    )
    assert response.status_code == 200 and "beneficiaries" in response.context["form"].errors
    assert not ServiceRecord.objects.exists()


def test_a_volunteer_day_over_24_hours_refuses_the_whole_record_and_keeps_no_file(world, s1, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    helper = volunteer(s1, 4)
    log(
        s1,
        world.users["worker"],
        TODAY,
        people=[beneficiary(s1, 5)],
        volunteers=[{"volunteer": helper, "hours": hours(20)}],
    )
    response = signed_in(world.users["worker"]).post(
        f"/services/stations/{s1.pk}/log/",
        record_post(
            headcount="5",
            attachments=SimpleUploadedFile("签到表.png", PNG, "image/png"),
            **{"volunteers-0-volunteer": helper.pk, "volunteers-0-hours": "5"},
        ),
    )
    assert response.status_code == 200
    assert response.context["shares"].non_form_errors()
    assert "volunteer-errors" in response.content.decode()
    assert ServiceRecord.objects.count() == 1 and not Attachment.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_on_the_attachments_field(world, s1, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = signed_in(world.users["worker"]).post(
        f"/services/stations/{s1.pk}/log/",
        record_post(headcount="2", attachments=SimpleUploadedFile("名单.png", b"just text", "image/png")),
    )
    assert response.status_code == 200 and "attachments" in response.context["form"].errors
    assert not ServiceRecord.objects.exists()


def test_the_lookup_finds_people_of_the_station_by_part_of_a_name_or_the_whole_id_number(world, s1):
    wang = beneficiary(s1, 6, name="王秀英", key_target=True)
    beneficiary(s1, 7, name="李建华")
    beneficiary(world.stations["S2"], 8, name="王桂兰")  # another station
    client = signed_in(world.users["worker"])
    found = client.get(f"/services/stations/{s1.pk}/beneficiaries/lookup/", {"q": "王"}).json()["results"]
    assert [(p["name"], p["key_target"]) for p in found] == [("王秀英", True)]
    assert found[0]["masked_id_number"] == wang.masked_id_number and wang.id_number not in str(found)
    by_digits = client.get(f"/services/stations/{s1.pk}/beneficiaries/lookup/", {"q": wang.id_number[-4:]}).json()
    assert by_digits["results"] == []  # part of a number is no oracle (tests/accounts/test_people_search.py)
    by_number = client.get(f"/services/stations/{s1.pk}/beneficiaries/lookup/", {"q": wang.id_number}).json()
    assert [p["id"] for p in by_number["results"]] == [wang.pk]


def test_the_log_page_lists_todays_and_this_weeks_records(world, s1):
    person = beneficiary(s1, 9)
    log(s1, world.users["worker"], TODAY, people=[person])
    earlier = TODAY - timedelta(days=TODAY.weekday()) if TODAY.weekday() else None
    if earlier:
        log(s1, world.users["worker"], earlier, people=[person])
    log(s1, world.users["worker"], TODAY - timedelta(days=TODAY.weekday() + 1), people=[person])  # last week
    context = signed_in(world.users["worker"]).get(f"/services/stations/{s1.pk}/log/").context
    assert len(context["today_records"]) == 1
    assert len(context["week_records"]) == (1 if earlier else 0)


# --- lists: fixed query counts, export -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["records/", "beneficiaries/", "cases/", "log/", "portfolio/", "visits/", "focus-problems/"]
)
def test_station_pages_take_as_many_queries_for_many_rows_as_for_few(world, s1, page, django_assert_num_queries):
    user = world.users["manager"]
    staff = staff_member(s1, 10)
    first = beneficiary(s1, 11, key_target=True)
    work = project(s1, TODAY.year, "core")
    log(s1, user, TODAY, people=[first], project=work)
    case_open(station=s1, beneficiary=first, worker=staff, opened_on=TODAY)
    client = signed_in(user)
    url = f"/services/stations/{s1.pk}/{page}"
    few = queries(client, url)
    for n in range(12, 24):
        person = beneficiary(s1, n, key_target=True)
        log(s1, user, TODAY, people=[person, first], project=work, staff=[staff])
        case_open(station=s1, beneficiary=person, worker=staff, opened_on=TODAY)
        project(s1, TODAY.year, "optional", name=f"自选{n}")
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def test_the_export_lists_the_filtered_records_with_names_and_no_id_numbers(world, s1):
    person = beneficiary(s1, 30, name="周阿公")
    log(s1, world.users["worker"], TODAY - timedelta(days=3), kind="visit", people=[person])
    log(s1, world.users["worker"], TODAY - timedelta(days=2), kind="group", headcount=9)
    response = signed_in(world.users["county"]).get(f"/services/stations/{s1.pk}/records/export/", {"kind": "visit"})
    assert response["Cache-Control"] == "no-store"
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "周阿公" in rows[1]
    assert person.id_number not in str(rows)


def test_records_filter_by_period_and_a_reversed_period_is_an_error(world, s1):
    this_month = TODAY.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    log(s1, world.users["worker"], last_month, headcount=2)
    log(s1, world.users["worker"], this_month, headcount=2)
    client = signed_in(world.users["worker"])
    url = f"/services/stations/{s1.pk}/records/"
    period = {"date_after": last_month.isoformat(), "date_before": (this_month - timedelta(days=1)).isoformat()}
    in_last_month = client.get(url, period)
    assert [r.date for r in in_last_month.context["object_list"]] == [last_month]
    reversed_period = client.get(url, {"date_after": this_month.isoformat(), "date_before": last_month.isoformat()})
    assert "date_before" in reversed_period.context["filter_form"].errors


# --- portfolio, visits, cases ----------------------------------------------------------------------------------------


def test_the_portfolio_page_names_each_missing_place_in_chinese(world, s1):
    project(s1, TODAY.year, "core")
    project(s1, TODAY.year, "brand", "professional")
    page = signed_in(world.users["township"]).get(f"/services/stations/{s1.pk}/portfolio/")
    codes = {problem.code for problem in page.context["portfolio"].problems}
    assert "core_missing" not in codes and {"brand_missing_governance", "basic_missing_children"} <= codes
    html = page.content.decode()
    assert 'data-problem="brand_missing_governance"' in html
    assert "社区治理" in html  # the problem is worded in Chinese


def test_the_visits_page_lists_the_key_targets_not_yet_visited_this_month(world, s1):
    seen, waiting = beneficiary(s1, 40, key_target=True), beneficiary(s1, 41, key_target=True)
    beneficiary(s1, 42)  # not a key target
    log(s1, world.users["worker"], TODAY, kind="visit", people=[seen])
    context = signed_in(world.users["worker"]).get(f"/services/stations/{s1.pk}/visits/").context
    assert (context["rate"].key_targets, context["rate"].visited, str(context["rate"].rate)) == (2, 1, "0.50")
    assert context["waiting"] == [waiting]
    assert not context["reached"]


def test_a_case_moves_through_its_steps_on_the_page_and_a_skipped_step_is_refused(world, s1):
    worker = staff_member(s1, 50)
    case = case_open(station=s1, beneficiary=beneficiary(s1, 51), worker=worker, opened_on=TODAY)
    client = signed_in(world.users["worker"])
    refused = client.post(
        f"/services/cases/{case.pk}/close/",
        {"close-closed_on": TODAY.isoformat(), "close-after_score": "80", "close-outcome": "好转"},
    )
    assert refused.status_code == 200 and refused.context["step_forms"]["close"].errors
    assert Case.objects.get().status == "intake"
    done = client.post(
        f"/services/cases/{case.pk}/assess/",
        {"assess-assessed_on": TODAY.isoformat(), "assess-before_score": "40", "assess-assessment": "独居"},
    )
    assert done.status_code == 302 and Case.objects.get().before_score == 40
    timeline = client.get(f"/services/cases/{case.pk}/").context["timeline"]
    assert [event.kind for event in timeline] == ["intake", "assessment"]


def test_a_score_over_100_is_shown_on_its_field_and_changes_nothing(world, s1):
    worker = staff_member(s1, 52)
    case = case_open(station=s1, beneficiary=beneficiary(s1, 53), worker=worker, opened_on=TODAY)
    response = signed_in(world.users["worker"]).post(
        f"/services/cases/{case.pk}/assess/",
        {"assess-assessed_on": TODAY.isoformat(), "assess-before_score": "150", "assess-assessment": "独居"},
    )
    assert "before_score" in response.context["step_forms"]["assess"].errors
    assert Case.objects.get().status == "intake"


def test_the_station_home_shows_the_month_at_a_glance_from_the_rules(world, s1):
    seen = beneficiary(s1, 60, key_target=True)
    beneficiary(s1, 61, key_target=True)
    log(s1, world.users["worker"], TODAY, kind="visit", people=[seen])
    page = signed_in(world.users["manager"]).get("/")
    station, _checklist = page.context["station_cards"][0]
    glance = station.glance
    assert glance["records"] == 1
    assert (glance["visits"].this_month.counts.visited, glance["visits"].this_month.counts.key_targets) == (1, 2)
    assert not glance["portfolio"].valid and glance["rules_met"] < glance["rules"]
    assert 'id="station-glance"' in page.content.decode()
