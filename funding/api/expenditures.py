"""The funding API: expenditures, with their vouchers, the month's .xlsx import, its template and the export.

``expenditures/`` lists the spending of the stations in the caller's scope (a social worker's without the personnel
line; no evaluator's); the station manager enters and corrects it (``add_expenditure`` / ``change_expenditure``),
multipart with the ``voucher``; only the administrator deletes one. Every check is the rule's
(``funding.rules.expenditures``): a refusal is a 400 on the same fields and changes nothing.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.viewsets import ScopedModelViewSet, ScopedRelatedField
from config.downloads import evidence_response
from config.filters import IdFilter
from config.params import parse_month
from reports.spreadsheets import xlsx_response
from services.serializers import api_errors, unchanged
from stations.models import Station

from ..choices import BudgetLine, FundingSource
from ..models import Expenditure
from ..rules.expenditure_workbook import (
    ExpenditureFileError,
    ExpenditureImportError,
    expenditure_template_xlsx,
    expenditures_import,
    expenditures_xlsx,
)
from ..rules.expenditures import expenditure_create, expenditure_update, voucher_file

MAX_VOUCHERS = 500
EXPORT_MAX_ROWS = 100_000  # one workbook in memory; a region's year is narrowed by station or month first


class MonthField(forms.CharField):
    """A month typed as ``2026-03``, given as its first day; anything else is a field error (a 400)."""

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Write the month as 2026-03."))
        return month


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        following = (
            value.replace(year=value.year + 1, month=1) if value.month == 12 else value.replace(month=value.month + 1)
        )
        return queryset.filter(date__gte=value, date__lt=following)


class ExpenditureFilter(django_filters.FilterSet):
    """The filters of the list, shared by the API and the station's list page."""

    station = IdFilter(field_name="station_id")
    year = django_filters.NumberFilter(method="filter_year", min_value=2000, max_value=2100)
    month = MonthFilter(
        label=gettext_lazy("Month"), widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})
    )
    line = django_filters.ChoiceFilter(
        choices=BudgetLine.choices, label=gettext_lazy("Budget line"), empty_label=gettext_lazy("Every budget line")
    )
    source = django_filters.ChoiceFilter(
        choices=FundingSource.choices, label=gettext_lazy("Funding source"), empty_label=gettext_lazy("Every source")
    )
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Expenditure
        fields = ["station", "line", "source"]

    def filter_year(self, queryset, name, value):
        # A year as a range of dates, so the (station, date) index serves it.
        return queryset.of_year(int(value))


class ExpenditureSerializer(serializers.ModelSerializer):
    """An expenditure; money as a decimal string with two places. ``voucher`` is written (multipart), ``has_voucher``
    and ``voucher_name`` read; the file itself comes from ``expenditures/{id}/voucher/``."""

    station = ScopedRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    has_voucher = serializers.SerializerMethodField()
    voucher = serializers.FileField(write_only=True, required=False, allow_empty_file=True)

    class Meta:
        model = Expenditure
        fields = [
            "id",
            "station",
            "station_name",
            "date",
            "line",
            "source",
            "amount",
            "payee",
            "description",
            "voucher",
            "has_voucher",
            "voucher_name",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "voucher_name", "created_by", "created_at"]
        # Blank text reaches the rule, which names every problem of the payment at once.
        extra_kwargs = {"payee": {"allow_blank": True}, "description": {"allow_blank": True}}

    @extend_schema_field(serializers.BooleanField())
    def get_has_voucher(self, expenditure) -> bool:
        return bool(expenditure.voucher)

    def validate(self, attrs):
        unchanged(attrs, self.instance, ["station"], _("An expenditure's station cannot change."))
        return attrs

    def create(self, validated):
        try:
            return expenditure_create(user=self.context["request"].user, **validated)
        except DjangoValidationError as error:
            raise api_errors(error) from error

    def update(self, expenditure, validated):
        validated.pop("station", None)  # unchanged (validate)
        try:
            return expenditure_update(expenditure=expenditure, user=self.context["request"].user, **validated)
        except DjangoValidationError as error:
            raise api_errors(error) from error


class ExpenditureImportSerializer(serializers.Serializer):
    station = ScopedRelatedField(queryset=Station.objects.all())
    file = serializers.FileField(help_text="The month's expenditures, an .xlsx filled in from the template")
    vouchers = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        max_length=MAX_VOUCHERS,
        help_text="The voucher files the rows name in their last column",
    )


class ExpenditureRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row in the sheet; 0 for the file as a whole")
    column = serializers.CharField()
    messages = serializers.ListField(child=serializers.CharField())


class ExpenditureImportRefusedSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    errors = ExpenditureRowErrorSerializer(many=True)


class ExpenditureImportedSerializer(serializers.Serializer):
    created = serializers.IntegerField()


XLSX_RESPONSE = {(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY}


class ExpenditureViewSet(ScopedModelViewSet):
    """The expenditures in the caller's scope; the list costs the same few queries however many rows."""

    queryset = Expenditure.objects.select_related("station")
    serializer_class = ExpenditureSerializer
    filterset_class = ExpenditureFilter
    ordering_fields = ["date", "amount", "line", "source", "payee", "created_at"]
    ordering = ["-date", "-pk"]
    action_perms = {"voucher": "view", "template": "add", "export": "view", "import_file": "add"}

    def scoped_queryset(self, queryset):
        return queryset.order_by("-date", "-pk")

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The voucher file")})
    @action(detail=True, methods=["get"])
    def voucher(self, request, pk=None):
        """The expenditure's voucher, never cached; 404 when it has none."""
        voucher = voucher_file(self.get_object())
        if voucher is None:
            raise Http404
        return evidence_response(voucher, as_attachment=True)

    @extend_schema(
        request={"multipart/form-data": ExpenditureImportSerializer},
        responses={201: ExpenditureImportedSerializer, 400: ExpenditureImportRefusedSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """A month's expenditures of a station from the template, with the vouchers its rows name: all saved, or
        none and every bad row (row, column, messages)."""
        serializer = ExpenditureImportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            created = expenditures_import(
                station=data["station"],
                file=data["file"],
                vouchers={upload.name: upload for upload in data["vouchers"]},
                user=request.user,
                today=timezone.localdate(),
            )
        except ExpenditureFileError as error:
            return Response({"file": [error.message]}, status=status.HTTP_400_BAD_REQUEST)
        except ExpenditureImportError as error:
            body = {"rows": error.rows, "errors": [vars(row) for row in error.errors]}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response({"created": len(created)}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"])
    def template(self, request):
        """The import template (.xlsx)."""
        return xlsx_response(expenditure_template_xlsx(), _("expenditure import template.xlsx"))

    @extend_schema(responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"])
    def export(self, request):
        """Every expenditure the filters keep (not one page) as .xlsx, with a totals row."""
        rows = self.filter_queryset(self.get_queryset()).select_related("created_by")
        if rows.count() > EXPORT_MAX_ROWS:
            return Response(
                {
                    "detail": _("More than %(n)s rows: narrow the filters (a station, a month).")
                    % {"n": EXPORT_MAX_ROWS}
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return xlsx_response(expenditures_xlsx(rows.iterator(chunk_size=2000)), _("expenditures.xlsx"))


ROUTES: list = [("expenditures", ExpenditureViewSet, "expenditure")]
PATHS: list = []
