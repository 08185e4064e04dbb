"""Volunteers: the searchable, sortable, exportable list with hours, stars and time bank; their forms and the quick hours form."""

from datetime import date
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Sum, Value, When
from django.http import HttpResponseRedirect
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import CreateView, ListView, UpdateView

from accounts.mixins import (
    ObjectStationMixin,
    OutOfScope,
    PersonFormMixin,
    RolePermissionRequiredMixin,
    ScopedQuerysetMixin,
    StationPageMixin,
    add_rule_errors,
    save_in_scope,
)
from accounts.privacy import Field, Kind, people_view
from config.lists import Column, ListPageMixin

from ..choices import Gender
from ..forms import VolunteerForm, VolunteerHoursForm
from ..models import TimeBankEntry, Volunteer, VolunteerHours
from ..rules import (
    policy_for,
    volunteer_hours_add,
    volunteer_stars,
)
from ..selectors import (
    volunteers_current,
    with_hour_totals,
)
from ..validators import id_number_gender
from .common import PAGE_SIZE


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


class VolunteerFormMixin(PersonFormMixin):
    model = Volunteer
    form_class = VolunteerForm
    template_name = "staffing/volunteer_form.html"
    list_url_name = "staffing:volunteers"


class VolunteerCreateView(RolePermissionRequiredMixin, StationPageMixin, VolunteerFormMixin, CreateView):
    permission_required = "staffing.add_volunteer"
    success_message = gettext_lazy("Volunteer %(object)s registered.")


class VolunteerUpdateView(
    RolePermissionRequiredMixin, ObjectStationMixin, ScopedQuerysetMixin, VolunteerFormMixin, UpdateView
):
    permission_required = "staffing.change_volunteer"
    success_message = gettext_lazy("Volunteer %(object)s saved.")
