"""What a monthly report adds to the dashboard's figures (DOMAIN.md section 7): the month's people served by
target group, the staff turnover and the "123X" projects, a station's and summed over a region's stations, from
the services' and staffing's own rule functions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from config.periods import MONTH, period_of
from reports.periodic import work_context
from services.choices import ProjectCategory
from services.rules.portfolio import portfolio_check, portfolios_check
from staffing.models import StaffMember
from staffing.rules import staff_turnover, station_turnover
from tests.factories import shipped_target_groups
from tests.services.helpers import beneficiary, log, project, staff_member

pytestmark = pytest.mark.django_db

LAST_MONTH = period_of(date.today().replace(day=1) - timedelta(days=1), MONTH)


def complete_portfolio(station, year):
    project(station, year, "core", "", name="党管社工人才服务")
    for subtype in ("professional", "governance"):
        project(station, year, "brand", subtype)
    for subtype in ("difficult_families", "elderly_alone", "children"):
        project(station, year, "basic", subtype, target_beneficiaries=2, target_sessions=1)


def test_a_station_and_its_county_show_people_by_target_group_turnover_and_the_portfolios(world):
    groups = shipped_target_groups()
    s1, s2, user = world.stations["S1"], world.stations["S2"], world.users["manager"]
    elderly, child = groups["elderly_alone"], groups["child_in_difficulty"]
    old = beneficiary(s1, 1)
    old.target_groups.set([elderly])
    both = beneficiary(s1, 2)
    both.target_groups.set([elderly, child])
    other = beneficiary(s2, 3)
    other.target_groups.set([child])
    day = LAST_MONTH.first + timedelta(days=3)
    log(s1, user, day, people=[old, both])
    log(s1, user, day, people=[old])  # the same person twice counts once
    log(s2, user, day, people=[other])
    staff_member(s1, 10, hired_on=LAST_MONTH.first + timedelta(days=5))
    staff_member(s1, 11, hired_on=date(2024, 1, 1), left_on=LAST_MONTH.first + timedelta(days=9))
    staff_member(s2, 12, hired_on=date(2024, 1, 1))
    complete_portfolio(s1, LAST_MONTH.year)

    station = work_context(s1, LAST_MONTH)
    by_group = dict(station["target_groups"])
    assert (by_group[elderly.name], by_group[child.name]) == (2, 1)
    assert len(station["target_groups"]) == len(groups)  # every group listed, the empty ones with 0
    expected = station_turnover(station=s1, start=LAST_MONTH.first, end=LAST_MONTH.last)
    assert station["turnover"] == expected
    assert (expected.joiners, expected.leavers, expected.headcount) == (1, 1, 1)
    assert (station["portfolios_valid"], station["portfolios"], station["portfolio_problems"]) == (1, 1, [])
    basic = [row for row in station["projects"] if row.category == str(ProjectCategory.BASIC.label)]
    assert len(station["projects"]) == 6 and len(basic) == 3
    assert [check[1:] for check in basic[0].checks] == [(0, 2, False), (0, 1, False), (0, 0, True)]

    county = work_context(world.regions["A1"], LAST_MONTH)  # S1 (T1) and S2 (T2)
    by_group = dict(county["target_groups"])
    assert (by_group[elderly.name], by_group[child.name]) == (2, 2)
    summed = staff_turnover(
        staff=StaffMember.objects.filter(station__in=[s1, s2]), start=LAST_MONTH.first, end=LAST_MONTH.last
    )
    assert county["turnover"] == summed and summed.headcount == 2
    # one leaver over the average of 2 at the start (S1 the leaver, S2) and 2 at the end (S1 the new hire, S2)
    assert summed.rate == Decimal("0.5000") and station["turnover"].rate == Decimal("1.0000")
    assert (county["portfolios_valid"], county["portfolios"]) == (1, 2)
    assert county["projects"] == []  # a region's report counts the portfolios, it lists no projects


def test_the_portfolios_of_many_stations_are_each_stations_portfolio(world):
    s1, s2 = world.stations["S1"], world.stations["S2"]
    complete_portfolio(s1, 2026)
    project(s2, 2026, "core", "")
    project(s2, 2026, "core", "", name="第二个核心项目")
    many = portfolios_check(station_ids=[s1.pk, s2.pk], year=2026)
    assert many == {s1.pk: portfolio_check(station=s1, year=2026), s2.pk: portfolio_check(station=s2, year=2026)}
    assert many[s1.pk].valid and not many[s2.pk].valid
    assert "core_too_many" in {problem.code for problem in many[s2.pk].problems}
