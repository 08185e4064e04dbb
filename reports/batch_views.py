"""Browser pages of the report batches: the runs in the user's reach, one run's progress and failures, its retry.

Batches come through ``ScopedQuerysetMixin`` (``ReportBatch.objects.visible_to``: a batch of a region the user's
region covers; the nation's and every other for the administrator): another's is a 404. Retrying needs
``reports.retry_reportbatch`` (the administrator and city and county officials, ``accounts.roles``).
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from accounts.mixins import RolePermissionRequiredMixin, ScopedQuerysetMixin
from accounts.scope import scope_of
from config.forms import PortalFormMixin
from config.lists import Column, ListPageMixin
from config.periods import MONTH, PeriodError, current_period

from .batches import (
    RETRY_PERMISSION,
    batch_period,
    batch_progress,
    batch_retry,
    batch_start,
    progress_of,
    with_progress,
)
from .choices import PERIOD_KINDS, ReportKind, ReportStatus
from .models import ReportBatch

FAILED_SHOWN = 100  # the failed jobs a batch's page lists (their count is always shown)


class ScopedBatchMixin(RolePermissionRequiredMixin, ScopedQuerysetMixin):
    model = ReportBatch
    permission_required = "reports.view_reportbatch"

    def scoped_queryset(self, queryset):
        return with_progress(queryset.select_related("region", "started_by"))


class BatchStartForm(PortalFormMixin, forms.Form):
    """A batch started by hand: the kind and its period (the beat's own are the previous month and quarter)."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[(kind, ReportKind(kind).label) for kind in PERIOD_KINDS]
    )
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=10,
        help_text=gettext_lazy("Monthly: 2026-10; quarterly: 2026-Q3."),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("period"):
            try:
                data["period"] = batch_period(data["kind"], data["period"], today=timezone.localdate()).key
            except PeriodError as error:
                self.add_error("period", error.message)
        return data


class BatchListView(ListPageMixin, ScopedBatchMixin, ListView):
    """The batches in the user's reach, newest first, each with its progress: two queries, whatever the number."""

    template_name = "reports/batch_list.html"
    context_object_name = "batches"
    paginate_by = 25
    default_ordering = ("-created_at", "-pk")
    empty_message = gettext_lazy("No batch has run yet.")
    empty_icon = "collection"
    columns = (
        Column("kind", gettext_lazy("Batch"), "kind"),
        Column("region", gettext_lazy("Region")),
        Column("period", gettext_lazy("Period"), "period"),
        Column("progress", gettext_lazy("Progress")),
        Column("created_at", gettext_lazy("Started"), "created_at"),
        Column("finished_at", gettext_lazy("Finished"), "finished_at"),
    )

    def scoped_queryset(self, queryset):
        return self.ordered(self.listed(super().scoped_queryset(queryset)))

    start_form = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for batch in context["batches"]:
            batch.progress = progress_of(batch)
        if self.request.user.has_perm(RETRY_PERMISSION):
            last_month = current_period(MONTH, today=timezone.localdate()).previous()
            context["start_form"] = self.start_form or BatchStartForm(
                initial={"kind": ReportKind.MONTHLY, "period": last_month.key}
            )
        return context


class BatchStartView(BatchListView):
    """Start the batch of the user's region (the nation for the administrator) by hand, or find the one that ran:
    a batch is made once per kind, region and period. A bad period is shown beside its input (400)."""

    permission_required = RETRY_PERMISSION
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = BatchStartForm(request.POST)
        if not form.is_valid():
            self.start_form = form
            response = self.get(request, *args, **kwargs)
            response.status_code = 400
            return response
        region = scope_of(request.user).region  # None for the administrator: the nation
        batch, created = batch_start(
            form.cleaned_data["kind"], form.cleaned_data["period"], region=region, user=request.user, trigger="manual"
        )
        if created:
            messages.success(request, _("The batch has started: %(total)s reports.") % {"total": batch.total})
        else:
            messages.info(request, _("This batch has already run; here it is."))
        return redirect("reports:batch-detail", pk=batch.pk)


class BatchDetailView(ScopedBatchMixin, DetailView):
    """One batch: its progress (the page follows it while it runs), its failed jobs with their reasons, a retry."""

    template_name = "reports/batch_detail.html"
    context_object_name = "batch"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        progress = batch_progress(self.object)
        failed = self.object.reports.filter(status=ReportStatus.FAILED).select_related("station", "region")
        context.update(
            progress=progress,
            running=not progress.complete,
            failed=list(failed.order_by("pk")[:FAILED_SHOWN]),
            can_retry=self.request.user.has_perm(RETRY_PERMISSION),
        )
        return context


class BatchRetryView(RolePermissionRequiredMixin, View):
    """Queue again every failed report of a batch in the user's reach, and go back to its page."""

    permission_required = RETRY_PERMISSION
    http_method_names = ["post"]

    def post(self, request, pk):
        batch = get_object_or_404(ReportBatch.objects.visible_to(request.user), pk=pk)
        retried = batch_retry(batch, user=request.user)  # PermissionDenied (403) beyond the right
        if retried:
            messages.success(request, _("%(count)s failed reports are being prepared again.") % {"count": retried})
        else:
            messages.info(request, _("No report of this batch has failed."))
        return redirect("reports:batch-detail", pk=batch.pk)
