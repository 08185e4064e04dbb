"""The "123X" portfolio and the township targets (DOMAIN.md section 4), projects moved through their stages and their progress."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from staffing.rules import Check
from stations.models import Region, Station

from ..choices import (
    BASIC_SUBTYPES,
    BRAND_SUBTYPES,
    ProjectCategory,
    ProjectStage,
    ProjectSubtype,
    next_in,
)
from ..models import (
    Project,
    ProjectStageChange,
    ServiceRecord,
)
from .common import EMPOWERMENT, GOVERNANCE, refuse, service_policy_for

# --- the "123X" portfolio ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True)
class Portfolio:
    """A station's projects of a year against "123X": counts per category and each problem found."""

    station_id: int
    year: int
    valid: bool
    counts: dict[str, int]
    problems: list[Problem]


def missing_message(subtype: str) -> str:
    return {
        ProjectSubtype.PROFESSIONAL: _("No professional social-work service brand project: add one."),
        ProjectSubtype.GOVERNANCE: _("No community-governance brand project: add one."),
        ProjectSubtype.DIFFICULT_FAMILIES: _("No basic project for difficult families: add one."),
        ProjectSubtype.ELDERLY_ALONE: _("No basic project for elderly people living alone: add one."),
        ProjectSubtype.CHILDREN: _("No basic project for children in difficulty: add one."),
    }[subtype]


def portfolio_check(*, station: Station, year: int) -> Portfolio:
    """The "123X" rule (Haining): exactly 1 core, 1 professional + 1 governance brand, one basic project for each
    of difficult families, elderly living alone and children in difficulty, and any number of optional ones.
    """
    return portfolios_check(station_ids=[station.pk], year=year)[station.pk]


def portfolios_check(*, station_ids, year: int) -> dict[int, Portfolio]:
    """``portfolio_check`` of many stations at once (a region's monthly report): station id -> portfolio, one
    query whatever their number. ``station_ids``: a list, or a queryset of ids (read as a subquery)."""
    rows = (
        Project.objects.filter(station_id__in=station_ids, year=year)
        .order_by()
        .values_list("station_id", "category", "subtype")
        .annotate(n=Count("pk"))
    )
    found = {pk: [] for pk in station_ids}
    for station_id, category, subtype, n in rows:
        found[station_id].append((category, subtype, n))
    return {pk: portfolio_of(pk, year, projects) for pk, projects in found.items()}


def portfolio_of(station_id: int, year: int, rows) -> Portfolio:
    """The portfolio of a station whose projects of ``year`` are ``rows``: (category, subtype, how many)."""
    per_subtype = Counter()
    counts = {category.value: 0 for category in ProjectCategory}
    for category, subtype, n in rows:
        counts[category] += n
        per_subtype[(category, subtype)] += n
    problems = []
    if counts[ProjectCategory.CORE] == 0:
        problems.append(
            Problem("core_missing", _("No core project: add the Party-led social-work talent service project."))
        )
    elif counts[ProjectCategory.CORE] > 1:
        problems.append(
            Problem(
                "core_too_many",
                _("%(count)s core projects: a station runs exactly one.") % {"count": counts[ProjectCategory.CORE]},
            )
        )
    for category, subtypes in ((ProjectCategory.BRAND, BRAND_SUBTYPES), (ProjectCategory.BASIC, BASIC_SUBTYPES)):
        for subtype in subtypes:
            n = per_subtype[(category, subtype)]
            if n == 0:
                problems.append(Problem(f"{category}_missing_{subtype}", missing_message(subtype)))
            elif n > 1:
                problems.append(
                    Problem(
                        f"{category}_duplicate_{subtype}",
                        _("%(count)s %(category)s projects for “%(subtype)s”: keep exactly one.")
                        % {"count": n, "category": ProjectCategory(category).label, "subtype": subtype.label},
                    )
                )
    return Portfolio(station_id=station_id, year=year, valid=not problems, counts=counts, problems=problems)


@dataclass(frozen=True)
class TownshipTargets:
    """Township-level targets (Suzhou): basic projects cover every community the station serves; projects of
    the empowerment and of the governance catalogue categories land in at least the policy's number of communities.
    """

    station_id: int
    year: int
    checks: list[Check]
    uncovered_communities: list[Region] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def township_targets(*, station: Station, year: int) -> TownshipTargets:
    """The station's projects of ``year`` against the township targets, each a ``Check`` (required, actual, ok).

    Communities of the empowerment (or governance) projects are counted together: the target is the township's,
    not each project's.
    """
    served = list(station.communities.order_by("path"))
    projects = Project.objects.filter(station=station, year=year)
    covered = set(
        Project.communities.through.objects.filter(
            project__in=projects.filter(category=ProjectCategory.BASIC)
        ).values_list("region_id", flat=True)
    )
    uncovered = [community for community in served if community.pk not in covered]
    checks = [Check("basic_coverage", len(served), len(served) - len(uncovered), not uncovered)]
    minimum = service_policy_for(station=station, year=year).empowerment_governance_communities_min
    landed = dict(
        Project.communities.through.objects.filter(
            project__in=projects, project__catalog_items__sub_item__category__code__in=[EMPOWERMENT, GOVERNANCE]
        )
        .order_by()
        .values_list("project__catalog_items__sub_item__category__code")
        .annotate(n=Count("region_id", distinct=True))
    )
    for code in (EMPOWERMENT, GOVERNANCE):
        actual = landed.get(code, 0)
        checks.append(Check(f"{code}_communities", minimum, actual, actual >= minimum))
    return TownshipTargets(station_id=station.pk, year=year, checks=checks, uncovered_communities=uncovered)


# --- project lifecycle and progress ------------------------------------------------------------------


def project_stage_advance(*, project: Project, to_stage: str, user) -> ProjectStageChange:
    """Move ``project`` to the next stage of its lifecycle, recording who and when; no skipping, no going back."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        expected = next_in(ProjectStage, project.stage)
        if to_stage not in ProjectStage.values:
            raise refuse("to_stage", _("Unknown stage."))
        if expected is None:
            raise refuse("to_stage", _("This project has reached its last stage."))
        if to_stage != expected:
            raise refuse(
                "to_stage",
                _("A project moves one stage at a time: after “%(current)s” comes “%(next)s”.")
                % {"current": ProjectStage(project.stage).label, "next": ProjectStage(expected).label},
            )
        change = ProjectStageChange.objects.create(
            project=project, from_stage=project.stage, to_stage=to_stage, changed_by=user
        )
        project.stage = to_stage
        project.save(update_fields=["stage"])
        return change


@dataclass(frozen=True)
class ProjectProgress:
    """Targets against actuals for monitoring: ``checks`` are beneficiaries, sessions and communities."""

    project_id: int
    checks: list[Check]
    headcount: int  # anonymous participants, on top of the named beneficiaries


def project_progress(*, project: Project) -> ProjectProgress:
    """Distinct beneficiaries named in the project's records, its number of records (sessions), and the
    distinct communities of those beneficiaries, each against the project's target."""
    return projects_progress(projects=[project])[project.pk]


def projects_progress(*, projects) -> dict[int, ProjectProgress]:
    """``project_progress`` of many projects at once: project id -> progress, in two queries whatever their number."""
    projects = list(projects)
    ids = [project.pk for project in projects]
    records = {
        row["project_id"]: row
        for row in ServiceRecord.objects.filter(project_id__in=ids)
        .order_by()
        .values("project_id")
        .annotate(sessions=Count("pk"), headcount=Sum("headcount"))
    }
    served = {
        row["servicerecord__project_id"]: row
        for row in ServiceRecord.beneficiaries.through.objects.filter(servicerecord__project_id__in=ids)
        .order_by()
        .values("servicerecord__project_id")
        .annotate(
            beneficiaries=Count("beneficiary_id", distinct=True),
            communities=Count("beneficiary__community_id", distinct=True),
        )
    }
    result = {}
    for project in projects:
        done = records.get(project.pk, {})
        reached = served.get(project.pk, {})
        actual = {
            "beneficiaries": reached.get("beneficiaries", 0),
            "sessions": done.get("sessions", 0),
            "communities": reached.get("communities", 0),
        }
        target = {
            "beneficiaries": project.target_beneficiaries,
            "sessions": project.target_sessions,
            "communities": project.target_communities,
        }
        checks = [Check(code, target[code], actual[code], actual[code] >= target[code]) for code in target]
        result[project.pk] = ProjectProgress(project_id=project.pk, checks=checks, headcount=done.get("headcount") or 0)
    return result
