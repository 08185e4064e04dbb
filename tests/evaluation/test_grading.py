"""Grades and stars from the total, at each threshold of the default policy and of a region's own."""

from decimal import Decimal

import pytest

from evaluation.choices import Grade
from evaluation.models import EvaluationPolicy
from evaluation.rules.grading import evaluation_grade, evaluation_stars, points, policy_for, station_results
from tests.evaluation.helpers import published, submitted

DEFAULTS = EvaluationPolicy()


@pytest.mark.parametrize(
    "total, grade",
    [
        ("100.0", Grade.EXCELLENT),
        ("90.0", Grade.EXCELLENT),
        ("89.9", Grade.GOOD),
        ("80.0", Grade.GOOD),
        ("79.9", Grade.PASS),
        ("60.0", Grade.PASS),
        ("59.9", Grade.FAIL),
        ("0.0", Grade.FAIL),
    ],
)
def test_grade_at_each_threshold(total, grade):
    assert evaluation_grade(Decimal(total), DEFAULTS) == grade


@pytest.mark.parametrize(
    "total, stars",
    [
        ("95.0", 5),
        ("94.9", 4),
        ("90.0", 4),
        ("89.9", 3),
        ("80.0", 3),
        ("79.9", 2),
        ("70.0", 2),
        ("69.9", 1),
        ("60.0", 1),
        ("59.9", 0),
    ],
)
def test_stars_at_each_threshold(total, stars):
    assert evaluation_stars(Decimal(total), DEFAULTS) == stars


def test_points_round_half_up_to_one_decimal():
    assert points("89.95") == Decimal("90.0")
    assert points("89.94") == Decimal("89.9")


def test_a_region_policy_moves_the_thresholds(world):
    """City A sets excellent from 92: 91 is good there, and its stations follow the nearest region's policy."""
    station = world.stations["S1"]
    year = 2025
    EvaluationPolicy.objects.create(region=world.regions["A"], year=year, excellent_min=Decimal("92"))
    policy = policy_for(station=station, year=year)
    assert evaluation_grade(Decimal("91.0"), policy) == Grade.GOOD
    assert evaluation_grade(Decimal("91.0"), policy_for(station=station, year=year + 1)) == Grade.EXCELLENT
    assert evaluation_grade(Decimal("91.0"), policy_for(station=world.stations["SB"], year=year)) == Grade.EXCELLENT


def test_a_policy_whose_thresholds_do_not_fall_is_refused(world):
    from django.core.exceptions import ValidationError

    policy = EvaluationPolicy(region=world.regions["A"], year=2026, excellent_min=Decimal("80"), good_min=Decimal("80"))
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert "good_min" in refused.value.message_dict


def test_the_station_result_is_its_latest_published_annual_or_final(world):
    """A submitted (unpublished) evaluation does not set the station's result."""
    first = published(world, "91.0")
    assert station_results([world.stations["S1"]])[world.stations["S1"].pk] == first
    submitted(world, "70.0", station_key="S2")
    assert world.stations["S2"].pk not in station_results([world.stations["S2"]])


def test_station_results_take_one_query(world, django_assert_num_queries):
    published(world, "91.0")
    with django_assert_num_queries(1):
        results = station_results(list(world.stations.values()))
    assert set(results) == {world.stations["S1"].pk}
