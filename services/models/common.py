"""What the services models share: communities outside a station's township, dates not in the future."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.choices import RegionLevel
from stations.models import Region, Station


def communities_outside(station: Station, regions) -> list[Region]:
    """The regions of ``regions`` that are not villages/communities of ``station``'s township."""
    return [
        region for region in regions if region.level != RegionLevel.COMMUNITY or region.parent_id != station.township_id
    ]


def not_in_future(value) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")
