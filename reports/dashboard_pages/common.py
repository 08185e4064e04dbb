"""What the dashboard and the ranking pages share: the period asked, the cards, the table's rows and columns.

The pages show what ``reports.dashboard.dashboard`` returns and compute nothing of their own but the wording: the
change from the previous period, red or green per staffing rule, the goal of the visit rate (the services policy's,
``ServicePolicy.key_target_visit_goal``, of the region shown).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import scope_of
from config.lists import Column
from config.periods import MONTH, QUARTER, YEAR, Period, PeriodError, current_period, parse_period
from evaluation.choices import Grade
from reports.dashboard import DEFAULT_RANK, RANK_FIGURES, Child, Dashboard
from reports.rollups.compute import RULES
from services.models import ServicePolicy
from staffing.selectors import CHECK_LABELS
from stations.models import Region, Station
from stations.policies import region_policies
from stations.templatetags.portal import percent, plain_number, wan

KINDS = {MONTH: gettext_lazy("Month"), QUARTER: gettext_lazy("Quarter"), YEAR: gettext_lazy("Year")}
# How many periods of each kind the period picker offers (the text input takes any other).
OFFERED = {MONTH: 24, QUARTER: 8, YEAR: 5}
MINUS = "\u2212"


def today() -> date:
    return timezone.localdate()


@dataclass(frozen=True)
class AskedPeriod:
    """The period of ``?period=`` (the current one of ``?kind=`` when absent), or the message saying why not."""

    period: Period | None
    text: str
    kind: str
    error: str = ""


def asked_period(params, *, kinds=(MONTH, QUARTER, YEAR), refusal: str = "") -> AskedPeriod:
    """``?period=`` parsed by ``config.periods.parse_period``; a kind not in ``kinds`` is refused with
    ``refusal``. Without a period: the current one of ``?kind=`` (the first of ``kinds`` by default)."""
    text = str(params.get("period", "")).strip()[:20]
    kind = params.get("kind") if params.get("kind") in kinds else kinds[0]
    if not text:
        period = current_period(kind, today=today())
        return AskedPeriod(period, period.key, kind)
    try:
        period = parse_period(text, today=today())
    except PeriodError as error:
        return AskedPeriod(None, text, kind, error.message)
    if period.kind not in kinds:
        return AskedPeriod(None, text, kind, refusal)
    return AskedPeriod(period, period.key, period.kind)


def offered_periods(kind: str) -> list[Period]:
    """The latest periods of ``kind``, newest first, for the picker's list."""
    periods, period = [], current_period(kind, today=today())
    for _index in range(OFFERED[kind]):
        periods.append(period)
        period = period.previous()
    return periods


def next_period(period: Period) -> Period | None:
    """The period after ``period``, if it has begun."""
    after = current_period(period.kind, today=period.last + timedelta(days=1))
    return after if after.has_begun(today()) else None


# --- cards -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """The change of a figure from the previous period: its text (+12, −3.5 pp), arrow and colour."""

    text: str
    direction: str  # "up", "down", "same"; "whole": the previous period's whole figure beside a running total
    tone: str  # a Bootstrap colour

    @property
    def icon(self) -> str:
        if self.direction == "whole":
            return ""
        return {"up": "arrow-up-short", "down": "arrow-down-short"}.get(self.direction, "arrow-right-short")


def signed(value: Decimal | int, text: str) -> str:
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"{MINUS}{text.lstrip('-')}"
    return f"±{text}"


def change(now, before, *, kind: str = "count", better: bool | None = True) -> Change | None:
    """The change from ``before`` to ``now`` (None when either is unknown): counts and hours as numbers, money in
    万元, rates in percentage points. ``better``: whether more is better (None: neither)."""
    if now is None or before is None:
        return None
    difference = Decimal(now) - Decimal(before)
    if kind == "rate":
        text = _("%(points)s pp") % {"points": plain_number(abs(difference) * 100)}
    elif kind == "money":
        text = wan(abs(difference))
    else:
        text = plain_number(abs(difference))
    direction = "up" if difference > 0 else "down" if difference < 0 else "same"
    tone = "secondary"
    if better is not None and direction != "same":
        tone = "success" if (direction == "up") == better else "danger"
    return Change(signed(difference, text), direction, tone)


def whole(before, *, kind: str = "count") -> Change | None:
    """The previous period's whole figure, shown beside a running period's total so far instead of a change
    (half a month against a whole one is not a fall)."""
    if before is None:
        return None
    text = rate_text(before) if kind == "rate" else wan(before) if kind == "money" else plain_number(before)
    return Change(_("whole previous: %(figure)s") % {"figure": text}, "whole", "secondary")


def running(period: Period) -> bool:
    """Whether ``period`` has not ended yet: its totals are the days so far."""
    return period.last >= today()


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str
    icon: str
    change: Change | None = None
    note: str = ""
    title: str = ""  # the exact figure, when the value is rounded (money in 万元)
    parts: list = field(default_factory=list)  # (label, value, Change) for a card of several counts


def rate_text(value) -> str:
    return "—" if value is None else percent(value)


def money_text(value) -> str:
    return "—" if value is None else wan(value)


def cards(board: Dashboard) -> list[Card]:
    """The figures of ``board`` as cards, each with its change from the previous period; while the period runs,
    the totals of its days so far (records, people, hours, visits, spending and its personnel share) beside the
    previous period's whole figure instead (``whole``)."""
    now, before = board.figures, board.previous
    was = (lambda read: read(before)) if before is not None else (lambda read: None)
    if running(board.period):

        def flow(now_value, before_value, *, kind="count", better=True):
            return whole(before_value, kind=kind)
    else:
        flow = change
    services, funding = now.services, now.funding
    failing = sum(1 for count in now.compliance.failing.values() if count)
    result = [
        Card(
            "stations",
            _("Stations in operation"),
            str(now.stations),
            "buildings",
            change(now.stations, was(lambda f: f.stations)),
        ),
        Card(
            "coverage",
            _("Coverage"),
            rate_text(now.coverage.rate),
            "geo-alt",
            change(now.coverage.rate, was(lambda f: f.coverage.rate), kind="rate"),
            _("%(covered)s of %(townships)s townships")
            % {"covered": now.coverage.covered, "townships": now.coverage.townships},
        ),
        Card(
            "compliance",
            _("Staffing compliance"),
            rate_text(now.compliance.rate),
            "clipboard2-check",
            change(now.compliance.rate, was(lambda f: f.compliance.rate), kind="rate"),
            _("%(compliant)s of %(checked)s stations; %(failing)s rules failed somewhere")
            % {"compliant": now.compliance.compliant, "checked": now.compliance.checked, "failing": failing},
        ),
        Card(
            "records",
            _("Service records"),
            str(services.records),
            "journal-text",
            flow(services.records, was(lambda f: f.services.records)),
        ),
        Card(
            "people",
            _("People served"),
            str(services.people_served),
            "people",
            flow(services.people_served, was(lambda f: f.services.people_served)),
            _("and %(headcount)s people in group activities") % {"headcount": services.headcount},
        ),
        Card(
            "hours",
            _("Service hours"),
            plain_number(services.hours),
            "clock",
            flow(services.hours, was(lambda f: f.services.hours)),
        ),
        Card(
            "visits",
            _("Visit rate of key targets"),
            rate_text(now.visits.rate),
            "house-heart",
            flow(now.visits.rate, was(lambda f: f.visits.rate), kind="rate"),
            _("%(visited)s of %(targets)s key targets visited")
            % {"visited": now.visits.visited, "targets": now.visits.key_targets},
        ),
        Card(
            "volunteer_hours",
            _("Volunteer hours"),
            plain_number(now.volunteer_hours),
            "heart",
            flow(now.volunteer_hours, was(lambda f: f.volunteer_hours)),
        ),
        Card(
            "budget",
            _("Budget of the year (10,000 CNY)"),
            money_text(funding.budget),
            "wallet2",
            change(funding.budget, was(lambda f: f.funding.budget), kind="money", better=None),
            title=f"¥{funding.budget:,.2f}",
        ),
        Card(
            "spent",
            _("Spent (10,000 CNY)"),
            money_text(funding.spent),
            "cash-coin",
            flow(funding.spent, was(lambda f: f.funding.spent), kind="money", better=None),
            _("%(rate)s of the year's budget") % {"rate": rate_text(funding.execution)} if funding.execution else "",
            title=f"¥{funding.spent:,.2f}",
        ),
        Card(
            "personnel_share",
            _("Personnel share of spending"),
            rate_text(funding.personnel_share),
            "person-badge",
            flow(funding.personnel_share, was(lambda f: f.funding.personnel_share), kind="rate", better=None),
        ),
    ]
    if board.funding_shares:
        result += [
            Card(
                "city_share",
                _("City subsidy (10,000 CNY)"),
                money_text(funding.city_share),
                "bank",
                change(funding.city_share, was(lambda f: f.funding.city_share), kind="money", better=None),
                _("%(pending)s townships pending evaluation") % {"pending": funding.pending} if funding.pending else "",
                title=f"¥{funding.city_share:,.2f}",
            ),
            Card(
                "township_share",
                _("Township share (10,000 CNY)"),
                money_text(funding.township_share),
                "bank2",
                change(funding.township_share, was(lambda f: f.funding.township_share), kind="money", better=None),
                title=f"¥{funding.township_share:,.2f}",
            ),
        ]
    grades = [
        (
            grade.label,
            now.evaluation.get(grade.value, 0),
            change(
                now.evaluation.get(grade.value, 0),
                was(lambda f, g=grade.value: f.evaluation.get(g, 0)),
                better=grade.value != Grade.FAIL,
            ),
        )
        for grade in Grade
    ]
    result.append(
        Card("grades", _("Evaluation grades of the year"), str(sum(n for _l, n, _c in grades)), "award", parts=grades)
    )
    return result


# --- the goal of the visit rate --------------------------------------------------------------------------


def visit_goals(board: Dashboard) -> tuple[Decimal, dict[int, Decimal]]:
    """The goal of the monthly visit rate of the subject and of each child region (a station: its township's),
    from the services policy in force for the period's year. Two queries (the regions' paths, the policies)."""
    subject = board.subject
    own_id = subject.township_id if isinstance(subject, Station) else getattr(subject, "pk", None)
    wanted = {c.pk for c in board.children if c.kind == "region"} | ({own_id} if own_id else set())
    regions = list(Region.objects.filter(pk__in=wanted).only("pk", "path", "code")) if wanted else []
    policies = region_policies(ServicePolicy, regions=regions, year=board.period.year) if regions else {}
    default = ServicePolicy().key_target_visit_goal
    own = policies[own_id].key_target_visit_goal if own_id in policies else default
    goals = {pk: policy.key_target_visit_goal for pk, policy in policies.items()}
    goals |= {c.pk: own for c in board.children if c.kind == "station"}
    return own, goals


# --- the table ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    """A child of the dashboard (or a township of the ranking) as the table shows it."""

    child: Child
    url: str
    previous_rank: int | None = None
    had_previous: bool = False
    county: str = ""

    @property
    def figures(self):
        return self.child.figures

    @property
    def rules(self) -> list[tuple[str, str, int]]:
        """(code, label, stations failing it) per staffing rule, for the red/green badges."""
        failing = self.figures.compliance.failing
        return [(code, str(CHECK_LABELS.get(code, code)), failing.get(code, 0)) for code in RULES]

    @property
    def checked(self) -> int:
        return self.figures.compliance.checked

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost since the previous period; None when new or unranked."""
        if self.child.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.child.rank

    @property
    def rank_change_text(self) -> str:
        if not self.had_previous or self.previous_rank is None:
            return str(_("new")) if self.child.rank is not None else "—"
        if self.child.rank is None:
            return "—"
        moved = self.rank_change
        return f"▲{moved}" if moved > 0 else f"▼{-moved}" if moved < 0 else "—"

    @property
    def grades(self) -> str:
        counts = self.figures.evaluation
        return " ".join(f"{grade.label}{counts.get(grade.value)}" for grade in Grade if counts.get(grade.value))


def none_last(value):
    return (value is None, value if value is not None else 0)


def figure_column(key: str, label, value, *, css: str = "text-end", width: int = 12) -> Column:
    return Column(
        key, label, lambda row: value(row.figures), css=css, value=lambda row: value(row.figures), width=width
    )


def table_columns(*, shares: bool, ranking: bool = False, stations: bool = False) -> list[Column]:
    """The columns of the table (page and Excel): sortable by the figures one may rank by; the export holds the
    exact figures (yuan to the fen, rates as fractions, every rule's failing count). ``stations``: the rows are
    a township's stations."""
    name = gettext_lazy("Township") if ranking else gettext_lazy("Station") if stations else gettext_lazy("Region")
    columns = [
        Column("rank", gettext_lazy("Rank"), lambda row: row.child.rank, css="text-end", value="child.rank", width=7),
    ]
    if ranking:
        columns.append(
            Column(
                "rank_change",
                gettext_lazy("Change from the previous quarter"),
                lambda row: row.rank_change,
                css="text-end",
                value="rank_change_text",
                width=10,
            )
        )
    columns.append(Column("name", name, lambda row: row.child.name, value="child.name", width=22))
    if ranking:
        columns.append(Column("county", gettext_lazy("County"), value="county", on_page=False, width=16))
    columns += [
        figure_column("stations", gettext_lazy("Stations in operation"), lambda f: f.stations, width=8),
        figure_column("coverage.rate", gettext_lazy("Coverage"), lambda f: f.coverage.rate),
        figure_column("compliance.rate", gettext_lazy("Staffing compliance"), lambda f: f.compliance.rate),
    ]
    columns += [
        Column(
            f"failing.{code}",
            _("Failing: %(rule)s") % {"rule": CHECK_LABELS[code]},
            value=lambda row, code=code: row.figures.compliance.failing.get(code, 0),
            on_page=False,
            width=10,
        )
        for code in RULES
    ]
    columns += [
        figure_column("services.records", gettext_lazy("Service records"), lambda f: f.services.records),
        figure_column("services.people_served", gettext_lazy("People served"), lambda f: f.services.people_served),
        figure_column("services.headcount", gettext_lazy("Headcount served"), lambda f: f.services.headcount),
        figure_column("services.hours", gettext_lazy("Service hours"), lambda f: f.services.hours),
        figure_column("visits.rate", gettext_lazy("Visit rate of key targets"), lambda f: f.visits.rate),
        figure_column("volunteer_hours", gettext_lazy("Volunteer hours"), lambda f: f.volunteer_hours),
        Column(
            "funding.budget",
            gettext_lazy("Budget (CNY)"),
            value=lambda row: row.figures.funding.budget,
            on_page=False,
            width=14,
        ),
        figure_column("funding.spent", gettext_lazy("Spent (10,000 CNY)"), lambda f: f.funding.spent, width=14),
        figure_column("funding.personnel_share", gettext_lazy("Personnel share"), lambda f: f.funding.personnel_share),
    ]
    if shares:
        columns += [
            Column(
                "funding.city_share",
                gettext_lazy("City subsidy (CNY)"),
                value=lambda row: row.figures.funding.city_share,
                on_page=False,
                width=14,
            ),
            Column(
                "funding.township_share",
                gettext_lazy("Township share (CNY)"),
                value=lambda row: row.figures.funding.township_share,
                on_page=False,
                width=14,
            ),
        ]
    columns.append(Column("grades", gettext_lazy("Grades"), value="grades", width=14))
    columns += [
        Column(
            f"grade.{grade.value}",
            grade.label,
            value=lambda row, grade=grade.value: row.figures.evaluation.get(grade, 0),
            on_page=False,
            width=8,
        )
        for grade in Grade
    ]
    return columns


def sorted_rows(rows: list[Row], columns: list[Column], sort: str) -> list[Row]:
    """``rows`` by the column ``sort`` (``-`` descending), unknown figures last whichever the direction; without a
    sort, in the rank's order (as ``dashboard`` returns them)."""
    column = {c.key: c for c in columns}.get(sort.removeprefix("-"))
    if column is None or not callable(column.order_by):
        return rows
    known = [row for row in rows if column.order_by(row) is not None]
    unknown = [row for row in rows if column.order_by(row) is None]
    return sorted(known, key=column.order_by, reverse=sort.startswith("-")) + unknown


def asked_rank(params) -> str:
    asked = params.get("rank_by", "")
    return asked if asked in RANK_FIGURES else DEFAULT_RANK


def rank_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, (label, _read, _better) in RANK_FIGURES.items()]


# --- the way up the tree -----------------------------------------------------------------------------------


def breadcrumbs(user, board: Dashboard) -> list[tuple[str, int | None]]:
    """(name, region id) from the top of the user's reach down to the subject (None: the nation)."""
    subject = board.subject
    if isinstance(subject, Station):
        return [(subject.name, None)]
    scope = scope_of(user)
    crumbs = [(str(_("Nation")), None)] if scope.everything else []
    if isinstance(subject, Region):
        chain = [*subject.ancestors(), subject]
        if not scope.everything and scope.region is not None:
            chain = [region for region in chain if region.path.startswith(scope.region.path)]
        crumbs += [(region.name, region.pk) for region in chain]
    return crumbs


def child_url(child: Child, period: Period, view_name: str = "reports:dashboard") -> str:
    if child.kind == "station":
        return reverse("stations:detail", args=[child.pk])
    return f"{reverse(view_name)}?region={child.pk}&period={period.key}"
