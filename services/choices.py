"""Choices of the services records (DOMAIN.md section 4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from staffing.choices import Gender

__all__ = [
    "BASIC_SUBTYPES",
    "BRAND_SUBTYPES",
    "STAGE_ORDER",
    "SUBTYPES_OF",
    "CaseStatus",
    "FocusProblemStatus",
    "Gender",
    "ProjectCategory",
    "ProjectStage",
    "ProjectSubtype",
    "ServiceKind",
    "next_in",
]


class ProjectCategory(models.TextChoices):
    """The "123X" portfolio: 1 core, 2 brand, 3 basic and any number of optional projects."""

    CORE = "core", _("Core")
    BRAND = "brand", _("Brand")
    BASIC = "basic", _("Basic")
    OPTIONAL = "optional", _("Optional")


class ProjectSubtype(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional social-work service brand")
    GOVERNANCE = "governance", _("Community-governance brand")
    DIFFICULT_FAMILIES = "difficult_families", _("Difficult families")
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    CHILDREN = "children", _("Children in difficulty")


BRAND_SUBTYPES = (ProjectSubtype.PROFESSIONAL, ProjectSubtype.GOVERNANCE)
BASIC_SUBTYPES = (ProjectSubtype.DIFFICULT_FAMILIES, ProjectSubtype.ELDERLY_ALONE, ProjectSubtype.CHILDREN)
# The subtypes a category takes; core and optional projects have none.
SUBTYPES_OF = {
    ProjectCategory.CORE: (),
    ProjectCategory.BRAND: BRAND_SUBTYPES,
    ProjectCategory.BASIC: BASIC_SUBTYPES,
    ProjectCategory.OPTIONAL: (),
}


class ProjectStage(models.TextChoices):
    """The project lifecycle (Jiaxing), in order: a project moves one stage at a time."""

    NEEDS_SURVEY = "needs_survey", _("Needs survey")
    DESIGN = "design", _("Design")
    REVIEW = "review", _("Review")
    IMPLEMENTATION = "implementation", _("Implementation")
    MONITORING = "monitoring", _("Monitoring")
    EVALUATION = "evaluation", _("Performance evaluation")


STAGE_ORDER = list(ProjectStage)


class ServiceKind(models.TextChoices):
    CASE = "case", _("Case work")
    GROUP = "group", _("Group work")
    COMMUNITY = "community", _("Community activity")
    VISIT = "visit", _("Visit")
    REFERRAL = "referral", _("Referral")
    CONSULTATION = "consultation", _("Consultation")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    """A case moves intake -> assessment -> plan -> follow-up -> closed, never skipping a step."""

    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Assessed")
    PLAN = "plan", _("Planned")
    FOLLOW_UP = "follow_up", _("Following up")
    CLOSED = "closed", _("Case closed")


class FocusProblemStatus(models.TextChoices):
    """A community focus problem (社区焦点问题) moves reported -> in progress -> solved."""

    REPORTED = "reported", _("Reported")
    IN_PROGRESS = "in_progress", _("In progress")
    SOLVED = "solved", _("Solved")


def next_in(choices: type[models.TextChoices], value: str) -> str | None:
    """The value after ``value`` in the order ``choices`` declares, or None for the last one."""
    values = list(choices)
    position = values.index(value)
    return values[position + 1] if position + 1 < len(values) else None
