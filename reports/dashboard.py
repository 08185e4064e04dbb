"""The officials' dashboard (DOMAIN.md section 7): one subject's figures for a period, its children ranked.

``dashboard`` is the one function behind ``GET /api/v1/dashboard/``, the dashboard pages, the township ranking and
the monthly and quarterly reports: each shows what it returns, through ``figures_data`` for the same numbers in the
same form. It reads the rollups only (``reports.rollups.figures``): a fixed number of queries for a township or
the nation.

The subject is a region in the user's reach (its own by default: an official's region, the nation for the
administrator) or, for station staff, their station. A region outside the reach is a 404, like one that does not
exist. The figures a user's role may not see are cut: station staff see no township split (``funding`` shares and
``pending`` are None), as the funding pages show them none.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from config.periods import Period
from stations.choices import RegionLevel
from stations.models import Region, Station

from .rollups.figures import NATION, Figures, children_figures, dashboard_figures

# The figures a table may be ranked by: name -> (label, how to read it, whether more is better). The names are
# the dotted paths of ``figures_data`` (``?rank_by=visits.rate``).
RANK_FIGURES = {
    "stations": (_("Stations in operation"), lambda f: f.stations, True),
    "coverage.rate": (_("Coverage"), lambda f: f.coverage.rate, True),
    "compliance.rate": (_("Staffing compliance"), lambda f: f.compliance.rate, True),
    "services.records": (_("Service records"), lambda f: f.services.records, True),
    "services.people_served": (_("People served"), lambda f: f.services.people_served, True),
    "services.headcount": (_("Headcount served"), lambda f: f.services.headcount, True),
    "services.hours": (_("Service hours"), lambda f: f.services.hours, True),
    "visits.rate": (_("Visit rate of key targets"), lambda f: f.visits.rate, True),
    "volunteer_hours": (_("Volunteer hours"), lambda f: f.volunteer_hours, True),
    "funding.spent": (_("Spent"), lambda f: f.funding.spent, True),
    "funding.personnel_share": (_("Personnel share"), lambda f: f.funding.personnel_share, False),
}
DEFAULT_RANK = "services.records"
# ``dashboard(subject=...)`` not given: the subject is the user's (``dashboard_subject``).
SUBJECT_OF_USER = object()


@dataclass(frozen=True)
class Child:
    """A row of the dashboard's table: a child region (or a station under a township) and its rank."""

    kind: str  # "region" or "station"
    pk: int
    name: str
    level: str
    figures: Figures
    rank: int | None = None


@dataclass(frozen=True)
class Dashboard:
    subject: Region | Station | None  # None: the nation
    period: Period
    figures: Figures
    previous: Figures | None
    children: list[Child]
    rank_by: str
    funding_shares: bool  # whether the user may see the township splits

    @property
    def name(self) -> str:
        return str(_("Nation")) if self.subject is NATION else self.subject.name

    @property
    def level(self) -> str:
        if self.subject is NATION:
            return "nation"
        return "station" if isinstance(self.subject, Station) else self.subject.level


def dashboard_subject(user, *, region_id: int | None = None) -> Region | Station | None:
    """The region the dashboard is of: ``region_id`` if in the user's reach (else 404), by default the user's own
    region, the nation for the administrator, the station of station staff. Anyone else: 404."""
    scope = scope_of(user)
    if region_id is not None:
        region = Region.objects.visible_to(user).filter(pk=region_id).exclude(level=RegionLevel.COMMUNITY).first()
        if region is None or (scope.region is None and not scope.everything):
            raise Http404
        return region
    if scope.everything:
        return NATION
    if scope.region is not None:
        return scope.region
    if scope.station_id is not None:
        return Station.objects.select_related("township").get(pk=scope.station_id)
    raise Http404


def rank(children: list[Child], rank_by: str) -> list[Child]:
    """``children`` ordered by ``rank_by``, best first, with the competition rank (1, 2, 2, 4); a child without
    the figure (no denominator) is last, unranked. Ties keep the tree's order."""
    _label, value_of, more_is_better = RANK_FIGURES[rank_by]
    valued = [(value_of(child.figures), index, child) for index, child in enumerate(children)]
    known = sorted(
        ((value, index, child) for value, index, child in valued if value is not None),
        key=lambda item: ((-item[0] if more_is_better else item[0]), item[1]),
    )
    ranked, previous_value, previous_rank = [], object(), 0
    for position, (value, _index, child) in enumerate(known, start=1):
        if value != previous_value:
            previous_rank, previous_value = position, value
        ranked.append(replace_rank(child, previous_rank))
    return ranked + [replace_rank(child, None) for value, _index, child in valued if value is None]


def replace_rank(child: Child, position: int | None) -> Child:
    return Child(child.kind, child.pk, child.name, child.level, child.figures, position)


def child_rows(subject: Region | None, period: Period, *, townships: bool = False) -> list[Child]:
    return [
        Child(
            kind="station" if isinstance(node, Station) else "region",
            pk=node.pk,
            name=node.name,
            level="station" if isinstance(node, Station) else node.level,
            figures=figures,
        )
        for node, figures in children_figures(region=subject, period=period, townships=townships)
    ]


def dashboard(
    user,
    *,
    period: Period,
    region_id: int | None = None,
    rank_by: str = DEFAULT_RANK,
    previous: bool = True,
    townships: bool = False,
    subject=SUBJECT_OF_USER,
) -> Dashboard:
    """The dashboard of the region ``region_id`` (the user's by default) for ``period``: its figures, those of the
    period before (``previous``), and one ranked row per child (with ``townships``, per township below it).

    A scheduled report has no user (``user=None``, the system): it names its ``subject`` (a region, a station, or
    ``NATION``), whose scope was checked when it was asked for, and sees the township splits except of a station
    (whose staff may not see them)."""
    if rank_by not in RANK_FIGURES:
        raise ValueError(f"Unknown figure to rank by: {rank_by}")
    if subject is SUBJECT_OF_USER:
        subject = dashboard_subject(user, region_id=region_id)
    if user is None:
        shares = not isinstance(subject, Station)
    else:
        shares = user.has_perm("funding.view_disbursement")
    figures = cut(dashboard_figures(stations_or_region=subject, period=period), shares)
    before = cut(dashboard_figures(stations_or_region=subject, period=period.previous()), shares) if previous else None
    children = [] if isinstance(subject, Station) else child_rows(subject, period, townships=townships)
    children = [replace_figures(child, cut(child.figures, shares)) for child in children]
    return Dashboard(subject, period, figures, before, rank(children, rank_by), rank_by, shares)


def replace_figures(child: Child, figures: Figures) -> Child:
    return Child(child.kind, child.pk, child.name, child.level, figures, child.rank)


def cut(figures: Figures, shares: bool) -> Figures:
    """``figures`` without the township splits for a user who may not see them."""
    if shares:
        return figures
    funding = replace(figures.funding, city_share=None, township_share=None, pending=None)
    return replace(figures, funding=funding)


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def share(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def figures_data(figures: Figures) -> dict:
    """``figures`` as the API, the pages' charts and the PDFs show them: money a string with two places, rates
    a string with four (fractions of 1), counts integers, hours a string with one place."""
    services, funding = figures.services, figures.funding
    return {
        "stations": figures.stations,
        "coverage": {
            "townships": figures.coverage.townships,
            "covered": figures.coverage.covered,
            "rate": share(figures.coverage.rate),
        },
        "compliance": {
            "month": figures.compliance.month.strftime("%Y-%m"),
            "checked": figures.compliance.checked,
            "compliant": figures.compliance.compliant,
            "rate": share(figures.compliance.rate),
            "failing": dict(figures.compliance.failing),
        },
        "services": {
            "records": services.records,
            "by_kind": dict(services.by_kind),
            "people_served": services.people_served,
            "headcount": services.headcount,
            "hours": f"{services.hours:.1f}",
        },
        "visits": {
            "key_targets": figures.visits.key_targets,
            "visited": figures.visits.visited,
            "rate": share(figures.visits.rate),
        },
        "volunteer_hours": f"{figures.volunteer_hours:.1f}",
        "funding": {
            "budget": money(funding.budget),
            "spent": money(funding.spent),
            "execution": share(funding.execution),
            "personnel_share": share(funding.personnel_share),
            "by_source": {source: money(amount) for source, amount in funding.by_source.items()},
            "city_share": money(funding.city_share),
            "township_share": money(funding.township_share),
            "pending": funding.pending,
        },
        "evaluation": dict(figures.evaluation),
    }


def figure_value(figures: Figures, name: str):
    """The figure ``name`` of ``RANK_FIGURES`` (a dotted path) of ``figures``."""
    return RANK_FIGURES[name][1](figures)
