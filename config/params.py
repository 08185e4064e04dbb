"""Reading what a request asks for: whole numbers, ids, years, dates and months, ASCII and within range.

Pages read their query parameters and loose POST values through these functions, and forms use the fields
below, so a value Python or the database would choke on is a default or a field error (in the API, whose
filters use ``config.filters.IdField``, a 400), never a 500:
``"²".isdigit()`` is true yet ``int("²")`` fails; ``int("١٢")`` succeeds on Arabic-Indic digits; 23 digits
overflow a bigint; ``0001-01`` or a contract starting in 9998 overflow date arithmetic; a NUL character is
refused by PostgreSQL.

Each ``query_*`` function returns the value, or ``default`` when the parameter is absent, empty or unreadable: a
page reading ``?year=²`` shows this year, as it does with no year at all. Form fields refuse such values with a
field error instead (``AsciiIntegerField``, ``RangedDateField``, and ``bound_numbers_and_dates``, which
``PortalFormMixin`` applies to every form of the portal).
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# [0-9], not \d: \d (and str.isdigit) accept digits of every script.
INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")

# Ids are bigint: anything above cannot exist, and would overflow the database.
ID_MAX = 2**63 - 1

# The years the portal's figures can be about: stations, contracts, services, policies and reports.
YEAR_MIN, YEAR_MAX = 2000, 2100
# The years a person's date of birth can fall in.
BIRTH_YEAR_MIN = 1900

_NOT_GIVEN = object()


def parse_int(text, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """``text`` as a whole number in ASCII digits within [minimum, maximum], else None."""
    text = str(text).strip()
    if not INTEGER.fullmatch(text):
        return None
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return None
    return value


def parse_id(text) -> int | None:
    """``text`` as a row id (a positive bigint), else None."""
    return parse_int(text, minimum=1, maximum=ID_MAX)


def parse_year(text, *, minimum: int = YEAR_MIN, maximum: int = YEAR_MAX) -> int | None:
    """``text`` as a year within [minimum, maximum], else None."""
    return parse_int(text, minimum=minimum, maximum=maximum)


def parse_date(text, *, min_year: int = YEAR_MIN, max_year: int = YEAR_MAX) -> date | None:
    """``text`` as an ISO date (``2026-03-01``) in a year within [min_year, max_year], else None."""
    match = ISO_DATE.fullmatch(str(text).strip())
    if not match or not min_year <= int(match.group(1)) <= max_year:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_month(text, *, min_year: int = YEAR_MIN, max_year: int = YEAR_MAX) -> date | None:
    """``text`` as a month (``2026-03``), given as its first day, in a year within [min_year, max_year], else None."""
    match = ISO_MONTH.fullmatch(str(text).strip())
    if not match or not min_year <= int(match.group(1)) <= max_year or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_text(text, *, max_length: int = 100) -> str:
    """``text`` stripped, without NUL characters (which PostgreSQL refuses), cut to ``max_length``."""
    return str(text).replace("\x00", "").strip()[:max_length]


def _query(data, name: str, parse, default):
    raw = data.get(name, "")
    value = parse(raw) if raw not in ("", None) else None
    return default if value is None else value


def query_id(data, name: str, default=None):
    """The row id in ``data[name]`` (a ``QueryDict``: ``request.GET`` or ``request.POST``)."""
    return _query(data, name, parse_id, default)


def query_year(data, name: str = "year", default=_NOT_GIVEN):
    """The year in ``data[name]``; this year by default."""
    return _query(data, name, parse_year, date.today().year if default is _NOT_GIVEN else default)


def query_date(data, name: str, default=_NOT_GIVEN):
    """The ISO date in ``data[name]``; today by default."""
    return _query(data, name, parse_date, date.today() if default is _NOT_GIVEN else default)


def query_month(data, name: str = "month", default=_NOT_GIVEN):
    """The month in ``data[name]`` (``YYYY-MM``), as its first day; this month by default."""
    return _query(data, name, parse_month, date.today().replace(day=1) if default is _NOT_GIVEN else default)


def query_text(data, name: str, default: str = "", *, max_length: int = 100) -> str:
    """The text in ``data[name]``, stripped, without NUL characters, at most ``max_length`` long."""
    return parse_text(data.get(name, default) or default, max_length=max_length)


# --- form fields and validators ---------------------------------------------------------------------------


def validate_ascii_integer(value) -> None:
    """Refuse a number typed in other than ASCII digits (full-width ``２０２６``, ``²``, ``①``, Arabic-Indic)."""
    if value not in (None, "") and not INTEGER.fullmatch(str(value).strip()):
        raise ValidationError(_("Enter a whole number in the digits 0-9."), code="invalid")


def year_range_validator(minimum: int = YEAR_MIN, maximum: int = YEAR_MAX):
    """A validator refusing a date (or a year) outside [minimum, maximum]."""

    def validate(value) -> None:
        if value is None:
            return
        year = value if isinstance(value, int) else value.year
        if not minimum <= year <= maximum:
            raise ValidationError(
                _("Enter a year between %(minimum)s and %(maximum)s."),
                code="year_range",
                params={"minimum": minimum, "maximum": maximum},
            )

    validate.minimum, validate.maximum = minimum, maximum
    return validate


class AsciiIntegerField(forms.IntegerField):
    """An integer field that refuses non-ASCII digits with a field error (Django's own accepts ``１２``)."""

    def to_python(self, value):
        if isinstance(value, str):
            validate_ascii_integer(value.replace(",", "") if self.localize else value)
        return super().to_python(value)


class RangedDateField(forms.DateField):
    """A date field that refuses years outside [min_year, max_year] with a field error (default 2000–2100)."""

    def __init__(self, *args, min_year: int = YEAR_MIN, max_year: int = YEAR_MAX, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(year_range_validator(min_year, max_year))


def ascii_digits_only(field: forms.IntegerField) -> None:
    """Make ``field`` (an integer field of a form instance) refuse non-ASCII digits, as ``AsciiIntegerField`` does."""
    if isinstance(field, AsciiIntegerField) or getattr(field, "ascii_digits_only", False):
        return
    read = field.to_python

    def to_python(value):
        if isinstance(value, str):
            validate_ascii_integer(value)
        return read(value)

    field.to_python = to_python
    field.ascii_digits_only = True


def bound_numbers_and_dates(form: forms.BaseForm) -> None:
    """Every integer field of ``form`` in ASCII digits; every date field in a year from 1900 to 2100 unless it has
    a range of its own (``RangedDateField``, or the model's ``clean``, narrow further)."""
    for field in form.fields.values():
        if isinstance(field, forms.IntegerField) and not isinstance(field, (forms.FloatField, forms.DecimalField)):
            ascii_digits_only(field)
        elif isinstance(field, forms.DateField) and not any(hasattr(v, "minimum") for v in field.validators):
            field.validators.append(year_range_validator(BIRTH_YEAR_MIN, YEAR_MAX))
