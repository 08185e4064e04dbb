"""The staffing API: staff, volunteers and their hours, training, supervision, policies, station figures.

Every viewset is scoped (``ScopedViewSetMixin``). Nobody is deleted from the roster: leaving sets
``left_on``. Whole ID numbers have their own endpoint, under their own permission, and every call is logged.
"""

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scope import day_in_reach, reach_or_404, within_evaluated_years
from accounts.viewsets import ScopedModelViewSet, ScopedViewSetMixin, assert_in_scope
from stations.models import Station
from stations.policies import RegionPolicyViewSet

from .filters import (
    StaffFilter,
    StaffingPolicyFilter,
    StationSupervisorFilter,
    SupervisionFilter,
    TrainingFilter,
    VolunteerFilter,
    VolunteerHoursFilter,
)
from .models import (
    IdNumberView,
    StaffingPolicy,
    StaffMember,
    StationSupervisor,
    SupervisionVisit,
    TrainingSession,
    Volunteer,
    VolunteerHours,
)
from .rules import station_compliance, station_turnover, time_bank_deposit, time_bank_redeem
from .selectors import with_hour_totals
from .serializers import (
    ComplianceQuerySerializer,
    ComplianceSerializer,
    StaffingPolicyChangeSerializer,
    StaffingPolicySerializer,
    StaffMemberSerializer,
    StationSupervisorSerializer,
    SupervisionVisitSerializer,
    TimeBankEntrySerializer,
    TimeBankRequestSerializer,
    TrainingSessionSerializer,
    TurnoverQuerySerializer,
    TurnoverSerializer,
    VolunteerHoursSerializer,
    VolunteerSerializer,
    WholeIdNumberSerializer,
    django_errors,
)

FULL_ID_NUMBER = "staffing.view_full_id_number"


class WholeIdNumberMixin:
    """``GET <person>/id-number/``: the whole number, for holders of its own permission, each view logged."""

    id_number_subject: str  # the IdNumberView field naming whose number was seen

    @extend_schema(request=None, responses=WholeIdNumberSerializer)
    @action(detail=True, methods=["get"], url_path="id-number")
    def id_number(self, request, pk=None):
        if not request.user.has_perm(FULL_ID_NUMBER):
            raise PermissionDenied(_("Seeing whole ID numbers needs its own permission."))
        person = self.get_object()
        IdNumberView.objects.create(viewer=request.user, **{self.id_number_subject: person})
        response = Response(WholeIdNumberSerializer(person).data)
        response["Cache-Control"] = "no-store"
        return response


class RosterViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A register of people: created and changed, never deleted (leaving sets ``left_on``)."""


class StaffMemberViewSet(WholeIdNumberMixin, RosterViewSet):
    """Staff of the stations in the caller's scope; ID numbers masked."""

    queryset = StaffMember.objects.select_related("station")
    serializer_class = StaffMemberSerializer
    filterset_class = StaffFilter
    # ?search=: the person's name or pinyin, or the whole ID number (logged) — accounts.people.people_search.
    people_search_path = ""
    ordering_fields = ["name", "role", "certification", "hired_on", "left_on", "annual_salary", "station__name"]
    ordering = ["station_id", "role", "name"]
    id_number_subject = "staff_member"


class VolunteerViewSet(WholeIdNumberMixin, RosterViewSet):
    """Registered volunteers with their cumulative hours, stars and time-bank balance; ID numbers masked."""

    queryset = with_hour_totals(Volunteer.objects.select_related("station__township"))
    serializer_class = VolunteerSerializer
    filterset_class = VolunteerFilter
    # ?search=: the person's name or pinyin, or the whole ID number (logged) — accounts.people.people_search.
    people_search_path = ""
    search_fields = ["skills"]
    ordering_fields = ["name", "registered_on", "left_on", "total_hours", "station__name"]
    ordering = ["station_id", "name"]
    action_perms = {"redeem": "change", "deposit": "change"}
    idempotent_actions = frozenset({"deposit", "redeem"})
    id_number_subject = "volunteer"

    def time_bank(self, request, move):
        volunteer = self.get_object()
        serializer = TimeBankRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            entry = move(volunteer=volunteer, on=data["date"], hours=data["hours"], note=data["note"])
        except DjangoValidationError as error:
            raise django_errors(error) from error
        return Response(TimeBankEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TimeBankRequestSerializer, responses={201: TimeBankEntrySerializer})
    @action(detail=True, methods=["post"])
    def deposit(self, request, pk=None):
        """Bank hours in the volunteer's time bank."""
        return self.time_bank(request, time_bank_deposit)

    @extend_schema(request=TimeBankRequestSerializer, responses={201: TimeBankEntrySerializer})
    @action(detail=True, methods=["post"])
    def redeem(self, request, pk=None):
        """Take hours out of the time bank; refused (400, nothing changed) beyond the balance."""
        return self.time_bank(request, time_bank_redeem)


class VolunteerHoursQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Hour records are visible when their volunteer is, and their day in a year the user reaches."""
        rows = self.filter(volunteer__in=Volunteer.objects.visible_to(user))
        return within_evaluated_years(rows, user, VolunteerHours.year_of)


class VolunteerHoursViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Hours served by the volunteers in the caller's scope. A wrong record is deleted and entered again."""

    queryset = VolunteerHoursQuerySet(model=VolunteerHours).select_related("volunteer")
    serializer_class = VolunteerHoursSerializer
    filterset_class = VolunteerHoursFilter
    # ?search=: the person's name or pinyin, or the whole ID number (logged) — accounts.people.people_search.
    people_search_path = "volunteer"
    search_fields = ["activity"]
    ordering_fields = ["date", "hours"]
    ordering = ["-date", "-pk"]
    idempotent_actions = frozenset({"create"})

    def perform_create(self, serializer):
        with transaction.atomic():
            assert_in_scope(self.request.user, serializer.save().volunteer)


class TrainingSessionViewSet(ScopedModelViewSet):
    """Training sessions of the stations in the caller's scope, with who attended."""

    queryset = TrainingSession.objects.select_related("station").prefetch_related(
        Prefetch("attendees", queryset=StaffMember.objects.only("id"))
    )
    serializer_class = TrainingSessionSerializer
    filterset_class = TrainingFilter
    search_fields = ["topic", "trainer"]
    ordering_fields = ["date", "hours", "topic"]
    ordering = ["-date", "-pk"]


class SupervisionVisitViewSet(ScopedModelViewSet):
    """Supervision visits (督导) to the stations in the caller's scope."""

    queryset = SupervisionVisit.objects.select_related("station")
    serializer_class = SupervisionVisitSerializer
    filterset_class = SupervisionFilter
    search_fields = ["supervisor", "findings"]
    ordering_fields = ["date", "supervisor"]
    ordering = ["-date", "-pk"]


class StationSupervisorViewSet(ScopedModelViewSet):
    """The one named supervisor of each station in the caller's scope ("1+1")."""

    queryset = StationSupervisor.objects.select_related("station")
    serializer_class = StationSupervisorSerializer
    filterset_class = StationSupervisorFilter
    search_fields = ["name"]
    ordering_fields = ["since", "name", "station__name"]
    ordering = ["station_id"]


@extend_schema_view(history=extend_schema(responses=StaffingPolicyChangeSerializer(many=True)))
class StaffingPolicyViewSet(RegionPolicyViewSet):
    """Staffing policies a station in scope may fall under; changed only by officials of that region or above."""

    queryset = StaffingPolicy.objects.select_related("region")
    serializer_class = StaffingPolicySerializer
    filterset_class = StaffingPolicyFilter
    change_serializer_class = StaffingPolicyChangeSerializer


# --- station figures ----------------------------------------------------------------------------------


class StationFigureView(APIView):
    """A figure of one station in the caller's scope (404 outside it); needs stations.view_station.

    A figure is about a day, a month, a year or a period of the station's records: one the caller does not reach
    (an evaluator asking for a year their assignments do not evaluate) is a 404, as a record out of reach is, and
    when none is asked the default is the day the caller reaches nearest to today (``accounts.scope``).
    """

    perm_model = Station

    def station(self, pk) -> Station:
        return get_object_or_404(Station.objects.visible_to(self.request.user).select_related("township"), pk=pk)

    def query(self, serializer_class, **defaults) -> dict:
        data = self.request.query_params.copy()
        for name, value in defaults.items():
            data.setdefault(name, value)
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def default_day(self, station: Station, today: date) -> date:
        return day_in_reach(self.request.user, station=station, today=today)

    def require_in_reach(self, station: Station, start: date, end: date | None = None) -> None:
        reach_or_404(self.request.user, station=station, start=start, end=end)


class StationComplianceView(StationFigureView):
    @extend_schema(parameters=[ComplianceQuerySerializer], responses=ComplianceSerializer)
    def get(self, request, pk):
        """The station against its staffing policy on a date: every rule with required, actual and ok."""
        station = self.station(pk)
        on = self.query(ComplianceQuerySerializer).get("date") or self.default_day(station, date.today())
        self.require_in_reach(station, on)
        return Response(ComplianceSerializer(station_compliance(station=station, on=on)).data)


class StationTurnoverView(StationFigureView):
    @extend_schema(parameters=[TurnoverQuerySerializer], responses=TurnoverSerializer)
    def get(self, request, pk):
        """Staff turnover of the station over a period: leavers / average headcount."""
        station = self.station(pk)
        period = self.query(TurnoverQuerySerializer, end=self.default_day(station, date.today()).isoformat())
        self.require_in_reach(station, period["start"], period["end"])
        return Response(TurnoverSerializer(station_turnover(station=station, **period)).data)
