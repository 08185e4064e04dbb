"""Region, station and contract rules (DOMAIN.md section 2) at their boundaries."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from stations.choices import RegionLevel, StationStatus
from stations.models import OperatingContract, Region, Station, contract_latest_end
from stations.rules import contract_overlap, coverage_total, region_coverage, station_status_counts
from tests.factories import ContractFactory, RegionFactory, StationFactory

pytestmark = pytest.mark.django_db


def test_coverage_counts_townships_with_an_operating_station(world):
    """City A: county A1 has 2 townships both covered, county A2 one township covered."""
    world.stations["S2"].status = StationStatus.SUSPENDED
    world.stations["S2"].save()

    rows = region_coverage(region=world.regions["A"], stations=Station.objects.all())

    by_name = {row.name: (row.townships, row.covered) for row in rows}
    assert by_name == {"甲一县": (2, 1), "甲二区": (1, 1)}
    total = coverage_total(rows)
    assert (total.townships, total.covered, total.percent) == (3, 2, 67)


def test_coverage_never_counts_stations_outside_the_given_queryset(world):
    rows = region_coverage(region=world.regions["A"], stations=Station.objects.filter(pk=world.stations["S1"].pk))
    assert coverage_total(rows).covered == 1


def test_coverage_of_a_township_without_any_station_is_zero(world):
    RegionFactory(name="新设镇", code="330481199000", level=RegionLevel.TOWNSHIP, parent=world.regions["A1"])
    rows = region_coverage(region=world.regions["A"], stations=Station.objects.all())
    assert {r.name: r.townships for r in rows}["甲一县"] == 3
    assert coverage_total(rows).rate == pytest.approx(3 / 4)


def test_two_stations_in_one_township_count_the_township_once(world):
    StationFactory(township=world.regions["T1"], name="马桥街道第二社工站")
    rows = region_coverage(region=world.regions["A1"], stations=Station.objects.all())
    assert coverage_total(rows).covered == 2
    assert coverage_total(rows).townships == 2


def test_coverage_query_count_does_not_grow_with_townships(world, django_assert_max_num_queries):
    for n in range(30):
        RegionFactory(name=f"镇{n}", code=f"3304812{n:02d}000", level=RegionLevel.TOWNSHIP, parent=world.regions["A1"])
    with django_assert_max_num_queries(2):
        region_coverage(region=world.regions["A"], stations=Station.objects.all())


def test_status_counts_list_every_status(world):
    counts = station_status_counts(Station.objects.filter(township__path__startswith=world.regions["A"].path))
    assert counts == {"planning": 0, "operating": 3, "suspended": 0, "closed": 0}


def test_contract_overlap_finds_the_clash_and_ignores_the_contract_itself(world):
    contract = world.contracts["S1"]  # 2025-01-01 .. 2026-12-31
    station = world.stations["S1"]
    assert contract_overlap(station=station, start_on=date(2026, 12, 31), end_on=date(2027, 12, 31)) == contract
    assert contract_overlap(station=station, start_on=date(2027, 1, 1), end_on=date(2028, 12, 31)) is None
    assert (
        contract_overlap(station=station, start_on=date(2025, 6, 1), end_on=date(2026, 5, 31), exclude_pk=contract.pk)
        is None
    )


@pytest.mark.parametrize(
    "start, end, ok",
    [
        (date(2025, 1, 1), date(2025, 12, 31), True),  # one year
        (date(2025, 1, 1), date(2026, 12, 31), True),  # two years, the longest allowed
        (date(2025, 1, 1), date(2027, 1, 1), False),  # two years and a day
        (date(2024, 2, 29), date(2026, 2, 27), True),  # from a leap day
        (date(2025, 1, 1), date(2025, 1, 1), False),  # ends the day it starts
    ],
)
def test_contract_term_is_at_most_two_years(world, start, end, ok):
    contract = OperatingContract(
        station=world.stations["S2"], operator=world.orgs["op"], start_on=start, end_on=end, amount=1
    )
    if ok:
        contract.clean()
    else:
        with pytest.raises(ValidationError):
            contract.clean()


def test_contract_latest_end_of_a_leap_day():
    assert contract_latest_end(date(2024, 2, 29)) == date(2026, 2, 27)


def test_only_operators_hold_contracts(world):
    contract = OperatingContract(
        station=world.stations["S2"],
        operator=world.orgs["agency"],
        start_on=date(2025, 1, 1),
        end_on=date(2025, 12, 31),
        amount=1,
    )
    with pytest.raises(ValidationError) as excinfo:
        contract.clean()
    assert "operator" in excinfo.value.message_dict


def test_negative_contract_amount_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError):
        ContractFactory(station=world.stations["S2"], operator=world.orgs["op"], amount=-1)


def test_region_levels_must_nest(world):
    stray = Region(name="错层社区", code="330400000009", level=RegionLevel.COMMUNITY, parent=world.regions["A"])
    with pytest.raises(ValidationError) as excinfo:
        stray.clean()
    assert "parent" in excinfo.value.message_dict


def test_region_path_follows_a_move(world):
    """Moving a township to another county carries its communities along."""
    township, community = world.regions["T1"], world.regions["C1"]
    township.parent = world.regions["A2"]
    township.save()
    community.refresh_from_db()
    assert community.path == f"{world.regions['A2'].path}{township.code}/{community.code}/"
    assert Region.objects.subtree(world.regions["A2"]).filter(pk=community.pk).exists()


def test_operating_station_needs_an_opening_date(world):
    station = world.stations["S1"]
    station.opened_on = None
    with pytest.raises(ValidationError):
        station.clean()


def test_station_must_sit_in_a_township(world):
    station = Station(name="错站", township=world.regions["A1"], status=StationStatus.PLANNING)
    with pytest.raises(ValidationError):
        station.clean()
