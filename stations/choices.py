from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County/district")
    TOWNSHIP = "township", _("Township/subdistrict")
    COMMUNITY = "community", _("Village/community")


# The parent level each level hangs under; a province or a city may be a root.
PARENT_LEVEL = {
    RegionLevel.CITY: RegionLevel.PROVINCE,
    RegionLevel.COUNTY: RegionLevel.CITY,
    RegionLevel.TOWNSHIP: RegionLevel.COUNTY,
    RegionLevel.COMMUNITY: RegionLevel.TOWNSHIP,
}


class OrganizationKind(models.TextChoices):
    OPERATOR = "operator", _("Operating organisation")
    SUPERVISOR = "supervisor", _("Supervising organisation")
    EVALUATION_AGENCY = "evaluation_agency", _("Evaluation agency")


class RegistrationLevel(models.TextChoices):
    """Level of the civil-affairs authority an organisation is registered with (county or above)."""

    NATIONAL = "national", _("National level")
    PROVINCE = "province", _("Provincial level")
    CITY = "city", _("City level")
    COUNTY = "county", _("County level")


class Rating(models.IntegerChoices):
    """Social-organisation assessment rating (社会组织评估等级)."""

    UNRATED = 0, _("Unrated")
    A1 = 1, "1A"
    A2 = 2, "2A"
    A3 = 3, "3A"
    A4 = 4, "4A"
    A5 = 5, "5A"


class StationStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class ProcurementMethod(models.TextChoices):
    PUBLIC_TENDER = "public_tender", _("Public tender")
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", _("Competitive negotiation")
    SINGLE_SOURCE = "single_source", _("Single source")
    OTHER = "other", _("Other")
