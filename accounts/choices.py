from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Platform administrator")
    CITY_OFFICIAL = "city_official", _("City/county civil-affairs official")
    TOWNSHIP_OFFICIAL = "township_official", _("Township social-affairs office")
    STATION_MANAGER = "station_manager", _("Station manager")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    EVALUATOR = "evaluator", _("Third-party evaluator")


OFFICIAL_ROLES = (Role.CITY_OFFICIAL, Role.TOWNSHIP_OFFICIAL)
STATION_ROLES = (Role.STATION_MANAGER, Role.SOCIAL_WORKER)


class IdNumberDisclosure(models.TextChoices):
    """How a user came to see whose a whole ID number is (the audit of whole-number views records it)."""

    VIEWED = "viewed", _("Viewed the whole number")
    SEARCHED = "searched", _("Found by the whole number")
    DUPLICATE = "duplicate", _("Told the number is already registered")
