"""Budgets (issue item 2, 6): the 70 % rule and the sources adding up, at their boundaries, and every step of the
workflow with its refusals, each of which changes nothing (``funding.rules.budgets``)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from config.conflicts import Conflict
from funding.choices import BudgetStatus
from funding.models import Budget, BudgetLineAmount, BudgetSourceAmount, FundingPolicy
from funding.rules.budgets import (
    budget_approve,
    budget_create,
    budget_delete,
    budget_history,
    budget_policy,
    budget_problems,
    budget_return,
    budget_revise,
    budget_submit,
    budget_update,
)

pytestmark = pytest.mark.django_db

YEAR = date.today().year
D = Decimal


def lines_of(personnel="280000.00", activities="80000.00", management="30000.00", other="10000.00") -> dict:
    return {"personnel": D(personnel), "activities": D(activities), "management": D(management), "other": D(other)}


def sources_of(city="160000.00", township="240000.00") -> dict:
    return {"city_fiscal": D(city), "township_fiscal": D(township)}


def draft(world, *, year=YEAR, lines=None, sources=None, station="S1"):
    return budget_create(
        station=world.stations[station],
        year=year,
        lines=lines or lines_of(),
        sources=sources or sources_of(),
        note="年度预算",
        user=world.users["manager"],
    )


def submitted(world, **kwargs):
    return budget_submit(budget=draft(world, **kwargs), user=world.users["manager"])


def approved(world, **kwargs):
    return budget_approve(budget=submitted(world, **kwargs), user=world.users["township"])


def rows(budget) -> dict:
    """Everything saved of a budget, to show a refusal changed nothing."""
    budget = Budget.objects.get(pk=budget.pk)
    return {
        "budget": (budget.status, budget.version, budget.note, budget.return_reason, budget.submitted_at),
        "lines": list(BudgetLineAmount.objects.filter(budget=budget).order_by("line").values_list("line", "amount")),
        "sources": list(
            BudgetSourceAmount.objects.filter(budget=budget).order_by("source").values_list("source", "amount")
        ),
    }


def policy() -> FundingPolicy:
    return FundingPolicy(year=YEAR)


# --- the problems -------------------------------------------------------------------------------------------------


def test_a_personnel_share_exactly_at_the_limit_is_accepted():
    """280,000.00 of 400,000.00 is 70.00 %: allowed."""
    assert budget_problems(lines=lines_of(), sources=sources_of(), policy=policy()) == {}


def test_a_personnel_share_of_70_01_percent_is_refused_with_the_share_in_the_message():
    """280,040.00 of 400,000.00 is 70.01 %: refused, the share and the limit in the message."""
    lines = lines_of(personnel="280040.00", activities="79960.00")
    with translation.override("zh-hans"):
        problems = budget_problems(lines=lines, sources=sources_of(), policy=policy())
    assert problems == {"lines": ["人员经费占 70.01%，超过 70%"]}


def test_a_personnel_share_of_72_percent_reads_as_the_issue_says():
    lines = lines_of(personnel="288000.00", activities="72000.00")
    with translation.override("zh-hans"):
        problems = budget_problems(lines=lines, sources=sources_of(), policy=policy())
    assert problems["lines"] == ["人员经费占 72.00%，超过 70%"]


def test_the_limit_is_the_policy_s():
    """A region's policy of 72.5 % allows 72 % and prints its own limit."""
    lines = lines_of(personnel="292000.00", activities="68000.00")  # 73.00 %
    with translation.override("zh-hans"):
        problems = budget_problems(
            lines=lines, sources=sources_of(), policy=FundingPolicy(personnel_max_share=D("0.725"))
        )
    assert problems["lines"] == ["人员经费占 73.00%，超过 72.5%"]


def test_sources_off_by_one_fen_are_refused_with_both_sums():
    sources = sources_of(township="239999.99")
    with translation.override("zh-hans"):
        problems = budget_problems(lines=lines_of(), sources=sources, policy=policy())
    assert problems == {"sources": ["资金来源合计 399,999.99 元，与预算合计 400,000.00 元不符"]}


def test_a_budget_of_nothing_is_refused():
    zero = lines_of("0", "0", "0", "0")
    problems = budget_problems(lines=zero, sources={}, policy=policy())
    assert list(problems) == ["lines"]


def test_the_policy_of_a_budget_is_the_nearest_region_s(world):
    FundingPolicy.objects.create(region=world.regions["A1"], year=YEAR, personnel_max_share=D("0.65"))
    assert budget_policy(station=world.stations["S1"], year=YEAR).personnel_max_share == D("0.65")
    assert budget_policy(station=world.stations["S3"], year=YEAR).personnel_max_share == D("0.70")


# --- creating and changing ------------------------------------------------------------------------------------------


def test_a_new_budget_is_version_1_a_draft_with_every_line_and_source(world):
    budget = draft(world)

    assert (budget.version, budget.status, budget.created_by) == (1, BudgetStatus.DRAFT, world.users["manager"])
    assert BudgetLineAmount.objects.filter(budget=budget).count() == 4
    assert BudgetSourceAmount.objects.filter(budget=budget).count() == 8
    assert BudgetSourceAmount.objects.get(budget=budget, source="donations").amount == D("0.00")
    assert budget.total == D("400000.00")


def test_a_draft_is_saved_with_its_problems(world):
    budget = draft(world, lines=lines_of(personnel="288000.00", activities="72000.00"))
    assert Budget.objects.filter(pk=budget.pk, status=BudgetStatus.DRAFT).exists()


def test_a_second_budget_for_the_year_is_refused(world):
    draft(world)
    with pytest.raises(Conflict):
        draft(world)
    assert Budget.objects.count() == 1


def test_a_negative_amount_is_refused_on_its_field(world):
    with pytest.raises(ValidationError) as refusal:
        draft(world, lines=lines_of(other="-1.00"))
    assert "lines" in refusal.value.message_dict
    assert not Budget.objects.exists()


def test_only_the_station_s_manager_creates_its_budget(world):
    for role in ("worker", "township", "county"):
        with pytest.raises(PermissionDenied):
            budget_create(
                station=world.stations["S1"], year=YEAR, lines=lines_of(), sources=sources_of(), user=world.users[role]
            )
    assert not Budget.objects.exists()


def test_a_manager_cannot_budget_another_station(world):
    with pytest.raises(PermissionDenied):
        draft(world, station="S2")


def test_a_draft_is_changed_and_only_the_changed_rows_are_saved(world):
    budget = draft(world)
    budget_update(
        budget=budget,
        lines=lines_of(activities="90000.00"),
        sources=sources_of(township="250000.00"),
        note="增加活动",
        user=world.users["manager"],
    )
    budget.refresh_from_db()
    assert budget.total == D("410000.00") and budget.note == "增加活动"
    assert BudgetLineAmount.history.filter(budget_id=budget.pk, history_type="~").count() == 1


@pytest.mark.parametrize("step", ["submitted", "approved"])
def test_a_submitted_or_approved_budget_is_frozen(world, step):
    budget = submitted(world) if step == "submitted" else approved(world)
    before = rows(budget)
    with pytest.raises(Conflict):
        budget_update(budget=budget, lines=lines_of(), sources=sources_of(), note="改", user=world.users["manager"])
    assert rows(budget) == before


# --- the workflow ------------------------------------------------------------------------------------------------


def test_the_manager_submits_a_budget_without_problems(world):
    budget = submitted(world)
    assert budget.status == BudgetStatus.SUBMITTED
    assert budget.submitted_by == world.users["manager"] and budget.submitted_at is not None


def test_a_budget_with_a_personnel_line_above_the_share_cannot_be_submitted(world):
    budget = draft(world, lines=lines_of(personnel="288000.00", activities="72000.00"))
    before = rows(budget)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refusal:
        budget_submit(budget=budget, user=world.users["manager"])
    assert refusal.value.message_dict == {"lines": ["人员经费占 72.00%，超过 70%"]}
    assert rows(budget) == before


def test_a_budget_whose_sources_do_not_add_up_cannot_be_submitted(world):
    budget = draft(world, sources=sources_of(township="239999.99"))
    with pytest.raises(ValidationError) as refusal:
        budget_submit(budget=budget, user=world.users["manager"])
    assert list(refusal.value.message_dict) == ["sources"]
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.DRAFT


def test_only_the_manager_submits(world):
    budget = draft(world)
    with pytest.raises(PermissionDenied):
        budget_submit(budget=budget, user=world.users["township"])
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.DRAFT


def test_a_submitted_budget_cannot_be_submitted_again(world):
    budget = submitted(world)
    before = rows(budget)
    with pytest.raises(Conflict):
        budget_submit(budget=budget, user=world.users["manager"])
    assert rows(budget) == before


def test_the_township_official_approves_a_submitted_budget(world):
    budget = approved(world)
    assert budget.status == BudgetStatus.APPROVED
    assert budget.decided_by == world.users["township"] and budget.decided_at is not None


@pytest.mark.parametrize("role", ["county", "city", "manager"])
def test_only_the_township_official_approves(world, role):
    budget = submitted(world)
    with pytest.raises(PermissionDenied):
        budget_approve(budget=budget, user=world.users[role])
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.SUBMITTED


def test_a_township_official_cannot_approve_another_township_s_budget(world):
    from tests.factories import UserFactory

    other = UserFactory(username="t2", role="township_official", region=world.regions["T2"])
    budget = submitted(world)
    with pytest.raises(PermissionDenied):
        budget_approve(budget=budget, user=other)


def test_a_draft_cannot_be_approved(world):
    budget = draft(world)
    with pytest.raises(Conflict):
        budget_approve(budget=budget, user=world.users["township"])
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.DRAFT


def test_approval_checks_again_under_today_s_policy(world):
    """The region lowered the personnel limit after the budget was submitted: approval is refused."""
    budget = submitted(world)
    FundingPolicy.objects.create(region=world.regions["A"], year=YEAR, personnel_max_share=D("0.60"))
    with pytest.raises(ValidationError) as refusal:
        budget_approve(budget=budget, user=world.users["township"])
    assert "lines" in refusal.value.message_dict
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.SUBMITTED


def test_a_budget_is_returned_with_a_reason_and_submitted_again(world):
    budget = budget_return(budget=submitted(world), user=world.users["township"], reason="活动经费偏低")
    assert (budget.status, budget.return_reason) == (BudgetStatus.RETURNED, "活动经费偏低")

    budget_update(
        budget=budget,
        lines=lines_of(personnel="270000.00", activities="90000.00"),
        sources=sources_of(),
        note="",
        user=world.users["manager"],
    )
    budget = budget_submit(budget=budget, user=world.users["manager"])
    assert budget.status == BudgetStatus.SUBMITTED and budget.return_reason == ""


def test_a_return_needs_a_reason(world):
    budget = submitted(world)
    with pytest.raises(ValidationError) as refusal:
        budget_return(budget=budget, user=world.users["township"], reason="  ")
    assert list(refusal.value.message_dict) == ["reason"]
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.SUBMITTED


def test_only_a_submitted_budget_is_returned(world):
    budget = approved(world)
    with pytest.raises(Conflict):
        budget_return(budget=budget, user=world.users["township"], reason="再看看")
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.APPROVED


# --- revisions ----------------------------------------------------------------------------------------------------


def test_a_revision_is_a_new_draft_version_and_the_approved_one_stays_in_force(world):
    first = approved(world)
    revision = budget_revise(budget=first, user=world.users["manager"])

    assert (revision.version, revision.status) == (2, BudgetStatus.DRAFT)
    assert revision.total == first.total
    assert Budget.objects.get(pk=first.pk).status == BudgetStatus.APPROVED
    assert Budget.objects.filter(station=first.station, year=YEAR).count() == 2


def test_approving_the_revision_supersedes_the_version_before(world):
    first = approved(world)
    revision = budget_revise(budget=first, user=world.users["manager"])
    budget_update(
        budget=revision,
        lines=lines_of(activities="100000.00"),
        sources=sources_of(township="260000.00"),
        note="追加",
        user=world.users["manager"],
    )
    budget_submit(budget=revision, user=world.users["manager"])
    budget_approve(budget=revision, user=world.users["township"])

    assert Budget.objects.get(pk=first.pk).status == BudgetStatus.SUPERSEDED
    assert Budget.objects.get(pk=revision.pk).status == BudgetStatus.APPROVED
    assert Budget.objects.get(pk=first.pk).total == D("400000.00")


def test_a_second_revision_is_refused_while_one_is_open(world):
    first = approved(world)
    budget_revise(budget=first, user=world.users["manager"])
    with pytest.raises(Conflict):
        budget_revise(budget=first, user=world.users["manager"])
    assert Budget.objects.count() == 2


def test_only_the_approved_budget_is_revised(world):
    budget = draft(world)
    with pytest.raises(Conflict):
        budget_revise(budget=budget, user=world.users["manager"])
    assert Budget.objects.count() == 1


# --- deleting and history -----------------------------------------------------------------------------------------


def test_a_draft_never_submitted_is_deleted(world):
    budget = draft(world)
    budget_delete(budget=budget, user=world.users["manager"])
    assert not Budget.objects.exists() and not BudgetLineAmount.objects.exists()


def test_a_returned_budget_is_never_deleted(world):
    budget = budget_return(budget=submitted(world), user=world.users["township"], reason="补充说明")
    with pytest.raises(Conflict):
        budget_delete(budget=budget, user=world.users["manager"])
    assert Budget.objects.filter(pk=budget.pk).exists()


def test_the_history_says_who_changed_what_from_what_to_what(world):
    budget = draft(world)
    budget_update(
        budget=budget,
        lines=lines_of(activities="90000.00"),
        sources=sources_of(township="250000.00"),
        note="年度预算",
        user=world.users["manager"],
    )
    budget_submit(budget=budget, user=world.users["manager"])

    history = budget_history(budget=budget)
    line_change = next(c for c in history if c.kind == "line" and c.change == "~")
    assert line_change.item == "activities"
    assert line_change.fields == [("amount", "80000.00", "90000.00")]
    assert line_change.by == (world.users["manager"].get_full_name() or "manager")
    status_change = next(c for c in history if c.kind == "budget" and c.change == "~")
    assert status_change.fields[0][0] == "status"
