"""Expenditures: what a station actually spent, on a budget line, from a funding source, with its voucher."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.choices import Role
from accounts.scope import YearOf, within_evaluated_years
from stations.models import Station

from ..choices import BudgetLine, FundingSource
from .scope import StationMoneyQuerySet


def voucher_path(expenditure, filename: str) -> str:
    return f"funding/vouchers/{expenditure.station_id}/{expenditure.date:%Y/%m}/{filename}"


class ExpenditureQuerySet(StationMoneyQuerySet):
    def visible_to(self, user):
        """A station's spending, but a social worker does not see the personnel line: its payments are colleagues'
        salaries (DOMAIN.md section 9: a social worker sees only their own salary)."""
        rows = super().visible_to(user)
        if getattr(user, "role", None) == Role.SOCIAL_WORKER:
            rows = rows.exclude(line=BudgetLine.PERSONNEL)
        return within_evaluated_years(rows, user, Expenditure.year_of)

    def of_year(self, year: int):
        return self.filter(date__gte=f"{year}-01-01", date__lte=f"{year}-12-31")


class Expenditure(models.Model):
    """One payment of a station's project money. Written through ``funding.rules.expenditures`` only: the date in
    a year the station has an approved budget for and not in the future, the amount above zero, and a voucher (an
    image or a PDF, checked by its content) above the policy's amount."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="expenditures"
    )
    date = models.DateField(_("date"))
    line = models.CharField(_("budget line"), max_length=12, choices=BudgetLine.choices)
    source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    payee = models.CharField(_("payee"), max_length=100)
    description = models.CharField(_("description"), max_length=300)
    voucher = models.FileField(_("voucher"), upload_to=voucher_path, blank=True)
    voucher_name = models.CharField(_("voucher file name"), max_length=255, blank=True)
    voucher_type = models.CharField(_("voucher content type"), max_length=100, blank=True)
    voucher_size = models.PositiveIntegerField(_("voucher size (bytes)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    year_of = YearOf(on="date")
    history = HistoricalRecords()
    objects = ExpenditureQuerySet.as_manager()

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expenditure_amount_positive")]
        indexes = [
            # The split and budget-vs-actual sum a station's year: covered by one index scan on PostgreSQL.
            models.Index(fields=["station", "date"], include=["amount"], name="expenditure_station_date"),
            models.Index(fields=["date"], name="expenditure_date"),
            models.Index(fields=["station", "line", "date"], name="expenditure_station_line_date"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.date} {self.amount}"
