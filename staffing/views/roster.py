"""A station's roster with its compliance panel, its Excel export, template and import, and the staff history."""

from datetime import date

from django.contrib import messages
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView

from accounts.mixins import (
    RolePermissionRequiredMixin,
    ScopedQuerysetMixin,
    StationPageMixin,
)
from accounts.privacy import Field, Kind, Show, people_view
from accounts.scope import day_in_reach, period_in_reach, reach_or_404
from config.params import query_date
from reports.spreadsheets import workbook_response

from ..excel import (
    RosterFileError,
    roster_import,
    roster_template,
    roster_workbook,
)
from ..forms import RosterImportForm
from ..models import StaffMember
from ..rules import (
    station_compliance,
    station_turnover,
)
from ..selectors import (
    check_rows,
    staff_current,
)
from .common import PAGE_SIZE


def shows_salaries(user) -> bool:
    """Whether the roster has a salary column for ``user`` (a social worker's shows only their own)."""
    return people_view(user).shows(Kind.STAFF, Field.SALARY) != Show.HIDDEN


class RosterView(RolePermissionRequiredMixin, StationPageMixin, ScopedQuerysetMixin, ListView):
    """Staff on the roster of a station on a date (today unless ``?on=``) and its compliance with the standard."""

    model = StaffMember
    permission_required = "staffing.view_staffmember"
    template_name = "staffing/roster.html"

    def scoped_queryset(self, queryset):
        # The compliance panel is a figure of the day: an evaluator reaches the days of the evaluated years only.
        user = self.request.user
        self.on = query_date(self.request.GET, "on", day_in_reach(user, station=self.station, today=date.today()))
        reach_or_404(user, station=self.station, start=self.on)
        return (queryset & staff_current(station=self.station, on=self.on)).order_by("role", "hired_on", "name")

    def get_context_data(self, **kwargs):
        compliance = station_compliance(station=self.station, on=self.on)
        return super().get_context_data(
            on=self.on,
            today=date.today(),
            checks=check_rows(compliance),
            failed=sum(1 for check in compliance.checks if not check.ok),
            show_salary=shows_salaries(self.request.user),
            **kwargs,
        )


class RosterExportView(RosterView):
    """The roster page's staff as .xlsx, each field as ``accounts.privacy`` shows it to the user."""

    def render_to_response(self, context, **response_kwargs):
        workbook = roster_workbook(
            station=self.station, staff=context["object_list"], on=self.on, people=people_view(self.request.user)
        )
        return workbook_response(
            workbook, _("%(station)s roster %(date)s.xlsx") % {"station": self.station.name, "date": self.on}
        )

    def get_context_data(self, **kwargs):
        return {"object_list": self.object_list}


class RosterTemplateView(RolePermissionRequiredMixin, View):
    """The empty roster to fill in and import."""

    permission_required = "staffing.add_staffmember"

    def get(self, request, *args, **kwargs):
        return workbook_response(roster_template(), _("roster template.xlsx"))


class RosterImportView(RolePermissionRequiredMixin, StationPageMixin, FormView):
    """Upload a filled-in template: every row checked first; all saved in one go, or nothing and every error."""

    permission_required = "staffing.add_staffmember"
    template_name = "staffing/roster_import.html"
    form_class = RosterImportForm

    def get_context_data(self, **kwargs):
        """``includes/import_page.html``'s way back and template download."""
        return super().get_context_data(
            cancel_url=reverse("staffing:roster", args=[self.station.pk]),
            template_url=reverse("staffing:roster_template"),
            **kwargs,
        )

    def dispatch_in_scope(self, handler, request, *args, **kwargs):
        self.station  # noqa: B018  (a station outside the scope is a 404 before anything else)
        return handler(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.dispatch_in_scope(super().get, request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.dispatch_in_scope(super().post, request, *args, **kwargs)

    def form_valid(self, form):
        try:
            result = roster_import(station=self.station, user=self.request.user, file=form.cleaned_data["file"])
        except RosterFileError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        if not result.ok:
            return self.render_to_response(self.get_context_data(form=form, result=result))
        messages.success(
            self.request,
            ngettext("%(n)s staff member imported.", "%(n)s staff members imported.", len(result.created))
            % {"n": len(result.created)},
        )
        return HttpResponseRedirect(reverse("staffing:roster", args=[self.station.pk]))


class StaffHistoryView(RolePermissionRequiredMixin, StationPageMixin, ScopedQuerysetMixin, ListView):
    """Everyone who has worked at the station, leavers first, and its turnover this year and last year."""

    model = StaffMember
    permission_required = "staffing.view_staffmember"
    template_name = "staffing/history.html"
    paginate_by = PAGE_SIZE

    def scoped_queryset(self, queryset):
        self.left_only = self.request.GET.get("show") != "all"
        staff = queryset.filter(station=self.station)
        if self.left_only:
            staff = staff.filter(left_on__isnull=False)
        return staff.order_by(F("left_on").desc(nulls_last=True), "-hired_on", "name", "pk")

    def get_context_data(self, **kwargs):
        user, today = self.request.user, date.today()
        # This year so far and last year; for an evaluator, of the evaluated years only.
        day = day_in_reach(user, station=self.station, today=today)
        periods = [(date(day.year, 1, 1), day), (date(day.year - 1, 1, 1), date(day.year - 1, 12, 31))]
        turnover = [
            station_turnover(station=self.station, start=start, end=end)
            for start, end in periods
            if period_in_reach(user, station=self.station, start=start, end=end)
        ]
        return super().get_context_data(turnover=turnover, left_only=self.left_only, today=today, **kwargs)
