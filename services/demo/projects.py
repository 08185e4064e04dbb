"""This year's and last year's "123X" projects of each station, moved through their stages."""

import calendar
import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from stations.demo import upsert

from ..choices import STAGE_ORDER, ProjectCategory, ProjectStage
from ..models import (
    CatalogItem,
    Project,
    ProjectStageChange,
)
from ..rules import (
    project_stage_advance,
)
from .common import Place, Planned, ProjectSpec
from .data import DESCRIPTIONS, GOVERNANCE_SHORT_SHARE, INCOMPLETE, OPTIONAL_PROJECTS, PROJECT_NAMES, SLOTS, STAGE_MOVED


def short_name(township: str) -> str:
    return township.removesuffix("街道").removesuffix("镇")


def project_specs(prng: random.Random, place: Place, today: date) -> list[ProjectSpec]:
    """This year's and last year's projects; the same brand and basic names both years (two-year cycles)."""
    communities = place.communities
    n = len(communities)
    names = {slot: prng.choice(choices) for slot, choices in PROJECT_NAMES.items()}
    governance_short = prng.random() < GOVERNANCE_SHORT_SHARE and not place.demo
    specs = []
    for year in (today.year - 1, today.year):
        optional = prng.sample(OPTIONAL_PROJECTS, prng.choice([0, 1, 1, 2, 2, 3]))
        wanted = [(slot, name, items, set()) for slot, (name, items) in names.items()]
        wanted += [("optional", name, items, groups) for name, items, groups in optional]
        for slot, name, items, groups in wanted:
            if slot == "governance" and governance_short:
                served = prng.sample(communities, min(3, n))
            elif slot in ("professional", "governance"):
                served = prng.sample(communities, prng.randint(min(4, n), n))
            elif slot == "children":
                served = prng.sample(communities, prng.randint(max(1, n - 2), n))
            elif slot == "optional":
                served = prng.sample(communities, prng.randint(min(1, n), min(3, n)))
            else:
                served = list(communities)
            if year < today.year:
                stage = ProjectStage.EVALUATION
                factor = prng.uniform(0.8, 1.0)  # last year's targets were met
            elif slot == "optional":
                stage = prng.choice([ProjectStage.DESIGN, ProjectStage.REVIEW] + [ProjectStage.IMPLEMENTATION] * 3)
                factor = prng.uniform(0.95, 1.2)
            else:
                stage = prng.choice([ProjectStage.IMPLEMENTATION] * 5 + [ProjectStage.MONITORING] * 4)
                factor = prng.uniform(0.95, 1.2)
            sessions, people = prng.randint(12, 36), prng.randint(20, 80)
            if year == today.year and SLOTS.get(slot, (None, None))[1] in INCOMPLETE.get(place.township, ()):
                continue
            category, subtype = SLOTS.get(slot, (ProjectCategory.OPTIONAL, ""))
            specs.append(
                ProjectSpec(
                    year=year,
                    slot=slot,
                    name=name,
                    category=category,
                    subtype=subtype,
                    items=items,
                    groups=groups,
                    communities=sorted(served, key=lambda region: region.code),
                    stage=stage,
                    description=DESCRIPTIONS[slot].format(place=place.township),
                    factor=factor,
                    default_sessions=sessions,
                    default_beneficiaries=people,
                )
            )
    return specs


def set_targets(specs: list[ProjectSpec], planned: list[Planned], today: date) -> dict[int, dict]:
    """Targets of each project from what the log delivers: met last year, on track for the full year this one.

    Returns id(spec) -> field values.
    """
    sessions, people, places = Counter(), defaultdict(set), defaultdict(set)
    for record in planned:
        if record.key:
            sessions[record.key] += 1
            people[record.key].update(person.id_number for person in record.people)
            places[record.key].update(person.community_id for person in record.people)
    elapsed = ((today - date(today.year, 1, 1)).days + 1) / (366 if calendar.isleap(today.year) else 365)
    targets = {}
    for spec in specs:
        key = (spec.year, spec.slot if spec.slot != "optional" else spec.name)
        scale = spec.factor / (elapsed if spec.year == today.year else 1)
        done, reached = sessions[key], len(people[key])
        if not done:  # not under way yet: the targets of its design
            values = (spec.default_sessions, spec.default_beneficiaries, len(spec.communities))
        else:  # a project that serves only a headcount (training) has no target of named people
            values = (round(done * scale), round(reached * scale), min(len(spec.communities), len(places[key])))
        targets[id(spec)] = dict(
            zip(("target_sessions", "target_beneficiaries", "target_communities"), values, strict=True)
        )
    return targets


def seed_projects(
    place: Place,
    specs: list[ProjectSpec],
    targets: dict[int, dict],
    items: dict[str, CatalogItem],
    user,
    today: date,
) -> dict[tuple[int, str], Project]:
    """Upsert the projects, tag them, move them to their stage; returns (year, slot or optional name) -> project."""
    station = place.station
    projects = {}
    for spec in specs:
        project, _ = upsert(
            Project,
            {"station": station, "year": spec.year, "name": spec.name},
            {
                "category": spec.category,
                "subtype": spec.subtype,
                "description": spec.description,
                **targets[id(spec)],
            },
        )
        project.communities.set(spec.communities)
        project.catalog_items.set([items[name] for name in spec.items if name in items])
        current = STAGE_ORDER.index(project.stage)
        for stage in STAGE_ORDER[current + 1 : STAGE_ORDER.index(spec.stage) + 1]:
            change = project_stage_advance(project=project, to_stage=stage, user=user)
            # Recorded now; dated as the year's plan would have it (a few days apart from station to station).
            moved = min(STAGE_MOVED[stage].replace(year=spec.year) + timedelta(days=station.pk % 9), today)
            ProjectStageChange.objects.filter(pk=change.pk).update(
                changed_at=timezone.make_aware(datetime.combine(moved, time(9, 30)))
            )
        project.stage = max(project.stage, spec.stage, key=STAGE_ORDER.index)
        key = (spec.year, spec.slot if spec.slot != "optional" else spec.name)
        projects[key] = project
    return projects
