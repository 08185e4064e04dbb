"""Recording the city's instalments (``funding.rules.disbursements.disbursement_record``): who, when, how much."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.conflicts import Conflict
from evaluation.choices import Grade
from evaluation.models import Evaluation
from funding.models import Disbursement
from funding.rules.disbursements import disbursement_record
from funding.rules.split import township_funding_split

from .helpers import THIS_YEAR, result, spend

PAID_ON = date.today()


@pytest.fixture
def due_180k(world):
    """T1 this year: S1 spent 500,000.00, graded good: C = 180,000.00 to pay."""
    spend(world.stations["S1"], "500000.00")
    return result(world.stations["S1"], Grade.GOOD)


def record(world, amount, *, user="city", **kwargs):
    values = {
        "township": world.regions["T1"],
        "year": THIS_YEAR,
        "date": PAID_ON,
        "amount": Decimal(str(amount)),
        "reference": "嘉民〔2026〕12号",
        "approver": "王局长",
        "user": world.users[user],
    }
    values.update(kwargs)
    return disbursement_record(**values)


def refusal(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


def test_instalment_is_recorded_with_its_snapshot(world, due_180k):
    """A city official's instalment is saved with the split before it, who recorded it, and a history row by them."""
    paid = record(world, "100000.00")

    assert paid.amount == Decimal("100000.00")
    assert paid.recorded_by == world.users["city"]
    assert paid.split["city_share"] == "180000.00"
    assert paid.split["paid"] == "0.00"
    assert paid.split["status"] == "due"
    assert paid.history.get().history_user == world.users["city"]


def test_county_official_records_for_their_county(world, due_180k):
    """A county official (city_official role, region A1) records for a township of the county."""
    assert record(world, "1000.00", user="county").pk is not None


def test_instalments_may_add_up_to_exactly_c(world, due_180k):
    """Two instalments reaching exactly C are accepted and the split is paid."""
    record(world, "100000.00")
    record(world, "80000.00")

    split = township_funding_split(township=world.regions["T1"], year=THIS_YEAR)
    assert split.paid == Decimal("180000.00")
    assert split.status == "paid"
    assert split.due == Decimal("0.00")


def test_above_c_is_refused_with_c_paid_and_remaining(world, due_180k):
    """An instalment taking the paid total past C is refused on the amount, naming C, paid and what remains."""
    record(world, "100000.00")

    with pytest.raises(ValidationError) as refused:
        record(world, "80000.01")

    message = refusal(refused.value, "amount")
    assert "180,000.00" in message and "100,000.00" in message and "80,000.00" in message
    assert Disbursement.objects.count() == 1


def test_pending_split_is_refused_as_a_conflict(world):
    """Spending without a published result: nothing is disbursed (Conflict), nothing saved."""
    spend(world.stations["S1"], "600000.00")

    with pytest.raises(Conflict):
        record(world, "1000.00")

    assert not Disbursement.objects.exists()


def test_zero_is_refused(world, due_180k):
    """An instalment of 0.00 pays nothing: refused on the amount."""
    with pytest.raises(ValidationError) as refused:
        record(world, "0.00")
    assert "amount" in refused.value.message_dict
    assert not Disbursement.objects.exists()


def test_more_than_two_places_is_refused(world, due_180k):
    """An amount with a fraction of a fen is refused, not rounded."""
    with pytest.raises(ValidationError) as refused:
        record(world, "100.001")
    assert "amount" in refused.value.message_dict


def test_fail_grade_allows_no_instalment(world):
    """C = 0.00 (fail): any positive instalment is above C."""
    spend(world.stations["S1"], "400000.00")
    result(world.stations["S1"], Grade.FAIL, total="50.0")

    with pytest.raises(ValidationError) as refused:
        record(world, "0.01")
    assert "amount" in refused.value.message_dict


def test_recovery_after_an_amendment_lowered_c(world, due_180k):
    """Paid 180,000.00, then the grade drops to pass (C 140,000.00): overpaid 40,000.00, recovered by -40,000.00."""
    record(world, "180000.00")
    Evaluation.objects.filter(pk=due_180k.pk).update(grade=Grade.PASS)
    split = township_funding_split(township=world.regions["T1"], year=THIS_YEAR)
    assert split.status == "overpaid" and split.overpaid == Decimal("40000.00")

    record(world, "-40000.00", note="评估结果更正后收回")

    split = township_funding_split(township=world.regions["T1"], year=THIS_YEAR)
    assert split.paid == Decimal("140000.00")
    assert split.status == "paid"


def test_recovery_may_not_take_the_total_below_zero(world, due_180k):
    """A recovery larger than what was paid is refused."""
    record(world, "1000.00")

    with pytest.raises(ValidationError) as refused:
        record(world, "-1000.01")

    assert "1,000.00" in refusal(refused.value, "amount")
    assert Disbursement.objects.count() == 1


def test_reversal_is_exactly_minus_the_instalment_once(world, due_180k):
    """A reversal must undo its instalment exactly, and an instalment is reversed once only."""
    wrong = record(world, "5000.00")
    with pytest.raises(ValidationError) as refused:
        record(world, "-4000.00", reverses=wrong)
    assert "amount" in refused.value.message_dict

    record(world, "-5000.00", reverses=wrong)
    with pytest.raises(ValidationError) as again:
        record(world, "-5000.00", reverses=wrong)

    assert "reverses" in again.value.message_dict
    assert Disbursement.objects.count() == 2


def test_reversal_of_another_townships_instalment_is_refused(world, due_180k):
    """The reversed instalment must be of the same township and year."""
    spend(world.stations["S2"], "100000.00")
    result(world.stations["S2"], Grade.GOOD)
    other = record(world, "1000.00", township=world.regions["T2"])

    with pytest.raises(ValidationError) as refused:
        record(world, "-1000.00", reverses=other)
    assert "reverses" in refused.value.message_dict


@pytest.mark.parametrize(
    "paid_on",
    [date.today() + timedelta(days=1), date(THIS_YEAR - 1, 12, 31)],
    ids=["future", "before-the-year"],
)
def test_date_in_the_future_or_before_the_year_is_refused(world, due_180k, paid_on):
    """The date paid is not in the future and not before 1 January of the year funded."""
    with pytest.raises(ValidationError) as refused:
        record(world, "1000.00", date=paid_on)
    assert "date" in refused.value.message_dict
    assert not Disbursement.objects.exists()


def test_reference_and_approver_are_required(world, due_180k):
    """Without a reference number or an approver the instalment is refused on both fields."""
    with pytest.raises(ValidationError) as refused:
        record(world, "1000.00", reference="  ", approver="")
    assert {"reference", "approver"} <= set(refused.value.message_dict)


@pytest.mark.parametrize("role", ["township", "manager", "evaluator", "outsider"])
def test_only_officials_of_the_region_record(world, due_180k, role):
    """The township official, station staff, evaluators and another city's officials are refused."""
    with pytest.raises(PermissionDenied):
        record(world, "1000.00", user=role)
    assert not Disbursement.objects.exists()


def test_a_county_is_not_a_township(world, due_180k):
    """Disbursements go to townships only."""
    with pytest.raises(ValidationError) as refused:
        record(world, "1000.00", township=world.regions["A1"])
    assert "township" in refused.value.message_dict


def test_the_township_row_is_locked_while_recording(world, due_180k):
    """The split is computed under a lock on the township's row (SELECT ... FOR UPDATE), so instalments recorded at
    the same time cannot both pass C."""
    with CaptureQueriesContext(connection) as queries:
        record(world, "1000.00")
    locks = [query["sql"] for query in queries if "FOR UPDATE" in query["sql"]]
    assert locks and '"stations_region"' in locks[0]
