"""The funding policy of a region and year: the city's share, its cap, the personnel limit, the factor per grade."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from evaluation.choices import Grade
from stations.policies import RegionPolicyQuerySet


def rate_field(label: str, default: str) -> models.DecimalField:
    """A share or a factor, 0 to 1 with four places (0.4000 is 40 %)."""
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=4,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )


def money_field(label: str, default: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=14, decimal_places=2, default=Decimal(default), validators=[MinValueValidator(Decimal("0"))]
    )


# The figures a policy sets, in the order forms, tables and the API list them.
FIGURES = [
    "city_share",
    "township_cap",
    "personnel_max_share",
    "factor_excellent",
    "factor_good",
    "factor_pass",
    "factor_fail",
    "warning_share",
    "alert_share",
    "voucher_required_above",
]


class FundingPolicy(models.Model):
    """How a township's project spending is shared between the city and the township (DOMAIN.md section 5).

    City subsidy C = min(sum over its stations of spending x ``city_share`` x the factor of the station's grade,
    ``township_cap``); the township pays the rest. A budget's personnel line may be at most ``personnel_max_share``
    of its total. Spending on a line reaching ``warning_share`` of its budget is flagged, reaching ``alert_share``
    is over budget. An expenditure above ``voucher_required_above`` needs a voucher.
    """

    region = models.ForeignKey(
        "stations.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="funding_policies"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    city_share = rate_field(_("city share of spending"), "0.40")
    township_cap = money_field(_("city subsidy cap per township and year (CNY)"), "300000.00")
    personnel_max_share = rate_field(_("largest personnel share of a budget"), "0.70")
    factor_excellent = rate_field(_("performance factor: excellent"), "1.0")
    factor_good = rate_field(_("performance factor: good"), "0.9")
    factor_pass = rate_field(_("performance factor: pass"), "0.7")
    factor_fail = rate_field(_("performance factor: fail"), "0.0")
    warning_share = rate_field(_("warn when a line's spending reaches"), "0.90")
    alert_share = rate_field(_("over budget when a line's spending reaches"), "1.00")
    voucher_required_above = money_field(_("voucher required above (CNY)"), "1000.00")

    FIGURES = FIGURES

    history = HistoricalRecords()
    objects = RegionPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding policy")
        verbose_name_plural = _("funding policies")
        ordering = ["region__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="funding_policy_once_per_region_year"),
            models.CheckConstraint(
                condition=models.Q(warning_share__lte=models.F("alert_share")), name="funding_policy_warning_first"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    def factor(self, grade: str) -> Decimal:
        """The performance factor of a published grade."""
        return {
            Grade.EXCELLENT: self.factor_excellent,
            Grade.GOOD: self.factor_good,
            Grade.PASS: self.factor_pass,
            Grade.FAIL: self.factor_fail,
        }[grade]

    def clean(self) -> None:
        if self.warning_share is not None and self.alert_share is not None and self.warning_share > self.alert_share:
            raise ValidationError({"warning_share": _("The warning must come at or before the over-budget mark.")})
