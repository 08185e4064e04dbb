"""Reporting periods: a month ``2026-10``, a quarter ``2026-Q3`` or a year ``2026`` (DOMAIN.md section 7).

One parser for the dashboards, the reports, their API and their pages: ``parse_period`` answers a ``Period`` or
raises ``PeriodError`` with the message a form or a 400 shows (a month 13, a quarter 5, a period not begun yet).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from .params import YEAR_MAX, YEAR_MIN

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PATTERN = re.compile(r"^(?P<year>[0-9]{4})(?:-(?:(?P<month>[0-9]{2})|Q(?P<quarter>[0-9])))?$")


class PeriodError(ValueError):
    """A period that does not exist or has not begun; ``message`` says which, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, order=True)
class Period:
    """A month, quarter or year: ``first`` and ``last`` day, ``key`` as written (``2026-10``, ``2026-Q3``, ``2026``)."""

    first: date
    last: date
    kind: str

    @property
    def year(self) -> int:
        return self.first.year

    @property
    def key(self) -> str:
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.year)

    def __str__(self) -> str:
        return self.key

    @property
    def label(self) -> str:
        """The period as the Chinese UI writes it: 2026年10月, 2026年第3季度, 2026年."""
        if self.kind == MONTH:
            return _("%(year)s-%(month)02d") % {"year": self.year, "month": self.first.month}
        if self.kind == QUARTER:
            return _("Q%(quarter)s %(year)s") % {"year": self.year, "quarter": (self.first.month - 1) // 3 + 1}
        return _("Year %(year)s") % {"year": self.year}

    def months(self) -> list[date]:
        """The first day of each month of the period."""
        months, day = [], self.first
        while day <= self.last:
            months.append(day)
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return months

    def previous(self) -> "Period":
        """The period of the same kind just before (the month, quarter or year before)."""
        return period_of(self.first - timedelta(days=1), self.kind)

    def has_begun(self, today: date) -> bool:
        return self.first <= today


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def period_of(day: date, kind: str) -> Period:
    """The month, quarter or year ``kind`` that ``day`` falls in."""
    if kind == MONTH:
        first = day.replace(day=1)
        return Period(first, month_end(first), MONTH)
    if kind == QUARTER:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(first, month_end(date(day.year, first.month + 2, 1)), QUARTER)
    return Period(date(day.year, 1, 1), date(day.year, 12, 31), YEAR)


def parse_period(text, *, today: date) -> Period:
    """``text`` (``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``, ASCII digits) as a ``Period`` that has begun by ``today``;
    else ``PeriodError``."""
    match = PATTERN.match(str(text or "").strip())
    if match is None:
        raise PeriodError(_("Give a period as a month (2026-10), a quarter (2026-Q3) or a year (2026)."))
    year = int(match["year"])
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PeriodError(
            _("Give a year between %(minimum)s and %(maximum)s.") % {"minimum": YEAR_MIN, "maximum": YEAR_MAX}
        )
    if match["month"] is not None:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodError(_("There is no month %(month)s: months run from 01 to 12.") % {"month": match["month"]})
        period = period_of(date(year, month, 1), MONTH)
    elif match["quarter"] is not None:
        quarter = int(match["quarter"])
        if not 1 <= quarter <= 4:
            raise PeriodError(_("There is no quarter %(quarter)s: quarters run from Q1 to Q4.") % {"quarter": quarter})
        period = period_of(date(year, quarter * 3 - 2, 1), QUARTER)
    else:
        period = period_of(date(year, 1, 1), YEAR)
    if not period.has_begun(today):
        raise PeriodError(_("%(period)s has not begun yet.") % {"period": period.key})
    return period


def current_period(kind: str, *, today: date) -> Period:
    return period_of(today, kind)
