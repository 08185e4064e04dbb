"""Disbursements: the instalments of the city subsidy actually paid to a township for a year."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import Region

from .scope import TownshipMoneyQuerySet


class Disbursement(models.Model):
    """One instalment of a township's city subsidy for a year, or a recovery (a negative amount).

    Recorded by a city official through ``funding.rules.disbursements`` only, after the evaluations are published
    and never above the subsidy due; never deleted: a wrong one is reversed by a recovery that names it. ``split``
    keeps the split it was made against (the figures of ``township_funding_split`` at that moment).
    """

    township = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="disbursements"
    )
    year = models.PositiveSmallIntegerField(
        _("year funded"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    date = models.DateField(_("date paid"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("disbursement reference number"), max_length=100)
    approver = models.CharField(_("approved by"), max_length=100)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reverses = models.ForeignKey(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    split = models.JSONField(_("split at the time"), default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = TownshipMoneyQuerySet.as_manager()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["township__path", "year", "date", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="disbursement_amount_not_zero")]
        indexes = [models.Index(fields=["township", "year"], name="disbursement_township_year")]

    def __str__(self) -> str:
        return f"{self.township} {self.year} {self.reference}"
