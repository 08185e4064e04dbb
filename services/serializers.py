"""API shapes of the services records (DOMAIN.md section 4).

Writes go through ``rules.py`` (service records, case steps, stage moves) or the model's ``clean()``
(``CleanModelSerializer``), so the API refuses exactly what the pages refuse. Every related field is scoped:
an object outside the caller's scope does not exist, and one of another station is a 400 on its field.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.settings import api_settings

from accounts.people import api_registered_twin
from accounts.privacy import Kind, PersonNameField, PersonSerializerMixin, request_people_view
from accounts.serializers import CleanModelSerializer
from accounts.viewsets import ScopedRelatedField
from staffing.models import StaffMember, Volunteer
from staffing.serializers import ComplianceCheckSerializer, IdNumberField
from stations.models import Region, Station
from stations.policies import CHANGE_FIELDS, PolicyChangeSerializer

from .choices import FocusProblemStatus, ProjectStage
from .models import (
    Attachment,
    Beneficiary,
    Case,
    CaseFollowUp,
    CaseReferral,
    CatalogCategory,
    CatalogItem,
    CatalogSubItem,
    FocusProblem,
    Project,
    ProjectStageChange,
    ServicePolicy,
    ServiceRecord,
    ServiceVolunteer,
    TargetGroup,
    communities_outside,
)
from .rules import month_start, service_record_create, service_record_update


def api_errors(error: DjangoValidationError) -> serializers.ValidationError:
    """A rule's ``ValidationError`` as the API's 400: the same field names, and ``non_field_errors`` for the rest."""
    detail = serializers.as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return serializers.ValidationError(detail)


def unchanged(attrs, instance, names, message) -> None:
    """Refuse a change of fields fixed once a row exists (its station, the person a case is about...)."""
    if instance is None:
        return
    for name in names:
        if name in attrs and attrs[name] != getattr(instance, name):
            raise serializers.ValidationError({name: [message]})


# --- reference tables --------------------------------------------------------------------------------


class CatalogCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogCategory
        fields = ["id", "code", "name", "order"]
        read_only_fields = fields


class CatalogSubItemSerializer(serializers.ModelSerializer):
    category = CatalogCategorySerializer(read_only=True)

    class Meta:
        model = CatalogSubItem
        fields = ["id", "name", "order", "category"]
        read_only_fields = fields


class CatalogItemSerializer(serializers.ModelSerializer):
    """A catalogue item; its sub-item and category are shown nested, and chosen by the sub-item's id."""

    sub_item = serializers.PrimaryKeyRelatedField(queryset=CatalogSubItem.objects.all())
    sub_item_detail = CatalogSubItemSerializer(source="sub_item", read_only=True)

    class Meta:
        model = CatalogItem
        fields = ["id", "name", "order", "sub_item", "sub_item_detail"]


class TargetGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetGroup
        fields = ["id", "code", "name", "order"]
        read_only_fields = fields


# --- projects ----------------------------------------------------------------------------------------


class ProjectStageChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", read_only=True)

    class Meta:
        model = ProjectStageChange
        fields = ["from_stage", "to_stage", "changed_by", "changed_at"]
        read_only_fields = fields


class ProjectSerializer(CleanModelSerializer):
    station = ScopedRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    communities = ScopedRelatedField(queryset=Region.objects.all(), many=True, required=False)
    catalog_items = ScopedRelatedField(queryset=CatalogItem.objects.all(), many=True, required=False)
    stage_changes = ProjectStageChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "station",
            "station_name",
            "year",
            "name",
            "category",
            "subtype",
            "stage",
            "description",
            "target_beneficiaries",
            "target_sessions",
            "target_communities",
            "communities",
            "catalog_items",
            "created_at",
            "stage_changes",
        ]
        read_only_fields = ["stage", "created_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        unchanged(attrs, self.instance, ["station"], _("A project stays at its station."))
        station = attrs.get("station", getattr(self.instance, "station", None))
        outside = communities_outside(station, attrs.get("communities", []))
        if outside:
            raise serializers.ValidationError(
                {
                    "communities": [
                        _("Not villages or communities of the station's township: %s")
                        % "、".join(region.name for region in outside)
                    ]
                }
            )
        year = attrs.get("year")
        if self.instance is not None and year is not None and year != self.instance.year:
            if self.instance.service_records.exclude(date__year=year).exists():
                raise serializers.ValidationError(
                    {"year": [_("Services of another year are logged under this project: its year stays.")]}
                )
        return attrs


class ProjectAdvanceSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=ProjectStage.choices)


class ProjectProgressSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id")
    checks = ComplianceCheckSerializer(
        many=True, help_text=gettext_lazy("beneficiaries, sessions and communities: target (required) and actual.")
    )
    headcount = serializers.IntegerField(help_text=gettext_lazy("Anonymous participants, besides the named ones."))


# --- beneficiaries -----------------------------------------------------------------------------------


class BeneficiarySerializer(PersonSerializerMixin, CleanModelSerializer):
    """A beneficiary; name, birth date, phone, address and ID number shown as ``accounts.privacy`` says."""

    person_kind = Kind.BENEFICIARY
    station = ScopedRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    id_number = IdNumberField()
    community = ScopedRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)
    target_groups = serializers.SlugRelatedField(
        slug_field="code",
        queryset=TargetGroup.objects.all(),
        many=True,
        required=False,
        help_text=gettext_lazy("Codes of the target groups, e.g. elderly_alone, disabled."),
    )
    age = serializers.SerializerMethodField(
        help_text=gettext_lazy("Age in whole years today; birth_date itself is shown only to the station's own staff.")
    )

    class Meta:
        model = Beneficiary
        fields = [
            "id",
            "station",
            "station_name",
            "name",
            "id_number",
            "gender",
            "birth_date",
            "age",
            "phone",
            "community",
            "address",
            "target_groups",
            "key_target",
            "notes",
            "registered_on",
            "active",
        ]
        # ``validate`` answers a repeated ID number on the id_number field, naming who has it (logged).
        validators = []

    def validate(self, attrs):
        unchanged(attrs, self.instance, ["station"], _("A beneficiary stays at the station that registered them."))
        attrs = super().validate(attrs)
        twin = api_registered_twin(self, attrs)
        if twin is not None:
            message = _("This station already has a beneficiary with this ID number: %(name)s") % {
                "name": request_people_view(self).name(twin)
            }
            raise serializers.ValidationError({"id_number": [message]})
        return attrs

    def get_age(self, beneficiary) -> int | None:
        return request_people_view(self).age(beneficiary)


# --- service records ---------------------------------------------------------------------------------


class ServiceVolunteerSerializer(serializers.ModelSerializer):
    volunteer = ScopedRelatedField(queryset=Volunteer.objects.all())
    volunteer_name = PersonNameField(kind=Kind.VOLUNTEER, source="volunteer.name")

    class Meta:
        model = ServiceVolunteer
        fields = ["volunteer", "volunteer_name", "hours"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=gettext_lazy("Where to download the file."))

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return reverse("api:service-record-attachment", args=[attachment.record_id, attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=gettext_lazy("A photo (JPEG, PNG, WebP, GIF) or a PDF, checked by its content.")
    )


class ServiceRecordSerializer(serializers.ModelSerializer):
    """A service record; saved by ``service_record_create`` / ``service_record_update`` (all or nothing)."""

    station = ScopedRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    project = ScopedRelatedField(queryset=Project.objects.all(), allow_null=True, required=False)
    project_name = serializers.CharField(source="project.name", read_only=True, default=None)
    beneficiaries = ScopedRelatedField(queryset=Beneficiary.objects.all(), many=True, required=False)
    staff = ScopedRelatedField(queryset=StaffMember.objects.all(), many=True, required=False)
    volunteers = ServiceVolunteerSerializer(many=True, required=False)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "station",
            "station_name",
            "project",
            "project_name",
            "date",
            "kind",
            "beneficiaries",
            "headcount",
            "staff",
            "volunteers",
            "duration_minutes",
            "place",
            "summary",
            "attachments",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        unchanged(attrs, self.instance, ["station"], _("A service record stays at its station."))
        return attrs

    def create(self, validated_data):
        try:
            return service_record_create(user=self.context["request"].user, **validated_data)
        except DjangoValidationError as error:
            raise api_errors(error) from error

    def update(self, instance, validated_data):
        validated_data.pop("station", None)
        try:
            return service_record_update(record=instance, user=self.context["request"].user, **validated_data)
        except DjangoValidationError as error:
            raise api_errors(error) from error


# --- cases -------------------------------------------------------------------------------------------


class CaseReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseReferral
        fields = ["id", "date", "agency", "reason", "result"]


class CaseFollowUpSerializer(serializers.ModelSerializer):
    worker = ScopedRelatedField(queryset=StaffMember.objects.all())
    worker_name = PersonNameField(kind=Kind.STAFF, source="worker.name")

    class Meta:
        model = CaseFollowUp
        fields = ["id", "date", "worker", "worker_name", "content", "next_step"]


class CaseSerializer(CleanModelSerializer):
    """A case; opened here at intake, then moved by its actions (assess, plan, follow-ups, refer, close)."""

    station = ScopedRelatedField(queryset=Station.objects.all())
    beneficiary = ScopedRelatedField(queryset=Beneficiary.objects.all())
    beneficiary_name = PersonNameField(kind=Kind.BENEFICIARY, source="beneficiary.name")
    worker = ScopedRelatedField(queryset=StaffMember.objects.all())
    worker_name = PersonNameField(kind=Kind.STAFF, source="worker.name")
    referrals = CaseReferralSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "station",
            "beneficiary",
            "beneficiary_name",
            "worker",
            "worker_name",
            "opened_on",
            "status",
            "intake_notes",
            "assessed_on",
            "assessment",
            "before_score",
            "planned_on",
            "plan",
            "closed_on",
            "after_score",
            "outcome",
            "referrals",
        ]
        read_only_fields = [
            "status",
            "assessed_on",
            "assessment",
            "before_score",
            "planned_on",
            "plan",
            "closed_on",
            "after_score",
            "outcome",
        ]

    def validate(self, attrs):
        if self.instance is not None:
            if self.instance.status == "closed":
                raise serializers.ValidationError(_("This case is closed."))
            unchanged(
                attrs, self.instance, ["station", "beneficiary"], _("A case stays with its station and beneficiary.")
            )
            if self.instance.status != "intake":
                unchanged(
                    attrs, self.instance, ["opened_on"], _("The opening date is fixed once the case is assessed.")
                )
        return super().validate(attrs)


class CaseAssessSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    assessment = serializers.CharField()
    before_score = serializers.IntegerField(min_value=0, max_value=100)


class CasePlanSerializer(serializers.Serializer):
    planned_on = serializers.DateField()
    plan = serializers.CharField()


class CaseCloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField()
    after_score = serializers.IntegerField(min_value=0, max_value=100)
    outcome = serializers.CharField()


# --- focus problems ----------------------------------------------------------------------------------


class FocusProblemSerializer(CleanModelSerializer):
    station = ScopedRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    community = ScopedRelatedField(queryset=Region.objects.all())
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = FocusProblem
        fields = [
            "id",
            "station",
            "station_name",
            "community",
            "community_name",
            "title",
            "description",
            "status",
            "reported_on",
            "solved_on",
            "created_by",
        ]
        read_only_fields = ["status", "solved_on", "created_by"]

    def validate(self, attrs):
        unchanged(attrs, self.instance, ["station"], _("A problem stays with its station."))
        return super().validate(attrs)


class FocusProblemAdvanceSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=FocusProblemStatus.choices)
    solved_on = serializers.DateField(required=False, help_text=gettext_lazy("Required when moving to solved."))


# --- policies ----------------------------------------------------------------------------------------


class ServicePolicySerializer(CleanModelSerializer):
    region = ScopedRelatedField(queryset=Region.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = ServicePolicy
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "empowerment_governance_communities_min",
            "key_target_visit_goal",
        ]


class ServicePolicyChangeSerializer(PolicyChangeSerializer):
    class Meta:
        model = ServicePolicy.history.model
        fields = [
            *CHANGE_FIELDS,
            "empowerment_governance_communities_min",
            "key_target_visit_goal",
        ]
        read_only_fields = fields


# --- station figures ---------------------------------------------------------------------------------


class PortfolioQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, help_text=gettext_lazy("YYYY; this year when left out.")
    )


class PortfolioCountsSerializer(serializers.Serializer):
    core = serializers.IntegerField()
    brand = serializers.IntegerField()
    basic = serializers.IntegerField()
    optional = serializers.IntegerField()


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PortfolioSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    counts = PortfolioCountsSerializer()
    problems = ProblemSerializer(many=True)


class VisitRateQuerySerializer(serializers.Serializer):
    month = serializers.CharField(
        required=False, max_length=7, help_text=gettext_lazy("YYYY-MM, not in the future; this month when left out.")
    )

    def validate_month(self, value):
        try:
            start = month_start(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["month"]) from error
        if start > timezone.localdate():
            raise serializers.ValidationError(_("This month has not begun yet."))
        return start


class VisitRateSerializer(serializers.Serializer):
    key_targets = serializers.IntegerField()
    visited = serializers.IntegerField()
    rate = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        allow_null=True,
        help_text=gettext_lazy("Visited / key targets, two places (0.67); null without key targets."),
    )
