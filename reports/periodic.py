"""The monthly and quarterly reports (DOMAIN.md section 7): which may be asked for, and what their PDFs show.

``periodic_check`` is the rule of a request (the page, the API and the batches call it): the kind's subject and
period. The figures come from ``reports.dashboard.dashboard`` (the function behind the dashboard API) and are
shown as ``figures_data`` writes them, so a PDF and the API always agree; a worker renders with no user
(``dashboard(None, subject=...)``). Charts are SVG drawn here, tables are cut per county so that no table spans
dozens of pages (WeasyPrint's cost grows with a table's pages: /work/shared/NOTES.md).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from config.periods import MONTH, YEAR, Period, PeriodError, parse_period, period_of
from evaluation.choices import Grade
from funding.choices import FundingSource
from services.choices import ProjectCategory, ProjectStage, ServiceKind
from services.models import Project, ServiceRecord
from services.rules.portfolio import portfolios_check, projects_progress
from services.selectors import people_by_target_group
from staffing.models import StaffMember
from staffing.rules import staff_turnover
from staffing.selectors import CHECK_LABELS
from stations.choices import RegionLevel, StationStatus
from stations.models import Region, Station

from .choices import PERIOD_KINDS, ReportKind
from .dashboard import Dashboard, dashboard, figures_data
from .fonts import FONT_STACK
from .models import Report
from .rendering import BarChart, bar_chart, cached_stylesheet, css_string, html_to_pdf, page_counter_content
from .rollups.figures import NATION, monthly_series

# The regions a periodic report may be of; a quarterly report ranks townships, so it is of a county or above.
SUBJECT_LEVELS = {
    ReportKind.MONTHLY: (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP),
    ReportKind.QUARTERLY: (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY),
}
GRADE_COLOURS = {"excellent": "#2e7d32", "good": "#1f77b4", "pass": "#f0a202", "fail": "#c62828"}


class PeriodicError(ValueError):
    """A periodic report that cannot be asked for: ``field`` (``period``, ``station``, ``region``) and why."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def periodic_check(kind: str, *, period: str, station: Station | None, region: Region | None, today: date) -> Period:
    """The period of a monthly (``YYYY-MM``) or quarterly (``YYYY-Qn``) report of ``station`` or ``region``,
    begun by ``today``; else ``PeriodicError``. A monthly report is of a station or a province, city, county or
    township; a quarterly one of a county, a city or a province."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"{kind} is not a periodic report")
    if station is None and region is None:
        raise PeriodicError("region", _("Choose the station or region the report is of."))
    if station is not None and kind == ReportKind.QUARTERLY:
        raise PeriodicError("station", _("A quarterly report is of a county, a city or a province, not a station."))
    if region is not None and region.level not in SUBJECT_LEVELS[kind]:
        levels = "、".join(str(RegionLevel(level).label) for level in SUBJECT_LEVELS[kind])
        raise PeriodicError("region", _("This report is of a region of these levels: %(levels)s.") % {"levels": levels})
    try:
        parsed = parse_period(period, today=today)
    except PeriodError as error:
        raise PeriodicError("period", error.message) from error
    if parsed.kind != PERIOD_KINDS[kind]:
        example = "2026-10" if kind == ReportKind.MONTHLY else "2026-Q3"
        raise PeriodicError(
            "period",
            _("A %(kind)s is of a %(period_kind)s, written like %(example)s.")
            % {
                "kind": ReportKind(kind).label,
                "period_kind": _("month") if kind == ReportKind.MONTHLY else _("quarter"),
                "example": example,
            },
        )
    return parsed


# --- charts ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    value: str
    x: float
    y: float
    height: float
    label_x: float


@dataclass(frozen=True)
class ColumnChart:
    """Vertical columns on a baseline (SVG user units): a year's months, say."""

    columns: list[Column]
    width: int
    height: int
    baseline: int
    column_width: int
    title: str


def column_chart(values: list[tuple[str, int | Decimal]], *, title: str) -> ColumnChart:
    """Columns for ``(label, value)`` scaled to the largest value."""
    width, plot_top, baseline, column_width, left = 480, 18, 130, 24, 12
    step = (width - 2 * left) / max(len(values), 1)
    top = max((value for _label, value in values), default=0) or 1
    columns = []
    for index, (label, value) in enumerate(values):
        height = float(baseline - plot_top) * float(value) / float(top)
        x = left + index * step + (step - column_width) / 2
        columns.append(
            Column(
                label,
                f"{value}",
                round(x, 1),
                round(baseline - height, 1),
                round(height, 1),
                round(x + column_width / 2, 1),
            )
        )
    return ColumnChart(columns, width, baseline + 18, baseline, column_width, title)


def kinds_chart(data: dict) -> BarChart:
    """The month's (quarter's) service records by kind."""
    by_kind = data["services"]["by_kind"]
    values = [(str(kind.label), by_kind.get(kind.value, 0), "#1f3a5f") for kind in ServiceKind]
    return bar_chart(values, scale_to=max([value for _l, value, _c in values] + [1]))


def grades_chart(data: dict) -> BarChart:
    grades = data["evaluation"]
    values = [(str(grade.label), grades.get(grade.value, 0), GRADE_COLOURS[grade.value]) for grade in Grade]
    return bar_chart(values, scale_to=max([value for _l, value, _c in values] + [1]))


# --- what the tables show ---------------------------------------------------------------------------------------


def percent_text(share: str | None) -> str:
    """A rate of ``figures_data`` (``"0.8125"``) as the PDF prints it: ``81.25%``; no denominator: ``—``."""
    return "—" if share is None else f"{Decimal(share) * 100:.2f}%"


def change_text(current, previous, *, rate: bool = False) -> str:
    """The change from the period before: ``+12``, ``-3.50``, ``+2.10 pp`` for rates; ``—`` when unknown."""
    if current is None or previous is None:
        return "—"
    if rate:
        points = (Decimal(current) - Decimal(previous)) * 100
        return f"{points:+.2f} pp"
    difference = Decimal(str(current)) - Decimal(str(previous))
    return f"{difference:+}"


@dataclass(frozen=True)
class FigureRow:
    label: str
    current: str
    previous: str = "—"
    change: str = "—"
    year_to_date: str = "—"


def figure_rows(data: dict, before: dict | None, ytd: dict | None, *, ytd_people: bool) -> list[FigureRow]:
    """The key figures of DOMAIN.md section 7, as ``figures_data`` writes them (rates in percent)."""
    before = before or {}

    def pick(source, path):
        value = source
        for key in path.split("."):
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    specs = [
        (_("Stations in operation"), "stations", False, False),
        (_("Service records"), "services.records", False, True),
        (_("People served (distinct)"), "services.people_served", False, True),
        (_("Headcount served"), "services.headcount", False, True),
        (_("Service hours"), "services.hours", False, True),
        (_("Key targets"), "visits.key_targets", False, False),
        (_("Key targets visited"), "visits.visited", False, False),
        (_("Visit rate of key targets"), "visits.rate", True, False),
        (_("Volunteer hours"), "volunteer_hours", False, True),
        (_("Stations checked for staffing"), "compliance.checked", False, False),
        (_("Stations meeting the staffing standard"), "compliance.compliant", False, False),
        (_("Staffing compliance"), "compliance.rate", True, False),
        (_("Spent (CNY)"), "funding.spent", False, True),
        (_("Personnel share of spending"), "funding.personnel_share", True, True),
    ]
    rows = []
    for label, path, is_rate, has_ytd in specs:
        current, previous = pick(data, path), pick(before, path) if before else None
        show = percent_text if is_rate else (lambda value: "—" if value is None else str(value))
        year = "—"
        if ytd is not None and has_ytd and (ytd_people or path != "services.people_served"):
            year = show(pick(ytd, path))
        rows.append(
            FigureRow(
                label,
                show(current),
                show(previous) if before else "—",
                change_text(current, previous, rate=is_rate) if before else "—",
                year,
            )
        )
    return rows


@dataclass(frozen=True)
class BudgetRow:
    budget: str
    spent_ytd: str
    execution: str
    personnel_share_ytd: str


def budget_row(ytd: dict) -> BudgetRow:
    funding = ytd["funding"]
    return BudgetRow(
        funding["budget"],
        funding["spent"],
        percent_text(funding["execution"]),
        percent_text(funding["personnel_share"]),
    )


@dataclass(frozen=True)
class ChildRow:
    rank: int | None
    name: str
    data: dict
    county: str = ""
    grade: str = ""

    @property
    def visit_rate(self) -> str:
        return percent_text(self.data["visits"]["rate"])

    @property
    def compliance_rate(self) -> str:
        return percent_text(self.data["compliance"]["rate"])


@dataclass
class Section:
    """A titled part of a region's report, listed in its table of contents."""

    anchor: str
    title: str
    rows: list = field(default_factory=list)


def subject_chain(subject) -> list[str]:
    if subject is NATION:
        return [_("Nation")]
    region = subject.township if isinstance(subject, Station) else subject
    chain = [node.name for node in [*region.ancestors(), region]]
    return chain + [subject.name] if isinstance(subject, Station) else chain


def report_subject(report: Report):
    if report.station_id:
        return Station.objects.select_related("township").get(pk=report.station_id)
    return report.region


def base_context(report: Report, board: Dashboard, kind_label: str) -> dict:
    issued = timezone.localdate()
    subject_name = board.name
    header = f"{subject_name} · {board.period.label} · {kind_label}"
    return {
        "report": report,
        "board": board,
        "kind_label": kind_label,
        "chain": subject_chain(board.subject),
        "issued": issued,
        "generated_at": timezone.localtime(),
        "font_stack": FONT_STACK,
        "page_counter": page_counter_content(),
        "header_left": css_string(header),
        "header_right": css_string(_("Issued %(date)s") % {"date": f"{issued:%Y-%m-%d}"}),
        "funding_shares": board.funding_shares,
    }


def subject_stations(subject):
    """The stations a report's subject covers: the station itself, those of a region, or every station."""
    if isinstance(subject, Station):
        return Station.objects.filter(pk=subject.pk)
    if subject is NATION:
        return Station.objects.all()
    return Station.objects.filter(township__path__startswith=subject.path)


@dataclass(frozen=True)
class ProjectRow:
    """A project of a station's year in its monthly report: its stage and each target against what is done."""

    name: str
    category: str
    stage: str
    checks: list  # (label, done, target, met)


def work_context(subject, period: Period) -> dict:
    """What a monthly report adds to the dashboard's figures (DOMAIN.md section 7): the month's people served by
    target group, the staff turnover of the month, the "123X" portfolios of the year (valid or with their
    problems) and, for a station, each project's targets against what its records have done so far. From the
    services' and staffing's own rule functions; a fixed number of queries whatever the region."""
    stations = subject_stations(subject)
    records = ServiceRecord.objects.filter(station__in=stations, date__gte=period.first, date__lte=period.last)
    operating = stations.filter(status=StationStatus.OPERATING).order_by("pk").values_list("pk", flat=True)
    portfolios = portfolios_check(station_ids=operating, year=period.year)
    turnover = staff_turnover(
        staff=StaffMember.objects.filter(station__in=stations),
        start=period.first,
        end=period.last,
        station_id=subject.pk if isinstance(subject, Station) else None,
    )
    context = {
        "target_groups": [(group.name, count) for group, count in people_by_target_group(records)],
        "turnover": turnover,
        "turnover_rate": percent_text(None if turnover.rate is None else str(turnover.rate)),
        "portfolios_valid": sum(1 for portfolio in portfolios.values() if portfolio.valid),
        "portfolios": len(portfolios),
        "portfolio_problems": [],
        "projects": [],
    }
    if isinstance(subject, Station):
        if subject.pk in portfolios:
            context["portfolio_problems"] = [problem.message for problem in portfolios[subject.pk].problems]
        projects = list(Project.objects.filter(station=subject, year=period.year).order_by("category", "pk"))
        progress = projects_progress(projects=projects)
        labels = {"beneficiaries": _("Beneficiaries"), "sessions": _("Sessions"), "communities": _("Communities")}
        context["projects"] = [
            ProjectRow(
                project.name,
                str(ProjectCategory(project.category).label),
                str(ProjectStage(project.stage).label),
                [(labels[c.code], c.actual, c.required, c.ok) for c in progress[project.pk].checks],
            )
            for project in projects
        ]
    return context


def monthly_context(report: Report, *, today: date | None = None) -> dict:
    """Everything the monthly PDF shows: the month against the month before, the year to date against the budget,
    services by kind, the months of the year so far, compliance rule by rule, and the children's table."""
    today = today or timezone.localdate()
    period = parse_period(report.period, today=today)
    subject = report_subject(report)
    board = dashboard(None, period=period, subject=subject)
    ytd_period = Period(date(period.year, 1, 1), period.last, YEAR)
    ytd = dashboard(None, period=ytd_period, subject=subject, previous=False)
    data, before, ytd_data = figures_data(board.figures), figures_data(board.previous), figures_data(ytd.figures)
    # The year's distinct people are the year's so far; they are the year to date only for the latest month.
    ytd_people = period.last.month == 12 or period >= period_of(today, MONTH).previous()
    series = monthly_series(stations_or_region=subject, first=ytd_period.first, last=period.first)
    context = base_context(report, board, _("Monthly report"))
    context.update(
        data=data,
        rows=figure_rows(data, before, ytd_data, ytd_people=ytd_people),
        budget=budget_row(ytd_data),
        ytd_data=ytd_data,
        kinds=[(str(kind.label), data["services"]["by_kind"].get(kind.value, 0)) for kind in ServiceKind],
        kinds_chart=kinds_chart(data),
        series_chart=column_chart(
            [(f"{point.month.month}", point.records) for point in series], title=_("Service records by month")
        ),
        series=series,
        failing=[(str(CHECK_LABELS[rule]), count) for rule, count in data["compliance"]["failing"].items()],
        sources=[
            (
                str(source.label),
                data["funding"]["by_source"].get(source.value),
                ytd_data["funding"]["by_source"].get(source.value),
            )
            for source in FundingSource
        ],
        children=[ChildRow(child.rank, child.name, figures_data(child.figures)) for child in board.children],
        children_are_stations=bool(board.children) and board.children[0].kind == "station",
        previous_period=board.period.previous(),
        **work_context(subject, period),
    )
    context["sections"] = [
        Section("figures", _("Key figures")),
        Section("services", _("Services")),
        Section("projects", _("The 123X projects")),
        Section("staffing", _("Staffing compliance")),
        Section("funding", _("Funding")),
        *([Section("children", _("Figures by place"))] if context["children"] else []),
    ]
    return context


def ranking_sections(board: Dashboard) -> list[Section]:
    """The ranked townships cut by county (one bounded table each), in the tree's order, their rank overall."""
    townships = {child.pk: child for child in board.children}
    counties = {
        region.pk: region
        for region in Region.objects.filter(pk__in=Region.objects.filter(pk__in=list(townships)).values("parent_id"))
    }
    parents = dict(Region.objects.filter(pk__in=list(townships)).values_list("pk", "parent_id"))
    by_county: dict[int, list[ChildRow]] = {}
    for child in board.children:  # ranked order
        data = figures_data(child.figures)
        grades = [str(Grade(grade).label) for grade, count in data["evaluation"].items() for _n in range(count)]
        row = ChildRow(child.rank, child.name, data, grade="、".join(grades) or "—")
        by_county.setdefault(parents.get(child.pk), []).append(row)
    ordered = sorted(by_county, key=lambda pk: counties[pk].path if pk in counties else "")
    return [
        Section(f"county-{pk}", counties[pk].name if pk in counties else _("Other"), by_county[pk]) for pk in ordered
    ]


def quarterly_context(report: Report, *, today: date | None = None) -> dict:
    """Everything the quarterly PDF of a region shows: the quarter against the one before, its months, the ranking
    of its townships (by service records), the evaluation results and the funding split status."""
    today = today or timezone.localdate()
    period = parse_period(report.period, today=today)
    subject = report.region
    board = dashboard(None, period=period, subject=subject, townships=True)
    children = dashboard(None, period=period, subject=subject, previous=False)
    data, before = figures_data(board.figures), figures_data(board.previous)
    series = monthly_series(stations_or_region=subject, first=period.first, last=period.last.replace(day=1))
    ranking = ranking_sections(board)
    context = base_context(report, board, _("Quarterly report"))
    context.update(
        data=data,
        rows=figure_rows(data, before, None, ytd_people=False),
        kinds_chart=kinds_chart(data),
        series=series,
        series_chart=column_chart(
            [(f"{point.month.month}", point.records) for point in series], title=_("Service records by month")
        ),
        ranking=ranking,
        township_count=len(board.children),
        grades=[(str(grade.label), data["evaluation"].get(grade.value, 0)) for grade in Grade],
        grades_chart=grades_chart(data),
        graded=sum(data["evaluation"].values()),
        children=[ChildRow(child.rank, child.name, figures_data(child.figures)) for child in children.children],
        rank_label=_("Service records"),
    )
    context["sections"] = [
        Section("figures", _("Key figures of the quarter")),
        Section("ranking", _("Ranking of the townships"), ranking),
        Section("evaluation", _("Evaluation results")),
        Section("funding", _("Funding split status")),
    ]
    return context


def periodic_pdf(template_name: str, context: dict) -> bytes:
    """Lay out a periodic report's template with the shared stylesheet, parsed once per worker thread."""
    stylesheet = cached_stylesheet("reports/pdf/_periodic_style.html", {"page_counter": context["page_counter"]})
    return html_to_pdf(render_to_string(template_name, context), stylesheets=[stylesheet])


def render_monthly(report: Report) -> bytes:
    return periodic_pdf("reports/pdf/monthly.html", monthly_context(report))


def render_quarterly(report: Report) -> bytes:
    return periodic_pdf("reports/pdf/quarterly.html", quarterly_context(report))


PERIODIC_RENDERERS = {ReportKind.MONTHLY: render_monthly, ReportKind.QUARTERLY: render_quarterly}
