"""Browser pages of the reports: the jobs in the user's scope, one job's progress, asking and downloading.

Reports come through ``ScopedQuerysetMixin`` and stations through ``Station.objects.visible_to``:
one outside the user's scope is a 404, the same answer as one that does not exist.
"""

from math import ceil

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
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
from stations.models import Station

from .api import report_download_name
from .choices import SUBJECT_KINDS, ReportKind, ReportStatus
from .models import Report
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
    """What a request button posts: the kind of report, its station, and whether to rebuild it."""

    kind = forms.ChoiceField(
        choices=[(value, label) for value, label in ReportKind.choices if value not in SUBJECT_KINDS]
    )
    station = IdField()
    rebuild = forms.BooleanField(required=False)


class ScopedReportMixin(RolePermissionRequiredMixin, ScopedQuerysetMixin):
    """Report jobs the user may see, with what the pages show of them."""

    model = Report
    permission_required = "reports.view_report"

    def scoped_queryset(self, queryset):
        return queryset.select_related("station", "region", "requested_by")


class ReportListView(ListPageMixin, ScopedReportMixin, ListView):
    """The report jobs in the user's scope, newest first (sortable), a page at a time, and a form to ask for one:
    a user who reaches one station only (its staff) is not asked to pick it."""

    template_name = "reports/list.html"
    context_object_name = "reports"
    paginate_by = 20
    default_ordering = ("-requested_at", "-pk")
    empty_message = gettext_lazy("No report has been asked for yet.")
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
        return self.ordered(super().scoped_queryset(queryset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm("reports.add_report"):
            stations = Station.objects.visible_to(self.request.user).select_related("township")
            stations = list(stations.only("id", "name", "township__name").order_by("township__path", "name"))
            context["stations"] = stations
            context["single_station"] = stations[0] if len(stations) == 1 else None
            context["kinds"] = ReportRequestForm.base_fields["kind"].choices
        return context


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
        station = get_object_or_404(Station.objects.visible_to(request.user), pk=form.cleaned_data["station"])
        kind, rebuild = form.cleaned_data["kind"], form.cleaned_data["rebuild"]
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
