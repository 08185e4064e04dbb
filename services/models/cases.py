"""Cases from intake to closure, their follow-ups and referrals."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import YearOf, within_evaluated_years
from staffing.models import StaffMember, StationScopedQuerySet
from stations.models import Station

from ..choices import (
    CaseStatus,
)
from .beneficiaries import Beneficiary
from .common import not_in_future

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class Case(models.Model):
    """A case (个案): intake -> assessment -> plan -> follow-ups -> closure, each step through ``rules.py``.

    Before and after scores (0-100) let evaluators see change, not just paperwork.
    """

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="cases")
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("beneficiary"), on_delete=models.PROTECT, related_name="cases"
    )
    worker = models.ForeignKey(
        StaffMember, verbose_name=_("social worker"), on_delete=models.PROTECT, related_name="cases"
    )
    opened_on = models.DateField(_("opened on"), validators=[not_in_future])
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.INTAKE)
    intake_notes = models.TextField(_("intake notes"), blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    before_score = models.PositiveSmallIntegerField(
        _("score before"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    plan = models.TextField(_("plan"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    after_score = models.PositiveSmallIntegerField(_("score after"), null=True, blank=True, validators=SCORE_VALIDATORS)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = StationScopedQuerySet.as_manager()
    # A case belongs to every year it was open in: opened by 31 December, not closed before 1 January.
    year_of = YearOf(on="opened_on", until="closed_on")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(before_score__isnull=True) | Q(before_score__lte=100), name="case_before_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(after_score__isnull=True) | Q(after_score__lte=100), name="case_after_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")), name="case_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | Q(closed_on__isnull=False, after_score__isnull=False),
                name="case_closed_with_date_and_score",
            ),
        ]
        indexes = [models.Index(fields=["station", "status", "opened_on"], name="case_station_status")]

    def __str__(self) -> str:
        return f"{self.beneficiary} {self.opened_on}"

    def clean(self) -> None:
        errors = {}
        if self.station_id and self.beneficiary_id and self.beneficiary.station_id != self.station_id:
            errors["beneficiary"] = _("This beneficiary is registered at another station.")
        if self.station_id and self.worker_id and self.worker.station_id != self.station_id:
            errors["worker"] = _("This social worker works at another station.")
        if errors:
            raise ValidationError(errors)


class CaseStepQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A follow-up or referral is visible when its case is and its own day is in a year the user reaches."""
        rows = self.filter(case__in=Case.objects.visible_to(user))
        return within_evaluated_years(rows, user, self.model.year_of)


class CaseFollowUp(models.Model):
    """A follow-up of a case (跟进记录): when, by whom, what was done, what comes next."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("date"), validators=[not_in_future])
    worker = models.ForeignKey(
        StaffMember, verbose_name=_("social worker"), on_delete=models.PROTECT, related_name="case_follow_ups"
    )
    content = models.TextField(_("content"))
    next_step = models.TextField(_("next step"), blank=True)

    objects = CaseStepQuerySet.as_manager()
    year_of = YearOf(station="case__station", on="date")

    class Meta:
        verbose_name = _("case follow-up")
        verbose_name_plural = _("case follow-ups")
        ordering = ["case", "date", "pk"]
        indexes = [models.Index(fields=["case", "date"], name="case_follow_up_date")]

    def __str__(self) -> str:
        return f"{self.case} {self.date}"


class CaseReferral(models.Model):
    """A referral of a case to another agency (转介): to whom, why, and what came of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    date = models.DateField(_("date"), validators=[not_in_future])
    agency = models.CharField(_("agency"), max_length=200)
    reason = models.TextField(_("reason"))
    result = models.TextField(_("result"), blank=True)

    objects = CaseStepQuerySet.as_manager()
    year_of = YearOf(station="case__station", on="date")

    class Meta:
        verbose_name = _("case referral")
        verbose_name_plural = _("case referrals")
        ordering = ["case", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.case} -> {self.agency}"
