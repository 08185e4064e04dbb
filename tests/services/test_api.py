"""The services API: masked and logged ID numbers, service records written through the rule (people of one station,
volunteer hours all or nothing), attachments checked and served within the scope, case and project steps, the
station figures, and list query counts that do not grow with rows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from services.choices import ServiceKind
from services.models import Attachment, Beneficiary, BeneficiaryIdNumberView, FocusProblem, ServiceRecord
from services.rules import attachment_add, case_assess, case_open, case_plan
from staffing.models import VolunteerHours
from tests.factories import shipped_catalog, shipped_target_groups, valid_id_number

from .helpers import beneficiary, log, project, staff_member, volunteer
from .matrix_api import PNG

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def api_client_for(api_client_for):
    """The world's clients, asking for English so messages compare with their source."""

    def make(role):
        client = api_client_for(role)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def visit_label() -> str:
    """How a visit reads in a volunteer's hours: in the portal's language, whoever logged it."""
    with translation.override("zh-hans"):
        return str(ServiceKind.VISIT.label)


def record_form(world, **fields) -> dict:
    station = world.stations["S1"]
    return {
        "station": station.pk,
        "date": "2026-03-05",
        "kind": "visit",
        "duration_minutes": 60,
        "beneficiaries": [(station.beneficiaries.first() or beneficiary(station, 1)).pk],
        **fields,
    }


# --- beneficiaries -------------------------------------------------------------------------------------


def test_id_numbers_are_masked_in_list_and_detail(world, api_client_for):
    person = beneficiary(world.stations["S1"], 1)
    client = api_client_for("worker")

    for url in ("/api/v1/beneficiaries/", f"/api/v1/beneficiaries/{person.pk}/"):
        response = client.get(url)
        body = response.json()
        row = body["results"][0] if "results" in body else body
        assert row["id_number"] == "330481************"
        assert person.id_number not in response.content.decode()


def test_the_whole_id_number_needs_its_permission_and_each_view_is_logged(world, api_client_for):
    person = beneficiary(world.stations["S1"], 1)

    refused = api_client_for("manager").get(f"/api/v1/beneficiaries/{person.pk}/id-number/")
    granted = api_client_for("admin").get(f"/api/v1/beneficiaries/{person.pk}/id-number/")

    assert refused.status_code == 403
    assert granted.json() == {"id_number": person.id_number}
    assert granted["Cache-Control"] == "no-store"
    view = BeneficiaryIdNumberView.objects.get()
    assert (view.viewer, view.beneficiary) == (world.users["admin"], person)


def test_a_repeated_id_number_is_a_400_on_the_field_naming_who_has_it(world, api_client_for):
    first = beneficiary(world.stations["S1"], 1, name="钱阿姨")

    response = api_client_for("worker").post(
        "/api/v1/beneficiaries/",
        {"station": world.stations["S1"].pk, "name": "钱某", "id_number": first.id_number},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"id_number": ["This station already has a beneficiary with this ID number: 钱阿姨"]}
    assert Beneficiary.objects.count() == 1


def test_target_groups_are_named_by_code_and_the_birth_date_read_from_the_id_number(world, api_client_for):
    shipped_target_groups()
    response = api_client_for("worker").post(
        "/api/v1/beneficiaries/",
        {
            "station": world.stations["S1"].pk,
            "name": "王小明",
            "id_number": valid_id_number(7),
            "community": world.regions["C1"].pk,
            "target_groups": ["left_behind_child", "child_in_difficulty"],
            "key_target": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert sorted(body["target_groups"]) == ["child_in_difficulty", "left_behind_child"]
    assert body["birth_date"] == "1940-01-08"
    assert body["key_target"] is True


def test_a_beneficiary_of_another_townships_community_is_a_400(world, api_client_for):
    response = api_client_for("admin").post(
        "/api/v1/beneficiaries/",
        {
            "station": world.stations["S2"].pk,
            "name": "某",
            "id_number": valid_id_number(8),
            "community": world.regions["C1"].pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["community"]


# --- service records -----------------------------------------------------------------------------------


def test_a_service_is_logged_with_people_and_the_volunteer_hours_land_on_their_record(world, api_client_for):
    station = world.stations["S1"]
    helper, worker = volunteer(station, 2), staff_member(station, 3)
    core = project(station, YEAR, "core", name="党管社工人才服务")

    response = api_client_for("worker").post(
        "/api/v1/service-records/",
        record_form(
            world,
            project=core.pk,
            staff=[worker.pk],
            volunteers=[{"volunteer": helper.pk, "hours": "2.5"}],
            headcount=3,
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["volunteers"] == [{"volunteer": helper.pk, "volunteer_name": "志愿者2", "hours": "2.5"}]
    assert body["created_by"] == world.users["worker"].pk
    assert body["project_name"] == "党管社工人才服务"
    booked = VolunteerHours.objects.get(volunteer=helper)
    assert (booked.date, booked.hours, booked.activity) == (
        date(2026, 3, 5),
        Decimal("2.5"),
        f"{visit_label()} · 党管社工人才服务",
    )


@pytest.mark.parametrize("field", ["beneficiaries", "staff", "volunteers", "project"])
def test_people_and_projects_of_another_station_are_a_400_on_their_field(world, api_client_for, field):
    s2 = world.stations["S2"]
    value = {
        "beneficiaries": lambda: [beneficiary(s2, 11).pk],
        "staff": lambda: [staff_member(s2, 12).pk],
        "volunteers": lambda: [{"volunteer": volunteer(s2, 13).pk, "hours": "1"}],
        "project": lambda: project(s2, YEAR, "core").pk,
    }[field]()

    response = api_client_for("admin").post(
        "/api/v1/service-records/", record_form(world, **{field: value}), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not ServiceRecord.objects.exists()


def test_people_outside_the_callers_scope_do_not_exist_for_them(world, api_client_for):
    stranger = beneficiary(world.stations["SB"], 11)
    response = api_client_for("manager").post(
        "/api/v1/service-records/", record_form(world, beneficiaries=[stranger.pk]), format="json"
    )
    assert response.status_code == 400
    assert "beneficiaries" in response.json()


def test_a_future_date_and_a_project_of_another_year_are_400s(world, api_client_for):
    client = api_client_for("worker")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    last_year = project(world.stations["S1"], YEAR - 1, "core")

    future = client.post("/api/v1/service-records/", record_form(world, date=tomorrow), format="json")
    other_year = client.post("/api/v1/service-records/", record_form(world, project=last_year.pk), format="json")

    assert future.status_code == 400 and "date" in future.json()
    assert other_year.status_code == 400 and "project" in other_year.json()


def test_more_than_24_hours_in_a_day_refuses_the_whole_record(world, api_client_for):
    station = world.stations["S1"]
    busy = volunteer(station, 2)
    VolunteerHours.objects.create(volunteer=busy, date=date(2026, 3, 5), hours=Decimal("22"), activity="值班")

    response = api_client_for("worker").post(
        "/api/v1/service-records/", record_form(world, volunteers=[{"volunteer": busy.pk, "hours": "3"}]), format="json"
    )

    assert response.status_code == 400
    assert "volunteers" in response.json()
    assert not ServiceRecord.objects.exists()
    assert VolunteerHours.objects.count() == 1


def test_a_record_is_corrected_by_editing_and_only_the_administrator_deletes_one(world, api_client_for):
    station = world.stations["S1"]
    helper = volunteer(station, 2)
    record = log(station, None, date(2026, 3, 5), headcount=2, volunteers=[{"volunteer": helper, "hours": Decimal(1)}])

    edited = api_client_for("worker").patch(
        f"/api/v1/service-records/{record.pk}/", {"date": "2026-03-06", "headcount": 5}, format="json"
    )
    refused = api_client_for("manager").delete(f"/api/v1/service-records/{record.pk}/")
    deleted = api_client_for("admin").delete(f"/api/v1/service-records/{record.pk}/")

    assert edited.status_code == 200, edited.json()
    assert edited.json()["headcount"] == 5
    assert refused.status_code == 403
    assert deleted.status_code == 204
    assert not VolunteerHours.objects.exists()


def test_a_record_stays_at_its_station(world, api_client_for):
    record = log(world.stations["S1"], None, date(2026, 3, 5), headcount=2)
    response = api_client_for("admin").patch(
        f"/api/v1/service-records/{record.pk}/", {"station": world.stations["S2"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "station" in response.json()


def test_records_filter_by_station_project_kind_dates_and_person(world, api_client_for):
    station = world.stations["S1"]
    core = project(station, YEAR, "core")
    person = beneficiary(station, 1)
    visit = log(station, None, date(2026, 3, 5), "visit", [person], project=core)
    log(station, None, date(2026, 4, 5), "group", headcount=4)
    log(world.stations["S2"], None, date(2026, 3, 5), "visit", headcount=4)
    client = api_client_for("city")

    def ids(**query):
        return [row["id"] for row in client.get("/api/v1/service-records/", query).json()["results"]]

    assert ids(station=station.pk, kind="visit") == [visit.pk]
    assert ids(project=core.pk) == [visit.pk]
    assert ids(station=station.pk, date_after="2026-03-01", date_before="2026-03-31") == [visit.pk]
    assert ids(beneficiary=person.pk) == [visit.pk]
    assert client.get("/api/v1/service-records/", {"station": "x"}).status_code == 400


# --- attachments ---------------------------------------------------------------------------------------


def upload(client, record, name, content):
    return client.post(
        f"/api/v1/service-records/{record.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_a_photo_is_attached_and_downloaded_with_its_sniffed_type(world, api_client_for, media):
    record = log(world.stations["S1"], None, date(2026, 3, 5), headcount=2)
    client = api_client_for("worker")

    response = upload(client, record, "签到表.jpg", PNG)

    assert response.status_code == 201
    body = response.json()
    assert (body["content_type"], body["size"], body["original_name"]) == ("image/png", len(PNG), "签到表.jpg")
    download = client.get(body["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG
    listed = client.get(f"/api/v1/service-records/{record.pk}/").json()["attachments"]
    assert [row["id"] for row in listed] == [body["id"]]


def test_a_wrong_type_or_a_file_too_big_is_a_400_and_nothing_is_stored(world, api_client_for, media, settings):
    record = log(world.stations["S1"], None, date(2026, 3, 5), headcount=2)
    client = api_client_for("worker")
    settings.SERVICE_ATTACHMENT_MAX_BYTES = 100

    wrong = upload(client, record, "photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    big = upload(client, record, "big.png", PNG + b"0" * 100)

    assert wrong.status_code == 400 and "file" in wrong.json()
    assert big.status_code == 400 and "file" in big.json()
    assert not Attachment.objects.exists()
    assert not any(media.rglob("*.png"))


def test_an_attachment_outside_the_callers_scope_is_a_404(world, api_client_for, media):
    theirs = log(world.stations["S2"], None, date(2026, 3, 5), headcount=2)
    attachment = attachment_add(record=theirs, user=world.users["admin"], file=SimpleUploadedFile("a.png", PNG))
    mine = log(world.stations["S1"], None, date(2026, 3, 5), headcount=2)
    client = api_client_for("manager")

    assert client.get(f"/api/v1/service-records/{theirs.pk}/attachments/{attachment.pk}/").status_code == 404
    # Nor can it be reached through a record in scope.
    assert client.get(f"/api/v1/service-records/{mine.pk}/attachments/{attachment.pk}/").status_code == 404
    assert api_client_for("county").get(attachment_url(attachment)).status_code == 200


def attachment_url(attachment):
    return f"/api/v1/service-records/{attachment.record_id}/attachments/{attachment.pk}/"


# --- projects, cases, focus problems -------------------------------------------------------------------


def test_a_project_advances_one_stage_and_shows_who_moved_it(world, api_client_for):
    core = project(world.stations["S1"], YEAR, "core")
    client = api_client_for("township")

    skipped = client.post(f"/api/v1/projects/{core.pk}/advance/", {"to_stage": "review"}, format="json")
    moved = client.post(f"/api/v1/projects/{core.pk}/advance/", {"to_stage": "design"}, format="json")

    assert skipped.status_code == 400 and "to_stage" in skipped.json()
    assert moved.status_code == 200
    assert moved.json()["stage"] == "design"
    assert [(c["from_stage"], c["to_stage"], c["changed_by"]) for c in moved.json()["stage_changes"]] == [
        ("needs_survey", "design", "township")
    ]


def test_a_social_worker_may_not_create_a_project_nor_a_township_official_edit_one(world, api_client_for):
    core = project(world.stations["S1"], YEAR, "core")
    form = {"station": world.stations["S1"].pk, "year": YEAR, "name": "x", "category": "optional"}
    assert api_client_for("worker").post("/api/v1/projects/", form, format="json").status_code == 403
    assert (
        api_client_for("township").patch(f"/api/v1/projects/{core.pk}/", {"name": "y"}, format="json").status_code
        == 403
    )


def test_project_communities_must_be_of_the_stations_township_and_the_subtype_match(world, api_client_for):
    client = api_client_for("admin")
    base = {"station": world.stations["S2"].pk, "year": YEAR, "name": "x"}

    wrong_place = client.post(
        "/api/v1/projects/", {**base, "category": "optional", "communities": [world.regions["C1"].pk]}, format="json"
    )
    no_subtype = client.post("/api/v1/projects/", {**base, "category": "brand"}, format="json")

    assert wrong_place.status_code == 400 and "communities" in wrong_place.json()
    assert no_subtype.status_code == 400 and "subtype" in no_subtype.json()


def test_project_progress_compares_targets_and_actuals(world, api_client_for):
    station = world.stations["S1"]
    core = project(station, YEAR, "core", target_sessions=2)
    log(
        station, None, date(2026, 3, 5), "group", [beneficiary(station, 1, community=world.regions["C1"])], project=core
    )

    body = api_client_for("evaluator").get(f"/api/v1/projects/{core.pk}/progress/").json()

    assert body["project"] == core.pk
    assert {c["code"]: (c["required"], c["actual"], c["ok"]) for c in body["checks"]} == {
        "beneficiaries": ("0", "1", True),
        "sessions": ("2", "1", False),
        "communities": ("0", "1", True),
    }


def test_a_case_moves_through_its_actions_and_refuses_skipping(world, api_client_for):
    station = world.stations["S1"]
    worker = staff_member(station, 2)
    client = api_client_for("worker")
    opened = client.post(
        "/api/v1/cases/",
        {
            "station": station.pk,
            "beneficiary": beneficiary(station, 1).pk,
            "worker": worker.pk,
            "opened_on": "2026-03-01",
        },
        format="json",
    )
    assert opened.status_code == 201, opened.json()
    url = f"/api/v1/cases/{opened.json()['id']}"

    too_early = client.post(
        f"{url}/close/", {"closed_on": "2026-03-02", "after_score": 60, "outcome": "x"}, format="json"
    )
    assert too_early.status_code == 400
    assert "non_field_errors" in too_early.json()
    steps = [
        ("assess", {"assessed_on": "2026-03-02", "assessment": "独居", "before_score": 30}),
        ("plan", {"planned_on": "2026-03-03", "plan": "探访"}),
        ("follow-ups", {"date": "2026-03-04", "worker": worker.pk, "content": "探访", "next_step": "复访"}),
        ("refer", {"date": "2026-03-05", "agency": "残联", "reason": "辅具"}),
        ("close", {"closed_on": "2026-03-06", "after_score": 80, "outcome": "好转"}),
    ]
    for step, data in steps:
        response = client.post(f"{url}/{step}/", data, format="json")
        assert response.status_code in (200, 201), (step, response.json())
    body = client.get(f"{url}/").json()
    assert (body["status"], body["before_score"], body["after_score"]) == ("closed", 30, 80)
    assert [r["agency"] for r in body["referrals"]] == ["残联"]
    assert [f["content"] for f in client.get(f"{url}/follow-ups/").json()] == ["探访"]
    late = client.post(f"{url}/follow-ups/", {"date": "2026-03-07", "worker": worker.pk, "content": "x"}, format="json")
    assert late.status_code == 400
    assert client.patch(f"{url}/", {"intake_notes": "x"}, format="json").status_code == 400


def test_a_focus_problem_is_solved_with_its_date(world, api_client_for):
    client = api_client_for("manager")
    created = client.post(
        "/api/v1/focus-problems/",
        {
            "station": world.stations["S1"].pk,
            "community": world.regions["C1"].pk,
            "title": "毁绿种菜",
            "reported_on": "2026-03-01",
        },
        format="json",
    )
    url = f"/api/v1/focus-problems/{created.json()['id']}/advance/"

    assert created.json()["status"] == "reported"
    assert FocusProblem.objects.get().created_by == world.users["manager"]
    assert client.post(url, {"to_status": "solved", "solved_on": "2026-03-05"}, format="json").status_code == 400
    assert client.post(url, {"to_status": "in_progress"}, format="json").json()["status"] == "in_progress"
    no_date = client.post(url, {"to_status": "solved"}, format="json")
    assert no_date.status_code == 400 and "solved_on" in no_date.json()
    solved = client.post(url, {"to_status": "solved", "solved_on": "2026-03-05"}, format="json").json()
    assert (solved["status"], solved["solved_on"]) == ("solved", "2026-03-05")


# --- station figures -----------------------------------------------------------------------------------


def test_the_portfolio_figure_lists_counts_and_problems(world, api_client_for):
    station = world.stations["S1"]
    project(station, YEAR, "core")
    project(station, YEAR, "core", name="第二个核心项目")

    response = api_client_for("township").get(f"/api/v1/stations/{station.pk}/portfolio/", {"year": YEAR})

    body = response.json()
    assert body["valid"] is False
    assert body["counts"] == {"core": 2, "brand": 0, "basic": 0, "optional": 0}
    assert body["problems"][0] == {"code": "core_too_many", "message": "2 core projects: a station runs exactly one."}
    assert len(body["problems"]) == 6


@pytest.mark.parametrize("year", ["1999", "2101", "twenty", "2026.5"])
def test_a_bad_portfolio_year_is_a_400(world, api_client_for, year):
    response = api_client_for("admin").get(f"/api/v1/stations/{world.stations['S1'].pk}/portfolio/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()


def test_the_visit_rate_is_a_two_place_string_and_null_without_key_targets(world, api_client_for):
    station = world.stations["S1"]
    people = [beneficiary(station, n, key_target=True) for n in range(3)]
    log(station, None, date(2026, 3, 31), "visit", people[:2])
    client = api_client_for("county")

    march = client.get(f"/api/v1/stations/{station.pk}/visit-rate/", {"month": "2026-03"}).json()
    empty = client.get(f"/api/v1/stations/{world.stations['S2'].pk}/visit-rate/", {"month": "2026-03"}).json()

    assert march == {"key_targets": 3, "visited": 2, "rate": "0.67"}
    assert empty == {"key_targets": 0, "visited": 0, "rate": None}


@pytest.mark.parametrize("month", ["2026-13", "2026/03", "03-2026", "2026-3"])
def test_a_malformed_month_is_a_400_on_the_month(world, api_client_for, month):
    response = api_client_for("admin").get(f"/api/v1/stations/{world.stations['S1'].pk}/visit-rate/", {"month": month})
    assert response.status_code == 400
    assert "month" in response.json()


def test_a_month_in_the_future_is_a_400_and_this_month_is_fine(world, api_client_for):
    today = timezone.localdate()
    next_month = (today.replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    url = f"/api/v1/stations/{world.stations['S1'].pk}/visit-rate/"
    client = api_client_for("admin")

    assert client.get(url, {"month": next_month}).status_code == 400
    assert client.get(url, {"month": today.strftime("%Y-%m")}).status_code == 200
    assert client.get(url).status_code == 200


# --- query counts --------------------------------------------------------------------------------------


def fill(world, n: int) -> None:
    """``n`` rows of everything in S1: projects, people, records with people, volunteers and a photo, cases..."""
    station = world.stations["S1"]
    groups = list(shipped_target_groups().values())
    items = shipped_catalog()["empowerment"]
    offset = Beneficiary.objects.count() * 10 + 1000
    for i in range(n):
        worker = staff_member(station, offset + 3 * i)
        helper = volunteer(station, offset + 3 * i + 1)
        person = beneficiary(station, offset + 3 * i + 2, community=world.regions["C1"], key_target=True)
        person.target_groups.set(groups[:2])
        optional = project(station, YEAR, "optional", name=f"自选{offset + i}")
        optional.communities.set([world.regions["C1"]])
        optional.catalog_items.set(items[:2])
        record = log(
            station,
            world.users["manager"],
            date(2026, 3, 1 + i % 28),
            "visit",
            [person],
            project=optional,
            staff=[worker],
            volunteers=[{"volunteer": helper, "hours": Decimal(1)}],
        )
        attachment_add(record=record, user=world.users["manager"], file=SimpleUploadedFile("p.png", PNG))
        case = case_open(station=station, beneficiary=person, worker=worker, opened_on=date(2026, 3, 1))
        case_plan(
            case=case_assess(case=case, assessed_on=date(2026, 3, 1), assessment="a", before_score=1),
            planned_on=date(2026, 3, 1),
            plan="p",
        )
        FocusProblem.objects.create(
            station=station, community=world.regions["C1"], title="t", reported_on=date(2026, 3, 1)
        )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/catalog-items/",
        "/api/v1/target-groups/",
        "/api/v1/beneficiaries/",
        "/api/v1/service-records/",
        "/api/v1/cases/",
        "/api/v1/focus-problems/",
        "/api/v1/service-policies/",
    ],
)
def test_list_query_count_does_not_grow_with_rows(world, api_client_for, django_assert_max_num_queries, media, url):
    client = api_client_for("manager")
    fill(world, 2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    fill(world, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
