"""Policies per region and year (staffing standards, service targets, later funding rules): the shared mechanics.

Every figure of DOMAIN.md is a policy default an administrator can change per region and year. A policy model has
``region`` and ``year``; a station follows the policy of the nearest region above it that has one for the year,
else the model's defaults. Officials see the policies of their regions and of the regions above them (which may
apply to their stations) but change only those of their own region and below.
"""

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.scope import scope_of
from accounts.viewsets import ScopedModelViewSet

from .models import Region, Station

# What a policy change serializer (``PolicyChangeSerializer`` subclass) always lists before the policy's figures.
CHANGE_FIELDS = ["changed_at", "change", "changed_by", "year"]


class RegionPolicyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Policies of the regions in scope, and of the regions above them (whose policy may apply)."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region is not None:
            above = scope.region.path.strip("/").split("/")
        else:
            paths = Station.objects.visible_to(user).values_list("township__path", flat=True)
            above = {code for path in paths for code in path.strip("/").split("/")}
        return self.filter(Q(region__in=Region.objects.visible_to(user)) | Q(region__code__in=above))

    def editable_by(self, user):
        """Policies a user may change: those of their own region and below, never of a region above."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region is None:
            return self.none()
        return self.filter(region__path__startswith=scope.region.path)


def nearest_policies(model: type[models.Model], *, stations, year: int) -> dict:
    """Station id -> the ``model`` policy in force for it in ``year``, in one query for all the stations.

    The nearest region above the station's township that has a policy for the year wins; without one, an unsaved
    ``model`` with its defaults. ``stations`` need their township loaded (``select_related("township")``).
    """
    stations = list(stations)
    by_township = region_policies(model, regions=[station.township for station in stations], year=year)
    return {station.pk: by_township[station.township_id] for station in stations}


def region_policies(model: type[models.Model], *, regions, year: int) -> dict:
    """Region id -> the ``model`` policy in force in ``year`` for a region (a township, say): that of the nearest
    region at or above it that has one for the year, else an unsaved ``model`` with its defaults. One query."""
    regions = list(regions)
    found = region_year_policies(model, regions=regions, years=[year])
    return {region.pk: found[region.pk, year] for region in regions}


def region_year_policies(model: type[models.Model], *, regions, years) -> dict:
    """(region id, year) -> the ``model`` policy in force, as ``region_policies``, for several years in one query."""
    regions, years = list(regions), set(years)
    codes_of = {region.pk: region.path.strip("/").split("/") for region in regions}
    wanted = {code for codes in codes_of.values() for code in codes}
    by_key = {
        (policy.region.code, policy.year): policy
        for policy in model.objects.filter(region__code__in=wanted, year__in=years).select_related("region")
    }
    result = {}
    for region in regions:
        for year in years:
            found = [by_key[code, year] for code in codes_of[region.pk] if (code, year) in by_key]
            nearest = max(found, key=lambda policy: len(policy.region.path), default=None)
            result[region.pk, year] = nearest or model(region=region, year=year)
    return result


class PolicyChangeSerializer(serializers.ModelSerializer):
    """One saved version of a policy: who changed it, when, and the figures it then held.

    Subclasses set ``Meta.model`` to the policy's history model and ``Meta.fields`` to ``CHANGE_FIELDS`` plus
    the policy's figures.
    """

    changed_at = serializers.DateTimeField(source="history_date")
    change = serializers.CharField(source="history_type", help_text=gettext_lazy("+ created, ~ changed, - deleted"))
    changed_by = serializers.SerializerMethodField()

    def get_changed_by(self, record) -> str | None:
        return record.history_user.username if record.history_user else None


class RegionPolicyViewSet(ScopedModelViewSet):
    """Policies a station in scope may fall under, changed only by officials of the policy's region or above.

    A county official sees the city's policy (it may apply to their stations) but cannot change it. Subclasses
    set ``queryset``, ``serializer_class``, ``filterset_class`` and ``change_serializer_class``, and name the
    history's shape for the schema with ``extend_schema_view(history=extend_schema(responses=...))``.
    """

    change_serializer_class: type[PolicyChangeSerializer]
    ordering_fields = ["year", "region__path"]
    ordering = ["region__path", "-year"]
    action_perms = {"history": "view"}

    def assert_editable(self, policy) -> None:
        if not type(policy).objects.editable_by(self.request.user).filter(pk=policy.pk).exists():
            raise PermissionDenied(_("Only officials of this policy's region, or above it, can change it."))

    def get_object(self):
        policy = super().get_object()
        if self.action in ("update", "partial_update", "destroy"):
            self.assert_editable(policy)
        return policy

    def perform_create(self, serializer):
        with transaction.atomic():
            self.assert_editable(serializer.save())

    def perform_update(self, serializer):
        with transaction.atomic():
            self.assert_editable(serializer.save())

    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """Every saved version of the policy, newest first: who changed it and when."""
        policy = self.get_object()
        records = policy.history.select_related("history_user").order_by("-history_date", "-history_id")
        return Response(self.change_serializer_class(records, many=True).data)
