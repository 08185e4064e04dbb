"""Browser pages of staffing: a station's roster and compliance, staff history, volunteers and their hours,
the roster in and out of Excel, and the officials' list of stations that fail the staffing standard.

Every page reaches a station through ``Station.objects.visible_to(user)`` (404 outside the scope), writes through
``save_in_scope``, takes its figures from ``rules.py`` and shows ID numbers masked; a whole number is shown only on
its own POST, to holders of ``staffing.view_full_id_number``, and every such view is logged (``IdNumberView``).
"""

from datetime import date
from functools import cached_property

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views import View
from django.views.generic import CreateView, FormView, ListView, UpdateView
from rest_framework.exceptions import PermissionDenied as ScopeDenied

from accounts.mixins import (
    OutOfScope,
    RolePermissionRequiredMixin,
    ScopedFormMixin,
    ScopedQuerysetMixin,
    StationPageMixin,
    add_rule_errors,
    asked_date,
    save_in_scope,
)
from accounts.privacy import Field, Kind, Show, people_view
from accounts.scope import scope_of
from config.forms import PortalFormMixin
from config.lists import Column, ListPageMixin
from config.params import query_year
from reports.spreadsheets import workbook_response
from stations.choices import RegionLevel, StationStatus
from stations.models import Region, Station

from .choices import Gender
from .excel import (
    RosterFileError,
    compliance_workbook,
    roster_import,
    roster_template,
    roster_workbook,
)
from .forms import RosterImportForm, StaffingPolicyForm, StaffMemberForm, VolunteerForm, VolunteerHoursForm
from .models import IdNumberView, StaffingPolicy, StaffMember, TimeBankEntry, Volunteer, VolunteerHours
from .rules import (
    policy_for,
    salary_floor,
    station_compliance,
    station_turnover,
    volunteer_hours_add,
    volunteer_stars,
)
from .selectors import (
    CHECK_LABELS,
    RULE_CODES,
    check_rows,
    failing_counts,
    region_compliance,
    staff_current,
    volunteers_current,
    with_hour_totals,
)
from .validators import id_number_gender

PAGE_SIZE = 25
FULL_ID_NUMBER = "staffing.view_full_id_number"


# --- roster ------------------------------------------------------------------------------------------------------


def shows_salaries(user) -> bool:
    """Whether the roster has a salary column for ``user`` (a social worker's shows only their own)."""
    return people_view(user).shows(Kind.STAFF, Field.SALARY) != Show.HIDDEN


class RosterView(RolePermissionRequiredMixin, StationPageMixin, ScopedQuerysetMixin, ListView):
    """Staff on the roster of a station on a date (today unless ``?on=``) and its compliance with the standard."""

    model = StaffMember
    permission_required = "staffing.view_staffmember"
    template_name = "staffing/roster.html"

    def scoped_queryset(self, queryset):
        self.on = asked_date(self.request)
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
        today = date.today()
        turnover = [
            station_turnover(station=self.station, start=date(today.year, 1, 1), end=today),
            station_turnover(station=self.station, start=date(today.year - 1, 1, 1), end=date(today.year - 1, 12, 31)),
        ]
        return super().get_context_data(turnover=turnover, left_only=self.left_only, today=today, **kwargs)


# --- staff forms -------------------------------------------------------------------------------------------------


class StaffFormMixin(ScopedFormMixin):
    model = StaffMember
    form_class = StaffMemberForm
    template_name = "staffing/staff_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "station": self.station, "user": self.request.user}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("station", self.station)
        return super().get_context_data(can_see_whole=self.request.user.has_perm(FULL_ID_NUMBER), **kwargs)

    def get_success_url(self):
        return reverse("staffing:roster", args=[self.station.pk])


class StaffCreateView(RolePermissionRequiredMixin, StationPageMixin, StaffFormMixin, CreateView):
    """A new staff member of the station in the address."""

    permission_required = "staffing.add_staffmember"
    success_message = gettext_lazy("%(object)s added to the roster.")


class StaffUpdateView(RolePermissionRequiredMixin, ScopedQuerysetMixin, StaffFormMixin, UpdateView):
    """A staff member's record; leaving is recorded here (``left_on``), the record stays."""

    permission_required = "staffing.change_staffmember"
    success_message = gettext_lazy("%(object)s saved.")

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township")

    @property
    def station(self) -> Station:
        return self.object.station


class WholeIdNumberView(RolePermissionRequiredMixin, ScopedQuerysetMixin, View):
    """POST only: the whole ID number of one person, shown once, to holders of its own permission; logged."""

    permission_required = FULL_ID_NUMBER
    http_method_names = ["post"]
    log_model = IdNumberView  # the audit table of whole-number views
    subject: str  # the ``log_model`` field naming whose number is seen
    back_url_name: str  # the station's page to go back to

    def post(self, request, *args, **kwargs):
        person = get_object_or_404(self.get_queryset().select_related("station"), pk=kwargs["pk"])
        self.log_model.objects.create(viewer=request.user, **{self.subject: person})
        back = reverse(self.back_url_name, args=[person.station_id])
        response = render(
            request, "staffing/id_number.html", {"person": person, "station": person.station, "back": back}
        )
        response["Cache-Control"] = "no-store"
        return response


class StaffIdNumberView(WholeIdNumberView):
    model = StaffMember
    subject = "staff_member"
    back_url_name = "staffing:roster"


class VolunteerIdNumberView(WholeIdNumberView):
    model = Volunteer
    subject = "volunteer"
    back_url_name = "staffing:volunteers"


# --- volunteers --------------------------------------------------------------------------------------------------


def volunteer_gender(volunteer) -> str:
    """The gender written in a volunteer's ID number, as its label (shown to every role, DOMAIN.md section 9)."""
    gender = id_number_gender(volunteer.id_number)
    return Gender(gender).label if gender else ""


class VolunteerListView(RolePermissionRequiredMixin, StationPageMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """The station's volunteers with their hours, stars and time-bank balance: search, sort, 25 a page, Excel,
    and the quick hours form. Names, phones and ID numbers as ``accounts.privacy`` shows them to the user."""

    model = Volunteer
    permission_required = "staffing.view_volunteer"
    template_name = "staffing/volunteers.html"
    paginate_by = PAGE_SIZE
    people_search_path = ""
    search_fields = ("skills",)
    search_placeholder = gettext_lazy("Name, pinyin initials or skills")
    keep_params = ("show",)
    default_ordering = ("gone", "name", "pk")
    empty_message = gettext_lazy("No volunteer matches.")

    export_filename = gettext_lazy("volunteers %(date)s.xlsx")

    def get_export_filename(self) -> str:
        return _("%(station)s volunteers %(date)s.xlsx") % {"station": self.station.name, "date": date.today()}

    def get_columns(self) -> list[Column]:
        people = people_view(self.request.user)
        columns = [
            Column("name", pgettext("person", "Name"), "name", value=people.name, width=12),
            Column("gender", _("Gender"), value="gender_label", width=8),
        ]
        if people.shows(Kind.VOLUNTEER, Field.ID_NUMBER):
            columns.append(Column("id_number", _("ID number"), on_page=True))
        if people.shows(Kind.VOLUNTEER, Field.PHONE):
            columns.append(Column("phone", _("Phone"), value=people.phone, on_page=False, width=14))
        return [
            *columns,
            Column("skills", _("Skills"), "skills", value="skills", width=30),
            Column("registered_on", _("Registered on"), "registered_on", value="registered_on", width=12),
            Column("hours", _("Total hours"), "total_hours", css="text-end", value="total_hours", width=10),
            Column("stars", _("Stars"), "total_hours", value="stars", width=8),
            Column("balance", _("Time bank (hours)"), "balance", css="text-end", value="balance", width=12),
            Column("actions", _("Actions"), label_hidden=True),
        ]

    def scoped_queryset(self, queryset):
        today = date.today()
        self.show_all = self.request.GET.get("show") == "all"
        volunteers = queryset.filter(station=self.station)
        if not self.show_all:
            volunteers = volunteers & volunteers_current(station=self.station, on=today)
        gone = Case(When(left_on__lte=today, then=Value(1)), default=Value(0), output_field=IntegerField())
        return self.ordered(with_hour_totals(self.listed(volunteers)).annotate(gone=gone))

    @cached_property
    def thresholds(self):
        return policy_for(station=self.station, year=date.today().year).volunteer_star_hours

    def prepare_rows(self, rows: list) -> list:
        for volunteer in rows:
            volunteer.stars = volunteer_stars(total_hours=volunteer.total_hours, thresholds=self.thresholds)
            volunteer.gender_label = volunteer_gender(volunteer)
        return rows

    def get_totals(self, queryset) -> dict:
        """Hours served and time-bank balance of every volunteer listed (all pages): two aggregates."""
        listed = queryset.order_by().values("pk")
        hours = VolunteerHours.objects.filter(volunteer__in=listed).aggregate(total=Sum("hours"))["total"]
        balance = TimeBankEntry.objects.filter(volunteer__in=listed).aggregate(total=Sum("hours"))["total"]
        return {"hours": floatformat(hours or 0, "-1"), "balance": floatformat(balance or 0, "-1")}

    def hours_form(self, data=None) -> VolunteerHoursForm:
        current = volunteers_current(station=self.station, on=date.today()).order_by("name").only("id", "name")
        return VolunteerHoursForm(data, volunteers=current)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if "hours_form" not in context and user.has_perm("staffing.add_volunteerhours"):
            context["hours_form"] = self.hours_form()
        context.update(
            thresholds=self.thresholds,
            star_range=range(1, len(self.thresholds) + 1),
            show_all=self.show_all,
            today=date.today(),
        )
        return context


class VolunteerHoursAddView(VolunteerListView):
    """POST of the quick hours form; errors are shown on the volunteers page, next to their fields."""

    permission_required = ("staffing.view_volunteer", "staffing.add_volunteerhours")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = self.hours_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = save_in_scope(
                    request.user,
                    lambda: (
                        volunteer_hours_add(
                            volunteer=data["volunteer"], on=data["date"], hours=data["hours"], activity=data["activity"]
                        ).volunteer
                    ),
                )
            except ValidationError as error:
                add_rule_errors(form, error)
            except OutOfScope as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(
                    request,
                    _("%(hours)s hours recorded for %(name)s on %(date)s.")
                    % {"hours": data["hours"], "name": record.name, "date": data["date"]},
                )
                return HttpResponseRedirect(reverse("staffing:volunteers", args=[self.station.pk]))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(hours_form=form), status=200)


class VolunteerFormMixin(ScopedFormMixin):
    model = Volunteer
    form_class = VolunteerForm
    template_name = "staffing/volunteer_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "station": self.station, "user": self.request.user}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("station", self.station)
        return super().get_context_data(can_see_whole=self.request.user.has_perm(FULL_ID_NUMBER), **kwargs)

    def get_success_url(self):
        return reverse("staffing:volunteers", args=[self.station.pk])


class VolunteerCreateView(RolePermissionRequiredMixin, StationPageMixin, VolunteerFormMixin, CreateView):
    permission_required = "staffing.add_volunteer"
    success_message = gettext_lazy("Volunteer %(object)s registered.")


class VolunteerUpdateView(RolePermissionRequiredMixin, ScopedQuerysetMixin, VolunteerFormMixin, UpdateView):
    permission_required = "staffing.change_volunteer"
    success_message = gettext_lazy("Volunteer %(object)s saved.")

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township")

    @property
    def station(self) -> Station:
        return self.object.station


# --- officials: stations failing the standard -------------------------------------------------------------------


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
        data = self.request.GET.copy()
        data.setdefault("on", date.today().isoformat())
        self.filters = ComplianceRuleForm(data)
        self.filters.is_valid()
        return (
            queryset.filter(status=StationStatus.OPERATING)
            .select_related("township__parent")
            .order_by("township__path", "name", "pk")
        )

    @cached_property
    def choice(self) -> dict:
        data = getattr(self.filters, "cleaned_data", {})
        return {
            "on": data.get("on") or date.today(),
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


# --- staffing policies ------------------------------------------------------------------------------------------


def policy_regions(user):
    """Regions ``user`` may set a staffing policy for: their own and those below it, down to counties."""
    levels = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]
    regions = Region.objects.visible_to(user).filter(level__in=levels)
    scope = scope_of(user)
    return regions if scope.everything else regions.filter(path__startswith=scope.region.path)


class PolicyListView(RolePermissionRequiredMixin, ScopedQuerysetMixin, ListView):
    """The staffing policies that may apply in the user's scope, newest year first, with their salary floors."""

    model = StaffingPolicy
    permission_required = "staffing.view_staffingpolicy"
    template_name = "staffing/policy_list.html"
    paginate_by = PAGE_SIZE

    def scoped_queryset(self, queryset):
        year = query_year(self.request.GET, default=None)
        self.year = "" if year is None else str(year)
        if year is not None:
            queryset = queryset.filter(year=year)
        return queryset.select_related("region").order_by("-year", "region__path")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        editable = set(
            StaffingPolicy.objects.editable_by(self.request.user)
            .filter(pk__in=[policy.pk for policy in context["object_list"]])
            .values_list("pk", flat=True)
        )
        for policy in context["object_list"]:
            policy.floor = salary_floor(policy)
            policy.editable = policy.pk in editable
        years = StaffingPolicy.objects.visible_to(self.request.user).order_by("-year").values_list("year", flat=True)
        return {
            **context,
            "year": self.year,
            "years": sorted(set(years), reverse=True),
            "defaults": StaffingPolicy(),
            "can_add": self.request.user.has_perm("staffing.add_staffingpolicy"),
        }


class PolicyFormMixin(ScopedFormMixin):
    model = StaffingPolicy
    form_class = StaffingPolicyForm
    template_name = "staffing/policy_form.html"
    success_url = reverse_lazy("staffing:policies")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "regions": policy_regions(self.request.user)}

    def save_form(self, form):
        policy = form.save()
        if not StaffingPolicy.objects.editable_by(self.request.user).filter(pk=policy.pk).exists():
            raise ScopeDenied(_("Only officials of this policy's region, or above it, can change it."))
        return policy


class PolicyCreateView(RolePermissionRequiredMixin, PolicyFormMixin, CreateView):
    """A new staffing policy for a region and year; figures start at the shipped defaults."""

    permission_required = "staffing.add_staffingpolicy"
    success_message = gettext_lazy("Staffing policy of %(object)s saved.")

    def get_initial(self):
        return {"year": date.today().year}


class PolicyUpdateView(RolePermissionRequiredMixin, ScopedQuerysetMixin, PolicyFormMixin, UpdateView):
    """A policy the user may change (their region or below), with every saved version listed under the form."""

    permission_required = "staffing.change_staffingpolicy"
    success_message = gettext_lazy("Staffing policy of %(object)s saved.")

    def scoped_queryset(self, queryset):
        return (queryset & StaffingPolicy.objects.editable_by(self.request.user)).select_related("region")

    def get_context_data(self, **kwargs):
        history = self.object.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
        return super().get_context_data(history=history, **kwargs)
