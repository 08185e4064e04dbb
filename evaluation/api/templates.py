"""The evaluation API: scorecard templates, versioned, with their nested dimensions and indicators.

Everyone signed in reads every template (they are published criteria). Writes go through
``evaluation.rules.templates``: an official with ``evaluation.change_scorecardtemplate`` keeps the templates of
their region and below, the administrator also the national ones (403 otherwise); the content of a template that
is not an unused draft never changes (409, ``Frozen``); ``new-version`` copies any template into a draft.
"""

from decimal import Decimal

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.viewsets import ScopedModelViewSet, ScopedRelatedField
from config.filters import IdField, IdFilter
from reports.spreadsheets import XLSX, xlsx_response
from services.api import ruled
from stations.models import Region

from ..choices import TemplatePurpose, TemplateStatus
from ..models import Dimension, Indicator, ScorecardTemplate
from ..rules.templates import (
    TemplateFileError,
    TemplateRow,
    in_use_condition,
    template_activate,
    template_assert_changeable,
    template_assert_editable_by,
    template_create,
    template_delete,
    template_diff,
    template_export_xlsx,
    template_import_xlsx,
    template_new_version,
    template_retire,
    template_update,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


# --- shapes ------------------------------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "order", "code", "name", "max_points", "source", "guidance", "evidence_expected"]
        read_only_fields = ["id", "order"]


class DimensionSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True)

    class Meta:
        model = Dimension
        fields = ["id", "order", "code", "name", "indicators"]
        read_only_fields = ["id", "order"]


class ScorecardTemplateSerializer(serializers.ModelSerializer):
    """A template with its dimensions (in order) and their indicators (in order). Writing ``dimensions`` replaces
    the whole tree; the order is the order given."""

    region = ScopedRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)
    region_name = serializers.CharField(source="region.name", read_only=True, default=None)
    in_use = serializers.BooleanField(read_only=True, default=False)
    total_points = serializers.SerializerMethodField()
    dimensions = DimensionSerializer(many=True)

    class Meta:
        model = ScorecardTemplate
        fields = [
            "id",
            "code",
            "version",
            "name",
            "purpose",
            "region",
            "region_name",
            "status",
            "description",
            "previous",
            "created_at",
            "activated_at",
            "in_use",
            "total_points",
            "dimensions",
        ]
        read_only_fields = ["version", "status", "previous", "created_at", "activated_at"]
        validators = []  # the version is the rule's to number: (code, version) is never the client's

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_total_points(self, template) -> str:
        total = sum(
            (
                indicator.max_points
                for dimension in template.dimensions.all()
                for indicator in dimension.indicators.all()
            ),
            start=Decimal("0.0"),
        )
        return str(total)

    def validate_code(self, code):
        if self.instance is not None and code != self.instance.code:
            raise serializers.ValidationError(_("Every version of a scorecard keeps its code."))
        return code


def rows_of(dimensions: list[dict]) -> list[TemplateRow]:
    """The nested tree as the rule's rows, in the order given."""
    return [
        TemplateRow(
            dimension_code=dimension["code"],
            dimension_name=dimension["name"],
            code=indicator["code"],
            name=indicator["name"],
            max_points=str(indicator["max_points"]),
            source=indicator.get("source", ""),
            guidance=indicator.get("guidance", ""),
            evidence_expected=indicator.get("evidence_expected", ""),
        )
        for dimension in dimensions
        for indicator in dimension["indicators"]
    ]


class NewVersionSerializer(serializers.Serializer):
    region = ScopedRelatedField(
        queryset=Region.objects.all(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("The region the copy is for; the template's own region when left out."),
    )


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("An .xlsx written by the export (or edited from one)."))
    region = ScopedRelatedField(
        queryset=Region.objects.all(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("The region the draft is for; empty for a national scorecard (administrator)."),
    )

    def validate_file(self, upload):
        if not upload.name.lower().endswith(".xlsx"):
            raise serializers.ValidationError(_("Upload the scorecard as an .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    column = serializers.CharField()
    messages = serializers.ListField(child=serializers.CharField())


class ImportRefusedSerializer(serializers.Serializer):
    errors = ImportErrorSerializer(many=True)
    rows = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=6, decimal_places=1)


class DiffLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    dimension = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=4, decimal_places=1)


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class IndicatorChangeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class DimensionRenameSerializer(serializers.Serializer):
    code = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class TemplateDiffSerializer(serializers.Serializer):
    old_id = serializers.IntegerField()
    new_id = serializers.IntegerField()
    added = DiffLineSerializer(many=True)
    removed = DiffLineSerializer(many=True)
    changed = IndicatorChangeSerializer(many=True)
    dimensions_renamed = DimensionRenameSerializer(many=True)
    dimensions_added = serializers.ListField(child=serializers.CharField())
    dimensions_removed = serializers.ListField(child=serializers.CharField())
    old_total = serializers.DecimalField(max_digits=6, decimal_places=1)
    new_total = serializers.DecimalField(max_digits=6, decimal_places=1)


class DiffQuerySerializer(serializers.Serializer):
    against = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=IdField().max_value,
        help_text=gettext_lazy("The template to compare with (the older side); the previous version by default."),
    )


class ScorecardTemplateFilter(django_filters.FilterSet):
    purpose = django_filters.ChoiceFilter(choices=TemplatePurpose.choices, empty_label=gettext_lazy("All purposes"))
    status = django_filters.ChoiceFilter(choices=TemplateStatus.choices, empty_label=gettext_lazy("All statuses"))
    code = django_filters.CharFilter(max_length=40)
    region = IdFilter(field_name="region_id")

    class Meta:
        model = ScorecardTemplate
        fields = ["purpose", "status", "code", "region"]


def tree_prefetch() -> Prefetch:
    indicators = Indicator.objects.order_by("order", "pk")
    return Prefetch(
        "dimensions",
        queryset=Dimension.objects.order_by("order", "pk").prefetch_related(Prefetch("indicators", indicators)),
    )


# --- the viewset -------------------------------------------------------------------------------------------------


@extend_schema_view(
    destroy=extend_schema(description="Delete a draft nothing uses (administrator); 409 for any other template."),
)
class ScorecardTemplateViewSet(ScopedModelViewSet):
    """Scorecard templates with their dimensions and indicators; versions, activation, diff, Excel import/export."""

    queryset = (
        ScorecardTemplate.objects.select_related("region")
        .annotate(in_use=in_use_condition())
        .prefetch_related(tree_prefetch())
    )
    serializer_class = ScorecardTemplateSerializer
    filterset_class = ScorecardTemplateFilter
    search_fields = ["name", "code"]
    ordering_fields = ["code", "version", "created_at"]
    ordering = ["code", "-version"]
    action_perms = {
        "new_version": "add",
        "activate": "change",
        "retire": "change",
        "export": "view",
        "import_xlsx": "add",
        "diff": "view",
    }

    def shown(self, template) -> dict:
        fresh = self.get_queryset().get(pk=template.pk)
        return self.get_serializer(fresh).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = ruled(
            template_create,
            user=request.user,
            code=data["code"],
            name=data["name"],
            purpose=data.get("purpose", TemplatePurpose.EVALUATION),
            region=data.get("region"),
            description=data.get("description", ""),
            rows=rows_of(data["dimensions"]),
        )
        return Response(self.shown(template), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        template = self.get_object()
        # Who may, then whether the template may change at all, before the body is read: a frozen one is a 409.
        template_assert_editable_by(template=template, user=request.user)
        ruled(template_assert_changeable, template=template)
        serializer = self.get_serializer(template, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changes = {name: data[name] for name in ("name", "description", "purpose", "region") if name in data}
        if "dimensions" in data:
            changes["rows"] = rows_of(data["dimensions"])
        template = ruled(template_update, template=template, user=request.user, **changes)
        return Response(self.shown(template))

    def destroy(self, request, *args, **kwargs):
        ruled(template_delete, template=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=NewVersionSerializer, responses={201: ScorecardTemplateSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        """A draft copy of this template (frozen or not): the next version of its code, every indicator copied."""
        template = self.get_object()
        serializer = NewVersionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        extra = {"region": serializer.validated_data["region"]} if "region" in serializer.validated_data else {}
        copy = ruled(template_new_version, template=template, user=request.user, **extra)
        return Response(self.shown(copy), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ScorecardTemplateSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Put a draft in force (its maximum points must add up to exactly 100); the active version of the same
        code and region is retired."""
        return Response(self.shown(ruled(template_activate, template=self.get_object(), user=request.user)))

    @extend_schema(request=None, responses=ScorecardTemplateSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """Take an active template out of use for new assignments."""
        return Response(self.shown(ruled(template_retire, template=self.get_object(), user=request.user)))

    @extend_schema(responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The .xlsx")})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The template as .xlsx: its fields on the first sheet, one indicator a row on the second."""
        template = self.get_object()
        return xlsx_response(template_export_xlsx(template), f"{template.code}-v{template.version}.xlsx")

    @extend_schema(
        request={"multipart/form-data": ImportSerializer},
        responses={201: ScorecardTemplateSerializer, 400: ImportRefusedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import", parser_classes=[MultiPartParser])
    def import_xlsx(self, request):
        """A new draft from an .xlsx: the whole file is checked first; any bad row and nothing is created, every
        bad row listed (sheet, row, column, messages). A code already used makes its next version."""
        serializer = ImportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            result = ruled(template_import_xlsx, file=data["file"], user=request.user, region=data.get("region"))
        except TemplateFileError as error:
            raise serializers.ValidationError({"file": [error.message]}) from error
        if not result.ok:
            body = {"errors": [error.__dict__ for error in result.errors], "rows": result.rows, "total": result.total}
            return Response(ImportRefusedSerializer(body).data, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.shown(result.created), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[DiffQuerySerializer], responses=TemplateDiffSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def diff(self, request, pk=None):
        """What changed from ``against`` (by default the version this one was copied from) to this template."""
        template = self.get_object()
        query = DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        against_id = query.validated_data.get("against") or template.previous_id
        if against_id is None:
            raise serializers.ValidationError({"against": [_("This template has no previous version: name one.")]})
        against = get_object_or_404(ScorecardTemplate.objects.visible_to(request.user), pk=against_id)
        return Response(TemplateDiffSerializer(template_diff(against, template)).data)


ROUTES = [("scorecard-templates", ScorecardTemplateViewSet, "scorecard-template")]
PATHS: list = []
