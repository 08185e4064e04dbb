"""The evaluation policy of a region and year: the totals that make each grade and each star."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.policies import RegionPolicyQuerySet


def points_field(label: str, default: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=1,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )


# The thresholds a policy sets, in the order forms, tables and the API list them.
FIGURES = [
    "excellent_min",
    "good_min",
    "pass_min",
    "five_stars_min",
    "four_stars_min",
    "three_stars_min",
    "two_stars_min",
    "one_star_min",
]


class EvaluationPolicy(models.Model):
    """Grade and star thresholds on an evaluation's total (0-100 points); stations use the nearest region's policy.

    A total at or above a threshold reaches it: 90.0 is excellent, 89.9 good (the defaults of DOMAIN.md section 6).
    """

    region = models.ForeignKey(
        "stations.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="evaluation_policies"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    excellent_min = points_field(_("excellent from (points)"), "90")
    good_min = points_field(_("good from (points)"), "80")
    pass_min = points_field(_("pass from (points)"), "60")
    five_stars_min = points_field(_("five stars from (points)"), "95")
    four_stars_min = points_field(_("four stars from (points)"), "90")
    three_stars_min = points_field(_("three stars from (points)"), "80")
    two_stars_min = points_field(_("two stars from (points)"), "70")
    one_star_min = points_field(_("one star from (points)"), "60")

    FIGURES = FIGURES

    history = HistoricalRecords()
    objects = RegionPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation policy")
        verbose_name_plural = _("evaluation policies")
        ordering = ["region__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="evaluation_policy_once_per_region_year"),
            models.CheckConstraint(
                condition=models.Q(excellent_min__gt=models.F("good_min"), good_min__gt=models.F("pass_min")),
                name="evaluation_policy_grades_rising",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    five_stars_min__gt=models.F("four_stars_min"),
                    four_stars_min__gt=models.F("three_stars_min"),
                    three_stars_min__gt=models.F("two_stars_min"),
                    two_stars_min__gt=models.F("one_star_min"),
                ),
                name="evaluation_policy_stars_rising",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def star_thresholds(self) -> list[tuple[int, Decimal]]:
        """(stars, minimum total), most stars first."""
        return [
            (5, self.five_stars_min),
            (4, self.four_stars_min),
            (3, self.three_stars_min),
            (2, self.two_stars_min),
            (1, self.one_star_min),
        ]

    def clean(self) -> None:
        if None in (self.excellent_min, self.good_min, self.pass_min):
            return
        if not self.excellent_min > self.good_min > self.pass_min:
            raise ValidationError({"good_min": _("Grade thresholds must fall: excellent > good > pass.")})
        mins = [minimum for _stars, minimum in self.star_thresholds]
        if None not in mins and any(higher <= lower for higher, lower in zip(mins, mins[1:], strict=False)):
            raise ValidationError({"four_stars_min": _("Star thresholds must fall from five stars to one star.")})
