"""The region rollups: every region's (and the nation's) figures read from its rows equal those summed from the
station rows below it, after the refresh of marks, more writes, and the nightly repair; a read costs the same few
queries for a township and the nation."""

import random
from dataclasses import replace

import pytest

from config.periods import MONTH, QUARTER, YEAR, period_of
from reports.models import RegionMonth, RegionYear
from reports.rollups.figures import (
    NATION,
    children_figures,
    dashboard_figures,
    monthly_series,
    stations_figures,
)
from reports.rollups.refresh import rollups_refresh, rollups_repair
from stations.choices import RegionLevel
from stations.models import Region
from tests.factories import StationFactory
from tests.services.helpers import log

from .test_rollups import TODAY, months_back, more_writes, random_world

pytestmark = pytest.mark.django_db


def periods_of(months):
    found = {period_of(month, MONTH) for month in months}
    found |= {period_of(month, QUARTER) for month in months} | {period_of(TODAY, YEAR)}
    return sorted(found, key=lambda period: (period.first, period.kind))


def bare(figures):
    return replace(figures, as_of=None)


def assert_regions_equal_their_stations(months):
    subjects = [NATION, *Region.objects.exclude(level=RegionLevel.COMMUNITY)]
    for period in periods_of(months):
        for subject in subjects:
            read = dashboard_figures(stations_or_region=subject, period=period)
            assert bare(read) == bare(stations_figures(subject, period)), (subject, period.key)
            if subject is NATION or subject.level != RegionLevel.TOWNSHIP:
                for child, figures in children_figures(region=subject, period=period):
                    assert bare(figures) == bare(stations_figures(child, period)), (subject, child, period.key)


@pytest.mark.parametrize("seed", [7, 2026])
def test_every_region_reads_what_its_stations_sum_to_after_marks_writes_and_the_repair(world, seed):
    months = months_back(4)
    rng = random.Random(seed)
    stations = random_world(world, rng, months)
    rollups_refresh()
    assert RegionMonth.objects.exists() and RegionYear.objects.exists()
    assert_regions_equal_their_stations(months)
    more_writes(world, stations, rng, months)
    rollups_refresh()
    assert_regions_equal_their_stations(months)
    assert rollups_repair(months=4) == []
    assert_regions_equal_their_stations(months)


def test_the_repair_puts_a_wrong_region_row_right(world):
    months = months_back(2)
    random_world(world, random.Random(3), months)
    rollups_refresh()
    RegionMonth.objects.filter(region=world.regions["A"], month=months[-1]).update(records=999_999)
    rollups_repair(months=2)
    assert_regions_equal_their_stations(months)


def test_the_nation_and_a_township_cost_the_same_queries(world, django_assert_max_num_queries):
    months = months_back(2)
    random_world(world, random.Random(5), months)
    rollups_refresh()
    period = period_of(TODAY, YEAR)
    with django_assert_max_num_queries(6) as township:
        dashboard_figures(stations_or_region=world.regions["T1"], period=period)
    with django_assert_max_num_queries(len(township.captured_queries)):
        dashboard_figures(stations_or_region=NATION, period=period)
    with django_assert_max_num_queries(8):
        children_figures(region=NATION, period=period)


def test_the_monthly_series_of_a_region_is_its_stations(world):
    months = months_back(3)
    random_world(world, random.Random(11), months)
    rollups_refresh()
    county = world.regions["A1"]
    series = monthly_series(stations_or_region=county, first=months[0], last=months[-1])
    for point in series:
        figures = stations_figures(county, period_of(point.month, MONTH))
        assert (point.records, point.headcount, point.spent) == (
            figures.services.records,
            figures.services.headcount,
            figures.funding.spent,
        )


def test_one_new_record_moves_its_four_regions_by_its_difference(world, django_assert_max_num_queries):
    """The refresh of one new record does not sum any region again: each of its station rows moves the rows of
    its township, county, city and province (here a root city has none) by what it changed, in one statement per
    region table."""
    months = months_back(2)
    random_world(world, random.Random(13), months)
    rollups_refresh()
    county = world.regions["A1"]
    before = RegionMonth.objects.get(region=county, month=months[-1])
    log(world.stations["S1"], world.users["manager"], TODAY, kind="group", headcount=7, duration_minutes=45)
    with django_assert_max_num_queries(15) as refreshed:  # 13 and the savepoint in the test transaction
        assert rollups_refresh() == 1
    summed = [q["sql"] for q in refreshed.captured_queries if "reports_region" in q["sql"] and "GROUP BY" in q["sql"]]
    assert summed == []
    after = RegionMonth.objects.get(region=county, month=months[-1])
    assert (after.records, after.kind_group, after.headcount, after.service_minutes) == (
        before.records + 1,
        before.kind_group + 1,
        before.headcount + 7,
        before.service_minutes + 45,
    )
    assert_regions_equal_their_stations(months)


def test_a_station_moved_to_another_township_leaves_its_old_regions(world):
    """The month refreshed after a station moves subtracts its row from its old township, county and city and adds
    it to the new ones (city B, a root city)."""
    months = months_back(2)
    stations = random_world(world, random.Random(17), months)
    rollups_refresh()
    moved = world.stations["S1"]
    moved.township = world.regions["TB"]
    moved.save()  # marks its month running (its compliance), which recomputes the whole row
    rollups_refresh()
    assert_regions_equal_their_stations(months)
    more_writes(world, stations, random.Random(18), months)
    rollups_refresh()
    assert_regions_equal_their_stations(months)


def test_a_station_deleted_leaves_its_regions(world, django_capture_on_commit_callbacks):
    """An empty station (records, staff and budgets protect the others) counted as checked and failing: deleted,
    its regions lose its compliance and its coverage at once, not at the next night's repair."""
    months = months_back(2)
    random_world(world, random.Random(19), months)
    rollups_refresh()
    empty = StationFactory(township=world.regions["T2"])
    rollups_refresh()
    assert_regions_equal_their_stations(months)
    with django_capture_on_commit_callbacks(execute=True):
        empty.delete()
    assert_regions_equal_their_stations(months)
