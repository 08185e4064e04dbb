"""Expenditures: a station's spending entered and corrected (its workbook: ``expenditure_workbook``).

Every check of an expenditure is ``expenditure_problems``: the page's form, the API and the import all call it, so
the three refuse the same rows with the same words. A voucher (a photo or a PDF) is checked by its content, the way
service attachments are (``services.rules.records.upload_content_type``). Nobody but the administrator deletes an
expenditure (a wrong one is corrected, and the history keeps what it said before).
"""

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.rollups.dirty import SPENDING, rollup_mark
from services.rules.records import upload_content_type
from stations.models import Station
from stations.policies import nearest_policies

from ..choices import APPROVED_BUDGET_STATUSES, BudgetLine, FundingSource
from ..models import Budget, Expenditure, FundingPolicy
from .money import CENT

AMOUNT_MAX = Decimal("999999999999.99")
FIELDS = ("date", "line", "source", "amount", "payee", "description")
TEXT_LIMITS = {"payee": 100, "description": 300}
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}


class StationFunding:
    """What the checks of one station's expenditures look up, once a year: whether it has an approved budget, and
    the amount above which its policy asks for a voucher (an import checks hundreds of rows of one month)."""

    def __init__(self, station: Station):
        self.station = station
        self._budgeted: dict[int, bool] = {}
        self._limits: dict[int, Decimal] = {}

    def has_approved_budget(self, year: int) -> bool:
        if year not in self._budgeted:
            budgets = Budget.objects.filter(station=self.station, year=year, status__in=APPROVED_BUDGET_STATUSES)
            self._budgeted[year] = budgets.exists()
        return self._budgeted[year]

    def voucher_limit(self, year: int) -> Decimal:
        if year not in self._limits:
            policy = nearest_policies(FundingPolicy, stations=[self.station], year=year)[self.station.pk]
            self._limits[year] = policy.voucher_required_above
        return self._limits[year]


def choice_problem(value, choices, what: str) -> str | None:
    if value in choices.values:
        return None
    allowed = "、".join(str(label) for label in choices.labels)
    if value in (None, ""):
        return _("Choose the %(what)s: one of %(allowed)s.") % {"what": what, "allowed": allowed}
    return _("“%(value)s” is not a %(what)s: choose one of %(allowed)s.") % {
        "value": value,
        "what": what,
        "allowed": allowed,
    }


def amount_problem(amount) -> str | None:
    """What is wrong with an amount of CNY: none given, not above zero, too large, or finer than the fen."""
    if amount is None:
        return _("Give the amount.")
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return _("Write the amount as a number, such as 1000.00.")
    if amount <= 0:
        return _("The amount must be above 0.")
    if amount > AMOUNT_MAX:
        return _("The amount can be at most 999,999,999,999.99.")
    if amount != amount.quantize(CENT):
        return _("The amount has at most two decimal places (fen).")
    return None


def expenditure_problems(
    *,
    station: Station,
    date: date | None,
    line: str | None,
    source: str | None,
    amount: Decimal | None,
    payee: str | None,
    description: str | None,
    has_voucher: bool,
    today: date,
    funding: StationFunding | None = None,
) -> dict[str, list[str]]:
    """Everything wrong with an expenditure of ``station``, by field; empty when it may be saved.

    The date is not after ``today`` and falls in a year the station has an approved (or since superseded) budget
    for; line and source are codes of their choices; the amount is above 0, at most 999,999,999,999.99, in fen;
    above the policy's ``voucher_required_above`` for the year a voucher is needed (``has_voucher``); payee and
    description are given. ``funding`` caches the look-ups when many rows of one station are checked.
    """
    funding = funding or StationFunding(station)
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if date is None:
        add("date", _("Give the date of the payment."))
    elif date > today:
        add("date", _("The date cannot be in the future (today is %(today)s).") % {"today": today.isoformat()})
    elif not funding.has_approved_budget(date.year):
        add("date", _("%(year)s has no approved budget yet: spending is entered against it.") % {"year": date.year})
    for name, choices, what in (
        ("line", BudgetLine, _("budget line")),
        ("source", FundingSource, _("funding source")),
    ):
        problem = choice_problem(line if name == "line" else source, choices, what)
        if problem:
            add(name, problem)
    problem = amount_problem(amount)
    if problem:
        add("amount", problem)
    else:
        limit = funding.voucher_limit((date or today).year)
        if amount > limit and not has_voucher:
            add(
                "voucher",
                _("A payment above %(limit)s yuan needs its voucher (a photo or a PDF).") % {"limit": f"{limit:,}"},
            )
    for name, value, missing in (
        ("payee", payee, _("Say who was paid.")),
        ("description", description, _("Say what the payment was for.")),
    ):
        text = (value or "").strip()
        if not text:
            add(name, missing)
        elif len(text) > TEXT_LIMITS[name]:
            add(name, _("At most %(n)s characters.") % {"n": TEXT_LIMITS[name]})
    return errors


# --- writing ---------------------------------------------------------------------------------------------------


def known_fields(fields: dict) -> dict:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unexpected expenditure fields: {sorted(unknown)}")
    return {
        name: value.strip() if name in TEXT_LIMITS and isinstance(value, str) else value
        for name, value in fields.items()
    }


def voucher_type(voucher) -> str:
    """The checked content type of a voucher upload; its refusal keyed ``voucher``."""
    try:
        return upload_content_type(voucher)
    except ValidationError as error:
        raise ValidationError({"voucher": error.messages}) from error


def expenditure_create(*, station: Station, user, voucher=None, **fields) -> Expenditure:
    """Enter a payment of ``station`` (``fields``: date, line, source, amount, payee, description), with its voucher
    upload if any; refused with every problem by field (``expenditure_problems``, the voucher's content)."""
    expenditure = Expenditure(station=station, created_by=user, **known_fields(fields))
    return expenditure_save(expenditure, user=user, voucher=voucher)


def expenditure_update(*, expenditure: Expenditure, user, voucher=None, **fields) -> Expenditure:
    """Correct an expenditure (how a wrong one is fixed): the same checks as ``expenditure_create``. Its station
    cannot change; a new voucher replaces the old one, whose file stays in storage for the history's record."""
    station = fields.pop("station", None)
    if station is not None and station.pk != expenditure.station_id:
        raise ValidationError({"station": [_("An expenditure's station cannot change.")]})
    changes = known_fields(fields)
    expenditure = Expenditure.objects.select_related("station__township").get(pk=expenditure.pk)
    # The month it leaves, if its date changes.
    rollup_mark(station_id=expenditure.station_id, day=expenditure.date, part=SPENDING)
    for name, value in changes.items():
        setattr(expenditure, name, value)
    return expenditure_save(expenditure, user=user, voucher=voucher)


def expenditure_save(expenditure: Expenditure, *, user, voucher=None, funding=None, today=None) -> Expenditure:
    values = {name: getattr(expenditure, name) for name in FIELDS}
    errors = expenditure_problems(
        station=expenditure.station,
        **values,
        has_voucher=voucher is not None or bool(expenditure.voucher),
        today=today or timezone.localdate(),
        funding=funding,
    )
    content_type = None
    if voucher is not None:
        try:
            content_type = voucher_type(voucher)
        except ValidationError as error:
            errors.setdefault("voucher", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    expenditure._history_user = user
    with transaction.atomic():
        rollup_mark(station_id=expenditure.station_id, day=expenditure.date, part=SPENDING)
        if voucher is None:
            expenditure.save()
        else:
            voucher_store(expenditure, voucher, content_type)
    return expenditure


def voucher_store(expenditure: Expenditure, voucher, content_type: str) -> Expenditure:
    """Save ``expenditure`` with the checked ``voucher``; the stored file goes again if the row cannot be saved.

    The stored name is the payment's own (``voucher_path``), not the uploader's: the original name is kept in
    ``voucher_name`` for the download."""
    expenditure.voucher_type = content_type
    expenditure.voucher_name = os.path.basename(voucher.name or "")[:255] or _("voucher")
    expenditure.voucher_size = voucher.size
    expenditure.voucher.save(f"voucher{EXTENSIONS.get(content_type, '')}", voucher, save=False)
    try:
        expenditure.save()
    except Exception:
        expenditure.voucher.delete(save=False)
        raise
    return expenditure


@dataclass(frozen=True)
class VoucherFile:
    """An expenditure's voucher as ``config.downloads.evidence_response`` serves evidence files."""

    file: object
    original_name: str
    content_type: str


def voucher_file(expenditure: Expenditure) -> VoucherFile | None:
    """The voucher to download, or None when the expenditure has none."""
    if not expenditure.voucher:
        return None
    return VoucherFile(
        expenditure.voucher, expenditure.voucher_name or "voucher", expenditure.voucher_type or "application/pdf"
    )
