"""The fixed vocabularies of evaluation: stages, statuses, grades, indicator sources, survey channels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Whole-process evaluation: a station is evaluated at several stages of its contract, and yearly."""

    OPENING = "opening", _("Opening")
    MIDTERM = "midterm", _("Mid-term")
    FINAL = "final", _("Final")
    ANNUAL = "annual", _("Annual")


# The stages whose published result sets the station's grade and stars (and, next, its funding factor).
RESULT_STAGES = (Stage.ANNUAL, Stage.FINAL)


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class TemplatePurpose(models.TextChoices):
    """What a scorecard template scores: a station's evaluation, or one side of the two-way assessment."""

    EVALUATION = "evaluation", _("Station evaluation")
    OPERATOR_RATING = "operator_rating", _("Township rates the operator")
    SUPPORT_RATING = "support_rating", _("Station rates the township's support")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class IndicatorSource(models.TextChoices):
    """Which fact the portal already knows informs an indicator (evidence-backed scoring)."""

    STAFFING = "staffing", _("Staffing standard")
    PORTFOLIO = "portfolio", _("123X project portfolio")
    VISITS = "visits", _("Key-target visit rate")
    CASES = "cases", _("Cases closed and their score change")
    SERVICES = "services", _("Service records and people served")
    FOCUS_PROBLEMS = "focus_problems", _("Focus problems solved")
    SATISFACTION = "satisfaction", _("Satisfaction survey")
    STANDARD = "standard", _("Construction standard checklist")


class EvidenceKind(models.TextChoices):
    RECORD = "record", _("Service record")
    CASE = "case", _("Case")
    ATTACHMENT = "attachment", _("Service attachment")
    FILE = "file", _("File uploaded to the evaluation")


class TownshipAnswer(models.TextChoices):
    """The township official's answer to a published result (确认/异议)."""

    CONFIRM = "confirm", _("Confirmed")
    OBJECT = "object", _("Objection")


class SurveyChannel(models.TextChoices):
    PAPER = "paper", _("Paper form entered by staff")
    ONLINE = "online", _("Online, by the respondent")


class TwoWayDirection(models.TextChoices):
    """Suzhou's two-way assessment (双向考核): each side rates the other."""

    OPERATOR = "operator", _("Township rates the operator")
    SUPPORT = "support", _("Station rates the township's support")
