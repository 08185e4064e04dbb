"""The two-way assessment (Suzhou 双向考核): the township rates the operator, the station rates the township's support."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import YearOf
from staffing.models import StationScopedQuerySet
from stations.models import Station

from ..choices import TwoWayDirection
from .scorecards import Indicator, ScorecardTemplate


class TwoWayAssessment(models.Model):
    """One side's rating of the other for a station and year, on a small scorecard of its own purpose.

    ``operator``: the township official rates the operating organisation; ``support``: the station manager rates
    the township's support. One per station, year and direction.
    """

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="two_way_assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    direction = models.CharField(_("direction"), max_length=10, choices=TwoWayDirection.choices)
    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="two_way_assessments"
    )
    total = models.DecimalField(_("total"), max_digits=4, decimal_places=1, default=Decimal("0"))
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("rated at"), auto_now=True)

    objects = StationScopedQuerySet.as_manager()
    year_of = YearOf(year="year")  # an evaluator reaches only the evaluated years

    class Meta:
        verbose_name = _("two-way assessment")
        verbose_name_plural = _("two-way assessments")
        ordering = ["-year", "station__name", "direction"]
        constraints = [
            models.UniqueConstraint(fields=["station", "year", "direction"], name="two_way_once_per_station_year"),
            models.CheckConstraint(condition=Q(total__gte=0, total__lte=100), name="two_way_total_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.year} {self.get_direction_display()}"


class TwoWayScore(models.Model):
    assessment = models.ForeignKey(TwoWayAssessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="two_way_scores")
    score = models.DecimalField(
        _("score"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("two-way score")
        verbose_name_plural = _("two-way scores")
        ordering = ["indicator__dimension__order", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="two_way_score_once_per_indicator"),
            models.CheckConstraint(condition=Q(score__gte=0), name="two_way_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.score}"
