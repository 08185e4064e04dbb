"""The township ranking (互比互学, DOMAIN.md section 7): every township of a county, a city or a province for a
quarter, ranked by a chosen figure, with each one's rank change from the previous quarter."""

from functools import cached_property

from django.http import Http404, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from accounts.mixins import RolePermissionRequiredMixin
from accounts.scope import scope_of
from config.lists import ListPageMixin
from config.params import query_id
from config.periods import QUARTER
from reports.dashboard import RANK_FIGURES, Dashboard, dashboard
from stations.choices import RegionLevel
from stations.models import Region

from .common import (
    Row,
    asked_period,
    asked_rank,
    child_url,
    next_period,
    offered_periods,
    rank_choices,
    sorted_rows,
    table_columns,
)

RANKED_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)


class RankingView(RolePermissionRequiredMixin, ListPageMixin, ListView):
    """``?region=`` a county, city or province in reach (the user's own by default), ``?period=YYYY-Qn`` (this
    quarter by default; a month or a year is refused), ``?rank_by=`` the figure, ``?sort=`` a column."""

    permission_required = "reports.view_stationmonth"
    template_name = "reports/dashboard/ranking.html"
    paginate_by = 25
    export_filename = gettext_lazy("township ranking %(date)s.xlsx")
    empty_message = gettext_lazy("No township below this region.")
    empty_icon = "trophy"

    @cached_property
    def asked(self):
        return asked_period(
            self.request.GET,
            kinds=(QUARTER,),
            refusal=_("The ranking compares quarters: give a quarter such as %(example)s.")
            % {"example": offered_periods(QUARTER)[0].key},
        )

    @cached_property
    def rank_by(self) -> str:
        return asked_rank(self.request.GET)

    @cached_property
    def region(self) -> Region | None:
        """The region ranked: the one asked (in reach, else 404) or the user's own, if a county or above."""
        asked = query_id(self.request.GET, "region")
        if asked is not None:
            region = Region.objects.visible_to(self.request.user).filter(pk=asked).first()
            if region is None or scope_of(self.request.user).station_id is not None:
                raise Http404
        else:
            region = scope_of(self.request.user).region
        return region if region is not None and region.level in RANKED_LEVELS else None

    @cached_property
    def region_choices(self) -> list[Region]:
        """The regions one may rank from here: the user's own (if a county or above) and the cities and counties
        below it; the provinces and cities for the administrator."""
        scope = scope_of(self.request.user)
        regions = Region.objects.filter(level__in=RANKED_LEVELS)
        if scope.everything:
            regions = regions.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY])
        elif scope.region is not None:
            regions = regions.filter(path__startswith=scope.region.path)
        else:
            return []
        chosen = [self.region] if self.region is not None else []
        listed = list(regions.order_by("path").only("pk", "name", "level", "path"))
        return chosen + [region for region in listed if region not in chosen]

    @cached_property
    def boards(self) -> tuple[Dashboard, Dashboard] | None:
        if self.asked.period is None or self.region is None:
            return None
        period, user = self.asked.period, self.request.user
        asked = {"region_id": self.region.pk, "rank_by": self.rank_by, "previous": False, "townships": True}
        now = dashboard(user, period=period, **asked)
        before = dashboard(user, period=period.previous(), **asked)
        return now, before

    def get_columns(self):
        shares = self.boards[0].funding_shares if self.boards else False
        return table_columns(shares=shares, ranking=True)

    @property
    def sort(self) -> str:
        key = self.request.GET.get("sort", "")
        return key if key.removeprefix("-") in {c.key for c in self.get_columns() if c.sortable} else ""

    def get_queryset(self) -> list[Row]:
        if self.boards is None:
            return []
        now, before = self.boards
        previous = {child.pk: child.rank for child in before.children}
        counties = dict(
            Region.objects.filter(level=RegionLevel.TOWNSHIP, path__startswith=self.region.path).values_list(
                "pk", "parent__name"
            )
        )
        rows = [
            Row(
                child,
                child_url(child, now.period),
                previous_rank=previous.get(child.pk),
                had_previous=child.pk in previous and previous[child.pk] is not None,
                county=counties.get(child.pk) or "",
            )
            for child in now.children
        ]
        return sorted_rows(rows, self.get_columns(), self.sort)

    def get(self, request, *args, **kwargs):
        if self.export_asked and (self.asked.error or self.region is None):
            message = self.asked.error or _("Choose a county, a city or a province to rank its townships.")
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)

    def get_export_filename(self) -> str:
        return _("township ranking %(name)s %(period)s.xlsx") % {
            "name": self.region.name,
            "period": self.asked.period.key,
        }

    def export_sheet_title(self) -> str:
        return f"{self.region.name} {self.asked.period.key}"[:31]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            asked=self.asked,
            region=self.region,
            region_choices=self.region_choices,
            offered=offered_periods(QUARTER),
            rank_by=self.rank_by,
            rank_choices=rank_choices(),
            rank_label=RANK_FIGURES[self.rank_by][0],
            board=self.boards[0] if self.boards else None,
            previous_period=self.asked.period.previous() if self.asked.period else None,
            next_period=next_period(self.asked.period) if self.asked.period else None,
            region_query=f"region={self.region.pk}&" if self.region else "",
            export_url=f"{reverse('reports:ranking-export')}?{self.request.GET.urlencode()}",
            dashboard_url=(
                f"{reverse('reports:dashboard')}?region={self.region.pk}&period={self.asked.period.key}"
                if self.region and self.asked.period
                else ""
            ),
            show_county=self.region is not None and self.region.level != RegionLevel.COUNTY,
            sort=self.sort,
            show_rank=True,
            list_totals=None,
        )
        return context


class RankingExportView(RankingView):
    """The ranking, with the same query string, as .xlsx: every township, exact figures, the county of each."""

    @property
    def export_asked(self) -> bool:
        return True
