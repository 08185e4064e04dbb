"""The report batches in the API: ``/api/v1/report-batches/`` (read only), each with its progress.

Register in ``config/api.py``: ``router.register("report-batches", ReportBatchViewSet, basename="report-batch")``
(or through ``ROUTES``, as the evaluation and funding apps do).
"""

from rest_framework import serializers

from accounts.viewsets import ScopedReadOnlyViewSet

from .batches import progress_of, with_progress
from .models import ReportBatch


class ReportBatchSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    done = serializers.SerializerMethodField()
    failed = serializers.SerializerMethodField()
    running = serializers.SerializerMethodField()
    pending = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()

    class Meta:
        model = ReportBatch
        fields = [
            "id",
            "kind",
            "kind_display",
            "period",
            "region",
            "total",
            "done",
            "failed",
            "running",
            "pending",
            "percent",
            "trigger",
            "created_at",
            "sent_at",
            "finished_at",
        ]
        read_only_fields = fields

    def progress(self, batch):
        if not hasattr(batch, "_progress"):
            batch._progress = progress_of(batch)
        return batch._progress

    def get_done(self, batch) -> int:
        return self.progress(batch).done

    def get_failed(self, batch) -> int:
        return self.progress(batch).failed

    def get_running(self, batch) -> int:
        return self.progress(batch).running

    def get_pending(self, batch) -> int:
        return self.progress(batch).pending

    def get_percent(self, batch) -> int:
        return self.progress(batch).percent


class ReportBatchViewSet(ScopedReadOnlyViewSet):
    """The batches whose region the caller's region covers (all of them for the administrator), newest first."""

    queryset = ReportBatch.objects.select_related("region")
    serializer_class = ReportBatchSerializer
    ordering = ["-created_at", "-pk"]
    filterset_fields = ["kind", "period", "region"]

    def scoped_queryset(self, queryset):
        return with_progress(queryset)


ROUTES = [("report-batches", ReportBatchViewSet, "report-batch")]
