"""Staffing rules (DOMAIN.md section 3): the policy in force, compliance, turnover, volunteer stars and hours."""

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from reports.rollups.dirty import RECORDS, rollup_mark
from stations.models import OperatingContract, Station
from stations.policies import nearest_policies

from .choices import FULL_TIME_ROLES, Certification
from .models import StaffingPolicy, StaffMember, TimeBankEntry, Volunteer, VolunteerHours


def policy_for(*, station: Station, year: int) -> StaffingPolicy:
    """The policy of the nearest region above ``station`` that has one for ``year``, else the defaults."""
    return policies_for(stations=[station], year=year)[station.pk]


def policies_for(*, stations, year: int) -> dict[int, StaffingPolicy]:
    """``policy_for`` of many stations at once, in one query: station id -> policy in force in ``year``."""
    return nearest_policies(StaffingPolicy, stations=stations, year=year)


def on_roster(on: date) -> Q:
    """Staff on the roster on ``on``: hired on or before it, and not yet left (leaving day excluded)."""
    return Q(hired_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))


def staff_on(*, station: Station, on: date):
    """Staff of ``station`` on ``on`` (``on_roster``)."""
    return StaffMember.objects.filter(on_roster(on), station=station)


def volunteers_on(*, station: Station, on: date):
    return Volunteer.objects.filter(station=station, registered_on__lte=on).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    )


@dataclass(frozen=True)
class Check:
    """One rule of the staffing standard: what is required, what the station has, and whether that is enough."""

    code: str
    required: Decimal | int | None
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


@dataclass(frozen=True)
class StaffingFacts:
    """What a station has on a date, as the staffing standard counts it."""

    full_time: int = 0
    certified: int = 0
    professional: int = 0  # certified or with a social-work major
    lowest_salary: Decimal | None = None  # of full-time staff; a salary not entered counts as 0
    volunteers: int = 0
    operator_rating: int | None = None  # of the operator under contract on the date
    site_area: Decimal = Decimal("0")


def station_compliance(*, station: Station, on: date) -> Compliance:
    """The station against its staffing policy on ``on``: each rule with required, actual and ok."""
    stations = Station.objects.filter(pk=station.pk).select_related("township")
    return stations_compliance(stations=stations, on=on)[station.pk]


def stations_compliance(*, stations, on: date) -> dict[int, Compliance]:
    """``station_compliance`` of every station of the queryset ``stations``: station id -> compliance.

    Four queries whatever the number of stations (the stations, their policies, staff and volunteer counts,
    operator ratings), so a county, a city or a province is checked at the same cost per page.
    """
    facts = staffing_facts(stations=stations, on=on)
    stations = list(stations.select_related("township"))
    policies = policies_for(stations=stations, year=on.year)
    return {
        station.pk: compliance_check(
            station_id=station.pk,
            on=on,
            policy=policies[station.pk],
            facts=replace(facts.get(station.pk, StaffingFacts()), site_area=station.site_area_m2),
        )
        for station in stations
    }


def staffing_facts(*, stations, on: date) -> dict[int, StaffingFacts]:
    """Full-time, certified and professional staff, lowest salary, volunteers and operator rating per station.

    ``stations`` is a queryset, used as a subquery (no list of ids, however many stations); a station with
    nobody on the roster is absent from the result.
    """
    station_ids = stations.values("pk")
    certified = ~Q(certification=Certification.NONE)
    staff = {
        row["station_id"]: row
        for row in StaffMember.objects.filter(on_roster(on), station_id__in=station_ids, role__in=FULL_TIME_ROLES)
        .order_by()
        .values("station_id")
        .annotate(
            full_time=Count("pk"),
            certified=Count("pk", filter=certified),
            professional=Count("pk", filter=certified | Q(major_social_work=True)),
            lowest_salary=Min(Coalesce("annual_salary", Value(Decimal("0")), output_field=DecimalField())),
        )
    }
    volunteers = dict(
        Volunteer.objects.filter(station_id__in=station_ids, registered_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .order_by()
        .values("station_id")
        .annotate(n=Count("pk"))
        .values_list("station_id", "n")
    )
    ratings = dict(
        OperatingContract.objects.current(on)
        .filter(station_id__in=station_ids)
        .order_by("station_id", "start_on")
        .values_list("station_id", "operator__rating")
    )
    return {
        station_id: StaffingFacts(
            full_time=staff.get(station_id, {}).get("full_time", 0),
            certified=staff.get(station_id, {}).get("certified", 0),
            professional=staff.get(station_id, {}).get("professional", 0),
            lowest_salary=staff.get(station_id, {}).get("lowest_salary"),
            volunteers=volunteers.get(station_id, 0),
            operator_rating=ratings.get(station_id),
        )
        for station_id in staff.keys() | volunteers.keys() | ratings.keys()
    }


def compliance_check(*, station_id: int, on: date, policy: StaffingPolicy, facts: StaffingFacts) -> Compliance:
    """The staffing standard itself: each rule of ``policy`` against what the station has."""
    floor = salary_floor(policy)
    share = professional_share(professional=facts.professional, full_time=facts.full_time)
    rating, lowest = facts.operator_rating, facts.lowest_salary
    checks = [
        Check("full_time_staff", policy.full_time_min, facts.full_time, facts.full_time >= policy.full_time_min),
        Check("certified_staff", policy.certified_min, facts.certified, facts.certified >= policy.certified_min),
        Check("volunteers", policy.volunteers_min, facts.volunteers, facts.volunteers >= policy.volunteers_min),
        Check(
            "professional_share",
            policy.professional_share_min,
            share,
            # Compared exactly (2 of 3 is not 0.67), shown rounded.
            facts.full_time > 0 and facts.professional >= policy.professional_share_min * facts.full_time,
        ),
        Check(
            "operator_rating",
            policy.operator_rating_min,
            rating,
            rating is not None and rating >= policy.operator_rating_min,
        ),
        Check("site_area", policy.site_area_min, facts.site_area, facts.site_area >= policy.site_area_min),
        # Unknown until the year's average wage is entered: not ok, and shown as such.
        Check("salary_floor", floor, lowest, floor is not None and lowest is not None and lowest >= floor),
    ]
    return Compliance(station_id=station_id, date=on, checks=checks)


def professional_share(*, professional: int, full_time: int) -> Decimal:
    """Professional staff over full-time staff, to 2 places rounded half-up (0.00 without full-time staff)."""
    if not full_time:
        return Decimal("0.00")
    return (Decimal(professional) / full_time).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def salary_floor(policy: StaffingPolicy) -> Decimal | None:
    """The lowest annual salary allowed: ratio x the prior-year average wage, to the fen, or None if unknown."""
    if policy.prior_year_average_wage is None:
        return None
    return (policy.salary_floor_ratio * policy.prior_year_average_wage).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Turnover:
    """Staff turnover of a station (or of the stations of a region: ``station_id`` None) over [start, end]:
    leavers, average headcount and their ratio; the hired and the headcount at the end beside them."""

    station_id: int | None
    start: date
    end: date
    leavers: int
    average_headcount: Decimal
    rate: Decimal | None
    joiners: int = 0
    headcount: int = 0


def station_turnover(*, station: Station, start: date, end: date) -> Turnover:
    """Leavers in [start, end] divided by the average of the headcounts at both ends (rate None without staff)."""
    return staff_turnover(
        staff=StaffMember.objects.filter(station=station), start=start, end=end, station_id=station.pk
    )


def staff_turnover(*, staff, start: date, end: date, station_id: int | None = None) -> Turnover:
    """``station_turnover`` of any set of staff records (``staff``: the stations of a region, say), summed before
    the ratio is taken: one query."""
    counts = staff.aggregate(
        leavers=Count("pk", filter=Q(left_on__gte=start, left_on__lte=end)),
        joiners=Count("pk", filter=Q(hired_on__gte=start, hired_on__lte=end)),
        at_start=Count("pk", filter=on_roster(start)),
        at_end=Count("pk", filter=on_roster(end)),
    )
    average = Decimal(counts["at_start"] + counts["at_end"]) / 2
    rate = (counts["leavers"] / average).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if average else None
    return Turnover(
        station_id=station_id,
        start=start,
        end=end,
        leavers=counts["leavers"],
        average_headcount=average.quantize(Decimal("0.1")),
        rate=rate,
        joiners=counts["joiners"],
        headcount=counts["at_end"],
    )


def turnover_rate(*, station: Station, start: date, end: date) -> Decimal | None:
    """The rate alone of ``station_turnover``."""
    return station_turnover(station=station, start=start, end=end).rate


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
        rollup_mark(station_id=volunteer.station_id, day=on, part=RECORDS)
        return record


def time_bank_balance(volunteer: Volunteer) -> Decimal:
    return volunteer.time_bank.aggregate(total=Sum("hours"))["total"] or Decimal("0")


def time_bank_deposit(*, volunteer: Volunteer, on: date, hours: Decimal, note: str = "") -> TimeBankEntry:
    """Put ``hours`` into the time bank."""
    if hours <= 0:
        raise ValidationError({"hours": _("Deposit a positive number of hours.")})
    return TimeBankEntry.objects.create(volunteer=volunteer, date=on, hours=hours, note=note)


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
