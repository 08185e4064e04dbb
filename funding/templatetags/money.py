"""How money and shares are printed on the funding pages: ``{{ amount|yuan }}`` "180,000.00",
``{{ amount|wan }}`` "18.00" (万元), ``{{ share|percent }}`` "72.00%", ``{{ rate|rate }}`` "40%"."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from ..rules.money import CENT, rate_percent
from ..rules.money import percent as share_percent

register = template.Library()


@register.filter
def yuan(value) -> str:
    """A CNY amount with thousands separators and two places; a dash for none."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,}"


@register.filter
def wan(value) -> str:
    """A CNY amount in 万元 (ten thousands) with two places, as officials' tables show it; a dash for none."""
    if value is None or value == "":
        return "—"
    return f"{(Decimal(value) / 10000).quantize(CENT, rounding=ROUND_HALF_UP):,}"


@register.filter
def percent(value) -> str:
    """A share (0.72) as "72.00%"; a dash for none."""
    return share_percent(None if value is None or value == "" else Decimal(value))


@register.filter
def rate(value) -> str:
    """A policy rate (0.40) as "40%"."""
    return "—" if value is None or value == "" else rate_percent(Decimal(value))
