"""The officials' dashboard page (DOMAIN.md section 7), also their home: one region's (or station's) figures for a
period, with the change from the period before, charts, and its children ranked in a sortable table to Excel."""

from datetime import date
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from accounts.mixins import RolePermissionRequiredMixin
from config.lists import ListPageMixin
from config.params import query_id
from config.periods import MONTH, QUARTER, Period, period_of
from evaluation.choices import Grade
from reports.choices import ReportKind
from reports.dashboard import RANK_FIGURES, Dashboard, dashboard
from reports.periodic import SUBJECT_LEVELS
from reports.rollups.figures import monthly_series
from services.choices import ServiceKind
from stations.choices import RegionLevel
from stations.models import OperatingContract, Station
from stations.rules import contracts_ending

from .common import (
    KINDS,
    Row,
    asked_period,
    asked_rank,
    breadcrumbs,
    cards,
    child_url,
    next_period,
    offered_periods,
    rank_choices,
    running,
    sorted_rows,
    table_columns,
    today,
    visit_goals,
)

PAGE_SIZE = 25
RANKED_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)


def year_months(period: Period) -> tuple[date, date]:
    """The twelve months ending with the period's last month begun: the charts' year."""
    last = min(period.last, today()).replace(day=1)
    return date(last.year - (last.month < 12), last.month % 12 + 1, 1), last


def fraction(value) -> float | None:
    return None if value is None else float(value)


def chart_data(board: Dashboard, series, goal: Decimal, goals: dict) -> dict:
    """What ``static/js/dashboard.js`` draws, as JSON: numbers only, labels translated here."""
    children = board.children
    funding = board.figures.funding
    return {
        "months": {
            "labels": [f"{point.month:%Y-%m}" for point in series],
            "records": [point.records for point in series],
            "people": [point.people_served for point in series],
            "visit_rate": [fraction(point.visit_rate) for point in series],
        },
        "visits": {
            "names": [child.name for child in children],
            "rates": [fraction(child.figures.visits.rate) for child in children],
            "goals": [fraction(goals.get(child.pk, goal)) for child in children],
            "goal": float(goal),
        },
        "shares": None
        if not board.funding_shares
        else {"city": float(funding.city_share), "township": float(funding.township_share), "pending": funding.pending},
        "grades": {
            "names": [str(grade.label) for grade in Grade],
            "counts": [board.figures.evaluation.get(grade.value, 0) for grade in Grade],
        },
        "labels": {
            "records": _("Service records"),
            "people": _("People served"),
            "visit_rate": _("Visit rate of key targets"),
            "goal": _("Goal"),
            "city": _("City subsidy"),
            "township": _("Township share"),
            "grades": _("Stations"),
            "no_data": _("No figures yet"),
        },
    }


class DashboardView(RolePermissionRequiredMixin, ListPageMixin, ListView):
    """``?region=`` (the user's by default; out of reach: 404), ``?period=`` (this month by default) or ``?kind=``
    for the current quarter or year; ``?rank_by=`` a figure of ``RANK_FIGURES``; ``?sort=`` a column."""

    permission_required = "reports.view_stationmonth"
    template_name = "reports/dashboard/dashboard.html"
    paginate_by = PAGE_SIZE
    export_filename = gettext_lazy("dashboard %(date)s.xlsx")
    empty_message = gettext_lazy("No region or station below this one.")
    empty_icon = "diagram-3"
    export_view = "reports:dashboard-export"

    @cached_property
    def asked(self):
        return asked_period(self.request.GET)

    @cached_property
    def rank_by(self) -> str:
        return asked_rank(self.request.GET)

    @cached_property
    def board(self) -> Dashboard | None:
        if self.asked.period is None:
            return None
        return dashboard(
            self.request.user,
            period=self.asked.period,
            region_id=query_id(self.request.GET, "region"),
            rank_by=self.rank_by,
        )

    def get_columns(self):
        board = self.board
        return table_columns(
            shares=board.funding_shares if board else False,
            stations=board is not None and board.level == RegionLevel.TOWNSHIP,
        )

    @property
    def sort(self) -> str:
        key = self.request.GET.get("sort", "")
        return key if key.removeprefix("-") in {c.key for c in self.get_columns() if c.sortable} else ""

    def get_queryset(self) -> list[Row]:
        if self.board is None:
            return []
        rows = [Row(child, child_url(child, self.board.period)) for child in self.board.children]
        return sorted_rows(rows, self.get_columns(), self.sort)

    def get(self, request, *args, **kwargs):
        if self.export_asked and self.asked.error:
            return HttpResponseBadRequest(self.asked.error, content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)

    def export_sheet_title(self) -> str:
        return f"{self.board.name} {self.board.period.key}"[:31]

    def get_export_filename(self) -> str:
        return _("dashboard %(name)s %(period)s.xlsx") % {"name": self.board.name, "period": self.board.period.key}

    def contracts_context(self) -> dict:
        """The contracts ending soon under the region shown (the officials' home kept them in view)."""
        board = self.board
        stations = Station.objects.visible_to(self.request.user)
        if board.subject is not None:
            stations = stations.filter(township__path__startswith=board.subject.path)
        ending = contracts_ending(
            contracts=OperatingContract.objects.filter(station__in=stations),
            on=date.today(),
            days=settings.CONTRACT_ENDING_DAYS,
        )
        return {
            "contracts_ending": ending,
            "contracts_ending_days": settings.CONTRACT_ENDING_DAYS,
            "contracts_ending_total": sum((contract.amount for contract in ending), Decimal(0)),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asked, board = self.asked, self.board
        params = self.request.GET.copy()
        for name in ("period", "kind", "page", "export"):
            params.pop(name, None)
        context.update(
            asked=asked,
            board=board,
            kinds=[
                (kind, label, f"?{params.urlencode()}&kind={kind}" if params else f"?kind={kind}")
                for kind, label in KINDS.items()
            ],
            offered=offered_periods(asked.period.kind if asked.period else asked.kind),
            rank_by=self.rank_by,
            rank_choices=rank_choices(),
            rank_label=RANK_FIGURES[self.rank_by][0],
            region_id=query_id(self.request.GET, "region"),
            sort=self.sort,
            show_rank=board is None or board.level != "station",
        )
        if board is None:
            return context
        period = board.period
        first, last = year_months(period)
        series = monthly_series(stations_or_region=board.subject, first=first, last=last)
        goal, goals = visit_goals(board)
        subject_id = getattr(board.subject, "pk", None) if board.level != "station" else None
        here = {"region": subject_id} if subject_id else {}
        context.update(
            cards=cards(board),
            crumbs=breadcrumbs(self.request.user, board),
            goal=goal,
            chart=chart_data(board, series, goal, goals),
            by_kind=[(kind.label, board.figures.services.by_kind.get(kind.value, 0)) for kind in ServiceKind],
            previous_period=period.previous(),
            period_running=running(period),
            next_period=next_period(period),
            region_query=f"region={subject_id}&" if subject_id else "",
            export_url=f"{reverse(self.export_view)}?{self.request.GET.urlencode()}",
            ranking_url=(
                f"{reverse('reports:ranking')}?region={subject_id}&period={quarter_of(period).key}"
                if board.level in RANKED_LEVELS
                else ""
            ),
            has_children=board.level != "station",
            rows_are_stations=board.level == RegionLevel.TOWNSHIP,
            here=here,
            list_totals=None,
        )
        if board.level != "station":
            context.update(self.contracts_context())
        context["report_request"] = self.report_request(board)
        return context

    def report_request(self, board: Dashboard) -> dict | None:
        """The monthly or quarterly report of what the dashboard shows, if there is one the user may ask for: the
        fields the request button posts (``reports:request``)."""
        if not self.request.user.has_perm("reports.add_report") or board.subject is None:
            return None
        kind = {MONTH: ReportKind.MONTHLY, QUARTER: ReportKind.QUARTERLY}.get(board.period.kind)
        if kind is None:
            return None
        if isinstance(board.subject, Station):
            fields = {"station": board.subject.pk} if kind == ReportKind.MONTHLY else None
        else:
            fields = {"region": board.subject.pk} if board.subject.level in SUBJECT_LEVELS[kind] else None
        if fields is None:
            return None
        return {"kind": kind, "label": ReportKind(kind).label, "period": board.period.key, **fields}


def quarter_of(period: Period) -> Period:
    """The quarter the period ends in (the ranking compares quarters), the current one while the period runs."""
    return period_of(min(period.last, today()), QUARTER)


class DashboardExportView(DashboardView):
    """The dashboard's table, with the same query string, as .xlsx: exact figures, every rule's failing count."""

    @property
    def export_asked(self) -> bool:
        return True
