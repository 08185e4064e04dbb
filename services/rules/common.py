"""What the services rules share: refusals keyed by field, today, the service policy of a station and year."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from stations.models import Station
from stations.policies import nearest_policies

from ..models import (
    ServicePolicy,
)

EMPOWERMENT, GOVERNANCE = "empowerment", "governance"  # codes of the shipped catalogue categories


def refuse(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


def today() -> date:
    return timezone.localdate()


# --- policy ------------------------------------------------------------------------------------------


def service_policy_for(*, station: Station, year: int) -> ServicePolicy:
    """The policy of the nearest region above ``station`` that has one for ``year``, else the defaults."""
    return nearest_policies(ServicePolicy, stations=[station], year=year)[station.pk]
