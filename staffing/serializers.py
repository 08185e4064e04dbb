"""API shapes of the staffing records (DOMAIN.md section 3).

Resident ID numbers are written whole and always read back masked; the whole number has its own,
separately permitted and logged endpoint. Figures computed by ``rules.py`` (hours, stars, balance,
compliance, turnover) are read-only and come from those functions, never recomputed here.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from accounts.people import api_registered_twin
from accounts.privacy import Kind, PersonNameField, PersonSerializerMixin
from accounts.serializers import CleanModelSerializer
from accounts.viewsets import ScopedRelatedField
from stations.models import Organization, Region, Station
from stations.policies import CHANGE_FIELDS, PolicyChangeSerializer

from .models import (
    StaffingPolicy,
    StaffMember,
    StationSupervisor,
    SupervisionVisit,
    TimeBankEntry,
    TrainingSession,
    Volunteer,
    VolunteerHours,
)
from .rules import (
    policies_for,
    policy_for,
    salary_floor,
    time_bank_balance,
    volunteer_hours_add,
    volunteer_stars,
    volunteer_total_hours,
)
from .validators import mask_id_number, validate_id_number


def django_errors(error: DjangoValidationError) -> serializers.ValidationError:
    """A rule's ``ValidationError`` as the API's 400 with the same field names."""
    return serializers.ValidationError(serializers.as_serializer_error(error))


def one_decimal(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.1")))


class IdNumberField(serializers.CharField):
    """A resident ID number: written whole (GB 11643 check digit and birth date), read back masked to its region.

    Read back only to whom ``accounts.privacy`` shows ID numbers at all (the serializer's ``PersonSerializerMixin``).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Write the whole number; it is always shown masked to its region, like 330481************."),
        )
        kwargs.setdefault("validators", [validate_id_number])
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).strip().upper()

    def to_representation(self, value):
        return mask_id_number(value)


class WholeIdNumberSerializer(serializers.Serializer):
    id_number = serializers.CharField(read_only=True)


def leaves_after_arriving(attrs, instance, arrived: str) -> None:
    """``left_on`` never before the day someone arrived (a database constraint the API answers with a 400)."""
    left_on = attrs.get("left_on", getattr(instance, "left_on", None))
    arrived_on = attrs.get(arrived, getattr(instance, arrived, None))
    if left_on and arrived_on and left_on < arrived_on:
        raise serializers.ValidationError({"left_on": [_("Someone cannot leave before they arrived.")]})


class StaffMemberSerializer(PersonSerializerMixin, CleanModelSerializer):
    """A staff member; name, phone, ID number and salary shown as ``accounts.privacy`` says for the caller."""

    person_kind = Kind.STAFF
    station = ScopedRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    id_number = IdNumberField()
    active = serializers.SerializerMethodField(help_text=gettext_lazy("Not left, or leaving on a later day."))

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "station",
            "station_name",
            "name",
            "gender",
            "phone",
            "id_number",
            "role",
            "employer",
            "education",
            "major_social_work",
            "certification",
            "hired_on",
            "left_on",
            "active",
            "labour_contract",
            "annual_salary",
        ]
        # ``validate`` answers a repeated person and hiring date (logged), not DRF's unique-together validator.
        validators = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if api_registered_twin(self, attrs, "hired_on"):
            raise serializers.ValidationError(
                {"id_number": [_("This person is already on the roster with the same hiring date.")]}
            )
        return attrs

    def get_active(self, staff) -> bool:
        return staff.left_on is None or staff.left_on > date.today()


class VolunteerListSerializer(serializers.ListSerializer):
    """Finds the star thresholds of every station on the page in one query, not one per volunteer."""

    def to_representation(self, data):
        volunteers = list(data.all() if isinstance(data, models.Manager) else data)
        stations = {volunteer.station_id: volunteer.station for volunteer in volunteers}
        policies = policies_for(stations=stations.values(), year=date.today().year)
        self._context["star_thresholds"] = {pk: policy.volunteer_star_hours for pk, policy in policies.items()}
        return super().to_representation(volunteers)


class VolunteerSerializer(PersonSerializerMixin, CleanModelSerializer):
    """A volunteer; name, phone and ID number shown as ``accounts.privacy`` says for the caller."""

    person_kind = Kind.VOLUNTEER
    station = ScopedRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    id_number = IdNumberField()
    active = serializers.SerializerMethodField()
    total_hours = serializers.SerializerMethodField(help_text=gettext_lazy("Cumulative hours served."))
    stars = serializers.SerializerMethodField(
        help_text=gettext_lazy("0-5 stars by the thresholds of the station's policy for this year.")
    )
    time_bank_balance = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "station",
            "station_name",
            "name",
            "phone",
            "id_number",
            "skills",
            "registered_on",
            "left_on",
            "active",
            "total_hours",
            "stars",
            "time_bank_balance",
        ]
        list_serializer_class = VolunteerListSerializer
        # ``validate`` answers a repeated ID number (logged), not DRF's unique-together validator.
        validators = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        leaves_after_arriving(attrs, self.instance, "registered_on")
        if api_registered_twin(self, attrs):
            raise serializers.ValidationError(
                {"id_number": [_("This person is already registered as a volunteer of this station.")]}
            )
        return attrs

    def get_active(self, volunteer) -> bool:
        return volunteer.left_on is None or volunteer.left_on > date.today()

    def hours_of(self, volunteer) -> Decimal:
        # The viewset annotates the sum; a freshly saved volunteer asks the rule.
        hours = getattr(volunteer, "total_hours", None)
        return volunteer_total_hours(volunteer) if hours is None else hours

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_total_hours(self, volunteer) -> str:
        return one_decimal(self.hours_of(volunteer))

    def get_stars(self, volunteer) -> int:
        thresholds = self.context.get("star_thresholds", {}).get(volunteer.station_id)
        if thresholds is None:
            thresholds = policy_for(station=volunteer.station, year=date.today().year).volunteer_star_hours
        return volunteer_stars(total_hours=self.hours_of(volunteer), thresholds=thresholds)

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_time_bank_balance(self, volunteer) -> str:
        balance = getattr(volunteer, "balance", None)
        return one_decimal(time_bank_balance(volunteer) if balance is None else balance)


class TimeBankRequestSerializer(serializers.Serializer):
    """Hours put into (deposit) or taken out of (redeem) a volunteer's time bank."""

    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.1"))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TimeBankEntrySerializer(serializers.ModelSerializer):
    balance = serializers.SerializerMethodField(help_text=gettext_lazy("The balance after this entry."))

    class Meta:
        model = TimeBankEntry
        fields = ["id", "volunteer", "date", "hours", "note", "balance"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_balance(self, entry) -> str:
        return one_decimal(time_bank_balance(entry.volunteer))


class VolunteerHoursSerializer(serializers.ModelSerializer):
    """Served hours; saved through ``volunteer_hours_add`` so a day never holds more than 24."""

    volunteer = ScopedRelatedField(queryset=Volunteer.objects.all())
    volunteer_name = PersonNameField(kind=Kind.VOLUNTEER, source="volunteer.name")
    station = serializers.IntegerField(source="volunteer.station_id", read_only=True)

    class Meta:
        model = VolunteerHours
        fields = ["id", "volunteer", "volunteer_name", "station", "date", "hours", "activity"]

    def validate_date(self, served_on):
        if served_on > date.today():
            raise serializers.ValidationError(_("Hours are recorded once served, not in advance."))
        return served_on

    def create(self, validated_data):
        try:
            return volunteer_hours_add(
                volunteer=validated_data["volunteer"],
                on=validated_data["date"],
                hours=validated_data["hours"],
                activity=validated_data["activity"],
            )
        except DjangoValidationError as error:
            raise django_errors(error) from error


class TrainingSessionSerializer(CleanModelSerializer):
    station = ScopedRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    attendees = ScopedRelatedField(queryset=StaffMember.objects.all(), many=True, required=False)
    trainer = PersonNameField(kind=Kind.STAFF, read_only=False, max_length=100, required=False, allow_blank=True)

    class Meta:
        model = TrainingSession
        fields = ["id", "station", "station_name", "topic", "date", "hours", "trainer", "attendees"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        station = attrs.get("station", getattr(self.instance, "station", None))
        attendees = attrs.get("attendees", self.instance.attendees.all() if self.instance else [])
        strangers = [person.name for person in attendees if person.station_id != station.pk]
        if strangers:
            raise serializers.ValidationError(
                {"attendees": [_("Not staff of this station: %s") % "、".join(strangers)]}
            )
        return attrs


class SupervisionVisitSerializer(CleanModelSerializer):
    station = ScopedRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    supervisor = PersonNameField(kind=Kind.STAFF, read_only=False, max_length=50)

    class Meta:
        model = SupervisionVisit
        fields = ["id", "station", "station_name", "supervisor", "date", "findings", "follow_up"]


class StationSupervisorSerializer(CleanModelSerializer):
    station = ScopedRelatedField(
        queryset=Station.objects.all(),
        validators=[
            UniqueValidator(
                queryset=StationSupervisor.objects.all(),
                message=gettext_lazy("This station already has its named supervisor: change that one instead."),
            )
        ],
    )
    station_name = serializers.CharField(source="station.name", read_only=True)
    organization = ScopedRelatedField(queryset=Organization.objects.all(), allow_null=True, required=False)
    name = PersonNameField(kind=Kind.STAFF, read_only=False, max_length=50)

    class Meta:
        model = StationSupervisor
        fields = ["id", "station", "station_name", "name", "organization", "phone", "since"]


class StaffingPolicySerializer(CleanModelSerializer):
    region = ScopedRelatedField(queryset=Region.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)
    salary_floor = serializers.SerializerMethodField(
        help_text=gettext_lazy("Lowest annual salary allowed: the ratio times the average wage (null if unknown).")
    )

    class Meta:
        model = StaffingPolicy
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "full_time_min",
            "certified_min",
            "volunteers_min",
            "professional_share_min",
            "operator_rating_min",
            "site_area_min",
            "salary_floor_ratio",
            "prior_year_average_wage",
            "salary_floor",
            "volunteer_star_hours",
        ]

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_salary_floor(self, policy) -> str | None:
        floor = salary_floor(policy)
        return None if floor is None else str(floor)


class StaffingPolicyChangeSerializer(PolicyChangeSerializer):
    class Meta:
        model = StaffingPolicy.history.model
        fields = [
            *CHANGE_FIELDS,
            "full_time_min",
            "certified_min",
            "volunteers_min",
            "professional_share_min",
            "operator_rating_min",
            "site_area_min",
            "salary_floor_ratio",
            "prior_year_average_wage",
            "volunteer_star_hours",
        ]
        read_only_fields = fields


# --- station figures: compliance and turnover --------------------------------------------------------


class FigureField(serializers.Field):
    """A figure of a compliance check, always a string (or null when unknown).

    Counts and ratings are whole numbers ("6", "3"); shares, areas and money have two decimal places
    ("0.50", "500.00", "117600.00").
    """

    def to_representation(self, value):
        if value is None:
            return None
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return str(value)


@extend_schema_field({"type": "string", "nullable": True, "example": "0.50"})
class FigureSchemaField(FigureField):
    pass


class ComplianceCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    required = FigureSchemaField(help_text=gettext_lazy("What the policy requires (null if not yet known)."))
    actual = FigureSchemaField(help_text=gettext_lazy("What the station has (null if unknown)."))
    ok = serializers.BooleanField()


class ComplianceSerializer(serializers.Serializer):
    station = serializers.IntegerField(source="station_id")
    date = serializers.DateField()
    compliant = serializers.BooleanField()
    checks = ComplianceCheckSerializer(many=True)


class ComplianceQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text=gettext_lazy("YYYY-MM-DD; today when left out."))


class TurnoverSerializer(serializers.Serializer):
    station = serializers.IntegerField(source="station_id")
    start = serializers.DateField()
    end = serializers.DateField()
    leavers = serializers.IntegerField()
    average_headcount = serializers.DecimalField(max_digits=None, decimal_places=1)
    rate = serializers.DecimalField(
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text=gettext_lazy("Leavers / average headcount, four places (0.2857 = 28.57 %); null without staff."),
    )


class TurnoverQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text=gettext_lazy("YYYY-MM-DD; 1 January of this year."))
    end = serializers.DateField(required=False, help_text=gettext_lazy("YYYY-MM-DD; today when left out."))

    def validate(self, attrs):
        today = date.today()
        attrs.setdefault("end", today)
        attrs.setdefault("start", date(attrs["end"].year, 1, 1))
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": [_("The period starts after it ends.")]})
        return attrs
