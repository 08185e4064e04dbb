"""Staffing rules (DOMAIN.md section 3): the policy in force, compliance, turnover, volunteer stars and hours."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from stations.models import OperatingContract, Station

from .choices import FULL_TIME_ROLES, Certification
from .models import StaffingPolicy, StaffMember, TimeBankEntry, Volunteer, VolunteerHours


def policy_for(*, station: Station, year: int) -> StaffingPolicy:
    """The policy of the nearest region above ``station`` that has one for ``year``, else the defaults."""
    codes = station.township.path.strip("/").split("/")
    policies = StaffingPolicy.objects.filter(region__code__in=codes, year=year).select_related("region")
    nearest = max(policies, key=lambda p: len(p.region.path), default=None)
    return nearest or StaffingPolicy(region=station.township, year=year)


def staff_on(*, station: Station, on: date):
    """Staff of ``station`` on ``on``: hired on or before it, and not yet left (leaving day excluded)."""
    return StaffMember.objects.filter(station=station, hired_on__lte=on).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    )


def volunteers_on(*, station: Station, on: date):
    return Volunteer.objects.filter(station=station, registered_on__lte=on).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    )


@dataclass(frozen=True)
class Check:
    """One rule of the staffing standard: what is required, what the station has, and whether that is enough."""

    code: str
    required: Decimal | int
    actual: Decimal | int | None
    ok: bool


@dataclass(frozen=True)
class Compliance:
    station_id: int
    date: date
    checks: list[Check]

    @property
    def compliant(self) -> bool:
        return all(check.ok for check in self.checks)


def station_compliance(*, station: Station, on: date) -> Compliance:
    """The station against its staffing policy on ``on``: each rule with required, actual and ok."""
    policy = policy_for(station=station, year=on.year)
    full_time = list(staff_on(station=station, on=on).filter(role__in=FULL_TIME_ROLES))
    certified = sum(1 for s in full_time if s.certification != Certification.NONE)
    professional = sum(1 for s in full_time if s.certification != Certification.NONE or s.major_social_work)
    share = (Decimal(professional) / len(full_time)).quantize(Decimal("0.01")) if full_time else Decimal("0.00")
    contract = OperatingContract.objects.current(on).filter(station=station).select_related("operator").first()
    rating = contract.operator.rating if contract else None
    floor = salary_floor(policy)
    lowest = min((s.annual_salary or Decimal(0) for s in full_time), default=None)
    volunteers = volunteers_on(station=station, on=on).count()
    checks = [
        Check("full_time_staff", policy.full_time_min, len(full_time), len(full_time) >= policy.full_time_min),
        Check("certified_staff", policy.certified_min, certified, certified >= policy.certified_min),
        Check("volunteers", policy.volunteers_min, volunteers, volunteers >= policy.volunteers_min),
        Check(
            "professional_share",
            policy.professional_share_min,
            share,
            bool(full_time) and share >= policy.professional_share_min,
        ),
        Check(
            "operator_rating",
            policy.operator_rating_min,
            rating,
            rating is not None and rating >= policy.operator_rating_min,
        ),
        Check("site_area", policy.site_area_min, station.site_area_m2, station.site_area_m2 >= policy.site_area_min),
        # Unknown until the year's average wage is entered: not ok, and shown as such.
        Check("salary_floor", floor, lowest, floor is not None and lowest is not None and lowest >= floor),
    ]
    return Compliance(station_id=station.pk, date=on, checks=checks)


def salary_floor(policy: StaffingPolicy) -> Decimal | None:
    """The lowest annual salary allowed: ratio x the prior-year average wage, to the fen, or None if unknown."""
    if policy.prior_year_average_wage is None:
        return None
    return (policy.salary_floor_ratio * policy.prior_year_average_wage).quantize(Decimal("0.01"))


def turnover_rate(*, station: Station, start: date, end: date) -> Decimal | None:
    """Leavers in [start, end] divided by the average of the headcounts at both ends (None without staff)."""
    leavers = StaffMember.objects.filter(station=station, left_on__gte=start, left_on__lte=end).count()
    average = Decimal(staff_on(station=station, on=start).count() + staff_on(station=station, on=end).count()) / 2
    if not average:
        return None
    return (leavers / average).quantize(Decimal("0.0001"))


def volunteer_stars(*, total_hours: Decimal, thresholds: list[int]) -> int:
    """Stars (0-5) by the national volunteer record rule: one per threshold reached."""
    return sum(1 for hours in thresholds if total_hours >= hours)


def volunteer_total_hours(volunteer: Volunteer) -> Decimal:
    return volunteer.hour_records.aggregate(total=Sum("hours"))["total"] or Decimal("0")


def volunteer_hours_add(*, volunteer: Volunteer, on: date, hours: Decimal, activity: str) -> VolunteerHours:
    """Record served hours; a day never adds up to more than 24 hours for one volunteer."""
    with transaction.atomic():
        Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        served = volunteer.hour_records.filter(date=on).aggregate(total=Sum("hours"))["total"] or Decimal("0")
        if served + hours > 24:
            raise ValidationError(
                {
                    "hours": _("%(name)s already has %(served)s hours on %(date)s: a day has 24.")
                    % {"name": volunteer.name, "served": served, "date": on}
                }
            )
        record = VolunteerHours(volunteer=volunteer, date=on, hours=hours, activity=activity)
        record.full_clean()
        record.save()
        return record


def time_bank_balance(volunteer: Volunteer) -> Decimal:
    return volunteer.time_bank.aggregate(total=Sum("hours"))["total"] or Decimal("0")


def time_bank_redeem(*, volunteer: Volunteer, on: date, hours: Decimal, note: str = "") -> TimeBankEntry:
    """Take ``hours`` out of the time bank; refused, changing nothing, if the balance would go negative."""
    if hours <= 0:
        raise ValidationError({"hours": _("Redeem a positive number of hours.")})
    with transaction.atomic():
        Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        balance = time_bank_balance(volunteer)
        if hours > balance:
            raise ValidationError({"hours": _("Only %(balance)s hours are in the time bank.") % {"balance": balance}})
        return TimeBankEntry.objects.create(volunteer=volunteer, date=on, hours=-hours, note=note)
