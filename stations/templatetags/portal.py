"""Template helpers of the portal's pages: sortable headers, Bootstrap widgets, money, status colours."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import forms, template
from django.conf import settings
from django.utils.html import format_html

from stations.choices import StationStatus

register = template.Library()

STATUS_COLORS = {
    StationStatus.PLANNING: "info",
    StationStatus.OPERATING: "success",
    StationStatus.SUSPENDED: "warning",
    StationStatus.CLOSED: "secondary",
}


@register.filter
def status_color(status: str) -> str:
    """The Bootstrap colour of a station status (``text-bg-<colour>`` badges, cards)."""
    return STATUS_COLORS.get(status, "secondary")


@register.filter
def cny(amount) -> str:
    """An amount of CNY with thousands separators and two decimals: ``¥1,200,000.00``."""
    if amount in (None, ""):
        return ""
    return f"¥{Decimal(amount):,.2f}"


WAN = Decimal(10000)
CENT = Decimal("0.01")


@register.filter
def wan(amount) -> str:
    """An amount of CNY in 万元 (ten thousands), rounded half-up to two decimals: ``1234567`` -> ``123.46``.

    Tables of many stations read in 万元, as budgets do; a single contract's form keeps the exact yuan.
    """
    if amount in (None, ""):
        return ""
    return f"{(Decimal(amount) / WAN).quantize(CENT, rounding=ROUND_HALF_UP):,}"


def plain_number(value: Decimal | int) -> str:
    """``500.00`` -> ``500``, ``420.50`` -> ``420.5``."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def percent(fraction) -> str:
    """A fraction as a percentage without trailing zeros: ``0.50`` -> ``50%``, ``0.675`` -> ``67.5%``."""
    if fraction in (None, ""):
        return ""
    return f"{plain_number(Decimal(fraction) * 100)}%"


@register.filter
def minutes(delta: timedelta | None) -> int:
    return int(delta.total_seconds() // 60) if delta else 0


@register.filter
def widget_kind(field) -> str:
    """How a bound field is laid out: ``checkboxes``, ``checkbox``, ``select`` or ``input``.

    Judged by the widget's class (subclasses included), not by its name.
    """
    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


@register.simple_tag
def field_widget(field):
    """The widget of a bound field with Bootstrap's classes, ``is-invalid`` when the field has errors."""
    css = {"select": "form-select", "checkbox": "form-check-input", "checkboxes": "form-check-input"}.get(
        widget_kind(field), "form-control"
    )
    classes = [field.field.widget.attrs.get("class", ""), css, "is-invalid" if field.errors else ""]
    attrs = {"class": " ".join(c for c in classes if c)}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    return field.as_widget(attrs=attrs)


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_header(context, key: str, label: str, css: str = ""):
    """A column header that sorts by ``key``, ascending first, and toggles on a second click."""
    request = context["request"]
    current = request.GET.get("sort", "")
    direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
    params = request.GET.copy()
    params["sort"] = f"-{key}" if direction == "asc" else key
    params.pop("page", None)
    return {"url": f"?{params.urlencode()}", "label": label, "direction": direction, "css": css}


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current page, with ``…`` for the gaps."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


@register.simple_tag
def lockout_policy() -> dict:
    """The sign-in lockout as configured (django-axes): failures allowed and minutes locked."""
    return {
        "failures": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes(settings.AXES_COOLOFF_TIME),
    }


@register.simple_tag
def check_icon(state: str):
    """✓, ✗ or – for a construction-standard check that is met, not met or not checked yet."""
    icon, color = {"met": ("check-circle-fill", "success"), "not_met": ("x-circle-fill", "danger")}.get(
        state, ("dash-circle", "secondary")
    )
    return format_html('<i class="bi bi-{} text-{}" aria-hidden="true"></i>', icon, color)
