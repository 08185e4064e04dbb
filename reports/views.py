"""Browser pages of the reports: the archive of jobs in the user's scope, one job's progress, asking and downloading.

Reports come through ``ScopedQuerysetMixin`` and stations through ``Station.objects.visible_to``:
one outside the user's scope is a 404, the same answer as one that does not exist. Stations and regions are never
listed whole (a national official reaches 40,000): they are found by typing (``reports/_place_input.html``,
``reports.places``), and without JavaScript by the typed text alone.
"""

from math import ceil

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView
from django.views.generic.detail import SingleObjectMixin

from accounts.mixins import RolePermissionRequiredMixin, ScopedQuerysetMixin
from config.filters import IdField
from config.forms import PortalFormMixin
from config.lists import Column, ListPageMixin
from config.views import ErrorPage, error_response
from stations.models import Region, Station

from .api import report_download_name
from .choices import PERIOD_KINDS, SUBJECT_KINDS, ReportKind, ReportStatus
from .filters import PERIOD_PLACEHOLDER, ReportFilter
from .models import Report
from .periodic import PeriodicError, periodic_check
from .places import LIMIT, MIN_LENGTH, STATION, place_chosen, places_matching
from .services import BrokerUnavailable, report_request
from .throttles import rebuild_wait

QUEUE_UNAVAILABLE = ErrorPage(
    "cloud-slash",
    gettext_lazy("Reports cannot be prepared right now"),
    gettext_lazy(
        "The task queue that prepares reports cannot be reached. Please ask for the report again in a few minutes."
    ),
)


class ReportRequestForm(PortalFormMixin, forms.Form):
    """What a request button posts: the kind of report, its station (picked in the search box, or without
    JavaScript the text typed in it: ``station_text``), and whether to rebuild it."""

    kind = forms.ChoiceField(
        choices=[(value, label) for value, label in ReportKind.choices if value not in SUBJECT_KINDS]
    )
    station = IdField(required=False)
    region = IdField(required=False)
    station_text = forms.CharField(required=False, max_length=100)
    period = forms.CharField(required=False, max_length=10)
    rebuild = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("station") and not data.get("region") and not data.get("station_text"):
            raise forms.ValidationError(_("Choose a station."))
        return data


def station_named(*, user, text: str) -> tuple[Station | None, list]:
    """The one station in ``user``'s scope that ``text`` names (its whole name, or the only one whose name contains
    it), else ``None`` with the stations it could mean (at most ``LIMIT``): how a request typed without JavaScript
    finds its station."""
    matches = places_matching(user=user, text=text, kind=STATION, limit=LIMIT)
    exact = [place for place in matches if place.name == text.strip()]
    chosen = exact if len(exact) == 1 else matches if len(matches) == 1 else []
    if not chosen:
        return None, matches
    return Station.objects.visible_to(user).get(pk=chosen[0].pk), matches


class ScopedReportMixin(RolePermissionRequiredMixin, ScopedQuerysetMixin):
    """Report jobs the user may see, with what the pages show of them."""

    model = Report
    permission_required = "reports.view_report"

    def scoped_queryset(self, queryset):
        return queryset.select_related("station", "region", "requested_by")


class ReportListView(ListPageMixin, ScopedReportMixin, ListView):
    """The report archive: the jobs in the user's scope, newest first (sortable), filtered by kind, status, period
    and place (``ReportFilter``, shared with the API), a page at a time, and a form to ask for one: a user who
    reaches one station only (its staff) is not asked to pick it. The page's queries do not grow with the scope."""

    template_name = "reports/list.html"
    context_object_name = "reports"
    paginate_by = 20
    default_ordering = ("-requested_at", "-pk")
    filterset_class = ReportFilter
    # Drawn by the page itself (reports/list.html): the place is a search box, not a field of the shared filter bar.
    filter_labels = {
        "kind": gettext_lazy("Kind"),
        "status": gettext_lazy("Status"),
        "period": gettext_lazy("Period"),
        "place": gettext_lazy("Place"),
        "station": gettext_lazy("Station"),
        "within": gettext_lazy("Region"),
    }
    empty_message = gettext_lazy("No report matches these filters.")
    empty_icon = "file-earmark-pdf"
    columns = (
        Column("kind", gettext_lazy("Report"), "kind"),
        Column("subject", gettext_lazy("Subject")),
        Column("period", gettext_lazy("Period"), "period"),
        Column("status", gettext_lazy("Status"), "status"),
        Column("requested_at", gettext_lazy("Requested"), "requested_at"),
        Column("finished_at", gettext_lazy("Finished"), "finished_at"),
        Column("actions", gettext_lazy("Actions"), css="text-end", label_hidden=True),
    )

    def scoped_queryset(self, queryset):
        queryset = self.listed(super().scoped_queryset(queryset))
        if not self.filterset.is_valid():
            # A period that does not exist is shown as an error beside its input, and no list pretends to obey it.
            return queryset.none()
        return self.ordered(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.place_context(), period_placeholder=PERIOD_PLACEHOLDER, place_min_length=MIN_LENGTH)
        context["filtered"] = any(self.request.GET.get(name) for name in ReportFilter.base_filters)
        if not context["filtered"]:
            context["empty_message"] = _("No report has been asked for yet.")
        if self.request.user.has_perm("reports.add_report"):
            context.update(self.request_context())
        return context

    def place_context(self) -> dict:
        """The place search box of the filters: the place picked (named only if in scope) and the text typed."""
        data = self.filterset.form.cleaned_data if self.filterset.is_valid() else {}
        chosen = place_chosen(user=self.request.user, station_id=data.get("station"), region_id=data.get("within"))
        text = self.request.GET.get("place", "").strip()[:100]
        return {
            "place_chosen": chosen,
            "place_text": chosen.name if chosen else text,
            "place_lookup_url": reverse("api:place-lookup"),
        }

    def request_context(self) -> dict:
        """The request form: the kinds, the user's one station if they reach one only (two rows read, whatever the
        scope), and after a typed request that named no single station (``?ask=``) the stations it could mean."""
        stations = list(Station.objects.visible_to(self.request.user).select_related("township")[:2])
        ask = self.request.GET.get("ask", "").strip()[:100]
        return {
            "kinds": ReportRequestForm.base_fields["kind"].choices,
            "single_station": stations[0] if len(stations) == 1 else None,
            "ask_text": ask,
            "ask_kind": self.request.GET.get("ask_kind", ""),
            "ask_period": self.request.GET.get("ask_period", "").strip()[:10],
            "period_kinds": list(PERIOD_KINDS),
            "ask_matches": places_matching(user=self.request.user, text=ask, kind=STATION) if ask else [],
        }

    def filter_fields(self):
        shown, hidden = super().filter_fields()
        return shown, [(name, value) for name, value in hidden if name not in self.filter_labels]


class ReportDetailView(ScopedReportMixin, DetailView):
    """One report job: its state, following itself while it is pending or running."""

    template_name = "reports/detail.html"
    context_object_name = "report"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["in_progress"] = self.object.status in (ReportStatus.PENDING, ReportStatus.RUNNING)
        return context


class ReportDownloadView(ScopedReportMixin, SingleObjectMixin, View):
    """The report's PDF, as an attachment."""

    def get(self, request, *args, **kwargs):
        report = self.get_object()
        if not report.file:
            raise Http404
        try:
            pdf = report.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(pdf, as_attachment=True, filename=report_download_name(report))


class ReportRequestView(RolePermissionRequiredMixin, View):
    """Ask for a report (or its rebuild) and go to its page; the same report asked twice is one job."""

    permission_required = "reports.add_report"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ReportRequestForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("The report request is incomplete."))
        kind, rebuild = form.cleaned_data["kind"], form.cleaned_data["rebuild"]
        if kind in PERIOD_KINDS:
            return self.periodic(form)
        if form.cleaned_data["station"]:
            station = get_object_or_404(Station.objects.visible_to(request.user), pk=form.cleaned_data["station"])
        else:
            text = form.cleaned_data["station_text"]
            station, matches = station_named(user=request.user, text=text)
            if station is None:
                return self.choose_station(text, kind, matches)
        if rebuild and (wait := rebuild_wait(request, self)) is not None:
            messages.warning(
                request, _("Too many rebuilds in a short time: try again in %(seconds)s s.") % {"seconds": ceil(wait)}
            )
            existing = Report.objects.visible_to(request.user).filter(kind=kind, station=station, period="").first()
            return redirect("reports:detail", pk=existing.pk) if existing else redirect("reports:list")
        try:
            report, queued = report_request(user=request.user, kind=kind, station=station, rebuild=rebuild)
        except BrokerUnavailable:
            return error_response(request, 503, QUEUE_UNAVAILABLE)
        if queued:
            messages.success(request, _("The report is being prepared."))
        else:
            messages.info(request, _("This report has already been asked for; here it is."))
        return redirect("reports:detail", pk=report.pk)

    def periodic(self, form):
        """A monthly or quarterly report of the station or region picked (or typed), for the period given; a
        period or a subject the rule refuses goes back to the form with the reason (``periodic_check``)."""
        data, user = form.cleaned_data, self.request.user
        station = region = None
        if data["station"]:
            station = get_object_or_404(Station.objects.visible_to(user), pk=data["station"])
        elif data["region"]:
            region = get_object_or_404(Region.objects.visible_to(user), pk=data["region"])
        else:
            matches = places_matching(user=user, text=data["station_text"], limit=LIMIT)
            exact = [place for place in matches if place.name == data["station_text"].strip()]
            chosen = exact[0] if len(exact) == 1 else matches[0] if len(matches) == 1 else None
            if chosen is None:
                return self.choose_station(data["station_text"], data["kind"], matches)
            if chosen.kind == STATION:
                station = Station.objects.visible_to(user).get(pk=chosen.pk)
            else:
                region = Region.objects.visible_to(user).get(pk=chosen.pk)
        try:
            period = periodic_check(
                data["kind"], period=data["period"], station=station, region=region, today=timezone.localdate()
            )
        except PeriodicError as error:
            messages.error(self.request, error.message)
            query = urlencode({"ask_kind": data["kind"], "ask_period": data["period"]})
            return redirect(f"{reverse('reports:list')}?{query}#ask-report")
        try:
            report, queued = report_request(
                user=user, kind=data["kind"], station=station, region=region, period=period.key, rebuild=data["rebuild"]
            )
        except BrokerUnavailable:
            return error_response(self.request, 503, QUEUE_UNAVAILABLE)
        if queued:
            messages.success(self.request, _("The report is being prepared."))
        else:
            messages.info(self.request, _("This report has already been asked for; here it is."))
        return redirect("reports:detail", pk=report.pk)

    def choose_station(self, text: str, kind: str, matches: list):
        """Back to the request form, which lists the stations ``text`` could mean (none: it says so)."""
        if matches:
            messages.info(self.request, _("Several stations match “%(text)s”: choose one.") % {"text": text})
        else:
            messages.warning(self.request, _("No station in your reach matches “%(text)s”.") % {"text": text})
        query = urlencode({"ask": text, "ask_kind": kind})
        return redirect(f"{reverse('reports:list')}?{query}#ask-report")


class EvaluationReportRequestView(RolePermissionRequiredMixin, View):
    """Ask for the result PDF of a published evaluation (from its page) and go to the report's page."""

    permission_required = "reports.add_report"
    http_method_names = ["post"]

    def post(self, request, pk):
        from evaluation.models import Evaluation

        evaluation = get_object_or_404(Evaluation.objects.visible_to(request.user).published(), pk=pk)
        try:
            report, queued = report_request(user=request.user, kind=ReportKind.EVALUATION, evaluation=evaluation)
        except BrokerUnavailable:
            return error_response(request, 503, QUEUE_UNAVAILABLE)
        if queued:
            messages.success(request, _("The report is being prepared."))
        return redirect("reports:detail", pk=report.pk)
