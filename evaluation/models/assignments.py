"""Assignments: which stations an evaluation agency evaluates, for which year and stage, on which scorecard.

The assignment is what an evaluator's scope is made of: while it is current (``starts_on`` to ``ends_on``) the
agency's evaluators reach its stations, and of their records only those of the evaluated ``year``.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from stations.choices import OrganizationKind
from stations.models import Station

from ..choices import Stage


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AssignmentQuerySet":
        """An agency's evaluators see its current assignments; everyone else those with a station in their scope."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.agency_id is not None:
            return self.current().filter(agency_id=scope.agency_id)
        stations = Station.objects.visible_to(user)
        return self.filter(pk__in=Assignment.stations.through.objects.filter(station__in=stations).values("assignment"))

    def current(self, on: date | None = None) -> "AssignmentQuerySet":
        on = on or date.today()
        return self.filter(starts_on__lte=on, ends_on__gte=on)

    def current_station_ids(self, *, agency_id: int, on: date | None = None):
        """Ids of the stations ``agency_id`` is assigned to on ``on`` (a subquery, not a list)."""
        return Assignment.stations.through.objects.filter(
            assignment__in=self.current(on).filter(agency_id=agency_id)
        ).values("station_id")

    def current_station_years(self, *, agency_id: int, on: date | None = None):
        """The (station, year) pairs ``agency_id`` evaluates on ``on``: the stations of its current assignments,
        each with the year the assignment evaluates, as rows with ``station_id`` and ``year`` (a queryset, to
        filter or correlate, not a list). Two current assignments of one station give two years."""
        return Assignment.stations.through.objects.filter(
            assignment__in=self.current(on).filter(agency_id=agency_id)
        ).annotate(year=F("assignment__year"))


class Assignment(models.Model):
    """An evaluation agency's commission to evaluate a set of stations for a period (e.g. 2026 annual)."""

    agency = models.ForeignKey(
        "stations.Organization",
        verbose_name=_("evaluation agency"),
        on_delete=models.PROTECT,
        related_name="assignments",
        limit_choices_to={"kind": OrganizationKind.EVALUATION_AGENCY},
    )
    year = models.PositiveSmallIntegerField(
        _("year evaluated"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.ANNUAL)
    template = models.ForeignKey(
        "evaluation.ScorecardTemplate",
        verbose_name=_("scorecard"),
        on_delete=models.PROTECT,
        related_name="assignments",
        help_text=_("The scorecard version every evaluation of the assignment is scored on."),
    )
    region = models.ForeignKey(
        "stations.Region",
        verbose_name=_("commissioned by (region)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_assignments",
        help_text=_("The region whose civil-affairs office commissioned the evaluation."),
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    starts_on = models.DateField(_("access from"))
    ends_on = models.DateField(_("access until"))
    due_on = models.DateField(
        _("submit by"),
        null=True,
        blank=True,
        help_text=_("The day evaluations are due; empty: the last day of access."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, null=True)
    stations = models.ManyToManyField("stations.Station", verbose_name=_("stations"), related_name="assignments")

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation assignment")
        verbose_name_plural = _("evaluation assignments")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="assignment_dates_ordered"),
        ]
        indexes = [
            models.Index(fields=["agency", "starts_on", "ends_on"], name="assignment_agency_window"),
            models.Index(fields=["year", "stage"], name="assignment_year_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.period}"

    @property
    def period(self) -> str:
        """The year and stage evaluated, e.g. "2025 年度"."""
        return f"{self.year} {self.get_stage_display()}"

    @property
    def deadline(self) -> date:
        return self.due_on or self.ends_on

    def clean(self) -> None:
        if self.agency_id and self.agency.kind != OrganizationKind.EVALUATION_AGENCY:
            raise ValidationError({"agency": _("Only an evaluation agency can be assigned stations.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("Access must end on or after the day it starts.")})
        if self.due_on and self.starts_on and self.ends_on and not self.starts_on <= self.due_on <= self.ends_on:
            raise ValidationError({"due_on": _("The due day must lie within the access period.")})
