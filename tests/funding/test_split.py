"""The two-level split (``funding.rules.split``): the worked examples of DOMAIN.md section 5 and its boundaries."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.choices import Grade
from evaluation.models import Score
from evaluation.rules.workflow import evaluation_amend
from funding.choices import SplitStatus
from funding.models import FundingPolicy
from funding.rules.split import township_funding_split, township_funding_splits
from tests.evaluation.helpers import published
from tests.factories import RegionFactory, StationFactory

from .helpers import THIS_YEAR, result, spend


def split_of(world, key="T1", year=THIS_YEAR):
    return township_funding_split(township=world.regions[key], year=year)


def test_good_grade_pays_forty_percent_times_point_nine(world):
    """S = 500,000.00, grade good: C = 500,000 x 0.40 x 0.9 = 180,000.00, T = 320,000.00."""
    spend(world.stations["S1"], "500000.00")
    result(world.stations["S1"], Grade.GOOD)

    split = split_of(world)

    assert split.city_share == Decimal("180000.00")
    assert split.township_share == Decimal("320000.00")
    assert split.capped is False
    assert split.status == SplitStatus.DUE
    assert split.due == Decimal("180000.00")


def test_excellent_grade_is_capped_at_three_hundred_thousand(world):
    """S = 1,000,000.00, grade excellent: C = min(400,000, 300,000) = 300,000.00, T = 700,000.00, capped."""
    spend(world.stations["S1"], "1000000.00")
    result(world.stations["S1"], Grade.EXCELLENT)

    split = split_of(world)

    assert split.raw_city_share == Decimal("400000.00")
    assert split.city_share == Decimal("300000.00")
    assert split.township_share == Decimal("700000.00")
    assert split.capped is True


def test_no_published_evaluation_is_pending_not_zero(world):
    """S = 600,000.00 without a published evaluation: C and T are None (never zero), nothing is due."""
    spend(world.stations["S1"], "600000.00")

    split = split_of(world)

    assert split.status == SplitStatus.PENDING
    assert split.city_share is None
    assert split.township_share is None
    assert split.due is None
    assert split.spent == Decimal("600000.00")
    assert [share.station_id for share in split.pending_stations] == [world.stations["S1"].pk]


def test_raw_exactly_at_the_cap_is_not_capped(world):
    """A raw city share of exactly 300,000.00 is paid whole: C = 300,000.00 and the cap did not apply."""
    spend(world.stations["S1"], "750000.00")
    result(world.stations["S1"], Grade.EXCELLENT)

    split = split_of(world)

    assert split.raw_city_share == Decimal("300000.00")
    assert split.city_share == Decimal("300000.00")
    assert split.capped is False


def test_one_fen_above_the_cap_is_capped(world):
    """A raw city share of 300,000.01 (city rate 50 %) is cut to the cap: C = 300,000.00, capped."""
    FundingPolicy.objects.create(region=world.regions["T1"], year=THIS_YEAR, city_share=Decimal("0.5"))
    spend(world.stations["S1"], "600000.02")
    result(world.stations["S1"], Grade.EXCELLENT)

    split = split_of(world)

    assert split.raw_city_share == Decimal("300000.01")
    assert split.city_share == Decimal("300000.00")
    assert split.township_share == Decimal("300000.02")
    assert split.capped is True


def test_one_rounding_at_the_end(world):
    """Two stations of 1,000.05 at pass (x 0.28 = 280.014 each): C = round(560.028) = 560.03, not 280.01 x 2."""
    second = StationFactory(township=world.regions["T1"])
    for station in (world.stations["S1"], second):
        spend(station, "1000.05")
        result(station, Grade.PASS)

    split = split_of(world)

    assert [share.raw_share for share in split.stations] == [Decimal("280.014")] * 2
    assert split.city_share == Decimal("560.03")
    assert split.township_share == Decimal("1440.07")


def test_fail_grade_pays_nothing_and_is_not_pending(world):
    """A failing station's factor is 0.0: C = 0.00, T = S, and the split is settled (not pending)."""
    spend(world.stations["S1"], "400000.00")
    result(world.stations["S1"], Grade.FAIL, total="55.0")

    split = split_of(world)

    assert split.pending is False
    assert split.city_share == Decimal("0.00")
    assert split.township_share == Decimal("400000.00")
    assert split.due == Decimal("0.00")


def test_station_without_spending_or_result_does_not_hold_the_split(world):
    """A second station of the township that spent nothing and has no result leaves the split settled."""
    idle = StationFactory(township=world.regions["T1"])
    spend(world.stations["S1"], "500000.00")
    result(world.stations["S1"], Grade.GOOD)

    split = split_of(world)

    assert split.pending is False
    assert split.city_share == Decimal("180000.00")
    idle_share = next(share for share in split.stations if share.station_id == idle.pk)
    assert idle_share.spent == Decimal("0.00") and idle_share.grade is None


def test_station_with_spending_but_no_result_holds_the_whole_township(world):
    """One of two stations spent without a published result: the whole township's split is pending."""
    late = StationFactory(township=world.regions["T1"])
    spend(world.stations["S1"], "500000.00")
    result(world.stations["S1"], Grade.GOOD)
    spend(late, "100.00")

    split = split_of(world)

    assert split.pending is True
    assert [share.station_id for share in split.pending_stations] == [late.pk]


def test_spending_of_another_year_does_not_count(world):
    """Only the expenditures dated in the year funded add up to S."""
    spend(world.stations["S1"], "500000.00")
    spend(world.stations["S1"], "9999.00", on=date(THIS_YEAR - 1, 12, 31))
    result(world.stations["S1"], Grade.GOOD)

    assert split_of(world).spent == Decimal("500000.00")


def test_region_policy_sets_rate_cap_and_factors(world):
    """The city's funding policy (50 %, cap 150,000.00, good 0.8) applies to its townships: raw 200,000, capped."""
    FundingPolicy.objects.create(
        region=world.regions["A"],
        year=THIS_YEAR,
        city_share=Decimal("0.5"),
        township_cap=Decimal("150000.00"),
        factor_good=Decimal("0.8"),
    )
    spend(world.stations["S1"], "500000.00")
    result(world.stations["S1"], Grade.GOOD)

    split = split_of(world)

    assert split.city_rate == Decimal("0.5")
    assert split.cap == Decimal("150000.00")
    assert split.stations[0].factor == Decimal("0.8")
    assert split.raw_city_share == Decimal("200000.00")
    assert split.city_share == Decimal("150000.00")
    assert split.capped is True


def test_nearest_policy_wins_over_the_citys(world):
    """A township's own policy (cap 100,000.00) wins over its city's (cap 150,000.00)."""
    FundingPolicy.objects.create(region=world.regions["A"], year=THIS_YEAR, township_cap=Decimal("150000.00"))
    FundingPolicy.objects.create(region=world.regions["T1"], year=THIS_YEAR, township_cap=Decimal("100000.00"))
    spend(world.stations["S1"], "500000.00")
    result(world.stations["S1"], Grade.GOOD)

    assert split_of(world).city_share == Decimal("100000.00")


def test_amendment_after_publication_changes_the_split(world):
    """A published good result (85 points) amended to pass (79 points): C follows, 180,000.00 -> 140,000.00."""
    spend(world.stations["S1"], "500000.00")
    evaluation = published(world, total="85")
    assert split_of(world).city_share == Decimal("180000.00")

    row = Score.objects.filter(evaluation=evaluation, score__gte=6).select_related("indicator").first()
    evaluation_amend(
        evaluation=evaluation,
        user=world.users["city"],
        indicator=row.indicator,
        new_score=row.score - 6,
        reason="复核台账后更正",
    )

    evaluation.refresh_from_db()
    assert evaluation.grade == Grade.PASS
    split = split_of(world)
    assert split.stations[0].grade == Grade.PASS
    assert split.city_share == Decimal("140000.00")
    assert split.township_share == Decimal("360000.00")


def test_bulk_query_count_does_not_grow_with_townships(world):
    """``township_funding_splits`` of three townships runs as many queries as of one."""
    extra = [
        RegionFactory(name=f"测试镇{n}", code=f"33048120{n}000", level="township", parent=world.regions["A1"])
        for n in range(3)
    ]
    for township in extra:
        station = StationFactory(township=township)
        spend(station, "1000.00")
        result(station, Grade.GOOD)

    with CaptureQueriesContext(connection) as one:
        township_funding_splits(townships=extra[:1], year=THIS_YEAR)
    with CaptureQueriesContext(connection) as three:
        splits = township_funding_splits(townships=extra, year=THIS_YEAR)

    assert len(three) == len(one)
    assert [splits[t.pk].city_share for t in extra] == [Decimal("360.00")] * 3
