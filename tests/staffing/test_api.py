"""The staffing API: masked ID numbers, the logged whole number, compliance and turnover, hours and the time bank,
policies editable only from their region or above, and list query counts that do not grow with rows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from staffing.models import (
    IdNumberView,
    StaffingPolicy,
    StaffMember,
    StationSupervisor,
    SupervisionVisit,
    TimeBankEntry,
    TrainingSession,
    Volunteer,
    VolunteerHours,
)
from tests.factories import StationFactory

from .matrix_api import id_number

pytestmark = pytest.mark.django_db

TODAY = date.today()


def hire(station, n, **fields) -> StaffMember:
    values = {
        "name": f"社工{n}",
        "gender": "female",
        "id_number": id_number(n),
        "role": "full_time",
        "hired_on": date(2025, 1, 1),
        "annual_salary": Decimal("120000"),
    }
    return StaffMember.objects.create(station=station, **{**values, **fields})


def register(station, n, **fields) -> Volunteer:
    values = {"name": f"志愿者{n}", "id_number": id_number(n, "19700101"), "registered_on": date(2024, 1, 1)}
    return Volunteer.objects.create(station=station, **{**values, **fields})


def staff_form(world, **fields) -> dict:
    return {
        "station": world.stations["S1"].pk,
        "name": "陈静",
        "gender": "female",
        "id_number": id_number(77),
        "role": "full_time",
        "hired_on": "2026-01-05",
        **fields,
    }


# --- ID numbers ----------------------------------------------------------------------------------------


def test_id_numbers_are_masked_in_list_and_detail(world, api_client_for):
    staff = hire(world.stations["S1"], 1)
    volunteer = register(world.stations["S1"], 2)
    client = api_client_for("worker")

    for url, person in [
        ("/api/v1/staff/", staff),
        (f"/api/v1/staff/{staff.pk}/", staff),
        ("/api/v1/volunteers/", volunteer),
        (f"/api/v1/volunteers/{volunteer.pk}/", volunteer),
    ]:
        response = client.get(url)
        body = response.json()
        row = body["results"][0] if "results" in body else body
        assert row["id_number"] == "330481************", url
        assert person.id_number not in response.content.decode(), url


def test_the_birth_date_inside_id_numbers_cannot_be_searched_for(world, api_client_for):
    hire(world.stations["S1"], 1)
    assert api_client_for("admin").get("/api/v1/staff/", {"search": "19900101"}).json()["count"] == 0


def test_the_whole_id_number_needs_its_own_permission_and_no_view_is_logged_without_it(world, api_client_for):
    staff = hire(world.stations["S1"], 1)

    response = api_client_for("manager").get(f"/api/v1/staff/{staff.pk}/id-number/")

    assert response.status_code == 403
    assert not IdNumberView.objects.exists()


def test_each_view_of_a_whole_id_number_is_logged_who_when_whose(world, api_client_for):
    staff = hire(world.stations["S1"], 1)
    volunteer = register(world.stations["S1"], 2)
    client = api_client_for("admin")

    first = client.get(f"/api/v1/staff/{staff.pk}/id-number/")
    client.get(f"/api/v1/staff/{staff.pk}/id-number/")
    other = client.get(f"/api/v1/volunteers/{volunteer.pk}/id-number/")

    assert first.json() == {"id_number": staff.id_number}
    assert first["Cache-Control"] == "no-store"
    assert other.json() == {"id_number": volunteer.id_number}
    views = list(IdNumberView.objects.order_by("pk"))
    assert [(v.viewer, v.staff_member, v.volunteer) for v in views] == [
        (world.users["admin"], staff, None),
        (world.users["admin"], staff, None),
        (world.users["admin"], None, volunteer),
    ]
    assert all(v.viewed_at for v in views)


def test_the_permission_granted_to_an_official_still_stops_at_their_scope(world, api_client_for):
    inside = hire(world.stations["S1"], 1)
    outside = hire(world.stations["SB"], 2)
    county = User.objects.get(username="county")
    county.user_permissions.add(Permission.objects.get(codename="view_full_id_number"))
    world.users["county"] = User.objects.get(pk=county.pk)
    client = api_client_for("county")

    assert client.get(f"/api/v1/staff/{inside.pk}/id-number/").json() == {"id_number": inside.id_number}
    assert client.get(f"/api/v1/staff/{outside.pk}/id-number/").status_code == 404
    assert IdNumberView.objects.count() == 1


@pytest.mark.parametrize(
    "number",
    [
        "330481199001010011",  # wrong check digit
        "330481199013010015",  # month 13
        "33048119900101001",  # 17 characters
        "33048119900101001Y",
    ],
)
def test_a_bad_id_number_is_a_400_on_that_field_and_creates_nothing(world, api_client_for, number):
    response = api_client_for("admin").post("/api/v1/staff/", staff_form(world, id_number=number), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
    assert not StaffMember.objects.exists()


def test_an_id_number_is_stored_once_upper_case_and_whole(world, api_client_for):
    number = "11010519491231002X"
    response = api_client_for("admin").post(
        "/api/v1/staff/", staff_form(world, id_number=number.lower()), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["id_number"] == "110105************"
    assert StaffMember.objects.get().id_number == number


def test_the_same_person_hired_twice_on_the_same_day_is_a_400(world, api_client_for):
    client = api_client_for("admin")
    assert client.post("/api/v1/staff/", staff_form(world), format="json").status_code == 201

    response = client.post("/api/v1/staff/", staff_form(world), format="json")

    assert response.status_code == 400
    assert StaffMember.objects.count() == 1


# --- the roster ----------------------------------------------------------------------------------------


def test_leaving_keeps_the_record_and_staff_cannot_be_deleted(world, api_client_for):
    staff = hire(world.stations["S1"], 1)
    client = api_client_for("admin")

    left = client.patch(f"/api/v1/staff/{staff.pk}/", {"left_on": str(TODAY)}, format="json")
    deleted = client.delete(f"/api/v1/staff/{staff.pk}/")

    assert left.status_code == 200
    assert left.json()["active"] is False
    assert deleted.status_code == 405
    assert StaffMember.objects.get(pk=staff.pk).left_on == TODAY


def test_leaving_before_being_hired_is_a_400(world, api_client_for):
    staff = hire(world.stations["S1"], 1)
    response = api_client_for("admin").patch(f"/api/v1/staff/{staff.pk}/", {"left_on": "2024-12-31"}, format="json")
    assert response.status_code == 400
    assert "left_on" in response.json()


def test_a_volunteer_leaving_before_registering_is_a_400(world, api_client_for):
    volunteer = register(world.stations["S1"], 1)
    response = api_client_for("admin").patch(
        f"/api/v1/volunteers/{volunteer.pk}/", {"left_on": "2023-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert "left_on" in response.json()


def test_staff_filters_active_role_and_station(world, api_client_for):
    s1 = world.stations["S1"]
    hire(s1, 1)
    hire(s1, 2, role="part_time")
    hire(s1, 3, left_on=TODAY - timedelta(days=1))
    hire(s1, 4, left_on=TODAY + timedelta(days=1))  # leaves tomorrow: still here today
    hire(world.stations["S2"], 5)
    client = api_client_for("city")

    def names(**params):
        return sorted(row["name"] for row in client.get("/api/v1/staff/", params).json()["results"])

    assert names(station=s1.pk, active="true") == ["社工1", "社工2", "社工4"]
    assert names(station=s1.pk, active="false") == ["社工3"]
    assert names(station=s1.pk, role="part_time") == ["社工2"]
    assert names(left_after=str(TODAY - timedelta(days=7))) == ["社工3", "社工4"]
    assert client.get("/api/v1/staff/", {"station": "9" * 30}).status_code == 400


def test_a_station_outside_the_scope_cannot_be_given_staff(world, api_client_for):
    response = api_client_for("admin").post("/api/v1/staff/", staff_form(world), format="json")
    assert response.status_code == 201
    response = api_client_for("outsider").get(f"/api/v1/staff/{response.json()['id']}/")
    assert response.status_code == 404


# --- compliance and turnover ---------------------------------------------------------------------------


def test_compliance_has_every_check_with_required_actual_and_ok(world, api_client_for):
    station = world.stations["S1"]
    hire(station, 1, certification="assistant")

    response = api_client_for("township").get(f"/api/v1/stations/{station.pk}/compliance/", {"date": "2026-06-30"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"station", "date", "compliant", "checks"}
    assert (body["station"], body["date"], body["compliant"]) == (station.pk, "2026-06-30", False)
    checks = {c["code"]: c for c in body["checks"]}
    assert list(checks) == [
        "full_time_staff",
        "certified_staff",
        "volunteers",
        "professional_share",
        "operator_rating",
        "site_area",
        "salary_floor",
    ]
    assert checks["full_time_staff"] == {"code": "full_time_staff", "required": "6", "actual": "1", "ok": False}
    assert checks["professional_share"] == {
        "code": "professional_share",
        "required": "0.50",
        "actual": "1.00",
        "ok": True,
    }
    assert checks["site_area"] == {"code": "site_area", "required": "500.00", "actual": "600.00", "ok": True}
    assert checks["operator_rating"]["actual"] == "4"
    assert checks["salary_floor"] == {"code": "salary_floor", "required": None, "actual": "120000.00", "ok": False}


def test_compliance_defaults_to_today_and_refuses_a_bad_date(world, api_client_for):
    url = f"/api/v1/stations/{world.stations['S1'].pk}/compliance/"
    client = api_client_for("worker")

    assert client.get(url).json()["date"] == str(TODAY)
    response = client.get(url, {"date": "2026-02-30"})
    assert response.status_code == 400
    assert list(response.json()) == ["date"]


def test_a_worker_who_left_yesterday_is_not_counted(world, api_client_for):
    station = world.stations["S1"]
    hire(station, 1)
    hire(station, 2, left_on=TODAY - timedelta(days=1))
    hire(station, 3, left_on=TODAY + timedelta(days=1))

    body = api_client_for("manager").get(f"/api/v1/stations/{station.pk}/compliance/").json()

    assert {c["code"]: c["actual"] for c in body["checks"]}["full_time_staff"] == "2"


def test_figures_of_a_station_outside_the_scope_are_a_404(world, api_client_for):
    client = api_client_for("county")
    station = world.stations["SB"]
    assert client.get(f"/api/v1/stations/{station.pk}/compliance/").status_code == 404
    assert client.get(f"/api/v1/stations/{station.pk}/turnover/").status_code == 404
    assert client.get(f"/api/v1/stations/{'9' * 18}/compliance/").status_code == 404


def test_turnover_is_leavers_over_average_headcount(world, api_client_for):
    station = world.stations["S1"]
    for n in range(4):
        hire(station, n)
    StaffMember.objects.filter(name="社工0").update(left_on=date(2026, 3, 1))

    response = api_client_for("city").get(
        f"/api/v1/stations/{station.pk}/turnover/", {"start": "2026-01-01", "end": "2026-12-31"}
    )

    assert response.json() == {
        "station": station.pk,
        "start": "2026-01-01",
        "end": "2026-12-31",
        "leavers": 1,
        "average_headcount": "3.5",
        "rate": "0.2857",
    }


def test_turnover_defaults_to_this_year_and_has_no_rate_without_staff(world, api_client_for):
    client = api_client_for("city")
    url = f"/api/v1/stations/{world.stations['S2'].pk}/turnover/"

    body = client.get(url).json()

    assert (body["start"], body["end"], body["rate"]) == (str(date(TODAY.year, 1, 1)), str(TODAY), None)
    response = client.get(url, {"start": "2026-12-31", "end": "2026-01-01"})
    assert response.status_code == 400
    assert list(response.json()) == ["start"]


# --- volunteers, hours and the time bank ---------------------------------------------------------------


def serve(volunteer, hours, on=date(2025, 5, 1)):
    VolunteerHours.objects.create(volunteer=volunteer, date=on, hours=Decimal(hours), activity="助老")


def test_volunteers_show_total_hours_and_stars_by_the_policy_in_force(world, api_client_for):
    station = world.stations["S1"]
    volunteer = register(station, 1)
    for day in range(13):
        serve(volunteer, "8", on=date(2025, 5, 1) + timedelta(days=day))  # 104 hours
    serve(volunteer, "0.5")
    client = api_client_for("worker")

    row = client.get(f"/api/v1/volunteers/{volunteer.pk}/").json()
    assert (row["total_hours"], row["stars"]) == ("104.5", 1)

    StaffingPolicy.objects.create(
        region=world.regions["A1"], year=TODAY.year, volunteer_star_hours=[10, 50, 100, 200, 400]
    )
    listed = client.get("/api/v1/volunteers/").json()["results"]
    assert [(r["total_hours"], r["stars"]) for r in listed] == [("104.5", 3)]


def test_a_25th_hour_in_a_day_is_refused_and_nothing_is_recorded(world, api_client_for):
    volunteer = register(world.stations["S1"], 1)
    client = api_client_for("admin")
    url = "/api/v1/volunteer-hours/"
    first = client.post(url, {"volunteer": volunteer.pk, "date": "2026-03-02", "hours": "20", "activity": "义诊"})

    response = client.post(url, {"volunteer": volunteer.pk, "date": "2026-03-02", "hours": "4.5", "activity": "义诊"})

    assert first.status_code == 201
    assert first.json()["station"] == world.stations["S1"].pk
    assert response.status_code == 400
    assert list(response.json()) == ["hours"]
    assert VolunteerHours.objects.count() == 1


def test_hours_cannot_be_recorded_in_advance(world, api_client_for):
    volunteer = register(world.stations["S1"], 1)
    tomorrow = str(TODAY + timedelta(days=1))
    response = api_client_for("admin").post(
        "/api/v1/volunteer-hours/", {"volunteer": volunteer.pk, "date": tomorrow, "hours": "2", "activity": "助老"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    assert not VolunteerHours.objects.exists()


def test_hours_of_a_volunteer_outside_the_scope_are_refused(world, api_client_for):
    volunteer = register(world.stations["SB"], 1)
    response = api_client_for("county").post(
        "/api/v1/volunteer-hours/", {"volunteer": volunteer.pk, "date": "2026-03-02", "hours": "2", "activity": "x"}
    )
    assert response.status_code in (400, 403)
    assert not VolunteerHours.objects.exists()


def test_volunteer_hours_filter_by_station_and_dates(world, api_client_for):
    here = register(world.stations["S1"], 1)
    there = register(world.stations["S2"], 2)
    serve(here, "2", on=date(2026, 1, 10))
    serve(here, "3", on=date(2026, 2, 10))
    serve(there, "4", on=date(2026, 2, 10))
    client = api_client_for("city")

    rows = client.get("/api/v1/volunteer-hours/", {"station": world.stations["S1"].pk, "date_after": "2026-02-01"})

    assert [r["hours"] for r in rows.json()["results"]] == ["3.0"]


def test_redeeming_beyond_the_balance_is_refused_and_changes_nothing(world, api_client_for):
    volunteer = register(world.stations["S1"], 1)
    TimeBankEntry.objects.create(volunteer=volunteer, date=date(2026, 1, 1), hours=Decimal("5"))
    client = api_client_for("admin")
    url = f"/api/v1/volunteers/{volunteer.pk}/redeem/"

    response = client.post(url, {"date": "2026-03-01", "hours": "5.5", "note": "理发"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["hours"]
    assert TimeBankEntry.objects.count() == 1
    assert client.get(f"/api/v1/volunteers/{volunteer.pk}/").json()["time_bank_balance"] == "5.0"


def test_deposit_then_redeem_the_whole_balance(world, api_client_for):
    volunteer = register(world.stations["S1"], 1)
    client = api_client_for("admin")
    base = f"/api/v1/volunteers/{volunteer.pk}"

    deposit = client.post(f"{base}/deposit/", {"date": "2026-03-01", "hours": "3.5"}, format="json")
    redeem = client.post(f"{base}/redeem/", {"date": "2026-03-02", "hours": "3.5"}, format="json")

    assert deposit.status_code == 201 and deposit.json()["balance"] == "3.5"
    assert redeem.status_code == 201 and redeem.json()["hours"] == "-3.5" and redeem.json()["balance"] == "0.0"
    assert client.post(f"{base}/deposit/", {"date": "2026-03-01", "hours": "0"}, format="json").status_code == 400


def test_the_time_bank_of_a_volunteer_outside_the_scope_is_a_404(world, api_client_for):
    volunteer = register(world.stations["SB"], 1)
    response = api_client_for("county").post(
        f"/api/v1/volunteers/{volunteer.pk}/deposit/", {"date": "2026-03-01", "hours": "1"}, format="json"
    )
    assert response.status_code in (403, 404)
    assert not TimeBankEntry.objects.exists()


# --- training and supervision ---------------------------------------------------------------------------


def test_training_attendees_must_be_staff_of_the_same_station(world, api_client_for):
    stranger = hire(world.stations["S2"], 1)
    response = api_client_for("admin").post(
        "/api/v1/trainings/",
        {
            "station": world.stations["S1"].pk,
            "topic": "督导技巧",
            "date": "2026-04-01",
            "hours": "2",
            "attendees": [stranger.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["attendees"]
    assert not TrainingSession.objects.exists()


def test_a_second_named_supervisor_of_a_station_is_a_400(world, api_client_for):
    client = api_client_for("admin")
    data = {"station": world.stations["S2"].pk, "name": "王督导", "since": "2026-01-01"}
    assert client.post("/api/v1/station-supervisors/", data, format="json").status_code == 201

    response = client.post("/api/v1/station-supervisors/", {**data, "name": "李督导"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["station"]
    assert StationSupervisor.objects.get().name == "王督导"


# --- policies -------------------------------------------------------------------------------------------


def city_policy(world) -> StaffingPolicy:
    return StaffingPolicy.objects.create(region=world.regions["A"], year=TODAY.year)


def test_a_county_official_reads_but_cannot_change_the_city_policy(world, api_client_for):
    policy = city_policy(world)
    client = api_client_for("county")

    assert client.get(f"/api/v1/staffing-policies/{policy.pk}/").status_code == 200
    response = client.patch(f"/api/v1/staffing-policies/{policy.pk}/", {"full_time_min": 2}, format="json")

    assert response.status_code == 403
    policy.refresh_from_db()
    assert policy.full_time_min == 6


def test_a_county_official_cannot_create_a_policy_for_the_city(world, api_client_for):
    response = api_client_for("county").post(
        "/api/v1/staffing-policies/", {"region": world.regions["A"].pk, "year": TODAY.year}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["region"]
    assert not StaffingPolicy.objects.exists()


def test_policy_changes_keep_their_history(world, api_client_for):
    policy = city_policy(world)
    client = api_client_for("city")

    assert (
        client.patch(f"/api/v1/staffing-policies/{policy.pk}/", {"full_time_min": 5}, format="json").status_code == 200
    )
    history = client.get(f"/api/v1/staffing-policies/{policy.pk}/history/").json()

    assert [(h["change"], h["full_time_min"]) for h in history] == [("~", 5), ("+", 6)]
    assert history[0]["changed_by"] == "city"


@pytest.mark.parametrize(
    "field, value",
    [
        ("professional_share_min", "1.01"),
        ("professional_share_min", "-0.1"),
        ("prior_year_average_wage", "-1"),
        ("site_area_min", "-500"),
        ("salary_floor_ratio", "-1.2"),
        ("full_time_min", -1),
        ("volunteer_star_hours", [100, 300, 200, 1000, 1500]),
        ("volunteer_star_hours", [100, 300]),
        ("volunteer_star_hours", "many"),
    ],
)
def test_out_of_range_policy_figures_are_a_400(world, api_client_for, field, value):
    policy = city_policy(world)
    response = api_client_for("city").patch(f"/api/v1/staffing-policies/{policy.pk}/", {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_second_policy_for_the_same_region_and_year_is_a_400(world, api_client_for):
    city_policy(world)
    response = api_client_for("city").post(
        "/api/v1/staffing-policies/", {"region": world.regions["A"].pk, "year": TODAY.year}, format="json"
    )
    assert response.status_code == 400
    assert StaffingPolicy.objects.count() == 1


def test_the_policy_shows_its_salary_floor(world, api_client_for):
    policy = StaffingPolicy.objects.create(
        region=world.regions["A"], year=TODAY.year, prior_year_average_wage=Decimal("98000")
    )
    assert api_client_for("worker").get(f"/api/v1/staffing-policies/{policy.pk}/").json()["salary_floor"] == "117600.00"


# --- query counts ---------------------------------------------------------------------------------------


def grow(world, rows: int) -> None:
    """``rows`` more staff, volunteers with hours and a time bank, training sessions with attendees and
    supervision, a third of them in S1 and the rest in new stations of T1 and T3, under several policies; dated this
    year, the year the world's evaluator is assigned."""
    this_year = min(date(TODAY.year, 1, 15), TODAY)
    StationSupervisor.objects.create(station=world.stations["S1"], name="督导", since=date(2025, 1, 1))
    for n in range(rows):
        if n % 3:
            station = StationFactory(township=world.regions["T3"] if n % 2 else world.regions["T1"], name=f"分站{n}")
            StationSupervisor.objects.create(station=station, name="督导", since=date(2025, 1, 1))
        else:
            station = world.stations["S1"]
        staff = hire(station, 100 + n)
        volunteer = register(station, 100 + n)
        serve(volunteer, "3")
        serve(volunteer, "2", on=this_year)
        TimeBankEntry.objects.create(volunteer=volunteer, date=this_year, hours=Decimal("2"))
        training = TrainingSession.objects.create(station=station, topic="培训", date=this_year, hours=2)
        training.attendees.set([staff, hire(station, 200 + n)])
        SupervisionVisit.objects.create(station=station, supervisor="督导", date=this_year, findings="良好")
    for region in [world.regions["T3"], world.regions["T1"], world.regions["A1"], world.regions["A"]]:
        for year in (TODAY.year, TODAY.year - 1):
            StaffingPolicy.objects.get_or_create(region=region, year=year)


@pytest.mark.parametrize(
    "url, most",
    [
        ("/api/v1/staff/", 2),  # count, page
        ("/api/v1/volunteers/", 3),  # count, page with hours and balance, the policies of the page's stations
        ("/api/v1/volunteer-hours/", 2),
        ("/api/v1/trainings/", 3),  # count, page, attendees
        ("/api/v1/supervisions/", 2),
        ("/api/v1/station-supervisors/", 2),
        ("/api/v1/staffing-policies/", 3),  # station staff: the paths of their stations first
    ],
)
@pytest.mark.parametrize("role", ["city", "manager", "evaluator"])
def test_list_query_count_does_not_grow_with_rows(
    world, api_client_for, django_assert_max_num_queries, url, most, role
):
    client = api_client_for(role)
    client.get(url)  # warm the per-user caches
    grow(world, 12)
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= 1
