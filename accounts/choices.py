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
