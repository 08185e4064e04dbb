"""Browser pages of stations, their contracts, organisations and construction-standard checklist.

Each page reads through ``visible_to(user)`` (``ScopedQuerysetMixin``), writes through
``save_in_scope``, and takes its figures from ``rules.py``, like the API and the reports do.
"""

from datetime import date
from decimal import Decimal
from functools import cached_property

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Exists, OuterRef, Prefetch, Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import CreateView, DetailView, FormView, ListView, TemplateView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from accounts.choices import STATION_ROLES, Role
from accounts.mixins import (
    OutOfScope,
    RolePermissionRequiredMixin,
    ScopedFormMixin,
    ScopedQuerysetMixin,
    save_in_scope,
)
from accounts.scope import day_in_reach
from config.lists import Column, ListPageMixin, sorted_by  # noqa: F401  (sorted_by: imported from here by services)
from evaluation.rules.grading import station_results
from evaluation.rules.twoway import two_way_pair, two_way_years
from services.models import ServiceRecord
from services.rules import portfolio_check, visit_progress
from staffing.rules import staff_on, station_compliance

from .choices import OrganizationKind, RegionLevel
from .filters import ContractFilter, OrganizationFilter, StationFilter
from .forms import ContractForm, OrganizationForm, StandardCheckFormSet, StationForm, station_form_class
from .models import OperatingContract, Organization, Region, Station, StationStandard, organization_check_editable
from .rules import (
    Checklist,
    station_checklist,
)
from .templatetags.portal import wan

PAGE_SIZE = 25


# --- reading helpers -------------------------------------------------------------------------


def with_current_contract(stations):
    """``stations`` with ``current_contracts`` (today's contract and its operator) fetched in one query."""
    return stations.prefetch_related(
        Prefetch(
            "contracts",
            queryset=OperatingContract.objects.current().select_related("operator"),
            to_attr="current_contracts",
        )
    )


def with_is_current(contracts):
    """``contracts`` annotated with ``is_current``: in force today (``ContractQuerySet.current``)."""
    return contracts.annotate(is_current=Exists(OperatingContract.objects.current().filter(pk=OuterRef("pk"))))


def as_select(field: forms.Field, choices, empty_label: str) -> None:
    """Show a filter's number field as a select of the given choices."""
    field.widget = forms.Select(choices=[("", empty_label), *choices], attrs={"class": "form-select"})


def with_empty_label(field: forms.ChoiceField, empty_label: str) -> None:
    """Name a choice filter's "no filter" option ("All ..." rather than dashes) and style it."""
    choices = [(value, label) for value, label in field.choices if value != ""]
    if hasattr(field, "empty_label"):
        # django-filter's own ChoiceField puts its empty option first, under this name.
        field.empty_label = empty_label
        field.choices = choices
    else:
        field.choices = [("", empty_label), *choices]
    field.widget.attrs["class"] = "form-select"


# --- home --------------------------------------------------------------------------------------


def station_glance(station: Station, today: date) -> dict:
    """A station's month at a glance: staff and staffing rules met, services logged, key-target visits (last
    month's final rate, this month's so far), 123X. The station's home for its staff and its page for officials."""
    compliance = station_compliance(station=station, on=today)
    return {
        "staff": staff_on(station=station, on=today).count(),
        "rules_met": sum(1 for check in compliance.checks if check.ok),
        "rules": len(compliance.checks),
        "records": ServiceRecord.objects.filter(
            station=station, date__gte=today.replace(day=1), date__lte=today
        ).count(),
        "visits": visit_progress(station=station, on=today),
        "portfolio": portfolio_check(station=station, year=today.year),
    }


class HomeView(LoginRequiredMixin, TemplateView):
    """The first page after sign-in: the dashboard (``reports:dashboard``) for officials and the administrator,
    the station for its staff, the assigned stations for evaluators."""

    template_name = "stations/home.html"

    def get(self, request, *args, **kwargs):
        if request.user.role not in (*STATION_ROLES, Role.EVALUATOR) and request.user.has_perm(
            "reports.view_stationmonth"
        ):
            from reports.dashboard_pages import DashboardView  # reports' pages import the stations app

            return DashboardView.as_view()(request, *args, **kwargs)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        stations = Station.objects.visible_to(user).select_related("township__parent")
        if user.role in STATION_ROLES:
            cards = self.station_cards(stations)
            for station, _checklist in cards:
                station.glance = station_glance(station, date.today())
            context.update(home="station", station_cards=cards)
        else:
            context.update(home="evaluator", stations=stations)
        return context

    @staticmethod
    def station_cards(stations) -> list[tuple[Station, Checklist]]:
        return [(station, station_checklist(station)) for station in with_current_contract(stations)]


# --- stations ------------------------------------------------------------------------------


class StationListView(RolePermissionRequiredMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """Stations in scope: search, filters (``StationFilter``, as the API), sortable columns, 25 a page, Excel."""

    model = Station
    permission_required = "stations.view_station"
    paginate_by = PAGE_SIZE
    template_name = "stations/station_list.html"
    filterset_class = StationFilter
    search_placeholder = gettext_lazy("Name, address or township")
    default_ordering = ("township__path", "name", "pk")
    export_filename = gettext_lazy("stations %(date)s.xlsx")
    empty_message = gettext_lazy("No station matches these filters.")
    columns = (
        Column("name", gettext_lazy("Station"), "name", value="name", width=28),
        Column("township", gettext_lazy("Township"), "township__path", value="township.name"),
        Column("county", gettext_lazy("County"), value="township.parent.name"),
        Column("status", gettext_lazy("Status"), "status", value="get_status_display", width=10),
        Column("operator", gettext_lazy("Current operator"), value=lambda s: current_operator_name(s), width=28),
        Column("site_area", gettext_lazy("Site area (m²)"), "site_area_m2", css="text-end", value="site_area_m2"),
        Column("opened_on", gettext_lazy("Opened on"), "opened_on", value="opened_on", width=12),
    )

    @property
    def filter_labels(self):
        labels = {"region": _("Region"), "operator": _("Operator"), "status": _("Status")}
        if self.region_choices_count <= 1:
            del labels["region"]
        return labels

    def scoped_queryset(self, queryset):
        stations = self.listed(queryset).select_related("township__parent")
        return self.ordered(with_current_contract(stations))

    @cached_property
    def region_choices(self):
        return list(
            Region.objects.visible_to(self.request.user).filter(
                level__in=[RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]
            )
        )

    @property
    def region_choices_count(self) -> int:
        return len(self.region_choices)

    def get_context_data(self, **kwargs):
        form = self.filterset.form
        as_select(form.fields["region"], [(r.pk, r.name) for r in self.region_choices], _("All regions"))
        operators = (
            Organization.objects.visible_to(self.request.user).filter(kind=OrganizationKind.OPERATOR).only("id", "name")
        )
        as_select(form.fields["operator"], [(o.pk, o.name) for o in operators], _("All operators"))
        form.fields["status"].widget = forms.CheckboxSelectMultiple(
            choices=form.fields["status"].choices, attrs={"class": "form-check-input"}
        )
        return super().get_context_data(**kwargs)


def current_operator_name(station: Station) -> str:
    """The operator of the station's contract in force (``with_current_contract``), or empty."""
    contracts = getattr(station, "current_contracts", [])
    return contracts[0].operator.name if contracts else ""


def station_results_glance(station: Station, user) -> dict:
    """The station page's "evaluation results": its published evaluations over the years (as ``user`` may see
    them), the one that sets its grade and stars, and the two-way assessments of the latest year rated."""
    # Imported here: the evaluation pages' URL patterns use the ``id`` converter, which config/urls.py registers
    # only after importing this module.
    from evaluation.views.results import station_evaluations

    if not user.has_perm("evaluation.view_evaluation"):
        return {}
    years = two_way_years(station=station) if user.has_perm("evaluation.view_twowayassessment") else []
    return {
        "results": list(station_evaluations(station=station, user=user, published_only=True)),
        "current_result": station_results([station]).get(station.pk),
        "two_way": two_way_pair(station=station, year=years[0]) if years else None,
    }


class StationDetailView(RolePermissionRequiredMixin, ScopedQuerysetMixin, DetailView):
    """A station: its month at a glance (``station_glance``, as its staff's home shows it), where it is, who runs it
    under which contract, whom it serves, how it meets the standard, and its evaluation results."""

    model = Station
    permission_required = "stations.view_station"
    template_name = "stations/station_detail.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("township", "supervisor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        station = self.object
        contracts = list(with_is_current(station.contracts.select_related("operator")).order_by("-start_on"))
        context.update(
            ancestors=station.township.ancestors(),
            contracts=contracts,
            current_contract=next((c for c in contracts if c.is_current), None),
            communities=station.communities.order_by("code"),
            checklist=station_checklist(station),
            # An evaluator sees the month of a year it evaluates (the last of last year's, when scoring it).
            glance=station_glance(station, day_in_reach(self.request.user, station=station, today=date.today())),
            **station_results_glance(station, self.request.user),
        )
        return context


class StationFormContextMixin:
    """Form kwargs and the station page the form returns to."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        return reverse("stations:detail", args=[self.object.pk])


class StationCreateView(RolePermissionRequiredMixin, ScopedFormMixin, StationFormContextMixin, CreateView):
    model = Station
    form_class = StationForm
    permission_required = "stations.add_station"
    template_name = "stations/station_form.html"
    success_message = gettext_lazy("Station “%(object)s” created.")


class StationUpdateView(
    RolePermissionRequiredMixin, ScopedQuerysetMixin, ScopedFormMixin, StationFormContextMixin, UpdateView
):
    """Officials edit the whole record; a station's own manager edits its site details (``station_form_class``)."""

    model = Station
    permission_required = "stations.change_station"
    template_name = "stations/station_form.html"
    success_message = gettext_lazy("Station “%(object)s” saved.")

    def scoped_queryset(self, queryset):
        return queryset.select_related("township")

    def get_form_class(self):
        return station_form_class(self.request.user)


class StationChecklistView(RolePermissionRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, FormView):
    """The construction-standard checklist of one station: met or not, with a note, per active item."""

    model = Station
    permission_required = "stations.change_stationstandard"
    template_name = "stations/checklist_form.html"
    form_class = StandardCheckFormSet

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    @cached_property
    def checklist(self) -> Checklist:
        return station_checklist(self.object)

    def get_initial(self):
        return [
            {"item": row.item.pk, "met": bool(row.check and row.check.met), "note": row.check.note if row.check else ""}
            for row in self.checklist.rows
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A posted formset may claim more forms than there are items; the extra ones are shown nowhere.
        context["rows"] = list(zip(self.checklist.rows, context["form"].forms, strict=False))
        return context

    def form_valid(self, formset):
        rows = {row.item.pk: row for row in self.checklist.rows}
        user = self.request.user

        def save() -> list[StationStandard]:
            saved = []
            for form in formset.forms:
                row = rows.pop(form.cleaned_data.get("item"), None)
                if row is None or (row.check is not None and not form.has_changed()):
                    continue  # an item retired meanwhile or posted twice, or a check nobody touched
                check = row.check or StationStandard(station=self.object, item=row.item)
                check.met, check.note, check.updated_by = form.cleaned_data["met"], form.cleaned_data["note"], user
                check.save()
                saved.append(check)
            return saved

        try:
            saved = save_in_scope(user, save)
        except OutOfScope as refusal:
            messages.error(self.request, refusal.message)
            return self.form_invalid(formset)
        messages.success(
            self.request,
            ngettext("Checklist saved: %(n)s item updated.", "Checklist saved: %(n)s items updated.", len(saved))
            % {"n": len(saved)},
        )
        return HttpResponseRedirect(reverse("stations:detail", args=[self.object.pk]))


# --- contracts -----------------------------------------------------------------------------


class ContractListView(RolePermissionRequiredMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """Operating contracts of the stations in scope (``ContractFilter``, as the API), amounts in 万元 with totals."""

    model = OperatingContract
    permission_required = "stations.view_operatingcontract"
    paginate_by = PAGE_SIZE
    template_name = "stations/contract_list.html"
    filterset_class = ContractFilter
    filter_labels = {
        "operator": gettext_lazy("Operator"),
        "procurement_method": gettext_lazy("Procurement method"),
        "active_on": gettext_lazy("In force on"),
    }
    default_ordering = ("station__township__path", "-start_on", "pk")
    export_filename = gettext_lazy("operating contracts %(date)s.xlsx")
    empty_message = gettext_lazy("No contract matches these filters.")
    columns = (
        Column("station", gettext_lazy("Station"), "station__township__path", value="station.name", width=28),
        Column("county", gettext_lazy("County"), value="station.township.parent.name"),
        Column("operator", gettext_lazy("Operator"), value="operator.name", width=28),
        Column("start_on", gettext_lazy("Starts on"), "start_on", value="start_on", width=12),
        Column("end_on", gettext_lazy("Ends on"), "end_on", value="end_on", width=12),
        Column("amount", gettext_lazy("Amount (10,000 CNY)"), "amount", css="text-end", value=lambda c: wan(c.amount)),
        Column("procurement_method", gettext_lazy("Procurement method"), value="get_procurement_method_display"),
        Column("actions", gettext_lazy("Actions"), label_hidden=True),
    )

    def scoped_queryset(self, queryset):
        contracts = self.listed(queryset).select_related("station__township__parent", "operator")
        return self.ordered(with_is_current(contracts))

    def get_totals(self, queryset) -> dict:
        total = queryset.order_by().aggregate(total=Sum("amount"))["total"]
        return {"amount": wan(total or 0)}

    def get_context_data(self, **kwargs):
        form = self.filterset.form
        operators = (
            Organization.objects.visible_to(self.request.user).filter(kind=OrganizationKind.OPERATOR).only("id", "name")
        )
        as_select(form.fields["operator"], [(o.pk, o.name) for o in operators], _("All operators"))
        with_empty_label(form.fields["procurement_method"], _("All methods"))
        form.fields["active_on"].widget = forms.DateInput(attrs={"type": "date", "class": "form-control"})
        return super().get_context_data(**kwargs)


class ContractFormMixin(ScopedFormMixin):
    model = OperatingContract
    form_class = ContractForm
    template_name = "stations/contract_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "station": self.station}

    def get_context_data(self, **kwargs):
        return super().get_context_data(station=self.station, **kwargs)

    def get_success_url(self):
        return reverse("stations:detail", args=[self.station.pk])


class ContractCreateView(RolePermissionRequiredMixin, ContractFormMixin, CreateView):
    """A new contract of the station in the address (404 outside the scope)."""

    permission_required = "stations.add_operatingcontract"
    success_message = gettext_lazy("Contract saved.")

    @cached_property
    def station(self) -> Station:
        return get_object_or_404(Station.objects.visible_to(self.request.user), pk=self.kwargs["pk"])


class ContractUpdateView(RolePermissionRequiredMixin, ScopedQuerysetMixin, ContractFormMixin, UpdateView):
    permission_required = "stations.change_operatingcontract"
    success_message = gettext_lazy("Contract saved.")

    def scoped_queryset(self, queryset):
        return queryset.select_related("station", "operator")

    @property
    def station(self) -> Station:
        return self.object.station


# --- organisations -------------------------------------------------------------------------


class OrganizationListView(RolePermissionRequiredMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """Operators, supervising organisations and evaluation agencies in scope (``OrganizationFilter``)."""

    model = Organization
    permission_required = "stations.view_organization"
    paginate_by = PAGE_SIZE
    template_name = "stations/organization_list.html"
    filterset_class = OrganizationFilter
    filter_labels = {
        "kind": gettext_lazy("Kind"),
        "rating": gettext_lazy("Rating"),
        "registration_level": gettext_lazy("Registered with"),
    }
    search_placeholder = gettext_lazy("Name or credit code")
    default_ordering = ("name", "pk")
    export_filename = gettext_lazy("organisations %(date)s.xlsx")
    empty_message = gettext_lazy("No organisation matches these filters.")
    columns = (
        Column("name", gettext_lazy("Name"), "name", value="name", width=32),
        Column("kind", gettext_lazy("Kind"), "kind", value="get_kind_display"),
        Column("credit_code", gettext_lazy("Credit code"), value="credit_code", width=22),
        Column("registration_level", gettext_lazy("Registered with"), value="get_registration_level_display"),
        Column("rating", gettext_lazy("Rating"), "rating", value="get_rating_display", width=10),
        Column("region", gettext_lazy("Region"), value="region.name"),
        Column("actions", gettext_lazy("Actions"), label_hidden=True),
    )

    has_search = True

    def scoped_queryset(self, queryset):
        organizations = self.listed(queryset)
        query = self.search_text
        if query:
            organizations = organizations.filter(Q(name__icontains=query) | Q(credit_code__iexact=query))
        return self.ordered(organizations.select_related("region"))

    def get_context_data(self, **kwargs):
        form = self.filterset.form
        with_empty_label(form.fields["kind"], _("All kinds"))
        with_empty_label(form.fields["rating"], _("All ratings"))
        with_empty_label(form.fields["registration_level"], _("All levels"))
        return super().get_context_data(**kwargs)


class OrganizationDetailView(RolePermissionRequiredMixin, ScopedQuerysetMixin, DetailView):
    """An organisation and the contracts it holds for stations in scope."""

    model = Organization
    permission_required = "stations.view_organization"
    template_name = "stations/organization_detail.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        contracts = OperatingContract.objects.visible_to(user).filter(operator=self.object)
        contracts = list(
            with_is_current(contracts.select_related("station__township")).order_by(
                "-start_on", "station__township__path"
            )
        )
        context.update(
            contracts=contracts,
            contracts_total=sum((contract.amount for contract in contracts), Decimal(0)),
            supervised=self.object.supervised_stations.all().visible_to(user).select_related("township"),
        )
        return context


class OrganizationFormMixin(ScopedFormMixin):
    model = Organization
    form_class = OrganizationForm
    template_name = "stations/organization_form.html"
    success_message = gettext_lazy("Organisation “%(object)s” saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        return reverse("stations:organization_detail", args=[self.object.pk])


class OrganizationCreateView(RolePermissionRequiredMixin, OrganizationFormMixin, CreateView):
    permission_required = "stations.add_organization"


class OrganizationUpdateView(RolePermissionRequiredMixin, ScopedQuerysetMixin, OrganizationFormMixin, UpdateView):
    """Editing is narrower than seeing: ``Organization.objects.editable_by``, checked before and after the save."""

    permission_required = "stations.change_organization"

    def get_object(self, queryset=None):
        organization = super().get_object(queryset)
        organization_check_editable(self.request.user, organization)
        return organization

    def save_form(self, form):
        organization = form.save()
        organization_check_editable(self.request.user, organization)
        return organization
