"""Budget against actual spending (issue item 3, 8): per line and per source, the policy's warnings, the personnel
share of actual spending, in a fixed number of queries (``funding.rules.execution``)."""

from datetime import date
from decimal import Decimal

import pytest

from funding.models import FundingPolicy
from funding.rules.budgets import budget_approve, budget_create, budget_revise, budget_submit
from funding.rules.execution import budget_execution, budget_in_force

from .helpers import spend

pytestmark = pytest.mark.django_db

YEAR = date.today().year
D = Decimal
LINES = {"personnel": D("70000.00"), "activities": D("20000.00"), "management": D("10000.00"), "other": D("0.00")}
SOURCES = {"city_fiscal": D("40000.00"), "township_fiscal": D("60000.00")}


def budget(world, *, approve=True, year=YEAR):
    made = budget_create(
        station=world.stations["S1"], year=year, lines=LINES, sources=SOURCES, user=world.users["manager"]
    )
    if approve:
        budget_submit(budget=made, user=world.users["manager"])
        budget_approve(budget=made, user=world.users["township"])
    return made


def by_key(rows) -> dict:
    return {row.key: row for row in rows}


def test_without_a_budget_there_is_none_in_force_and_nothing_planned(world):
    assert budget_in_force(station=world.stations["S1"], year=YEAR) is None
    execution = budget_execution(station=world.stations["S1"], year=YEAR)
    assert execution.budget is None and execution.planned_total == D("0.00")


def test_the_approved_version_is_in_force_even_while_a_revision_is_open(world):
    approved = budget(world)
    budget_revise(budget=approved, user=world.users["manager"])
    assert budget_in_force(station=world.stations["S1"], year=YEAR).pk == approved.pk


def test_without_an_approved_version_the_latest_is_shown(world):
    draft = budget(world, approve=False)
    assert budget_in_force(station=world.stations["S1"], year=YEAR).pk == draft.pk


def test_each_line_is_planned_against_the_year_s_spending(world):
    budget(world)
    spend(world.stations["S1"], "35000.00", line="personnel")
    spend(world.stations["S1"], "5000.00", line="activities", source="city_fiscal")
    spend(world.stations["S1"], "9999.00", line="activities", on=date(YEAR - 1, 12, 31))  # last year's: left out

    lines = by_key(budget_execution(station=world.stations["S1"], year=YEAR).lines)

    assert (lines["personnel"].planned, lines["personnel"].actual) == (D("70000.00"), D("35000.00"))
    assert lines["personnel"].share == D("0.5000") and lines["personnel"].level == "ok"
    assert lines["activities"].actual == D("5000.00")


def test_a_line_reaching_the_warning_share_warns_and_reaching_the_alert_share_is_over(world):
    budget(world)
    spend(world.stations["S1"], "17999.99", line="activities")  # just under 90 % of 20,000
    spend(world.stations["S1"], "9000.00", line="management")  # exactly 90 % of 10,000
    spend(world.stations["S1"], "70000.00", line="personnel")  # exactly 100 %

    lines = by_key(budget_execution(station=world.stations["S1"], year=YEAR).lines)

    assert lines["activities"].level == "ok"
    assert lines["management"].level == "warning"
    assert lines["personnel"].level == "over"


def test_spending_where_nothing_was_planned_is_over(world):
    budget(world)
    spend(world.stations["S1"], "10.00", line="other", source="donations")
    execution = budget_execution(station=world.stations["S1"], year=YEAR)
    assert by_key(execution.lines)["other"].level == "over"
    assert by_key(execution.sources)["donations"].level == "over"
    assert {row.key for row in execution.warnings} == {"other", "donations"}


def test_the_thresholds_are_the_policy_s(world):
    FundingPolicy.objects.create(region=world.regions["T1"], year=YEAR, warning_share=D("0.50"), alert_share=D("0.80"))
    budget(world)
    spend(world.stations["S1"], "10000.00", line="activities")  # 50 %
    assert by_key(budget_execution(station=world.stations["S1"], year=YEAR).lines)["activities"].level == "warning"


def test_each_source_is_planned_against_the_spending_drawn_on_it(world):
    budget(world)
    spend(world.stations["S1"], "30000.00", source="township_fiscal")
    sources = by_key(budget_execution(station=world.stations["S1"], year=YEAR).sources)
    assert sources["township_fiscal"].share == D("0.5000")
    assert sources["city_fiscal"].actual == D("0.00")


def test_the_personnel_share_of_actual_spending_is_flagged_above_the_policy_s(world):
    budget(world)
    spend(world.stations["S1"], "7001.00", line="personnel")
    spend(world.stations["S1"], "2999.00", line="activities")
    execution = budget_execution(station=world.stations["S1"], year=YEAR)
    assert execution.personnel_share == D("0.7001") and execution.personnel_over
    assert execution.actual_total == D("10000.00") and execution.total_share == D("0.1000")


def test_a_personnel_share_of_spending_at_the_limit_is_not_flagged(world):
    budget(world)
    spend(world.stations["S1"], "7000.00", line="personnel")
    spend(world.stations["S1"], "3000.00", line="activities")
    assert not budget_execution(station=world.stations["S1"], year=YEAR).personnel_over


def test_a_social_worker_does_not_see_the_personnel_payments(world):
    """The personnel line's payments are colleagues' salaries (DOMAIN.md section 9)."""
    budget(world)
    spend(world.stations["S1"], "35000.00", line="personnel")
    spend(world.stations["S1"], "5000.00", line="activities")

    execution = budget_execution(station=world.stations["S1"], year=YEAR, user=world.users["worker"])

    personnel = by_key(execution.lines)["personnel"]
    assert personnel.planned == D("70000.00") and personnel.actual is None
    assert execution.personnel_hidden and execution.personnel_share is None
    assert execution.actual_total == D("5000.00")
    manager_view = budget_execution(station=world.stations["S1"], year=YEAR, user=world.users["manager"])
    assert manager_view.actual_total == D("40000.00")


def test_the_query_count_does_not_grow_with_the_spending(world, django_assert_max_num_queries):
    budget(world)
    for day in range(1, 29):
        spend(world.stations["S1"], "10.00", on=date(YEAR, 2, day), line="activities")
    station = world.stations["S1"].__class__.objects.select_related("township").get(pk=world.stations["S1"].pk)
    with django_assert_max_num_queries(5):
        budget_execution(station=station, year=YEAR)
