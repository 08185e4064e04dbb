"""Browser pages of the report batches: the runs in the user's reach, one run's progress and failures, its retry.

Batches come through ``ScopedQuerysetMixin`` (``ReportBatch.objects.visible_to``: a batch of a region the user's
region covers; the nation's and every other for the administrator): another's is a 404. Retrying needs
``reports.retry_reportbatch`` (the administrator and city and county officials, ``accounts.roles``).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from accounts.mixins import RolePermissionRequiredMixin, ScopedQuerysetMixin
from config.lists import Column, ListPageMixin

from .batches import RETRY_PERMISSION, batch_progress, batch_retry, progress_of, with_progress
from .choices import ReportStatus
from .models import ReportBatch

FAILED_SHOWN = 100  # the failed jobs a batch's page lists (their count is always shown)


class ScopedBatchMixin(RolePermissionRequiredMixin, ScopedQuerysetMixin):
    model = ReportBatch
    permission_required = "reports.view_reportbatch"

    def scoped_queryset(self, queryset):
        return with_progress(queryset.select_related("region", "started_by"))


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for batch in context["batches"]:
            batch.progress = progress_of(batch)
        return context


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
