"""Officials: the stations of their region checked against the staffing standard, rule by rule, and its export."""

from datetime import date
from functools import cached_property

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from accounts.mixins import (
    RolePermissionRequiredMixin,
    ScopedQuerysetMixin,
)
from accounts.scope import day_in_reach, stations_reaching
from config.forms import PortalFormMixin
from config.lists import Column, ListPageMixin
from reports.spreadsheets import workbook_response
from stations.choices import StationStatus
from stations.models import Station

from ..excel import (
    compliance_workbook,
)
from ..selectors import (
    CHECK_LABELS,
    RULE_CODES,
    failing_counts,
    region_compliance,
)
from .common import PAGE_SIZE


class ComplianceRuleForm(PortalFormMixin, forms.Form):
    on = forms.DateField(label=gettext_lazy("On"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    rule = forms.ChoiceField(label=gettext_lazy("Rule"), required=False)
    show = forms.ChoiceField(
        label=gettext_lazy("Stations"),
        required=False,
        choices=[("failing", gettext_lazy("Failing any rule")), ("all", gettext_lazy("All stations in operation"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("Any rule")), *((code, CHECK_LABELS[code]) for code in RULE_CODES)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"


def compliance_columns() -> tuple[Column, ...]:
    """The compliance table: the station, its county, how many rules it fails, then one column per rule."""
    return (
        Column("station", gettext_lazy("Station"), lambda result: (result.station.name, result.station.pk)),
        Column(
            "county",
            gettext_lazy("County"),
            lambda result: (result.station.township.path, result.station.name, result.station.pk),
        ),
        Column(
            "failed",
            gettext_lazy("Rules not met"),
            lambda result: (len(result.failed), result.station.township.path, result.station.pk),
            css="text-center",
        ),
        *(Column(code, CHECK_LABELS[code], css="text-center small text-wrap") for code in RULE_CODES),
    )


class ComplianceView(RolePermissionRequiredMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """Stations in operation in the user's scope that fail the staffing standard on a date, by rule, with counts.

    Every station in scope is checked (``stations_compliance``, a fixed number of queries whatever their number),
    so the counts cover the whole scope while the table shows 25 a page.
    """

    model = Station
    permission_required = "staffing.view_staffmember"
    template_name = "staffing/compliance.html"
    paginate_by = PAGE_SIZE
    filter_labels = {"rule": gettext_lazy("Failing rule"), "show": gettext_lazy("Stations"), "on": gettext_lazy("On")}

    def get_columns(self) -> list[Column]:
        return list(compliance_columns())

    def get_filter_form(self):
        return self.filters

    def scoped_queryset(self, queryset):
        # An evaluator's default day is in the evaluated year, and only stations evaluated for its year are checked.
        self.default_on = day_in_reach(self.request.user, station=None, today=date.today())
        data = self.request.GET.copy()
        data.setdefault("on", self.default_on.isoformat())
        self.filters = ComplianceRuleForm(data)
        self.filters.is_valid()
        stations = (
            queryset.filter(status=StationStatus.OPERATING)
            .select_related("township__parent")
            .order_by("township__path", "name", "pk")
        )
        return stations_reaching(stations, self.request.user, on=self.choice["on"])

    @cached_property
    def choice(self) -> dict:
        data = getattr(self.filters, "cleaned_data", {})
        return {
            "on": data.get("on") or self.default_on,
            "rule": data.get("rule") or "",
            "show": data.get("show") or "failing",
        }

    def results(self):
        """(every station checked, the rows of the table in the order asked, failures per rule)."""
        checked = region_compliance(self.object_list, on=self.choice["on"])
        rule, rows = self.choice["rule"], checked
        if rule:
            rows = [result for result in checked if rule in result.failed]
        elif self.choice["show"] == "failing":
            rows = [result for result in checked if result.failed]
        return checked, self.sorted_rows(rows), failing_counts(checked)

    def get_context_data(self, **kwargs):
        checked, rows, counts = self.results()
        context = super().get_context_data(
            object_list=rows,
            checked=len(checked),
            compliant=sum(1 for result in checked if not result.failed),
            counts=[(code, CHECK_LABELS[code], counts[code]) for code in RULE_CODES],
            rule_codes=RULE_CODES,
            filter_form=self.filters,
            **self.choice,
            **kwargs,
        )
        query = self.request.GET.urlencode()
        context["export_url"] = reverse("staffing:compliance_export") + (f"?{query}" if query else "")
        context["empty_message"] = (
            _("No station fails this rule.") if checked else _("No station in operation in your scope.")
        )
        return context


class ComplianceExportView(ComplianceView):
    """The compliance page's table (same filters, every page) as .xlsx."""

    paginate_by = None

    def render_to_response(self, context, **response_kwargs):
        on = self.choice["on"]
        workbook = compliance_workbook(results=context["object_list"], on=on)
        return workbook_response(workbook, _("staffing compliance %(date)s.xlsx") % {"date": on})
