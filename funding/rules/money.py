"""Money arithmetic: Decimal CNY with two places, rounded half-up once, at the end."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def fen(value: Decimal) -> Decimal:
    """``value`` rounded half-up to the fen (two places): the one rounding of a computed figure."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def share_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a share of ``whole`` (0.7200 is 72 %), four places; None when ``whole`` is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def percent(share: Decimal | None) -> str:
    """A share as a percentage with two places ("72.00%"), as the refusals and pages print it."""
    if share is None:
        return "—"
    return f"{(share * 100).quantize(CENT, rounding=ROUND_HALF_UP)}%"


def rate_percent(rate: Decimal) -> str:
    """A policy rate as a short percentage ("40%", "72.5%"): no trailing zeros."""
    value = (Decimal(rate) * 100).quantize(CENT, rounding=ROUND_HALF_UP).normalize()
    return f"{value:f}%"
