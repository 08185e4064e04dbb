"""Budgets: a station's planned project money for a year, by line and by funding source, in versions."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import Station

from ..choices import OPEN_BUDGET_STATUSES, BudgetLine, BudgetStatus, FundingSource
from .scope import StationMoneyQuerySet


class BudgetQuerySet(StationMoneyQuerySet):
    def in_force(self):
        """The approved version of each station and year (superseded ones left out)."""
        return self.filter(status=BudgetStatus.APPROVED)


class Budget(models.Model):
    """One version of a station's budget for a year. Written through ``funding.rules.budgets`` only.

    Version 1 is the first; a revision of an approved budget is the next version, a draft, and the approved one
    stays in force (frozen) until the revision is approved, when it becomes superseded.
    """

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT)
    note = models.TextField(_("note"), blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or returned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or returned at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "station__name", "-version"]
        permissions = [
            ("submit_budget", _("Can submit budgets for approval")),
            ("approve_budget", _("Can approve or return submitted budgets")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["station", "year", "version"], name="budget_version_once"),
            models.UniqueConstraint(
                fields=["station", "year"],
                condition=Q(status__in=OPEN_BUDGET_STATUSES),
                name="budget_one_open_version",
            ),
            models.UniqueConstraint(
                fields=["station", "year"], condition=Q(status=BudgetStatus.APPROVED), name="budget_one_in_force"
            ),
        ]
        indexes = [
            models.Index(fields=["station", "year", "status"], name="budget_station_year_status"),
            models.Index(fields=["status", "year"], name="budget_status_year"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.year} v{self.version}"

    @property
    def total(self) -> Decimal:
        """The sum of the lines (use ``prefetch_related("lines")`` on lists)."""
        return sum((line.amount for line in self.lines.all()), Decimal("0.00"))

    @property
    def sources_total(self) -> Decimal:
        return sum((source.amount for source in self.sources.all()), Decimal("0.00"))


def amount_field() -> models.DecimalField:
    return models.DecimalField(
        _("amount (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )


class BudgetLineAmount(models.Model):
    """The amount a budget plans for one line (personnel, activities, management, other)."""

    budget = models.ForeignKey(Budget, verbose_name=_("budget"), on_delete=models.CASCADE, related_name="lines")
    line = models.CharField(_("budget line"), max_length=12, choices=BudgetLine.choices)
    amount = amount_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["budget", "line"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "line"], name="budget_line_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.budget} {self.get_line_display()}"


class BudgetSourceAmount(models.Model):
    """The amount a budget plans to draw from one funding source."""

    budget = models.ForeignKey(Budget, verbose_name=_("budget"), on_delete=models.CASCADE, related_name="sources")
    source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    amount = amount_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget funding source")
        verbose_name_plural = _("budget funding sources")
        ordering = ["budget", "source"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "source"], name="budget_source_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_source_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.budget} {self.get_source_display()}"
