"""The officials' funding pages: the overview of the townships' splits (with its Excel export and chart), one
township's split with the formula and its instalments, and the form a city official records an instalment with.

Every figure is ``funding.rules.split.township_funding_split(s)``'s, as in the API; the pages only lay it out. They
are the officials' (``funding.view_disbursement``): a station's staff and evaluators get 403, a township outside the
user's region 404 (``funding.models.scope.townships_in_funding_scope``).

The year shown by default is last year's: the city subsidy of a year is paid once that year's evaluations are
published, early the next year, so last year is the one officials are paying; this year's splits are pending until
its evaluations end. The page says so above the table.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, ListView, TemplateView

from accounts.mixins import RolePermissionRequiredMixin, add_rule_errors
from accounts.scope import scope_of
from config.conflicts import Conflict
from config.lists import Column, ListPageMixin
from config.params import query_year
from evaluation.choices import Grade
from stations.choices import RegionLevel
from stations.models import Region

from ..choices import SplitStatus
from ..forms.disbursements import DisbursementForm, OverviewFilterForm
from ..models import Disbursement
from ..models.scope import townships_in_funding_scope
from ..rules.disbursements import disbursement_record, may_record_disbursement
from ..rules.money import ZERO
from ..rules.split import TownshipSplit, township_funding_split, township_funding_splits

PAGE_SIZE = 25
YEARS_OFFERED = 6
STATUS_COLOURS = {
    SplitStatus.PENDING: "secondary",
    SplitStatus.DUE: "warning",
    SplitStatus.PAID: "success",
    SplitStatus.OVERPAID: "danger",
}
CITY_COLOUR, TOWNSHIP_COLOUR, PENDING_COLOUR = "#0a4a9a", "#f0a030", "#c4c9cf"


def default_year() -> int:
    """Last year: the one whose evaluations are published and whose subsidy is being paid (module docstring)."""
    return date.today().year - 1


def asked_year(request) -> int:
    return query_year(request.GET, default=default_year())


def exact(value: Decimal | None) -> str:
    """An amount with thousands separators and every decimal it has, at least two ("119.9988", "180,000.00")."""
    if value is None:
        return "—"
    places = max(2, -Decimal(value).normalize().as_tuple().exponent)
    return f"{Decimal(value):,.{places}f}"


def factor_text(factor: Decimal | None) -> str:
    return "—" if factor is None else f"{factor.normalize():f}"


def grade_label(grade: str | None) -> str:
    return str(Grade(grade).label) if grade else _("Not published")


def none_last(value):
    """A sort key putting pending figures (None) after every amount, whichever the direction."""
    return (value is None, value if value is not None else ZERO)


class FundingPageMixin(RolePermissionRequiredMixin):
    """An officials' funding page: the permission to view disbursements, and the year asked (last year by default)."""

    permission_required = "funding.view_disbursement"

    @cached_property
    def year(self) -> int:
        return asked_year(self.request)


class TownshipPageMixin(FundingPageMixin):
    """A page of one township of the user's region (``<id:pk>``); another's is a 404."""

    @cached_property
    def township(self) -> Region:
        return get_object_or_404(
            townships_in_funding_scope(self.request.user).select_related("parent"), pk=self.kwargs["pk"]
        )

    def split_url(self) -> str:
        return f"{reverse('funding:split', args=[self.township.pk])}?{urlencode({'year': self.year})}"


# --- the overview ------------------------------------------------------------------------------------------


@dataclass
class OverviewRow:
    """A township's line of the overview: its split, its county, and the page's texts for its stations."""

    split: TownshipSplit
    county: str
    path: str

    @property
    def grades(self) -> str:
        return "、".join(grade_label(share.grade) for share in self.split.stations if share.spent or share.grade) or "—"

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.split.status]

    @property
    def status_label(self) -> str:
        return SplitStatus(self.split.status).label

    @property
    def factors(self) -> str:
        factors = [factor_text(share.factor) for share in self.split.stations if share.factor is not None]
        return "、".join(factors) or "—"


# In SVG user units close to the page's pixels (the chart is drawn about as wide as the content), so its 12-unit text
# reads as body text rather than being blown up.
CHART_LABEL_X, CHART_PLOT_X, CHART_PLOT_WIDTH, CHART_ROW = 150, 158, 880, 20


def share_chart(rows: list[OverviewRow]) -> dict:
    """Each township's spending as a bar split into the city's and the township's shares (pending: one grey bar),
    on a common scale (the largest spending is the plot's full width), placed in SVG user units."""
    largest = max((row.split.spent for row in rows), default=ZERO)

    def width(amount) -> float:
        return round(float(amount / largest) * CHART_PLOT_WIDTH, 2) if largest else 0.0

    bars = []
    for index, row in enumerate(rows):
        split = row.split
        y = index * CHART_ROW + 4
        city = 0.0 if split.pending else width(split.city_share)
        whole = width(split.spent)
        bars.append(
            {
                "split": split,
                "y": y,
                "text_y": y + 12,
                "city": city,
                "township_x": CHART_PLOT_X + city,
                "township": round(whole - city, 2),
                "whole": whole,
                "value_x": CHART_PLOT_X + whole + 4,
            }
        )
    return {
        "bars": bars,
        "height": len(rows) * CHART_ROW + 8,
        "width": CHART_PLOT_X + CHART_PLOT_WIDTH + 80,
        "label_x": CHART_LABEL_X,
        "plot_x": CHART_PLOT_X,
    }


class OverviewView(FundingPageMixin, ListPageMixin, ListView):
    """One row per township of the user's region (or of the county asked), with S, the stations' grades and factors,
    C, T, what is paid and still due, and the status; totals over every row; sortable, paged, to Excel; a chart of
    the city's and the townships' shares."""

    template_name = "funding/splits/overview.html"
    paginate_by = PAGE_SIZE
    export_filename = gettext_lazy("funding overview %(date)s.xlsx")
    empty_message = gettext_lazy("No township in this region.")
    empty_icon = "cash-coin"
    columns = (
        Column("township", gettext_lazy("Township"), lambda r: r.path, value="split.township_name", width=20),
        Column("county", gettext_lazy("County"), value="county", on_page=False, width=16),
        Column(
            "spent",
            gettext_lazy("Actual spending S"),
            lambda r: r.split.spent,
            css="text-end",
            value="split.spent",
            width=16,
        ),
        Column("grades", gettext_lazy("Stations' grades"), value="grades", width=16),
        Column("factors", gettext_lazy("Factors"), value="factors", width=10),
        Column(
            "city",
            gettext_lazy("City subsidy C"),
            lambda r: none_last(r.split.city_share),
            css="text-end",
            value="split.city_share",
            width=16,
        ),
        Column(
            "township_share",
            gettext_lazy("Township share T"),
            lambda r: none_last(r.split.township_share),
            css="text-end",
            value="split.township_share",
            width=16,
        ),
        Column("paid", gettext_lazy("Paid"), lambda r: r.split.paid, css="text-end", value="split.paid", width=16),
        Column(
            "due",
            gettext_lazy("Still to pay"),
            lambda r: none_last(r.split.due),
            css="text-end",
            value="split.due",
            width=16,
        ),
        Column(
            "capped", gettext_lazy("Capped"), value=lambda r: _("Yes") if r.split.capped else "", on_page=False, width=8
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            lambda r: str(r.split.status),
            value=lambda r: str(SplitStatus(r.split.status).label),
            width=12,
        ),
    )

    # --- the filters ------------------------------------------------------------------------------------------

    @cached_property
    def region_choices(self) -> list[Region]:
        """The cities and counties of the user's region to drill into, and its townships when it is a county or
        smaller (a province's 1,360 townships would not fit a select)."""
        scope = scope_of(self.request.user)
        regions = Region.objects.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY])
        if scope.region is not None:
            regions = regions.filter(path__startswith=scope.region.path)
            if scope.region.level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
                regions = Region.objects.filter(path__startswith=scope.region.path, level=RegionLevel.TOWNSHIP)
        return list(regions.order_by("path").only("pk", "name", "level", "path"))

    @cached_property
    def filter_form(self) -> OverviewFilterForm:
        this_year = date.today().year
        years = sorted({*range(this_year - YEARS_OFFERED + 1, this_year + 1), self.year}, reverse=True)
        return OverviewFilterForm(
            {"year": self.year, "region": self.request.GET.get("region", "")},
            years=years,
            regions=self.region_choices,
        )

    @cached_property
    def region(self) -> Region | None:
        """The region asked (one of ``region_choices``), or None for the user's whole region."""
        form = self.filter_form
        chosen = form.cleaned_data.get("region") if form.is_valid() else None
        return next((region for region in self.region_choices if region.pk == chosen), None)

    def get_filter_form(self):
        return self.filter_form

    @property
    def filter_labels(self):
        return {"year": _("Year funded"), "region": _("County or township")}

    # --- the rows ---------------------------------------------------------------------------------------------

    def townships(self):
        townships = townships_in_funding_scope(self.request.user).select_related("parent")
        if self.region is not None:
            townships = townships.filter(path__startswith=self.region.path)
        return townships.order_by("path", "pk")

    def get_queryset(self) -> list[OverviewRow]:
        """Every township's split (the bulk rule: a fixed number of queries), in the asked column's order."""
        townships = list(self.townships())
        splits = township_funding_splits(townships=townships, year=self.year)
        rows = [
            OverviewRow(splits[township.pk], township.parent.name if township.parent else "", township.path)
            for township in townships
        ]
        return self.sorted_rows(rows)

    def get_totals(self, rows) -> dict:
        """S, C, T, paid and still due added over every row (C, T and due over the townships not pending)."""
        splits = [row.split for row in rows]
        settled = [split for split in splits if not split.pending]
        return {
            "spent": sum((split.spent for split in splits), ZERO),
            "city": sum((split.city_share for split in settled), ZERO),
            "township_share": sum((split.township_share for split in settled), ZERO),
            "paid": sum((split.paid for split in splits), ZERO),
            "due": sum((split.due for split in settled), ZERO),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.object_list
        totals = self.get_totals(rows)
        pending = sum(1 for row in rows if row.split.pending)
        context.update(
            tab="overview",
            year=self.year,
            default_year=default_year(),
            region=self.region,
            totals=totals,
            pending_count=pending,
            township_count=len(rows),
            chart=share_chart(context["object_list"]),
            status_colours=STATUS_COLOURS,
            colours={"city": CITY_COLOUR, "township": TOWNSHIP_COLOUR, "pending": PENDING_COLOUR},
            export_url=f"{reverse('funding:overview-export')}?{self.request.GET.urlencode()}",
            list_totals=None,
        )
        return context


class OverviewExportView(OverviewView):
    """The overview's rows, with the same filters and order, as .xlsx: exact yuan figures, the county, capped."""

    @property
    def export_asked(self) -> bool:
        return True


# --- one township's split --------------------------------------------------------------------------------


def station_formulas(split: TownshipSplit) -> list[dict]:
    """Each station's line of the formula with the numbers: "500,000.00 × 40% × 0.9 = 180,000.00"."""
    lines = []
    for share in split.stations:
        lines.append(
            {
                "share": share,
                "grade": grade_label(share.grade) if share.grade or share.spent else "—",
                "factor": factor_text(share.factor),
                "raw": exact(share.raw_share),
            }
        )
    return lines


class SplitView(TownshipPageMixin, TemplateView):
    """A township's split for a year: each station's spending × city rate × factor, their sum, the cap and whether
    it applied, C and T; the status (pending: the stations without a published result); the instalments paid, each
    with the C it was made against; the overpayment, and the links to record an instalment or a recovery."""

    template_name = "funding/splits/split.html"

    def get_context_data(self, **kwargs):
        split = township_funding_split(township=self.township, year=self.year)
        instalments = list(
            Disbursement.objects.filter(township=self.township, year=self.year)
            .select_related("recorded_by", "reverses")
            .order_by("date", "pk")
        )
        may_record = may_record_disbursement(self.request.user, self.township)
        new_url = reverse("funding:disbursement-create", args=[self.township.pk])
        this_year = date.today().year
        return super().get_context_data(
            tab="overview",
            township=self.township,
            year=self.year,
            years=sorted({*range(this_year - YEARS_OFFERED + 1, this_year + 1), self.year}, reverse=True),
            split=split,
            formulas=station_formulas(split),
            raw_total=exact(split.raw_city_share),
            status_colour=STATUS_COLOURS[split.status],
            status_label=SplitStatus(split.status).label,
            instalments=instalments,
            may_record=may_record and not split.pending and split.due > 0,
            may_recover=may_record and split.overpaid > 0,
            record_url=f"{new_url}?{urlencode({'year': self.year})}",
            recover_url=f"{new_url}?{urlencode({'year': self.year, 'recovery': 1})}",
            overview_url=f"{reverse('funding:overview')}?{urlencode({'year': self.year})}",
            **kwargs,
        )


# --- recording an instalment -----------------------------------------------------------------------------


class DisbursementCreateView(TownshipPageMixin, FormView):
    """A city or county official records an instalment (or a recovery) of a township's subsidy for a year: the
    amount is prefilled with what is still due (or, with ``?recovery=1``, minus what was overpaid); a refusal of the
    rule is shown next to its field, a pending split above the form, and nothing is saved."""

    permission_required = ("funding.view_disbursement", "funding.add_disbursement")
    template_name = "funding/splits/disbursement_form.html"
    form_class = DisbursementForm

    @cached_property
    def split(self) -> TownshipSplit:
        return township_funding_split(township=self.township, year=self.year)

    def get_form_kwargs(self):
        reversible = (
            Disbursement.objects.filter(township=self.township, year=self.year)
            .filter(~Q(pk__in=Disbursement.objects.filter(reverses__isnull=False).values("reverses_id")))
            .order_by("date", "pk")
        )
        return {**super().get_form_kwargs(), "reversible": reversible}

    def get_initial(self):
        split = self.split
        initial = {"date": date.today()}
        if split.pending:
            return initial
        if self.request.GET.get("recovery") and split.overpaid > 0:
            initial["amount"] = -split.overpaid
        elif split.due > 0:
            initial["amount"] = split.due
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            disbursement_record(
                township=self.township,
                year=self.year,
                date=data["date"],
                amount=data["amount"],
                reference=data["reference"],
                approver=data["approver"],
                note=data["note"],
                reverses=data["reverses"],
                user=self.request.user,
            )
        except Conflict as conflict:
            form.add_error(None, conflict.message)
            return self.form_invalid(form)
        except ValidationError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Instalment recorded."))
        return HttpResponseRedirect(self.split_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tab="overview",
            township=self.township,
            year=self.year,
            split=self.split,
            split_url=self.split_url(),
            recovery=bool(self.request.GET.get("recovery")),
            **kwargs,
        )


urlpatterns = [
    path("", OverviewView.as_view(), name="overview"),
    path("overview.xlsx", OverviewExportView.as_view(), name="overview-export"),
    path("townships/<id:pk>/split/", SplitView.as_view(), name="split"),
    path("townships/<id:pk>/disbursements/new/", DisbursementCreateView.as_view(), name="disbursement-create"),
]
