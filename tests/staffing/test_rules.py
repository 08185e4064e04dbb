"""Staffing rules at their boundaries (DOMAIN.md section 3)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from staffing.models import StaffingPolicy, StaffMember, Volunteer
from staffing.rules import (
    policy_for,
    station_compliance,
    stations_compliance,
    time_bank_balance,
    time_bank_redeem,
    turnover_rate,
    volunteer_hours_add,
    volunteer_stars,
    volunteer_total_hours,
)
from staffing.validators import id_number_check_char, mask_id_number, validate_id_number
from stations.models import Organization, Station

ON = date(2026, 6, 30)


def id_number(n: int, born: str = "19900101") -> str:
    body = f"330481{born}{n:03d}"
    return body + id_number_check_char(body)


def test_a_real_id_number_passes_and_is_masked():
    number = "11010519491231002X"  # the standard's own example
    validate_id_number(number)
    assert mask_id_number(number) == "110105************"


@pytest.mark.parametrize(
    "number, code",
    [
        ("110105194912310021", "id_number_check"),
        ("11010519491331002X", "id_number_birth"),  # month 13
        ("11010520991231002X", "id_number_birth"),  # born in the future
        ("11010519491231002", "id_number_shape"),
        ("01010519491231002X", "id_number_shape"),
    ],
)
def test_bad_id_numbers_are_refused(number, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(number)
    assert excinfo.value.code == code


def hire(
    station,
    n,
    *,
    role="full_time",
    certification="none",
    major=False,
    salary="120000",
    hired=date(2025, 1, 1),
    left=None,
):
    return StaffMember.objects.create(
        station=station,
        name=f"社工{n}",
        gender="female",
        id_number=id_number(n),
        role=role,
        certification=certification,
        major_social_work=major,
        hired_on=hired,
        left_on=left,
        annual_salary=Decimal(salary),
    )


def register_volunteers(station, count):
    Volunteer.objects.bulk_create(
        Volunteer(station=station, name=f"志愿者{n}", id_number=id_number(500 + n), registered_on=date(2025, 1, 1))
        for n in range(count)
    )


@pytest.fixture
def compliant_station(world):
    """S1 with exactly the 6430 standard met: 6 full-time, 4 certified, 30 volunteers, 3A+ operator, 600 m2."""
    station = world.stations["S1"]
    for n in range(6):
        hire(station, n, certification="assistant" if n < 4 else "none")
    register_volunteers(station, 30)
    StaffingPolicy.objects.create(region=world.regions["A"], year=ON.year, prior_year_average_wage=Decimal("100000"))
    return station


def checks(station, on=ON) -> dict:
    return {c.code: c for c in station_compliance(station=station, on=on).checks}


@pytest.mark.django_db
def test_exactly_the_standard_is_compliant(compliant_station):
    result = station_compliance(station=compliant_station, on=ON)
    assert result.compliant, [c for c in result.checks if not c.ok]
    assert checks(compliant_station)["full_time_staff"].actual == 6


@pytest.mark.django_db
def test_five_full_time_is_one_short(compliant_station):
    StaffMember.objects.filter(name="社工5").update(role="part_time")
    check = checks(compliant_station)["full_time_staff"]
    assert (check.required, check.actual, check.ok) == (6, 5, False)


@pytest.mark.django_db
def test_a_worker_who_left_yesterday_no_longer_counts(compliant_station):
    StaffMember.objects.filter(name="社工5").update(left_on=ON - timedelta(days=1))
    assert checks(compliant_station)["full_time_staff"].actual == 5
    StaffMember.objects.filter(name="社工5").update(left_on=ON + timedelta(days=1))
    assert checks(compliant_station)["full_time_staff"].actual == 6


@pytest.mark.django_db
def test_someone_hired_tomorrow_does_not_count_yet(compliant_station):
    StaffMember.objects.filter(name="社工5").update(hired_on=ON + timedelta(days=1))
    assert checks(compliant_station)["full_time_staff"].actual == 5


@pytest.mark.django_db
def test_salary_exactly_at_the_floor_is_enough_and_a_fen_less_is_not(compliant_station):
    StaffMember.objects.filter(name="社工0").update(annual_salary=Decimal("120000.00"))
    assert checks(compliant_station)["salary_floor"].ok
    StaffMember.objects.filter(name="社工0").update(annual_salary=Decimal("119999.99"))
    check = checks(compliant_station)["salary_floor"]
    assert (check.required, check.actual, check.ok) == (Decimal("120000.00"), Decimal("119999.99"), False)


@pytest.mark.django_db
def test_salary_floor_is_not_ok_while_the_average_wage_is_unknown(compliant_station):
    StaffingPolicy.objects.update(prior_year_average_wage=None)
    assert not checks(compliant_station)["salary_floor"].ok


@pytest.mark.django_db
def test_professional_share_counts_majors_and_certificates(compliant_station):
    """4 certified of 6 = 0.67; with every certificate gone and 3 majors, 3 of 6 = 0.50 is still enough."""
    assert checks(compliant_station)["professional_share"].actual == Decimal("0.67")
    StaffMember.objects.update(certification="none")
    StaffMember.objects.filter(name__in=["社工0", "社工1", "社工2"]).update(major_social_work=True)
    check = checks(compliant_station)["professional_share"]
    assert (check.actual, check.ok) == (Decimal("0.50"), True)


@pytest.mark.django_db
def test_a_two_person_station_shows_red_honestly(world):
    """The Linzhi case: two staff, no volunteers."""
    station = world.stations["SB"]
    hire(station, 1)
    hire(station, 2, role="deputy")
    result = station_compliance(station=station, on=ON)
    assert not result.compliant
    assert {c.code for c in result.checks if not c.ok} >= {"full_time_staff", "certified_staff", "volunteers"}


@pytest.mark.django_db
def test_the_nearest_policy_wins_and_defaults_apply_without_one(world):
    station = world.stations["S1"]
    assert policy_for(station=station, year=2026).full_time_min == 6  # the shipped default
    StaffingPolicy.objects.create(region=world.regions["A"], year=2026, full_time_min=5)
    StaffingPolicy.objects.create(region=world.regions["A1"], year=2026, full_time_min=4)
    assert policy_for(station=station, year=2026).full_time_min == 4
    assert policy_for(station=world.stations["S3"], year=2026).full_time_min == 5
    assert policy_for(station=station, year=2025).full_time_min == 6


@pytest.mark.django_db
def test_turnover_is_leavers_over_average_headcount(world):
    station = world.stations["S1"]
    for n in range(4):
        hire(station, n, hired=date(2025, 1, 1))
    StaffMember.objects.filter(name="社工0").update(left_on=date(2026, 3, 1))
    # 4 at the start, 3 at the end: 1 / 3.5
    assert turnover_rate(station=station, start=date(2026, 1, 1), end=date(2026, 12, 31)) == Decimal("0.2857")


@pytest.mark.parametrize(
    "hours, stars",
    [("99.5", 0), ("100", 1), ("299.9", 1), ("300", 2), ("600", 3), ("999.9", 3), ("1000", 4), ("1500", 5)],
)
def test_volunteer_stars_at_the_thresholds(hours, stars):
    assert volunteer_stars(total_hours=Decimal(hours), thresholds=[100, 300, 600, 1000, 1500]) == stars


@pytest.mark.django_db
def test_a_day_never_holds_more_than_24_hours(world):
    volunteer = Volunteer.objects.create(
        station=world.stations["S1"], name="李", id_number=id_number(900), registered_on=date(2025, 1, 1)
    )
    volunteer_hours_add(volunteer=volunteer, on=ON, hours=Decimal("20"), activity="探访")
    with pytest.raises(ValidationError):
        volunteer_hours_add(volunteer=volunteer, on=ON, hours=Decimal("4.5"), activity="探访")
    volunteer_hours_add(volunteer=volunteer, on=ON, hours=Decimal("4"), activity="探访")
    assert volunteer_total_hours(volunteer) == Decimal("24")


@pytest.mark.django_db
def test_the_time_bank_never_goes_negative(world):
    volunteer = Volunteer.objects.create(
        station=world.stations["S1"], name="王", id_number=id_number(901), registered_on=date(2025, 1, 1)
    )
    volunteer.time_bank.create(date=ON, hours=Decimal("10"))
    time_bank_redeem(volunteer=volunteer, on=ON, hours=Decimal("10"))
    with pytest.raises(ValidationError):
        time_bank_redeem(volunteer=volunteer, on=ON, hours=Decimal("0.5"))
    assert time_bank_balance(volunteer) == Decimal("0")
    assert volunteer.time_bank.count() == 2


@pytest.mark.django_db
def test_two_of_three_is_short_of_a_two_thirds_rounded_share(compliant_station):
    """The share is compared exactly: 2 of 3 shows as 0.67 but does not meet a minimum of 0.67."""
    StaffingPolicy.objects.update(professional_share_min=Decimal("0.67"))
    StaffMember.objects.filter(name__in=["社工3", "社工4", "社工5"]).update(role="part_time")
    StaffMember.objects.filter(name="社工2").update(certification="none")
    check = checks(compliant_station)["professional_share"]
    assert (check.actual, check.ok) == (Decimal("0.67"), False)


@pytest.mark.django_db
def test_operator_rating_exactly_3a_is_enough_and_2a_or_no_contract_is_not(compliant_station, world):
    Organization.objects.filter(pk=world.orgs["op"].pk).update(rating=3)
    assert checks(compliant_station)["operator_rating"].ok
    Organization.objects.filter(pk=world.orgs["op"].pk).update(rating=2)
    assert not checks(compliant_station)["operator_rating"].ok
    check = checks(compliant_station, on=date(2027, 1, 1))["operator_rating"]  # the contract ended 2026-12-31
    assert (check.actual, check.ok) == (None, False)


@pytest.mark.django_db
def test_site_area_exactly_500_is_enough_and_499_99_is_not(compliant_station):
    Station.objects.filter(pk=compliant_station.pk).update(site_area_m2=Decimal("500.00"))
    assert checks(compliant_station)["site_area"].ok
    Station.objects.filter(pk=compliant_station.pk).update(site_area_m2=Decimal("499.99"))
    assert not checks(compliant_station)["site_area"].ok


@pytest.mark.django_db
def test_many_stations_are_checked_in_a_fixed_number_of_queries_and_agree_with_one_by_one(
    compliant_station, world, django_assert_max_num_queries
):
    hire(world.stations["SB"], 900)
    stations = Station.objects.order_by("pk")
    with django_assert_max_num_queries(5):
        together = stations_compliance(stations=stations, on=ON)
    assert set(together) == set(stations.values_list("pk", flat=True))
    for station in stations:
        assert together[station.pk] == station_compliance(station=station, on=ON)
    assert together[compliant_station.pk].compliant
    assert not together[world.stations["S2"].pk].compliant  # nobody at all: every count is zero
