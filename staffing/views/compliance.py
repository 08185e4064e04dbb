"""Officials: the stations of their region checked against the staffing standard, rule by rule, and its export.

Both read the rollups (``reports.rollups.compliance``): the compliance of a month's last day (today's while the
month runs, as of the latest refresh) stored per station, so the page costs the same few queries for a county
or for the nation, and the export reads its rows in chunks into a write-only workbook.
"""

from datetime import date
from functools import cached_property

from django import forms
from django.urls import reverse
from django.utils import timezone
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
from config.periods import MONTH, PeriodError, month_end, parse_period, period_of
from reports.rollups.compliance import (
    compliance_counts,
    compliance_filter,
    compliance_results,
    compliance_rows,
    for_display,
    rules_failed,
)
from reports.spreadsheets import workbook_response
from stations.models import Station

from ..excel import compliance_workbook
from ..selectors import CHECK_LABELS, RULE_CODES
from .common import PAGE_SIZE


class ComplianceRuleForm(PortalFormMixin, forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )
    rule = forms.ChoiceField(label=gettext_lazy("Rule"), required=False)
    show = forms.ChoiceField(
        label=gettext_lazy("Stations"),
        required=False,
        choices=[("failing", gettext_lazy("Failing any rule")), ("all", gettext_lazy("All stations in operation"))],
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["rule"].choices = [("", _("Any rule")), *((code, CHECK_LABELS[code]) for code in RULE_CODES)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"

    def clean_month(self) -> date | None:
        """The month's first day; a month that does not exist or has not begun is a field error."""
        text = self.cleaned_data["month"].strip()
        if not text:
            return None
        try:
            period = parse_period(text, today=self.today)
        except PeriodError as error:
            raise forms.ValidationError(error.message) from error
        if period.kind != MONTH:
            raise forms.ValidationError(_("Write the month as 2026-03."))
        return period.first


def month_of_day(text: str) -> str:
    """``?on=2026-03-15`` (the page's former free date) as its month ``2026-03``; "" when it is not a date."""
    try:
        return f"{date.fromisoformat(text.strip()):%Y-%m}"
    except ValueError:
        return ""


def compliance_columns() -> tuple[Column, ...]:
    """The compliance table: the station, its county, how many rules it fails, then one column per rule; each
    sorts in SQL (a rule's column puts the stations failing it last, or first when reversed)."""
    return (
        Column("station", gettext_lazy("Station"), ("station__name", "station_id")),
        Column("county", gettext_lazy("County"), ("township__path", "station__name", "station_id")),
        Column("failed", gettext_lazy("Rules not met"), ("failed_rules", "township__path"), css="text-center"),
        *(
            Column(code, CHECK_LABELS[code], (f"fail_{code}",), css="text-center small text-wrap")
            for code in RULE_CODES
        ),
    )


class ComplianceView(RolePermissionRequiredMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """Stations in operation in the user's scope that fail the staffing standard in a month, by rule, with counts.

    The month's rollup rows are read (``reports.rollups.compliance``): one aggregate counts every station in
    scope while the table reads the 25 rows it shows. Evaluators see the stations evaluated for the month's year,
    and their default month is in the evaluated year (``day_in_reach``).
    """

    model = Station
    permission_required = "staffing.view_staffmember"
    template_name = "staffing/compliance.html"
    paginate_by = PAGE_SIZE
    default_ordering = ("township__path", "station__name", "station_id")
    filter_labels = {
        "month": gettext_lazy("Month"),
        "rule": gettext_lazy("Failing rule"),
        "show": gettext_lazy("Stations"),
    }

    def get_columns(self) -> list[Column]:
        return list(compliance_columns())

    def get_filter_form(self):
        return self.filters

    def scoped_queryset(self, queryset):
        today = timezone.localdate()
        self.default_month = day_in_reach(self.request.user, station=None, today=today).replace(day=1)
        data = self.request.GET.copy()
        if not data.get("month") and data.get("on"):
            data["month"] = month_of_day(data["on"])  # the former ?on=<date> links keep working: its month
        data.setdefault("month", f"{self.default_month:%Y-%m}")
        self.filters = ComplianceRuleForm(data, today=today)
        self.filters.is_valid()
        stations = stations_reaching(queryset, self.request.user, on=self.choice["month"])
        self.checked_rows = compliance_rows(user=self.request.user, stations=stations, month=self.choice["month"])
        rows = compliance_filter(
            self.checked_rows, rule=self.choice["rule"], failing_only=self.choice["show"] == "failing"
        )
        return self.ordered(for_display(rows).annotate(failed_rules=rules_failed()))

    @cached_property
    def choice(self) -> dict:
        data = getattr(self.filters, "cleaned_data", {})
        return {
            "month": data.get("month") or self.default_month,
            "rule": data.get("rule") or "",
            "show": data.get("show") or "failing",
        }

    @cached_property
    def counts(self):
        return compliance_counts(self.checked_rows)

    def as_of(self) -> date:
        """The day the figures are of: the day checked (the month's last, or the latest refresh's while it runs)."""
        return self.counts.as_of or min(month_end(self.choice["month"]), timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = self.counts
        context["object_list"] = list(compliance_results(context["object_list"]))
        context.update(
            checked=counts.checked,
            compliant=counts.compliant,
            counts=[(code, CHECK_LABELS[code], counts.failing[code]) for code in RULE_CODES],
            rule_codes=RULE_CODES,
            filter_form=self.filters,
            on=self.as_of(),
            month_label=period_of(self.choice["month"], MONTH).label,
            **self.choice,
        )
        query = self.request.GET.urlencode()
        context["export_url"] = reverse("staffing:compliance_export") + (f"?{query}" if query else "")
        context["empty_message"] = (
            _("No station fails this rule.")
            if counts.checked
            else _("No station in operation in your scope was checked for this month.")
        )
        return context


class ComplianceExportView(ComplianceView):
    """The compliance page's table (same month, filters and order, every page) as .xlsx, read in chunks."""

    paginate_by = None

    def get(self, request, *args, **kwargs):
        rows = self.get_queryset()
        month = self.choice["month"]
        workbook = compliance_workbook(
            results=compliance_results(rows.iterator(chunk_size=2000)), month=month, on=self.as_of()
        )
        return workbook_response(workbook, _("staffing compliance %(date)s.xlsx") % {"date": f"{month:%Y-%m}"})
