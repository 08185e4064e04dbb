"""Reads of the staffing pages and exports: compliance of many stations, rules as labelled rows, volunteer totals.

The figures come from ``rules.py`` (``station_compliance`` and friends); this module only gathers them for a
page or a spreadsheet and words them for people.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations.choices import Rating
from stations.models import Station
from stations.templatetags.portal import cny, percent, plain_number

from .models import StaffMember, TimeBankEntry, Volunteer, VolunteerHours
from .rules import Check, Compliance

# The rules of the staffing standard (``station_compliance``), in the order the pages show them.
CHECK_LABELS = {
    "full_time_staff": gettext_lazy("Full-time staff"),
    "certified_staff": gettext_lazy("Certified social workers"),
    "volunteers": gettext_lazy("Registered volunteers"),
    "professional_share": gettext_lazy("Professional share of full-time staff"),
    "operator_rating": gettext_lazy("Operator assessment rating"),
    "site_area": gettext_lazy("Site area"),
    "salary_floor": gettext_lazy("Lowest full-time salary"),
}
RULE_CODES = list(CHECK_LABELS)


@dataclass(frozen=True)
class CheckRow:
    """One rule of a station's compliance, worded for a page: what is required, what it has, red or green."""

    code: str
    label: str
    required: str
    actual: str
    ok: bool


def shown_value(code: str, value) -> str:
    """A required or actual figure of rule ``code`` in the unit people read it in."""
    if value is None:
        return "—"
    if code == "professional_share":
        return percent(value)
    if code == "operator_rating":
        return str(Rating(value).label)
    if code == "site_area":
        return f"{plain_number(value)} m²"
    if code == "salary_floor":
        return cny(value)
    return plain_number(value)


def check_row(check: Check) -> CheckRow:
    required = f"≥ {shown_value(check.code, check.required)}"
    actual = shown_value(check.code, check.actual)
    if check.code == "salary_floor" and check.required is None:
        required = _("Average wage not entered")
    elif check.code == "operator_rating" and check.actual is None:
        actual = _("No operator under contract")
    elif check.code == "salary_floor" and check.actual is None:
        actual = _("No full-time staff")
    return CheckRow(check.code, str(CHECK_LABELS.get(check.code, check.code)), required, actual, check.ok)


def check_rows(compliance: Compliance) -> list[CheckRow]:
    return [check_row(check) for check in compliance.checks]


def staff_current(*, station: Station, on: date):
    """Staff of ``station`` on the roster on ``on``: not yet left (later hires included, marked on the page)."""
    return StaffMember.objects.filter(station=station).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


def staff_member_of(*, user, staff) -> StaffMember | None:
    """The staff member among ``staff`` (a station's roster) who is ``user``: the one linked to the account, else the
    only unlinked one named as the account is (accounts created before they were linked); None when unsure."""
    if not getattr(user, "is_authenticated", False):
        return None
    member = staff.filter(user=user).first()
    if member is None and user.full_name:
        named = list(staff.filter(user__isnull=True, name=user.full_name)[:2])
        member = named[0] if len(named) == 1 else None
    return member


def hours_sum(model) -> Coalesce:
    """The sum of ``model.hours`` per volunteer as a subquery, so a whole page of volunteers takes one query."""
    output = DecimalField(max_digits=12, decimal_places=1)
    total = (
        model.objects.filter(volunteer=OuterRef("pk"))
        .order_by()
        .values("volunteer")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=output), Value(Decimal("0"), output_field=output))


def with_hour_totals(volunteers):
    """``volunteers`` annotated with ``total_hours`` served and the time-bank ``balance``."""
    return volunteers.annotate(total_hours=hours_sum(VolunteerHours), balance=hours_sum(TimeBankEntry))


def volunteers_current(*, station: Station, on: date):
    return Volunteer.objects.filter(station=station).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
