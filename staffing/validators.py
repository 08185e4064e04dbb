"""The resident identity number (GB 11643-1999): validated by its check digit and birth date, shown masked."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_SHAPE = re.compile(r"^[1-9][0-9]{16}[0-9X]$")


def id_number_check_char(first17: str) -> str:
    """The 18th character of a resident identity number, computed from the first 17 digits."""
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_birth_date(value: str) -> date | None:
    """The birth date written in positions 7-14, or None when it is not a real date."""
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_number_gender(value: str) -> str:
    """``male`` or ``female`` from the 17th digit (GB 11643: odd for men, even for women), ``""`` if unreadable."""
    value = value or ""
    if len(value) != 18 or value[16] not in "0123456789":
        return ""
    return "male" if int(value[16]) % 2 else "female"


def validate_id_number(value: str) -> None:
    """Refuse anything but an 18-character number with a real, past birth date and the right check digit."""
    number = (value or "").strip().upper()
    if not ID_SHAPE.match(number):
        raise ValidationError(
            _("A resident identity number has 17 digits followed by a digit or X."), code="id_number_shape"
        )
    born = id_number_birth_date(number)
    if born is None or born > date.today() or born.year < 1900:
        raise ValidationError(
            _("The birth date inside this identity number is not a real date."), code="id_number_birth"
        )
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The check digit of this identity number is wrong: please check the number."), code="id_number_check"
        )


def mask_id_number(value: str) -> str:
    """``330481************``: the region only.

    The region is known anyway from the person's community; any more digits, beside the birth date or age a page
    shows, would leave too few whole numbers possible (``accounts.privacy.id_numbers_possible``).
    """
    if not value:
        return ""
    return f"{value[:6]}{'*' * (len(value) - 6)}"
