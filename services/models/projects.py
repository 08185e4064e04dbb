"""Projects of the "123X" portfolio and their stage changes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import YearOf
from staffing.models import StationScopedQuerySet
from stations.choices import RegionLevel
from stations.models import Region, Station

from ..choices import (
    BASIC_SUBTYPES,
    BRAND_SUBTYPES,
    ProjectCategory,
    ProjectStage,
    ProjectSubtype,
)
from .reference import CatalogItem


class Project(models.Model):
    """A service project of a station for a year, in the "123X" portfolio, moving through its lifecycle."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="projects")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=10, choices=ProjectCategory.choices)
    subtype = models.CharField(
        _("subtype"),
        max_length=20,
        choices=ProjectSubtype.choices,
        blank=True,
        help_text=_("Brand projects: professional or governance; basic projects: which of the three groups."),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=ProjectStage.choices, default=ProjectStage.NEEDS_SURVEY)
    description = models.TextField(_("description"), blank=True)
    target_beneficiaries = models.PositiveIntegerField(_("target beneficiaries"), default=0)
    target_sessions = models.PositiveIntegerField(_("target sessions"), default=0)
    target_communities = models.PositiveIntegerField(_("target communities"), default=0)
    communities = models.ManyToManyField(
        Region,
        verbose_name=_("villages/communities"),
        blank=True,
        related_name="service_projects",
        limit_choices_to={"level": RegionLevel.COMMUNITY},
    )
    catalog_items = models.ManyToManyField(
        CatalogItem, verbose_name=_("catalogue items"), blank=True, related_name="projects"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StationScopedQuerySet.as_manager()
    year_of = YearOf(year="year")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["station", "-year", "category", "name"]
        permissions = [("advance_project", _("Can move a project to its next stage"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=[ProjectCategory.CORE, ProjectCategory.OPTIONAL], subtype="")
                | Q(category=ProjectCategory.BRAND, subtype__in=BRAND_SUBTYPES)
                | Q(category=ProjectCategory.BASIC, subtype__in=BASIC_SUBTYPES),
                name="project_subtype_matches_category",
            ),
            models.CheckConstraint(
                condition=Q(target_beneficiaries__gte=0, target_sessions__gte=0, target_communities__gte=0),
                name="project_targets_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["station", "year"], name="project_station_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def clean(self) -> None:
        allowed = {
            ProjectCategory.BRAND: BRAND_SUBTYPES,
            ProjectCategory.BASIC: BASIC_SUBTYPES,
        }.get(self.category)
        if allowed is None and self.subtype:
            raise ValidationError({"subtype": _("Core and optional projects have no subtype.")})
        if allowed is not None and self.subtype not in allowed:
            raise ValidationError(
                {
                    "subtype": _("A %(category)s project is one of: %(subtypes)s.")
                    % {
                        "category": ProjectCategory(self.category).label,
                        "subtypes": "、".join(str(subtype.label) for subtype in allowed),
                    }
                }
            )


class ProjectStageChange(models.Model):
    """A project moved from one stage to the next: who moved it and when."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from stage"), max_length=20, choices=ProjectStage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=ProjectStage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project stage change")
        verbose_name_plural = _("project stage changes")
        ordering = ["project", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_stage} -> {self.to_stage}"
