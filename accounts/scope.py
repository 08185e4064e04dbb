"""What a user's reach is: the one answer every ``visible_to(user)`` queryset method builds on.

A right on a region covers everything below it; station staff reach their own station; an
evaluator reaches the stations its agency is currently assigned to; the platform administrator
reaches everything. Anyone else reaches nothing.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .choices import OFFICIAL_ROLES, STATION_ROLES, Role

if TYPE_CHECKING:
    from stations.models import Region


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region: "Region | None" = None
    station_id: int | None = None
    agency_id: int | None = None


NOTHING = Scope()


def scope_of(user) -> Scope:
    """The reach of ``user``; inactive and anonymous users reach nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == Role.ADMIN:
        return Scope(everything=True)
    if user.role in OFFICIAL_ROLES and user.region_id:
        return Scope(region=user.region)
    if user.role in STATION_ROLES and user.station_id:
        return Scope(station_id=user.station_id)
    if user.role == Role.EVALUATOR and user.organization_id:
        return Scope(agency_id=user.organization_id)
    return NOTHING
