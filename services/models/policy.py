"""The services policy of a region and year (township targets, the visit goal)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.policies import RegionPolicyQuerySet


class ServicePolicy(models.Model):
    """The service targets of a region for a year; stations use the nearest region's policy.

    Defaults are Suzhou's (empowerment and governance projects land in at least 4 communities) and
    Jiaxing's (every key target visited every month).
    """

    region = models.ForeignKey(
        "stations.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="service_policies"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    empowerment_governance_communities_min = models.PositiveSmallIntegerField(
        _("minimum communities of empowerment and governance projects"), default=4
    )
    key_target_visit_goal = models.DecimalField(
        _("monthly visit rate goal for key targets"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )

    history = HistoricalRecords()
    objects = RegionPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("service policy")
        verbose_name_plural = _("service policies")
        ordering = ["region__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="service_policy_once_per_region_year"),
            models.CheckConstraint(
                condition=Q(key_target_visit_goal__gte=0, key_target_visit_goal__lte=1),
                name="service_policy_visit_goal_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"
