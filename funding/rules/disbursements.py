"""Disbursements: the city subsidy paid to a township in instalments, against its two-level split (DOMAIN.md 5).

A city (or county) official records each instalment with its date, reference number (拨付文号) and approver. Nothing
is paid while the split is pending (a station's evaluation of the year not yet published), and the instalments never
add up to more than the city subsidy C; when an amendment later lowers C under what was paid, a recovery (a negative
instalment) brings the total back, never below zero. A wrong instalment is reversed by one of minus its amount that
names it. Disbursements are never changed or deleted; each keeps the split it was made against.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.conflicts import Conflict
from config.params import YEAR_MAX, YEAR_MIN
from stations.choices import RegionLevel
from stations.models import Region

from ..models import Disbursement
from ..models.scope import townships_in_funding_scope
from .money import CENT, ZERO
from .split import township_funding_split

RECORD_PERMISSION = "funding.add_disbursement"


def may_record_disbursement(user, township: Region) -> bool:
    """Whether ``user`` records instalments for ``township``: a city or county official whose region covers it (the
    permission ``funding.add_disbursement``), or the administrator."""
    if not user.has_perm(RECORD_PERMISSION):
        return False
    return townships_in_funding_scope(user).filter(pk=township.pk).exists()


def money_value(amount) -> Decimal | None:
    """``amount`` as a Decimal of whole fen, or None when it is not one."""
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value != value.quantize(CENT):
        return None
    return value.quantize(CENT)


def text_required(value, field: str, message: str, errors: dict) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if not text:
        errors[field] = message
    return text


def checked_date(on, year: int, errors: dict) -> None:
    """The date paid: not in the future, and not before 1 January of the year funded."""
    if not isinstance(on, date):
        errors["date"] = _("Give the date the instalment was paid.")
    elif on > date.today():
        errors["date"] = _("The date paid cannot be in the future.")
    elif on < date(year, 1, 1):
        errors["date"] = _("An instalment for %(year)s cannot be paid before 1 January %(year)s.") % {"year": year}


def checked_reversal(reverses: Disbursement, *, township: Region, year: int, amount: Decimal, errors: dict) -> None:
    """A reversal names an instalment of the same township and year, not reversed yet, and undoes it exactly."""
    if reverses.township_id != township.pk or reverses.year != year:
        errors["reverses"] = _("Choose an instalment of this township and year.")
    elif reverses.reversals.exists():
        errors["reverses"] = _("This instalment has already been reversed.")
    elif amount != -reverses.amount:
        errors["amount"] = _("A reversal is exactly minus the reversed instalment: %(amount)s.") % {
            "amount": f"{-reverses.amount:,}"
        }


def checked_total(split, amount: Decimal, errors: dict) -> None:
    """Instalments add up to at most C; recoveries never take the paid total below zero."""
    paid_after = split.paid + amount
    if amount > 0 and paid_after > split.city_share:
        errors["amount"] = _(
            "This would pay %(after)s in all, above the city subsidy of %(city)s: %(paid)s is paid already, "
            "%(remaining)s remains."
        ) % {
            "after": f"{paid_after:,}",
            "city": f"{split.city_share:,}",
            "paid": f"{split.paid:,}",
            "remaining": f"{max(split.city_share - split.paid, ZERO):,}",
        }
    elif amount < 0 and paid_after < 0:
        errors["amount"] = _("A recovery of at most %(paid)s: no more has been paid.") % {"paid": f"{split.paid:,}"}


def disbursement_record(
    *,
    township: Region,
    year: int,
    date,
    amount,
    reference: str,
    approver: str,
    note: str = "",
    reverses: Disbursement | None = None,
    user,
) -> Disbursement:
    """Record one instalment of ``township``'s city subsidy for ``year`` (a recovery when ``amount`` is negative).

    Refused with ``PermissionDenied`` unless ``may_record_disbursement``; with ``Conflict`` while the split is
    pending; with a ``ValidationError`` on the field at fault otherwise (an amount of zero, above what is due, a
    recovery below zero, a reversal that does not undo its instalment, a date in the future or before the year, no
    reference or approver). The township's row is locked while the split is computed and the instalment saved, so
    two instalments recorded at once cannot both pass the subsidy. The instalment keeps the split it was made
    against (``TownshipSplit.as_dict()``, before this instalment).
    """
    if township.level != RegionLevel.TOWNSHIP:
        raise ValidationError({"township": _("Disbursements are paid to a township.")})
    if not may_record_disbursement(user, township):
        raise PermissionDenied(_("Only a city or county civil-affairs official of the township's region records it."))
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(
            {
                "year": _("Enter a year between %(minimum)s and %(maximum)s.")
                % {"minimum": YEAR_MIN, "maximum": YEAR_MAX}
            }
        )
    with transaction.atomic():
        township = Region.objects.select_for_update().get(pk=township.pk)
        split = township_funding_split(township=township, year=year)
        if split.pending:
            raise Conflict(
                _("The evaluation results of %(year)s are not all published yet: nothing can be disbursed.")
                % {"year": year}
            )
        errors: dict[str, str] = {}
        value = money_value(amount)
        if value is None:
            errors["amount"] = _("Enter an amount in yuan with at most two decimal places.")
        elif value == 0:
            errors["amount"] = _("An instalment of zero pays nothing.")
        elif reverses is not None:
            checked_reversal(reverses, township=township, year=year, amount=value, errors=errors)
        if value and "amount" not in errors:
            checked_total(split, value, errors)
        checked_date(date, year, errors)
        reference = text_required(reference, "reference", _("Give the disbursement reference number."), errors)
        approver = text_required(approver, "approver", _("Say who approved the disbursement."), errors)
        if errors:
            raise ValidationError(errors)
        disbursement = Disbursement(
            township=township,
            year=year,
            date=date,
            amount=value,
            reference=reference,
            approver=approver,
            note=(note or "").replace("\x00", "").strip(),
            reverses=reverses,
            split=split.as_dict(),
            recorded_by=user,
        )
        disbursement.full_clean()
        disbursement._history_user = user
        disbursement.save()
        return disbursement
