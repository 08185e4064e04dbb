"""Reporting periods (config/periods.py): months, quarters and years parsed, refused when they do not exist or have
not begun, and their neighbours."""

from datetime import date

import pytest

from config.periods import MONTH, QUARTER, YEAR, PeriodError, parse_period

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "first", "last", "kind"),
    [
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), MONTH),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), MONTH),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31), MONTH),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), QUARTER),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), QUARTER),
        ("2025", date(2025, 1, 1), date(2025, 12, 31), YEAR),
    ],
)
def test_a_period_is_parsed_to_its_first_and_last_day(text, first, last, kind):
    period = parse_period(text, today=TODAY)
    assert (period.first, period.last, period.kind, period.key) == (first, last, kind, text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-13", "13"),
        ("2026-00", "00"),
        ("2026-Q5", "5"),
        ("2026-Q0", "0"),
        ("2027-01", "2027-01"),
        ("2027", "2027"),
        ("2026-1", "2026-10"),
        ("２０２６", "2026-10"),
        ("1999", "2000"),
        ("", "2026-10"),
    ],
)
def test_a_period_that_does_not_exist_or_has_not_begun_is_refused_with_a_message(text, words):
    with pytest.raises(PeriodError) as refused:
        parse_period(text, today=TODAY)
    assert words in refused.value.message


def test_the_current_month_has_begun_and_the_next_has_not():
    assert parse_period("2026-12", today=TODAY).key == "2026-12"
    with pytest.raises(PeriodError):
        parse_period("2027-01", today=date(2026, 12, 31))


def test_previous_periods_and_months():
    assert parse_period("2026-01", today=TODAY).previous().key == "2025-12"
    assert parse_period("2026-Q1", today=TODAY).previous().key == "2025-Q4"
    assert parse_period("2026", today=TODAY).previous().key == "2025"
    assert [m.month for m in parse_period("2026-Q2", today=TODAY).months()] == [4, 5, 6]
    assert len(parse_period("2026", today=TODAY).months()) == 12
