"""Community focus problems."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import YearOf
from staffing.models import StationScopedQuerySet
from stations.choices import RegionLevel
from stations.models import Region, Station

from ..choices import (
    FocusProblemStatus,
)
from .common import communities_outside, not_in_future


class FocusProblem(models.Model):
    """A community focus problem (社区焦点问题): reported, worked on, solved (Suzhou counts them)."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="focus_problems"
    )
    community = models.ForeignKey(
        Region,
        verbose_name=_("village/community"),
        on_delete=models.PROTECT,
        related_name="focus_problems",
        limit_choices_to={"level": RegionLevel.COMMUNITY},
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FocusProblemStatus.choices, default=FocusProblemStatus.REPORTED
    )
    reported_on = models.DateField(_("reported on"), validators=[not_in_future])
    solved_on = models.DateField(_("solved on"), null=True, blank=True, validators=[not_in_future])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = StationScopedQuerySet.as_manager()
    # A problem belongs to every year it was open in, as a case does: reported by 31 December, not solved
    # before 1 January (a problem of 2024 solved in 2025 counts among the problems solved in 2025).
    year_of = YearOf(on="reported_on", until="solved_on")

    class Meta:
        verbose_name = _("community focus problem")
        verbose_name_plural = _("community focus problems")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=FocusProblemStatus.SOLVED, solved_on__isnull=False, solved_on__gte=F("reported_on"))
                | (~Q(status=FocusProblemStatus.SOLVED) & Q(solved_on__isnull=True)),
                name="focus_problem_solved_on_when_solved",
            ),
        ]
        indexes = [models.Index(fields=["station", "status", "reported_on"], name="focus_problem_station_status")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.station_id and self.community_id and communities_outside(self.station, [self.community]):
            errors["community"] = _("Choose a village or community of the station's township.")
        if self.status == FocusProblemStatus.SOLVED:
            if not self.solved_on:
                errors["solved_on"] = _("Give the day the problem was solved.")
            elif self.reported_on and self.solved_on < self.reported_on:
                errors["solved_on"] = _("A problem cannot be solved before it was reported.")
        elif self.solved_on:
            errors["solved_on"] = _("Only a solved problem has a solved date.")
        if errors:
            raise ValidationError(errors)
