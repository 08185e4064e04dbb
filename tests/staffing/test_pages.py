"""Staffing pages: fixed query counts, masked ID numbers, field errors that save nothing, and the scope."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reports.rollups.refresh import rollups_repair
from staffing.models import IdNumberView, StaffingPolicy, StaffMember, Volunteer, VolunteerHours
from staffing.validators import id_number_check_char
from tests.factories import ContractFactory, StationFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def id_number(n: int, born: str = "19900101") -> str:
    body = f"330481{born}{n:03d}"
    return body + id_number_check_char(body)


def hire(station, n: int, **fields) -> StaffMember:
    values = {
        "name": f"社工{n}",
        "gender": "female",
        "id_number": id_number(n),
        "role": "full_time",
        "certification": "assistant",
        "hired_on": date(2024, 1, 1),
        "annual_salary": Decimal("118800.00"),
        **fields,
    }
    return StaffMember.objects.create(station=station, **values)


def register(station, n: int, hours: str | None = None, **fields) -> Volunteer:
    values = {"name": f"志愿者{n}", "id_number": id_number(n, "19700101"), "registered_on": date(2024, 1, 1)}
    volunteer = Volunteer.objects.create(station=station, **{**values, **fields})
    if hours:
        VolunteerHours.objects.create(volunteer=volunteer, date=date(2025, 3, 1), hours=Decimal(hours), activity="探访")
    return volunteer


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


# --- query counts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["roster/", "roster/export/", "history/?show=all", "volunteers/", "volunteers/?show=all"]
)
def test_station_pages_take_the_same_queries_for_many_rows_as_for_few(world, django_assert_num_queries, page):
    station = world.stations["S1"]
    url = f"/staffing/stations/{station.pk}/{page}"
    client = signed_in(world.users["manager"])
    hire(station, 1)
    register(station, 1, hours="5")
    client.get(url)
    few = queries(client, url)
    for n in range(2, 32):
        hire(station, n, left_on=date(2025, 6, 30) if n % 3 == 0 else None)
        register(station, n, hours="20")
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def test_the_compliance_page_takes_as_many_queries_for_many_stations_as_for_few(world, django_assert_num_queries):
    client = signed_in(world.users["city"])
    rollups_repair(months=1, log=False)
    client.get("/staffing/compliance/")
    few = queries(client, "/staffing/compliance/")
    for i in range(30):
        ContractFactory(station=StationFactory(township=world.regions["T3"], name=f"大桥镇分站{i}"))
    rollups_repair(months=1, log=False)
    with django_assert_num_queries(few):
        assert client.get("/staffing/compliance/").status_code == 200


# --- roster and compliance panel ------------------------------------------------------------------------------


def test_the_roster_shows_id_numbers_masked_and_each_rule_red_or_green(world):
    station = world.stations["S1"]
    person = hire(station, 1)
    response = signed_in(world.users["worker"]).get(f"/staffing/stations/{station.pk}/roster/")
    page = response.content.decode()
    assert person.masked_id_number in page and person.id_number not in page
    checks = {check.code: check for check in response.context["checks"]}
    assert len(checks) == 7
    assert not checks["full_time_staff"].ok
    assert (checks["full_time_staff"].required, checks["full_time_staff"].actual) == ("≥ 6", "1")
    assert checks["site_area"].ok and checks["site_area"].actual == "600 m²"
    assert checks["operator_rating"].actual == "4A"
    assert 'data-rule="full_time_staff" data-ok="false"' in page
    assert 'data-rule="site_area" data-ok="true"' in page


def test_the_compliance_panel_follows_the_date_picked(world):
    station = world.stations["S1"]
    for n in range(1, 7):
        hire(station, n, hired_on=date(2025, 1, 1), left_on=date(2025, 12, 31))
    client = signed_in(world.users["city"])
    before = client.get(f"/staffing/stations/{station.pk}/roster/", {"on": "2025-06-30"}).context["checks"]
    after = client.get(f"/staffing/stations/{station.pk}/roster/", {"on": "2026-01-01"}).context["checks"]
    assert before[0].ok and before[0].actual == "6"
    assert not after[0].ok and after[0].actual == "0"


@pytest.mark.parametrize(
    "role, sees_others, sees_own",
    [
        ("manager", True, True),
        ("township", True, True),
        ("county", True, True),
        ("city", True, True),
        ("admin", True, True),
        ("worker", False, True),
        ("evaluator", False, False),
    ],
)
def test_salaries_show_on_the_roster_as_the_people_table_says(world, role, sees_others, sees_own):
    """The manager, the township official and officials above see every salary; a social worker only their own
    (the staff record linked to their account); the evaluator none (``accounts.privacy``). The lowest salary, a
    figure of the staffing standard, is on the compliance panel for everyone."""
    station = world.stations["S1"]
    hire(station, 3, annual_salary=Decimal("110000.00"))
    hire(station, 1, annual_salary=Decimal("123456.00"))
    hire(station, 2, annual_salary=Decimal("118801.00"), user=world.users["worker"])
    page = signed_in(world.users[role]).get(f"/staffing/stations/{station.pk}/roster/").content.decode()
    assert ("123,456.00" in page) is sees_others
    assert ("118,801.00" in page) is sees_own


def test_a_station_outside_the_scope_is_not_found(world):
    station = world.stations["SB"]
    client = signed_in(world.users["county"])
    for page in ["roster/", "roster/export/", "history/", "volunteers/"]:
        assert client.get(f"/staffing/stations/{station.pk}/{page}").status_code == 404


# --- staff forms ----------------------------------------------------------------------------------------------


def staff_form(**fields) -> dict:
    return {
        "name": "沈丽萍",
        "gender": "female",
        "id_number": id_number(40),
        "role": "full_time",
        "employer": "operator",
        "certification": "assistant",
        "hired_on": "2026-02-01",
        "annual_salary": "118000",
        **fields,
    }


def test_a_manager_adds_a_staff_member_to_their_station(world):
    station = world.stations["S1"]
    response = signed_in(world.users["manager"]).post(f"/staffing/stations/{station.pk}/staff/new/", staff_form())
    assert response.status_code == 302
    assert StaffMember.objects.get(station=station).id_number == id_number(40)


def test_a_wrong_check_digit_is_shown_next_to_the_field_and_saves_nothing(world):
    station = world.stations["S1"]
    wrong = id_number(40)[:-1] + ("0" if id_number(40)[-1] != "0" else "1")
    response = signed_in(world.users["manager"]).post(
        f"/staffing/stations/{station.pk}/staff/new/", staff_form(id_number=wrong)
    )
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert 'id="id_id_number_errors"' in response.content.decode()
    assert not StaffMember.objects.exists()


def test_leaving_before_hiring_is_refused_on_the_field(world):
    station = world.stations["S1"]
    response = signed_in(world.users["manager"]).post(
        f"/staffing/stations/{station.pk}/staff/new/", staff_form(left_on="2025-01-01")
    )
    assert "left_on" in response.context["form"].errors
    assert not StaffMember.objects.exists()


def test_the_same_person_hired_twice_on_one_day_is_refused_on_the_id_field(world):
    station = world.stations["S1"]
    hire(station, 40, hired_on=date(2026, 2, 1))
    response = signed_in(world.users["manager"]).post(f"/staffing/stations/{station.pk}/staff/new/", staff_form())
    assert "id_number" in response.context["form"].errors
    assert StaffMember.objects.count() == 1


def test_a_manager_cannot_add_staff_to_another_station(world):
    response = signed_in(world.users["manager"]).post(
        f"/staffing/stations/{world.stations['S2'].pk}/staff/new/", staff_form()
    )
    assert response.status_code == 404
    assert not StaffMember.objects.exists()


def test_the_edit_form_never_puts_the_whole_number_in_the_page_and_keeps_it_when_left_empty(world):
    person = hire(world.stations["S1"], 1)
    client = signed_in(world.users["manager"])
    page = client.get(f"/staffing/staff/{person.pk}/edit/").content.decode()
    assert person.id_number not in page and person.masked_id_number in page
    data = staff_form(name="社工1", id_number="", hired_on="2024-01-01", left_on="2026-03-31")
    assert client.post(f"/staffing/staff/{person.pk}/edit/", data).status_code == 302
    person.refresh_from_db()
    assert (person.id_number, person.left_on) == (id_number(1), date(2026, 3, 31))


def test_marking_someone_as_left_keeps_them_in_the_history(world):
    station = world.stations["S1"]
    person = hire(station, 1, hired_on=date(2024, 1, 1), left_on=date(2025, 6, 30))
    hire(station, 2)
    response = signed_in(world.users["township"]).get(f"/staffing/stations/{station.pk}/history/")
    assert list(response.context["object_list"]) == [person]
    last_year = response.context["turnover"][1]
    assert last_year.start == date(date.today().year - 1, 1, 1)


def test_turnover_of_last_year_is_leavers_over_average_headcount(world):
    station = world.stations["S1"]
    year = date.today().year - 1
    hire(station, 1, hired_on=date(year - 1, 1, 1), left_on=date(year, 6, 30))
    hire(station, 2, hired_on=date(year - 1, 1, 1))
    response = signed_in(world.users["city"]).get(f"/staffing/stations/{station.pk}/history/")
    last_year = response.context["turnover"][1]
    # Two at the start of the year, one at its end: 1 leaver / 1.5 = 66.67 %.
    assert (last_year.leavers, last_year.average_headcount, last_year.rate) == (1, Decimal("1.5"), Decimal("0.6667"))
    assert "67%" in response.content.decode()


# --- whole ID numbers -----------------------------------------------------------------------------------------


def test_showing_a_whole_number_is_a_post_that_is_logged(world):
    person = hire(world.stations["S1"], 1)
    client = signed_in(world.users["admin"])
    assert client.get(f"/staffing/staff/{person.pk}/id-number/").status_code == 405
    response = client.post(f"/staffing/staff/{person.pk}/id-number/")
    assert response.status_code == 200
    assert person.id_number in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    view = IdNumberView.objects.get()
    assert (view.viewer, view.staff_member) == (world.users["admin"], person)


def test_the_permission_to_see_whole_numbers_does_not_cross_the_scope(world):
    outsider = world.users["outsider"]
    outsider.user_permissions.add(Permission.objects.get(codename="view_full_id_number"))
    person = hire(world.stations["S1"], 1)
    response = signed_in(outsider).post(f"/staffing/staff/{person.pk}/id-number/")
    assert response.status_code == 404
    assert not IdNumberView.objects.exists()


def test_without_the_permission_no_whole_number_and_no_log(world):
    volunteer = register(world.stations["S1"], 1)
    response = signed_in(world.users["manager"]).post(f"/staffing/volunteers/{volunteer.pk}/id-number/")
    assert response.status_code == 403
    assert not IdNumberView.objects.exists()


# --- volunteers -----------------------------------------------------------------------------------------------


def test_volunteers_show_total_hours_stars_by_the_policy_and_the_time_bank(world):
    station = world.stations["S1"]
    StaffingPolicy.objects.create(
        region=world.regions["A"], year=date.today().year, volunteer_star_hours=[10, 20, 30, 40, 50]
    )
    volunteer = register(station, 1, hours="12")
    VolunteerHours.objects.create(volunteer=volunteer, date=date(2025, 3, 2), hours=Decimal("13.5"), activity="助老")
    volunteer.time_bank.create(date=date(2025, 3, 2), hours=Decimal("4"))
    response = signed_in(world.users["worker"]).get(f"/staffing/stations/{station.pk}/volunteers/")
    [row] = response.context["object_list"]
    assert (row.total_hours, row.stars, row.balance) == (Decimal("25.5"), 2, Decimal("4"))
    page = response.content.decode()
    assert volunteer.masked_id_number in page and volunteer.id_number not in page


def test_the_quick_hours_form_records_hours_through_the_rule(world):
    station = world.stations["S1"]
    volunteer = register(station, 1)
    response = signed_in(world.users["manager"]).post(
        f"/staffing/stations/{station.pk}/volunteers/hours/",
        {"volunteer": volunteer.pk, "date": "2026-03-01", "hours": "3.5", "activity": "助餐配送"},
    )
    assert response.status_code == 302
    record = VolunteerHours.objects.get()
    assert (record.volunteer, record.hours, record.activity) == (volunteer, Decimal("3.5"), "助餐配送")


def test_more_than_24_hours_in_a_day_is_shown_on_the_hours_field_and_saves_nothing(world):
    station = world.stations["S1"]
    volunteer = register(station, 1)
    VolunteerHours.objects.create(volunteer=volunteer, date=date(2026, 3, 1), hours=Decimal("20"), activity="值守")
    response = signed_in(world.users["manager"]).post(
        f"/staffing/stations/{station.pk}/volunteers/hours/",
        {"volunteer": volunteer.pk, "date": "2026-03-01", "hours": "5", "activity": "值守"},
    )
    assert response.status_code == 200
    assert list(response.context["hours_form"].errors) == ["hours"]
    assert 'id="id_hours_errors"' in response.content.decode()
    assert VolunteerHours.objects.count() == 1


@pytest.mark.parametrize("hours", ["0", "-1", "24.5", "abc"])
def test_hours_out_of_range_are_refused_on_the_field(world, hours):
    station = world.stations["S1"]
    volunteer = register(station, 1)
    response = signed_in(world.users["manager"]).post(
        f"/staffing/stations/{station.pk}/volunteers/hours/",
        {"volunteer": volunteer.pk, "date": "2026-03-01", "hours": hours, "activity": "值守"},
    )
    assert "hours" in response.context["hours_form"].errors
    assert not VolunteerHours.objects.exists()


def test_hours_cannot_be_recorded_in_advance(world):
    station = world.stations["S1"]
    volunteer = register(station, 1)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = signed_in(world.users["manager"]).post(
        f"/staffing/stations/{station.pk}/volunteers/hours/",
        {"volunteer": volunteer.pk, "date": tomorrow, "hours": "2", "activity": "值守"},
    )
    assert "date" in response.context["hours_form"].errors
    assert not VolunteerHours.objects.exists()


def test_hours_of_another_station_s_volunteer_are_refused(world):
    other = register(world.stations["S2"], 1)
    response = signed_in(world.users["manager"]).post(
        f"/staffing/stations/{world.stations['S1'].pk}/volunteers/hours/",
        {"volunteer": other.pk, "date": "2026-03-01", "hours": "2", "activity": "值守"},
    )
    assert "volunteer" in response.context["hours_form"].errors
    assert not VolunteerHours.objects.exists()


def test_a_volunteer_registered_twice_at_one_station_is_refused_on_the_id_field(world):
    station = world.stations["S1"]
    register(station, 1)
    response = signed_in(world.users["manager"]).post(
        f"/staffing/stations/{station.pk}/volunteers/new/",
        {"name": "重复", "id_number": id_number(1, "19700101"), "registered_on": "2026-01-01"},
    )
    assert "id_number" in response.context["form"].errors
    assert Volunteer.objects.count() == 1


# --- officials' compliance page -------------------------------------------------------------------------------


def test_the_compliance_page_lists_failing_stations_of_the_scope_with_counts_per_rule(world):
    rollups_repair(months=1, log=False)
    response = signed_in(world.users["county"]).get("/staffing/compliance/")
    names = [result.station.name for result in response.context["object_list"]]
    # County A1: S1 and S2 (both short of staff); S3 is in another county, SB in another city.
    assert sorted(names) == sorted([world.stations["S1"].name, world.stations["S2"].name])
    counts = {code: count for code, _label, count in response.context["counts"]}
    assert counts["full_time_staff"] == 2
    assert counts["site_area"] == 0


def test_the_compliance_page_filters_by_rule(world):
    station = world.stations["S2"]
    station.site_area_m2 = Decimal("300")
    station.save()
    rollups_repair(months=1, log=False)
    response = signed_in(world.users["county"]).get("/staffing/compliance/", {"rule": "site_area"})
    assert [result.station for result in response.context["object_list"]] == [station]
    assert response.context["checked"] == 2


def test_the_compliance_table_sorts_by_rules_not_met_both_ways(world):
    """S2 fails one more rule than S1 once its site is too small; the header link sorts by that count."""
    station = world.stations["S2"]
    station.site_area_m2 = Decimal("300")
    station.save()
    rollups_repair(months=1, log=False)
    client = signed_in(world.users["county"])
    most_first = client.get("/staffing/compliance/", {"sort": "-failed"}).context["object_list"]
    fewest_first = client.get("/staffing/compliance/", {"sort": "failed"}).context["object_list"]
    assert [r.station for r in most_first] == [station, world.stations["S1"]]
    assert [r.station for r in fewest_first] == [world.stations["S1"], station]


def test_stations_not_in_operation_are_not_checked(world):
    station = world.stations["S2"]
    station.status = "planning"
    station.save()
    rollups_repair(months=1, log=False)
    response = signed_in(world.users["county"]).get("/staffing/compliance/")
    assert station not in [result.station for result in response.context["object_list"]]


def test_the_compliance_page_shows_the_month_asked_and_takes_the_month_of_an_old_on_link(world):
    """Each month shows its own stored compliance: S2's site shrunk this month fails only this month's, and
    ``?on=<a day>`` (the page's former free date) shows that day's month."""
    from reports.rollups.refresh import stations_refresh

    today = date.today()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    stations = [station.pk for station in world.stations.values()]
    stations_refresh(stations, [last_month])
    station = world.stations["S2"]
    station.site_area_m2 = Decimal("300")
    station.save()
    stations_refresh(stations, [today.replace(day=1)])
    client = signed_in(world.users["county"])

    def failing_site(**query):
        response = client.get("/staffing/compliance/", {"rule": "site_area", **query})
        return [result.station for result in response.context["object_list"]], response

    now, response = failing_site()
    assert now == [station]
    assert f"{today:%Y-%m-%d}" in response.content.decode()  # "as of" the day checked
    assert failing_site(month=f"{last_month:%Y-%m}")[0] == []
    before, response = failing_site(on=(last_month + timedelta(days=9)).isoformat())
    assert before == [] and response.context["month"] == last_month


def test_a_month_not_begun_is_a_field_error_and_the_page_shows_the_current_month(world):
    rollups_repair(months=1, log=False)
    today = date.today()
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    response = signed_in(world.users["county"]).get("/staffing/compliance/", {"month": f"{following:%Y-%m}"})
    assert response.status_code == 200
    assert "month" in response.context["filter_form"].errors
    assert response.context["month"] == today.replace(day=1)
    assert response.context["checked"] == 2


def test_the_compliance_page_reads_the_rollup_not_the_roster(world):
    """What the page shows is the stored compliance: a change not yet refreshed shows after the refresh."""
    rollups_repair(months=1, log=False)
    station = world.stations["S2"]
    station.site_area_m2 = Decimal("300")
    station.save()
    client = signed_in(world.users["county"])
    assert client.get("/staffing/compliance/", {"rule": "site_area"}).context["object_list"] == []
    rollups_repair(months=1, log=False)
    rows = client.get("/staffing/compliance/", {"rule": "site_area"}).context["object_list"]
    assert [row.station for row in rows] == [station]
    assert {check.code: check.actual for check in rows[0].rows}["site_area"] == "300 m²"


def test_the_compliance_export_takes_as_many_queries_for_many_stations_as_for_few(world, django_assert_num_queries):
    client = signed_in(world.users["city"])
    rollups_repair(months=1, log=False)
    client.get("/staffing/compliance/export/")
    few = queries(client, "/staffing/compliance/export/")
    for i in range(30):
        ContractFactory(station=StationFactory(township=world.regions["T3"], name=f"大桥镇分站{i}"))
    rollups_repair(months=1, log=False)
    with django_assert_num_queries(few):
        assert client.get("/staffing/compliance/export/").status_code == 200


# --- staffing policies --------------------------------------------------------------------------------------------


POLICY_FIGURES = {
    "full_time_min": "6",
    "certified_min": "4",
    "volunteers_min": "30",
    "professional_share_min": "0.50",
    "operator_rating_min": "3",
    "site_area_min": "500",
    "salary_floor_ratio": "1.20",
    "prior_year_average_wage": "100000",
    "volunteer_star_hours": "100，300, 600, 1000, 1500",
}


def test_a_city_official_sets_a_policy_and_its_history_records_who(world):
    client = signed_in(world.users["city"])
    response = client.post(
        "/staffing/policies/new/", {"region": world.regions["A"].pk, "year": "2026", **POLICY_FIGURES}
    )
    assert response.status_code == 302
    policy = StaffingPolicy.objects.get(region=world.regions["A"], year=2026)
    assert policy.volunteer_star_hours == [100, 300, 600, 1000, 1500]
    client.post(f"/staffing/policies/{policy.pk}/edit/", {**POLICY_FIGURES, "full_time_min": "5"})
    page = client.get(f"/staffing/policies/{policy.pk}/edit/")
    assert [record.full_time_min for record in page.context["history"]] == [5, 6]
    assert page.context["history"][0].history_user == world.users["city"]
    listing = client.get("/staffing/policies/").content.decode()
    assert "¥120,000.00" in listing  # the salary floor: 1.2 x 100,000


@pytest.mark.parametrize(
    "field, value",
    [
        ("professional_share_min", "1.5"),
        ("volunteer_star_hours", "100, 300, 200, 1000, 1500"),
        ("volunteer_star_hours", "100, 300, abc"),
        ("prior_year_average_wage", "-1"),
        ("operator_rating_min", "7"),
    ],
)
def test_a_wrong_policy_figure_is_shown_on_its_field_and_saves_nothing(world, field, value):
    client = signed_in(world.users["city"])
    data = {"region": world.regions["A"].pk, "year": "2026", **POLICY_FIGURES, field: value}
    response = client.post("/staffing/policies/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not StaffingPolicy.objects.exists()


def test_a_second_policy_for_the_same_region_and_year_is_refused_on_the_year(world):
    StaffingPolicy.objects.create(region=world.regions["A"], year=2026)
    client = signed_in(world.users["city"])
    response = client.post(
        "/staffing/policies/new/", {"region": world.regions["A"].pk, "year": "2026", **POLICY_FIGURES}
    )
    assert response.status_code == 200 and "year" in response.context["form"].errors
    assert StaffingPolicy.objects.count() == 1


def test_a_county_official_can_choose_only_their_county_and_cannot_edit_the_city_policy(world):
    city_policy = StaffingPolicy.objects.create(region=world.regions["A"], year=2026)
    client = signed_in(world.users["county"])
    form = client.get("/staffing/policies/new/").context["form"]
    assert list(form.fields["region"].queryset) == [world.regions["A1"]]
    response = client.post(
        "/staffing/policies/new/", {"region": world.regions["A"].pk, "year": "2027", **POLICY_FIGURES}
    )
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert client.get(f"/staffing/policies/{city_policy.pk}/edit/").status_code == 404
    listing = client.get("/staffing/policies/")
    assert [p.editable for p in listing.context["object_list"]] == [False]  # seen (it applies), not editable


# --- volunteers: search, sort, paging, Excel ------------------------------------------------------------------


def volunteers_url(station, query: str = "") -> str:
    return f"/staffing/stations/{station.pk}/volunteers/{query}"


def test_the_volunteers_list_searches_names_and_skills(world):
    station = world.stations["S1"]
    register(station, 1, name="刘根林", skills="理发")
    register(station, 2, name="王芳", skills="助餐配送")
    client = signed_in(world.users["manager"])
    assert [v.name for v in client.get(volunteers_url(station), {"q": "根林"}).context["object_list"]] == ["刘根林"]
    assert [v.name for v in client.get(volunteers_url(station), {"q": "助餐"}).context["object_list"]] == ["王芳"]


def test_the_volunteers_list_sorts_by_hours_both_ways_and_ignores_unknown_columns(world):
    station = world.stations["S1"]
    for n, hours in [(1, "5"), (2, "20"), (3, "12")]:
        register(station, n, hours=hours)
    client = signed_in(world.users["manager"])
    hours = lambda query: [v.total_hours for v in client.get(volunteers_url(station), query).context["object_list"]]  # noqa: E731
    assert hours({"sort": "hours"}) == [Decimal("5"), Decimal("12"), Decimal("20")]
    assert hours({"sort": "-hours"}) == [Decimal("20"), Decimal("12"), Decimal("5")]
    assert client.get(volunteers_url(station), {"sort": "id_number"}).status_code == 200


def test_the_volunteers_list_pages_by_25_and_totals_every_page(world):
    station = world.stations["S1"]
    for n in range(1, 28):
        register(station, n, hours="2")
    response = signed_in(world.users["manager"]).get(volunteers_url(station), {"page": 2})
    assert len(response.context["object_list"]) == 2
    assert response.context["paginator"].count == 27
    totals = {cell["value"] for cell in response.context["list_totals"]}
    assert "54" in totals  # 27 volunteers x 2 hours, over both pages


def test_the_volunteers_export_has_every_filtered_row_and_no_id_or_phone_for_officials(world):
    from io import BytesIO

    from openpyxl import load_workbook

    station = world.stations["S1"]
    register(station, 1, name="刘根林", phone="13800000001", hours="12")
    register(station, 2, name="王芳", phone="13800000002")
    response = signed_in(world.users["county"]).get(volunteers_url(station), {"export": "xlsx", "q": "刘"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:-1]
    assert "姓名" in header and "性别" in header
    assert [row[0] for row in data] == ["刘根林"]
    text = repr(rows)
    assert "13800000001" not in text and "330481" not in text


def test_the_volunteers_export_shows_the_phone_to_station_staff_and_masks_names_for_evaluators(world):
    from io import BytesIO

    from openpyxl import load_workbook

    station = world.stations["S1"]
    register(station, 1, name="刘根林", phone="13800000001")
    read = lambda user: repr(  # noqa: E731
        list(
            load_workbook(
                BytesIO(signed_in(user).get(volunteers_url(station), {"export": "xlsx"}).content)
            ).active.iter_rows(values_only=True)
        )
    )
    assert "13800000001" in read(world.users["manager"]) and "刘根林" in read(world.users["manager"])
    seen_by_evaluator = read(world.users["evaluator"])
    assert "刘*林" in seen_by_evaluator and "刘根林" not in seen_by_evaluator and "138" not in seen_by_evaluator


def test_the_volunteers_page_masks_names_for_evaluators(world):
    station = world.stations["S1"]
    register(station, 1, name="刘根林")
    page = signed_in(world.users["evaluator"]).get(volunteers_url(station)).content.decode()
    assert "刘*林" in page and "刘根林" not in page
