"""The funding part of ``seed_demo``: budgets under the 70 % rule for every station, a year of spending with
vouchers, the 72 % draft refused, the approval queue, last year's Haining split (one township capped, one failing at
0.00) with its instalments, and this year's splits pending.

One load serves every test of this module (``seeded_demo``).
"""

import random
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Q, Sum
from django.utils import translation

from accounts.models import User
from evaluation.choices import EvaluationStatus, Grade
from evaluation.models import Evaluation
from evaluation.rules.grading import RESULT_STAGES
from funding import demo as funding_demo
from funding.choices import BudgetLine, BudgetStatus
from funding.models import Budget, Disbursement, Expenditure
from funding.rules.budgets import budget_submit, saved_budget_problems
from funding.rules.money import share_of
from funding.rules.split import township_funding_split, township_funding_splits
from stations.demo import CITY, DemoStations
from stations.models import Region, Station

pytestmark = pytest.mark.django_db

TODAY = date.today()
LAST, THIS = TODAY.year - 1, TODAY.year


def haining_townships():
    return list(Region.objects.filter(parent__name="海宁市", level="township").order_by("code"))


def test_every_operating_station_has_an_approved_budget_for_last_year_and_this(seeded_demo):
    operating = set(Station.objects.filter(status="operating").values_list("pk", flat=True))
    for year in (LAST, THIS):
        approved = set(
            Budget.objects.filter(year=year, status=BudgetStatus.APPROVED).values_list("station_id", flat=True)
        )
        assert operating <= approved


def test_every_budget_plans_personnel_at_65_to_70_percent_with_sources_adding_up_to_the_lines(seeded_demo):
    """Version 1 (approved) of every station and year; every version's sources equal its lines."""
    budgets = Budget.objects.prefetch_related("lines", "sources")
    for budget in budgets:
        assert budget.total > 0 and budget.sources_total == budget.total, budget
    for budget in budgets.filter(status=BudgetStatus.APPROVED):
        personnel = next(line.amount for line in budget.lines.all() if line.line == BudgetLine.PERSONNEL)
        assert Decimal("0.65") <= share_of(personnel, budget.total) <= Decimal("0.70"), budget
        assert not saved_budget_problems(budget)


def test_the_personnel_share_of_actual_spending_lands_near_the_budget_s(seeded_demo):
    """Every station and year: 65-70 % of what was spent went to personnel, and spending stays within the budget."""
    rows = (
        Expenditure.objects.values("station_id", "date__year")
        .annotate(total=Sum("amount"), personnel=Sum("amount", filter=Q(line=BudgetLine.PERSONNEL)))
        .order_by()
    )
    budgets = {
        (budget.station_id, budget.year): budget
        for budget in Budget.objects.filter(status=BudgetStatus.APPROVED).prefetch_related("lines")
    }
    assert len(rows) == len(budgets)
    for row in rows:
        assert Decimal("0.65") <= share_of(row["personnel"], row["total"]) <= Decimal("0.70"), row
        assert row["total"] <= budgets[(row["station_id"], row["date__year"])].total


def test_a_station_spends_8_to_15_times_a_month_in_its_year_and_never_in_the_future(seeded_demo):
    months = Counter(
        (row["station_id"], row["date__month"])
        for row in Expenditure.objects.filter(date__year=LAST).values("station_id", "date__month", "pk")
    )
    assert months and all(8 <= count <= 15 for count in months.values())
    assert not Expenditure.objects.filter(date__gt=TODAY).exists()
    assert set(Expenditure.objects.dates("date", "year").values_list("date__year", flat=True)) <= {LAST, THIS}
    assert Expenditure.objects.filter(date__year=THIS, date__month=TODAY.month).exists() or TODAY.day < 10


def test_the_payroll_is_paid_every_month_to_realistic_payees(seeded_demo):
    maqiao = Station.objects.get(township__name="马桥街道")
    payroll = Expenditure.objects.filter(station=maqiao, date__year=LAST, description__startswith="工资发放")

    assert sorted(payroll.values_list("description", flat=True)) == sorted(f"工资发放（{m}月）" for m in range(1, 13))
    assert Expenditure.objects.filter(payee__contains="超市").exists()
    assert Expenditure.objects.filter(payee__endswith="供电公司", line=BudgetLine.MANAGEMENT).exists()


def test_rows_above_the_policy_amount_carry_the_one_stored_pdf_voucher(seeded_demo):
    above = Expenditure.objects.filter(amount__gt=Decimal("1000.00"))

    assert above.exists() and not above.filter(voucher="").exists()
    assert not Expenditure.objects.filter(amount__lte=Decimal("1000.00")).exclude(voucher="").exists()
    assert set(above.values_list("voucher", "voucher_type")) == {(funding_demo.VOUCHER_PATH, "application/pdf")}
    with default_storage.open(funding_demo.VOUCHER_PATH) as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert above.first().voucher_size == len(content)


def test_the_72_percent_draft_is_refused_and_version_1_stays_in_force(seeded_demo):
    """硖石街道's revision plans personnel at 72.00 %: its submission is refused with the share in the message."""
    draft = Budget.objects.get(station__township__name="硖石街道", year=THIS, status=BudgetStatus.DRAFT)
    personnel = draft.lines.get(line=BudgetLine.PERSONNEL).amount
    assert draft.version == 2 and share_of(personnel, draft.total) == Decimal("0.7200")

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        budget_submit(budget=draft, user=User.objects.get(username="admin"))

    assert "人员经费占 72.00%，超过 70%" in str(refused.value.message_dict["lines"])
    draft.refresh_from_db()
    assert draft.status == BudgetStatus.DRAFT
    in_force = Budget.objects.get(station=draft.station, year=THIS, status=BudgetStatus.APPROVED)
    assert in_force.version == 1


def test_the_demo_township_official_has_a_revision_waiting_and_another_township_a_returned_one(seeded_demo):
    township = User.objects.get(username="township")

    waiting = Budget.objects.visible_to(township).filter(status=BudgetStatus.SUBMITTED, year=THIS)

    assert [(budget.station.township.name, budget.version) for budget in waiting] == [("马桥街道", 2)]
    assert Budget.objects.filter(status=BudgetStatus.SUBMITTED, year=THIS).count() == 3
    returned = Budget.objects.get(status=BudgetStatus.RETURNED)
    assert returned.station.township.name == "海洲街道" and returned.return_reason
    assert all(not saved_budget_problems(budget) for budget in Budget.objects.filter(status=BudgetStatus.SUBMITTED))


def test_last_year_s_haining_split_caps_maqiao_at_300000(seeded_demo):
    maqiao = Region.objects.get(name="马桥街道", level="township")

    split = township_funding_split(township=maqiao, year=LAST)

    assert split.stations[0].grade == Grade.EXCELLENT
    assert split.capped and split.raw_city_share > Decimal("300000.00")
    assert split.city_share == Decimal("300000.00")
    assert split.township_share == split.spent - Decimal("300000.00")


def test_last_year_s_failing_station_gets_0_00_not_pending(seeded_demo):
    huangwan = Region.objects.get(name="黄湾镇", level="township")

    split = township_funding_split(township=huangwan, year=LAST)

    assert split.stations[0].grade == Grade.FAIL and split.spent > 0
    assert not split.pending and split.city_share == Decimal("0.00") and split.township_share == split.spent
    assert not Disbursement.objects.filter(township=huangwan).exists()


def test_last_year_s_haining_subsidies_were_paid_in_one_or_two_instalments_never_above_the_share(seeded_demo):
    splits = township_funding_splits(townships=haining_townships(), year=LAST)
    instalments = dict(
        Disbursement.objects.filter(year=LAST).values_list("township_id").annotate(n=Count("pk")).order_by()
    )

    assert all(not split.pending for split in splits.values())
    assert {split.township_name for split in splits.values() if split.capped} == {"马桥街道"}
    paid = [split for split in splits.values() if split.city_share > 0]
    assert paid and all(split.paid <= split.city_share for split in splits.values())
    assert {split.status for split in paid} == {"paid", "due"}
    assert all(instalments[split.township_id] in (1, 2) for split in paid)
    for disbursement in Disbursement.objects.filter(year=LAST):
        assert disbursement.split["city_share"] == str(splits[disbursement.township_id].city_share)
        assert disbursement.date <= TODAY and disbursement.amount > 0


def test_this_year_s_splits_are_all_pending(seeded_demo):
    """No station has a published annual result of this year yet."""
    assert not Evaluation.objects.filter(year=THIS, status=EvaluationStatus.PUBLISHED, stage__in=RESULT_STAGES)
    townships = Region.objects.filter(stations__expenditures__date__year=THIS).distinct()

    splits = township_funding_splits(townships=townships, year=THIS)

    assert len(splits) >= 60
    assert all(split.pending and split.city_share is None and split.township_share is None for split in splits.values())


def test_loading_the_funding_demo_again_changes_nothing(seeded_demo):
    models = [Budget, Budget.lines.rel.related_model, Expenditure, Disbursement]
    before = [(model.objects.count(), model.history.model.objects.count()) for model in models]
    demo = DemoStations(
        city=Region.objects.get(code=CITY[0]),
        counties={county.name: county for county in Region.objects.filter(level="county")},
        stations={station.township.name: station for station in Station.objects.select_related("township")},
    )

    funding_demo.seed(random.Random(1), demo, TODAY)

    assert [(model.objects.count(), model.history.model.objects.count()) for model in models] == before
