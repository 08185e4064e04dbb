from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.viewsets import ScopedRelatedField
from evaluation.models import Evaluation
from stations.models import Region, Station

from .choices import PERIOD_KINDS, ReportKind
from .models import Report
from .periodic import PeriodicError, periodic_check


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
    region = ScopedRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
    evaluation = ScopedRelatedField(queryset=Evaluation.objects.all(), required=False, allow_null=True)
    period = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    rebuild = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if attrs["kind"] in PERIOD_KINDS:
            # A monthly or quarterly report: of a station or a region, for a period of its kind (reports.periodic).
            if attrs.get("station") and attrs.get("region"):
                raise serializers.ValidationError({"region": [_("Give a station or a region, not both.")]})
            if attrs.get("evaluation"):
                raise serializers.ValidationError({"evaluation": [_("Only an evaluation result report has one.")]})
            try:
                period = periodic_check(
                    attrs["kind"],
                    period=attrs.get("period", ""),
                    station=attrs.get("station"),
                    region=attrs.get("region"),
                    today=timezone.localdate(),
                )
            except PeriodicError as error:
                raise serializers.ValidationError({error.field: [error.message]}) from error
            attrs["period"] = period.key
            return attrs
        if attrs.get("region"):
            raise serializers.ValidationError({"region": [_("Only a monthly or quarterly report is of a region.")]})
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
