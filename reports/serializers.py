from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.viewsets import ScopedRelatedField
from evaluation.models import Evaluation
from stations.models import Station

from .choices import ReportKind
from .models import Report


class ReportSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "kind_display",
            "station",
            "region",
            "evaluation",
            "period",
            "status",
            "status_display",
            "error",
            "file",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_file(self, report) -> str | None:
        if not report.file:
            return None
        url = reverse("api:report-download", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    station = ScopedRelatedField(queryset=Station.objects.all(), required=False, allow_null=True)
    evaluation = ScopedRelatedField(queryset=Evaluation.objects.all(), required=False, allow_null=True)
    period = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    rebuild = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if attrs["kind"] == ReportKind.STATION_PROFILE:
            if not attrs.get("station"):
                raise serializers.ValidationError({"station": [_("A station profile needs its station.")]})
            if attrs.get("period"):
                raise serializers.ValidationError({"period": [_("A station profile has no period.")]})
        if attrs["kind"] == ReportKind.EVALUATION:
            evaluation = attrs.get("evaluation")
            if evaluation is None:
                raise serializers.ValidationError({"evaluation": [_("An evaluation result needs its evaluation.")]})
            if not evaluation.is_published:
                raise serializers.ValidationError(
                    {"evaluation": [_("Only a published evaluation has a result report.")]}
                )
            attrs["station"], attrs["period"] = None, ""
        elif attrs.get("evaluation"):
            raise serializers.ValidationError({"evaluation": [_("Only an evaluation result report has one.")]})
        return attrs
