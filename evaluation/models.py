"""Third-party evaluation (DOMAIN.md section 6). For now: which stations an agency may evaluate, and when.

Scorecards, evaluations and grades arrive with the evaluation issue; the assignment is here
already because it is what an evaluator's scope is made of.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from stations.choices import OrganizationKind


class AssignmentQuerySet(models.QuerySet):
    def current(self, on: date | None = None) -> "AssignmentQuerySet":
        on = on or date.today()
        return self.filter(starts_on__lte=on, ends_on__gte=on)

    def current_station_ids(self, *, agency_id: int, on: date | None = None):
        """Ids of the stations ``agency_id`` is assigned to on ``on`` (a subquery, not a list)."""
        return Assignment.stations.through.objects.filter(
            assignment__in=self.current(on).filter(agency_id=agency_id)
        ).values("station_id")


class Assignment(models.Model):
    """An evaluation agency's commission to evaluate a set of stations for a period (e.g. 2026 annual)."""

    agency = models.ForeignKey(
        "stations.Organization",
        verbose_name=_("evaluation agency"),
        on_delete=models.PROTECT,
        related_name="assignments",
        limit_choices_to={"kind": OrganizationKind.EVALUATION_AGENCY},
    )
    period = models.CharField(_("period"), max_length=20, help_text=_("e.g. 2026, 2026-H1, 2026-Q3"))
    title = models.CharField(_("title"), max_length=100, blank=True)
    starts_on = models.DateField(_("access from"))
    ends_on = models.DateField(_("access until"))
    stations = models.ManyToManyField("stations.Station", verbose_name=_("stations"), related_name="assignments")

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation assignment")
        verbose_name_plural = _("evaluation assignments")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="assignment_dates_ordered"),
        ]
        indexes = [models.Index(fields=["agency", "starts_on", "ends_on"], name="assignment_agency_window")]

    def __str__(self) -> str:
        return f"{self.agency} · {self.period}"

    def clean(self) -> None:
        if self.agency_id and self.agency.kind != OrganizationKind.EVALUATION_AGENCY:
            raise ValidationError({"agency": _("Only an evaluation agency can be assigned stations.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("Access must end on or after the day it starts.")})
