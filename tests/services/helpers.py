"""Builders shared by the services tests: people of a station and service records logged through the rule."""

from datetime import date
from decimal import Decimal

from services.models import Beneficiary, Project
from services.rules import service_record_create
from staffing.models import StaffMember, Volunteer
from tests.factories import valid_id_number


def beneficiary(station, n, **fields) -> Beneficiary:
    values = {"name": f"对象{n}", "id_number": valid_id_number(n), "registered_on": date(2025, 1, 1)}
    return Beneficiary.objects.create(station=station, **{**values, **fields})


def staff_member(station, n, **fields) -> StaffMember:
    values = {
        "name": f"社工{n}",
        "gender": "female",
        "id_number": valid_id_number(n),
        "role": "full_time",
        "hired_on": date(2024, 1, 1),
    }
    return StaffMember.objects.create(station=station, **{**values, **fields})


def volunteer(station, n, **fields) -> Volunteer:
    values = {"name": f"志愿者{n}", "id_number": valid_id_number(n), "registered_on": date(2024, 1, 1)}
    return Volunteer.objects.create(station=station, **{**values, **fields})


def project(station, year, category="optional", subtype="", **fields) -> Project:
    values = {"name": f"{category}-{subtype}-{year}"}
    return Project.objects.create(
        station=station, year=year, category=category, subtype=subtype, **{**values, **fields}
    )


def log(station, user, on, kind="visit", people=(), **fields):
    """A service record through ``service_record_create`` (60 minutes unless told)."""
    return service_record_create(
        station=station,
        user=user,
        date=on,
        kind=kind,
        duration_minutes=fields.pop("duration_minutes", 60),
        beneficiaries=list(people),
        **fields,
    )


def hours(value) -> Decimal:
    return Decimal(str(value))
