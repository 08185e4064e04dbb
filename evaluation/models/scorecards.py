"""Scorecard templates, versioned: a template holds ordered dimensions, each holding ordered indicators.

A template is drafted, activated once its indicators' maximum points add up to 100, and retired when a newer
version replaces it. A template any evaluation or assessment uses is frozen: ``rules.templates`` refuses every
change to it, and "new version" copies it into a draft.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from stations.models import Region

from ..choices import IndicatorSource, TemplatePurpose, TemplateStatus


class ScorecardTemplateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Scorecards are published criteria, read by everyone signed in (like the service catalogue)."""
        return self.all() if user is not None and user.is_authenticated and user.is_active else self.none()

    def editable_by(self, user):
        """Templates a user may change (while not frozen): the administrator's all, an official's of their region and below."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region is None or not user.has_perm("evaluation.change_scorecardtemplate"):
            return self.none()
        return self.filter(region__path__startswith=scope.region.path)

    def active(self, purpose: str = TemplatePurpose.EVALUATION):
        return self.filter(status=TemplateStatus.ACTIVE, purpose=purpose)


class ScorecardTemplate(models.Model):
    """One version of a scorecard. Versions of the same scorecard share ``code``."""

    code = models.SlugField(_("code"), max_length=40, help_text=_("Shared by every version of the scorecard."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=TemplatePurpose.choices, default=TemplatePurpose.EVALUATION
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scorecard_templates",
        help_text=_("The region that uses it; empty for a template every region may use."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT, db_index=True
    )
    description = models.TextField(_("description"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    objects = ScorecardTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scorecard_template_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Dimension(models.Model):
    """A section of a scorecard (e.g. 服务设施 facilities), scored as the sum of its indicators."""

    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="dimensions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["template", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="dimension_code_once_per_template")]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One scored line of a scorecard: 0 up to ``max_points`` (one decimal), with guidance and the evidence expected.

    ``source`` names the portal fact that informs it; the scorecard shows that fact and a suggested score beside it.
    """

    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="indicators"
    )
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.CASCADE, related_name="indicators"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    guidance = models.TextField(_("guidance for the evaluator"), blank=True)
    evidence_expected = models.TextField(_("evidence expected"), blank=True)
    source = models.CharField(
        _("portal fact"),
        max_length=20,
        choices=IndicatorSource.choices,
        blank=True,
        help_text=_("The fact the portal computes for this indicator, shown with a suggested score."),
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension__order", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gt=0), name="indicator_max_points_positive"),
            models.UniqueConstraint(fields=["template", "code"], name="indicator_code_once_per_template"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
