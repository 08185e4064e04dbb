from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class StaffRole(models.TextChoices):
    HEAD = "head", _("Station head")
    DEPUTY = "deputy", _("Deputy head")
    FULL_TIME = "full_time", _("Full-time social worker")
    PART_TIME = "part_time", _("Part-time")


# Who counts as full-time staff of the station: the operator's deputy head and full-time workers.
# The station head is, by rule, the township official, who holds the post alongside other duties.
FULL_TIME_ROLES = (StaffRole.DEPUTY, StaffRole.FULL_TIME)


class Employer(models.TextChoices):
    OPERATOR = "operator", _("Operating organisation")
    GOVERNMENT = "government", _("Government")


class Certification(models.TextChoices):
    NONE = "none", _("None")
    ASSISTANT = "assistant", _("Assistant social worker")
    INTERMEDIATE = "intermediate", _("Intermediate social worker")
    SENIOR = "senior", _("Senior social worker")


class Education(models.TextChoices):
    SECONDARY = "secondary", _("Secondary school or below")
    JUNIOR_COLLEGE = "junior_college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master or above")
