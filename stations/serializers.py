from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import CleanModelSerializer
from accounts.viewsets import ScopedRelatedField
from evaluation.choices import Grade
from evaluation.rules.grading import station_results

from .models import OperatingContract, Organization, Region, Station, StationStandard
from .rules import contract_overlap


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "code", "level", "parent"]


class OrganizationSerializer(CleanModelSerializer):
    region = ScopedRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "credit_code",
            "rating",
            "registration_level",
            "region",
            "legal_representative",
            "phone",
            "address",
        ]


NOT_ATTACHED = object()


class StationSerializer(CleanModelSerializer):
    """A station, with the grade and stars of its latest published annual or final evaluation (null before one).

    The list attaches every row's result in one query (``StationViewSet``); a single station reads its own.
    """

    township = ScopedRelatedField(queryset=Region.objects.filter(level="township"))
    township_name = serializers.CharField(source="township.name", read_only=True)
    communities = ScopedRelatedField(queryset=Region.objects.filter(level="community"), many=True, required=False)
    supervisor = ScopedRelatedField(
        queryset=Organization.objects.filter(kind="supervisor"),
        allow_null=True,
        required=False,
    )
    grade = serializers.SerializerMethodField(help_text="excellent, good, pass or fail; null before a result.")
    stars = serializers.SerializerMethodField(help_text="0 to 5; null before a result.")

    class Meta:
        model = Station
        fields = [
            "id",
            "name",
            "township",
            "township_name",
            "status",
            "site_area_m2",
            "address",
            "opened_on",
            "communities",
            "supervisor",
            "grade",
            "stars",
        ]

    @staticmethod
    def result(station):
        """The station's latest published annual or final evaluation, as attached by the list, else read."""
        found = getattr(station, "evaluation_result", NOT_ATTACHED)
        if found is NOT_ATTACHED:
            found = station.evaluation_result = station_results([station]).get(station.pk)
        return found

    @extend_schema_field(serializers.ChoiceField(choices=Grade.choices, allow_null=True))
    def get_grade(self, station) -> str | None:
        result = self.result(station)
        return result.grade if result and result.grade else None

    @extend_schema_field(serializers.IntegerField(min_value=0, max_value=5, allow_null=True))
    def get_stars(self, station) -> int | None:
        result = self.result(station)
        return result.stars if result else None

    # Who may place a station and set its status: the officials who may create stations.
    OFFICIAL_FIELDS = ("township", "status")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        request = self.context.get("request")
        if request and not request.user.has_perm("stations.add_station"):
            changed = [
                name
                for name in self.OFFICIAL_FIELDS
                if name in attrs and (self.instance is None or getattr(self.instance, name) != attrs[name])
            ]
            if changed:
                raise serializers.ValidationError(
                    {name: [_("Only civil-affairs officials can change this.")] for name in changed}
                )
        township = attrs.get("township") or (self.instance and self.instance.township)
        strays = [c.name for c in attrs.get("communities", []) if c.parent_id != township.pk]
        if strays:
            raise serializers.ValidationError(
                {"communities": [_("These communities are not in the station's township: %s") % "、".join(strays)]}
            )
        return attrs


class ContractSerializer(CleanModelSerializer):
    station = ScopedRelatedField(queryset=Station.objects.all())
    operator = ScopedRelatedField(queryset=Organization.objects.filter(kind="operator"))

    class Meta:
        model = OperatingContract
        fields = ["id", "station", "operator", "start_on", "end_on", "amount", "procurement_method"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        get = lambda name: attrs.get(name, getattr(self.instance, name, None))  # noqa: E731
        clash = contract_overlap(
            station=get("station"),
            start_on=get("start_on"),
            end_on=get("end_on"),
            exclude_pk=self.instance.pk if self.instance else None,
        )
        if clash:
            raise serializers.ValidationError(
                {
                    "start_on": [
                        _("Overlaps the contract with %(operator)s (%(start)s to %(end)s).")
                        % {
                            "operator": clash.operator.name,
                            "start": clash.start_on,
                            "end": clash.end_on,
                        }
                    ]
                }
            )
        return attrs


class StationStandardSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = StationStandard
        fields = ["id", "station", "item", "item_code", "item_name", "met", "note", "updated_at"]
        read_only_fields = ["station", "item", "updated_at"]
