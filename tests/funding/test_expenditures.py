"""The expenditure rules: every check at its boundary, entering and correcting with vouchers, the change history."""

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from funding.choices import BudgetStatus
from funding.models import Budget, Expenditure, FundingPolicy
from funding.rules.expenditures import (
    expenditure_create,
    expenditure_problems,
    expenditure_update,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
TODAY = timezone.localdate()
YEAR = TODAY.year


def approved_budget(station, year: int = YEAR, status=BudgetStatus.APPROVED) -> Budget:
    """A budget of ``station`` for ``year`` in ``status``, written straight to the table (the budget rules have
    tests of their own)."""
    version = (Budget.objects.filter(station=station, year=year).order_by("-version").first() or Budget()).version
    return Budget.objects.create(station=station, year=year, status=status, version=(version or 0) + 1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def s1(world):
    approved_budget(world.stations["S1"])
    return world.stations["S1"]


def fields(**changes) -> dict:
    values = {
        "date": TODAY,
        "line": "activities",
        "source": "township_fiscal",
        "amount": Decimal("800.00"),
        "payee": "嘉兴市某某文化用品有限公司",
        "description": "重阳节活动物资",
    }
    return {**values, **changes}


def problems(station, *, has_voucher=False, today=TODAY, **changes) -> dict:
    return expenditure_problems(station=station, **fields(**changes), has_voucher=has_voucher, today=today)


def test_a_payment_of_today_is_accepted(s1):
    """The date may be today."""
    assert problems(s1, date=TODAY) == {}


def test_a_payment_dated_tomorrow_is_refused_on_the_date(s1):
    """Spending is entered when it happened, never ahead."""
    assert "date" in problems(s1, date=TODAY + timedelta(days=1), today=TODAY)


def test_a_year_without_an_approved_budget_is_refused_with_the_year(s1):
    """Last year had no approved budget: its payments cannot be entered."""
    errors = problems(s1, date=date(YEAR - 1, 6, 1))

    assert errors["date"] == [f"{YEAR - 1} 年尚无已批准的预算，无法录入该年支出。"]


def test_a_draft_or_submitted_budget_does_not_open_the_year(world):
    """Only an approved (or since superseded) budget counts."""
    station = world.stations["S2"]
    approved_budget(station, status=BudgetStatus.SUBMITTED)

    assert "date" in problems(station)


def test_a_superseded_budget_still_opens_its_year(world):
    """A year whose approved budget was revised keeps its spending open."""
    station = world.stations["S2"]
    approved_budget(station, status=BudgetStatus.SUPERSEDED)

    assert problems(station) == {}


def test_1000_yuan_needs_no_voucher(s1):
    """At the policy's amount exactly, no voucher is needed."""
    assert problems(s1, amount=Decimal("1000.00")) == {}


def test_1000_yuan_and_one_fen_needs_a_voucher(s1):
    """Above the policy's amount, the voucher is required."""
    errors = problems(s1, amount=Decimal("1000.01"))

    assert list(errors) == ["voucher"]
    assert "1,000.00" in errors["voucher"][0]
    assert problems(s1, amount=Decimal("1000.01"), has_voucher=True) == {}


def test_the_voucher_amount_is_the_regions_policy(world, s1):
    """A county that asks for vouchers above 500.00 is obeyed for its stations."""
    FundingPolicy.objects.create(region=world.regions["A1"], year=YEAR, voucher_required_above=Decimal("500.00"))

    assert "voucher" in problems(s1, amount=Decimal("500.01"))
    assert problems(s1, amount=Decimal("500.00")) == {}


@pytest.mark.parametrize(
    "amount",
    [Decimal("0"), Decimal("0.00"), Decimal("-5.00"), Decimal("1000000000000.00"), Decimal("10.005"), None],
)
def test_an_amount_not_above_zero_too_large_or_finer_than_a_fen_is_refused(s1, amount):
    """The amount is above 0, at most 999,999,999,999.99, in fen."""
    assert "amount" in problems(s1, amount=amount, has_voucher=True)


def test_the_largest_amount_is_accepted(s1):
    """999,999,999,999.99 fits the field (with its voucher)."""
    assert problems(s1, amount=Decimal("999999999999.99"), has_voucher=True) == {}


def test_payee_and_description_are_required(s1):
    """Blank text is no payee and no description."""
    errors = problems(s1, payee="  ", description="")

    assert set(errors) == {"payee", "description"}


def test_an_unknown_line_or_source_names_the_allowed_ones(s1):
    """A typed code that is no choice is refused with the choices."""
    errors = problems(s1, line="travel", source="")

    assert "人员经费" in errors["line"][0]
    assert "市级财政" in errors["source"][0]


def test_every_problem_is_reported_at_once(s1):
    """The form, the API and the import list all of them, not the first."""
    errors = problems(s1, date=TODAY + timedelta(days=1), amount=Decimal("0"), payee="", line="x")

    assert set(errors) == {"date", "amount", "payee", "line"}


def test_a_payment_is_entered_with_who_entered_it_in_its_history(world, s1):
    """``expenditure_create`` saves the row, and simple-history records the user."""
    manager = world.users["manager"]

    expenditure = expenditure_create(station=s1, user=manager, **fields())

    assert expenditure.created_by == manager
    assert expenditure.history.get().history_user == manager


def test_a_refused_payment_saves_nothing(world, s1):
    """A refusal raises with every field and leaves the table as it was."""
    with pytest.raises(ValidationError) as refused:
        expenditure_create(station=s1, user=world.users["manager"], **fields(amount=Decimal("1500.00"), payee=""))

    assert set(refused.value.message_dict) == {"voucher", "payee"}
    assert not Expenditure.objects.exists()


def test_a_voucher_is_stored_with_its_sniffed_type_and_name(world, s1, media):
    """A PDF upload above the amount is kept, typed by its content; the stored name is not the uploader's."""
    voucher = SimpleUploadedFile("发票 0305.pdf", PDF, content_type="image/png")

    expenditure = expenditure_create(
        station=s1, user=world.users["manager"], voucher=voucher, **fields(amount=Decimal("1500.00"))
    )

    expenditure.refresh_from_db()
    assert (expenditure.voucher_name, expenditure.voucher_type, expenditure.voucher_size) == (
        "发票 0305.pdf",
        "application/pdf",
        len(PDF),
    )
    assert expenditure.voucher.name.startswith(f"funding/vouchers/{s1.pk}/{TODAY:%Y/%m}/voucher")
    assert expenditure.voucher.read() == PDF


def test_a_fake_pdf_is_refused_and_nothing_is_stored(world, s1, media):
    """Text renamed .pdf is no voucher: refused on the voucher field, no row, no file."""
    fake = SimpleUploadedFile("发票.pdf", b"just some text, honestly a PDF", content_type="application/pdf")

    with pytest.raises(ValidationError) as refused:
        expenditure_create(station=s1, user=world.users["manager"], voucher=fake, **fields(amount=Decimal("1500.00")))

    assert list(refused.value.message_dict) == ["voucher"]
    assert not Expenditure.objects.exists()
    assert not any(files for _root, _dirs, files in os.walk(media))


def test_the_voucher_file_goes_again_when_the_row_cannot_be_saved(world, s1, media, monkeypatch):
    """A save that fails after the file was stored leaves no file behind."""

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Expenditure, "save", fail)
    with pytest.raises(RuntimeError):
        expenditure_create(
            station=s1, user=world.users["manager"], voucher=SimpleUploadedFile("a.png", PNG), **fields()
        )

    assert not any(files for _root, _dirs, files in os.walk(media))


def test_a_correction_keeps_the_old_values_in_the_history(world, s1):
    """Money is never silently changed: the earlier amount and who changed it stay on record."""
    expenditure = expenditure_create(station=s1, user=world.users["manager"], **fields())

    expenditure_update(expenditure=expenditure, user=world.users["admin"], amount=Decimal("750.00"))

    amounts = list(expenditure.history.order_by("history_id").values_list("amount", "history_user__username"))
    assert amounts == [(Decimal("800.00"), "manager"), (Decimal("750.00"), "admin")]


def test_a_correction_is_checked_like_a_new_payment(world, s1):
    """Raising the amount above the voucher amount without a voucher is refused, and nothing changes."""
    expenditure = expenditure_create(station=s1, user=world.users["manager"], **fields())

    with pytest.raises(ValidationError):
        expenditure_update(expenditure=expenditure, user=world.users["manager"], amount=Decimal("1200.00"))

    expenditure.refresh_from_db()
    assert expenditure.amount == Decimal("800.00")
    assert expenditure.history.count() == 1


def test_a_payment_with_a_voucher_on_record_may_rise_above_the_amount(world, s1, media):
    """The voucher on record counts when a correction raises the amount."""
    expenditure = expenditure_create(
        station=s1, user=world.users["manager"], voucher=SimpleUploadedFile("a.png", PNG), **fields()
    )

    expenditure_update(expenditure=expenditure, user=world.users["manager"], amount=Decimal("1200.00"))

    assert Expenditure.objects.get().amount == Decimal("1200.00")


def test_a_replaced_voucher_keeps_the_old_file_for_the_history(world, s1, media):
    """The new voucher is the one on record; the old file still opens from the history."""
    expenditure = expenditure_create(
        station=s1, user=world.users["manager"], voucher=SimpleUploadedFile("old.png", PNG), **fields()
    )
    old_name = expenditure.voucher.name

    expenditure_update(expenditure=expenditure, user=world.users["manager"], voucher=SimpleUploadedFile("new.pdf", PDF))

    expenditure.refresh_from_db()
    assert (expenditure.voucher_name, expenditure.voucher_type) == ("new.pdf", "application/pdf")
    assert expenditure.voucher.storage.exists(old_name)
    assert expenditure.history.order_by("history_id").first().voucher == old_name


def test_the_station_of_a_payment_cannot_change(world, s1):
    """A payment stays with its station: moving it is refused."""
    expenditure = expenditure_create(station=s1, user=world.users["manager"], **fields())

    with pytest.raises(ValidationError) as refused:
        expenditure_update(expenditure=expenditure, user=world.users["admin"], station=world.stations["S2"])

    assert list(refused.value.message_dict) == ["station"]
