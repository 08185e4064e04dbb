"""The services API: projects and their stages, the catalogue, beneficiaries, service records with attachments,
cases and their steps, focus problems, policies, and the station figures (portfolio, visit rate).

Every viewset is scoped (``ScopedViewSetMixin``); every rule is a call into ``rules.py``. Beneficiaries are never
deleted (``active`` is cleared instead); a wrong service record is corrected, and only the administrator deletes one.
"""

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin, assert_in_scope
from config.downloads import evidence_response
from staffing.api import FULL_ID_NUMBER, StationFigureView
from staffing.models import StaffMember
from staffing.serializers import WholeIdNumberSerializer
from stations.models import Region
from stations.policies import RegionPolicyViewSet

from .filters import (
    BeneficiaryFilter,
    CaseFilter,
    CatalogItemFilter,
    FocusProblemFilter,
    ProjectFilter,
    ServicePolicyFilter,
    ServiceRecordFilter,
)
from .models import (
    Attachment,
    Beneficiary,
    BeneficiaryIdNumberView,
    Case,
    CaseFollowUp,
    CaseReferral,
    CatalogItem,
    FocusProblem,
    Project,
    ProjectStageChange,
    ServicePolicy,
    ServiceRecord,
    ServiceVolunteer,
    TargetGroup,
)
from .rules import (
    attachment_add,
    case_assess,
    case_close,
    case_follow_up,
    case_plan,
    case_refer,
    focus_problem_advance,
    portfolio_check,
    project_progress,
    project_stage_advance,
    service_record_delete,
    visit_rate,
)
from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    BeneficiarySerializer,
    CaseAssessSerializer,
    CaseCloseSerializer,
    CaseFollowUpSerializer,
    CasePlanSerializer,
    CaseReferralSerializer,
    CaseSerializer,
    CatalogItemSerializer,
    FocusProblemAdvanceSerializer,
    FocusProblemSerializer,
    PortfolioQuerySerializer,
    PortfolioSerializer,
    ProjectAdvanceSerializer,
    ProjectProgressSerializer,
    ProjectSerializer,
    ServicePolicyChangeSerializer,
    ServicePolicySerializer,
    ServiceRecordSerializer,
    TargetGroupSerializer,
    VisitRateQuerySerializer,
    VisitRateSerializer,
    api_errors,
)


def require_perm(user, perm: str) -> None:
    """An action's own permission, beyond the one the viewset's model asks for."""
    if not user.has_perm(perm):
        raise PermissionDenied()


def valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def ruled(call, **kwargs):
    """Call a rule, answering its ``ValidationError`` with the API's 400 on the same fields."""
    try:
        return call(**kwargs)
    except DjangoValidationError as error:
        raise api_errors(error) from error


# --- reference tables --------------------------------------------------------------------------------


class CatalogItemViewSet(ScopedModelViewSet):
    """The service catalogue (Suzhou menu), item by item with its sub-item and category; read by everyone signed
    in, changed by the administrator."""

    queryset = CatalogItem.objects.select_related("sub_item__category")
    serializer_class = CatalogItemSerializer
    filterset_class = CatalogItemFilter
    search_fields = ["name", "sub_item__name"]
    ordering_fields = ["order", "name"]
    ordering = ["sub_item__category__order", "sub_item__order", "order", "pk"]


class TargetGroupViewSet(ScopedReadOnlyViewSet):
    """The target groups a beneficiary may belong to (beneficiaries name them by ``code``)."""

    queryset = TargetGroup.objects.all()
    serializer_class = TargetGroupSerializer
    pagination_class = None
    ordering = ["order", "code"]


# --- projects ----------------------------------------------------------------------------------------


class ProjectViewSet(ScopedModelViewSet):
    """Projects of the stations in the caller's scope, with their stage history; moved one stage at a time."""

    queryset = Project.objects.select_related("station").prefetch_related(
        Prefetch("communities", queryset=Region.objects.only("id")),
        Prefetch("catalog_items", queryset=CatalogItem.objects.only("id")),
        Prefetch("stage_changes", queryset=ProjectStageChange.objects.select_related("changed_by")),
    )
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    search_fields = ["name"]
    ordering_fields = ["year", "name", "category", "stage", "created_at"]
    ordering = ["station_id", "-year", "category", "name"]
    action_perms = {"advance": "advance", "progress": "view"}

    @extend_schema(request=ProjectAdvanceSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move the project to its next stage (needs services.advance_project); who and when are recorded."""
        project = self.get_object()
        data = valid(ProjectAdvanceSerializer, request)
        ruled(project_stage_advance, project=project, to_stage=data["to_stage"], user=request.user)
        return Response(ProjectSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @extend_schema(responses=ProjectProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Targets against actuals: distinct beneficiaries served, sessions held, communities reached."""
        return Response(ProjectProgressSerializer(project_progress(project=self.get_object())).data)


# --- beneficiaries -----------------------------------------------------------------------------------


class BeneficiaryViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Beneficiaries of the stations in the caller's scope; ID numbers masked. Never deleted: clear ``active``."""

    queryset = Beneficiary.objects.select_related("station").prefetch_related(
        Prefetch("target_groups", queryset=TargetGroup.objects.only("id", "code"))
    )
    serializer_class = BeneficiarySerializer
    filterset_class = BeneficiaryFilter
    # ?search= (and the address, for whom the privacy table shows it): the person's name or pinyin, or the whole ID number (logged) — accounts.people.people_search.
    people_search_path = ""
    search_fields = ["address"]
    ordering_fields = ["name", "registered_on", "birth_date", "station__name"]
    ordering = ["station_id", "name", "pk"]
    idempotent_actions = frozenset({"create"})

    @extend_schema(request=None, responses=WholeIdNumberSerializer)
    @action(detail=True, methods=["get"], url_path="id-number")
    def id_number(self, request, pk=None):
        """The whole ID number, for holders of staffing.view_full_id_number; every view is logged."""
        if not request.user.has_perm(FULL_ID_NUMBER):
            raise PermissionDenied(_("Seeing whole ID numbers needs its own permission."))
        beneficiary = self.get_object()
        BeneficiaryIdNumberView.objects.create(viewer=request.user, beneficiary=beneficiary)
        response = Response(WholeIdNumberSerializer(beneficiary).data)
        response["Cache-Control"] = "no-store"
        return response


# --- service records ---------------------------------------------------------------------------------


class ServiceRecordViewSet(ScopedModelViewSet):
    """Service records of the stations in the caller's scope, with people, volunteers' hours and attachments.

    A list page costs the same few queries however many rows: the people are prefetched with their ids only.
    """

    queryset = ServiceRecord.objects.select_related("station", "project").prefetch_related(
        Prefetch("beneficiaries", queryset=Beneficiary.objects.only("id")),
        Prefetch("staff", queryset=StaffMember.objects.only("id")),
        Prefetch(
            "volunteers",
            queryset=ServiceVolunteer.objects.select_related("volunteer").only(
                "id", "record_id", "hours", "volunteer__id", "volunteer__name"
            ),
        ),
        Prefetch("attachments", queryset=Attachment.objects.defer("file")),
    )
    serializer_class = ServiceRecordSerializer
    filterset_class = ServiceRecordFilter
    search_fields = ["place", "summary"]
    ordering_fields = ["date", "kind", "duration_minutes", "created_at"]
    ordering = ["-date", "-pk"]
    action_perms = {"attachments": "view", "attachment": "view"}
    idempotent_actions = frozenset({"create"})

    def destroy_instance(self, instance):
        service_record_delete(record=instance)

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        """Attach a photo or a PDF (checked by its content, not its name) to the record."""
        require_perm(request.user, "services.add_attachment")
        record = self.get_object()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            attachment = ruled(attachment_add, record=record, user=request.user, file=serializer.validated_data["file"])
            assert_in_scope(request.user, attachment)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The attached file")},
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]{1,18})")
    def attachment(self, request, pk=None, attachment_id=None):
        """Download an attachment; a record outside the caller's scope does not exist (404)."""
        attachment = self.get_object().attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise Http404
        return evidence_response(attachment, as_attachment=True)


# --- cases -------------------------------------------------------------------------------------------


class CaseViewSet(ScopedModelViewSet):
    """Cases of the stations in the caller's scope. Opened at intake here; each later step is its own action."""

    queryset = Case.objects.select_related("beneficiary", "worker")
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    # ?search=: the person's name or pinyin, or the whole ID number (logged) — accounts.people.people_search.
    people_search_path = "beneficiary"
    ordering_fields = ["opened_on", "closed_on", "status"]
    ordering = ["-opened_on", "-pk"]
    action_perms = {"assess": "change", "plan": "change", "close": "change", "refer": "change", "follow_ups": "view"}
    idempotent_actions = frozenset({"create", "assess", "plan", "close", "refer", "follow_ups"})

    def scoped_queryset(self, queryset):
        # A case open over several years shows only the referrals of the years the caller reaches.
        return queryset.prefetch_related(
            Prefetch("referrals", queryset=CaseReferral.objects.visible_to(self.request.user))
        )

    def step(self, request, rule, serializer_class):
        case = self.get_object()
        ruled(rule, case=case, **valid(serializer_class, request))
        return Response(CaseSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @extend_schema(request=CaseAssessSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        """Assess the case (at intake, or revise before the plan) with the score before."""
        return self.step(request, case_assess, CaseAssessSerializer)

    @extend_schema(request=CasePlanSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        """Make the service plan of an assessed case."""
        return self.step(request, case_plan, CasePlanSerializer)

    @extend_schema(request=CaseCloseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a planned case with the score after and the outcome."""
        return self.step(request, case_close, CaseCloseSerializer)

    @extend_schema(request=CaseReferralSerializer, responses={201: CaseReferralSerializer})
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Refer an open case to another agency."""
        require_perm(request.user, "services.add_casereferral")
        case = self.get_object()
        data = valid(CaseReferralSerializer, request)
        referral = ruled(case_refer, case=case, **data)
        return Response(CaseReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=CaseFollowUpSerializer(many=True))
    @extend_schema(methods=["POST"], request=CaseFollowUpSerializer, responses={201: CaseFollowUpSerializer})
    @action(detail=True, methods=["get", "post"], url_path="follow-ups", pagination_class=None, filter_backends=[])
    def follow_ups(self, request, pk=None):
        """The case's follow-ups in date order; POST records one (the case needs a plan, and stays open)."""
        if request.method == "POST":
            require_perm(request.user, "services.add_casefollowup")
        case = self.get_object()
        if request.method == "GET":
            follow_ups = (
                CaseFollowUp.objects.visible_to(request.user)
                .filter(case=case)
                .select_related("worker")
                .order_by("date", "pk")
            )
            return Response(CaseFollowUpSerializer(follow_ups, many=True).data)
        serializer = CaseFollowUpSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        follow_up = ruled(case_follow_up, case=case, **serializer.validated_data)
        return Response(CaseFollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)


# --- focus problems ----------------------------------------------------------------------------------


class FocusProblemViewSet(ScopedModelViewSet):
    """Community focus problems of the stations in the caller's scope: reported, worked on, solved."""

    queryset = FocusProblem.objects.select_related("station", "community")
    serializer_class = FocusProblemSerializer
    filterset_class = FocusProblemFilter
    search_fields = ["title", "description"]
    ordering_fields = ["reported_on", "solved_on", "status"]
    ordering = ["-reported_on", "-pk"]
    action_perms = {"advance": "change"}

    def perform_create(self, serializer):
        with transaction.atomic():
            assert_in_scope(self.request.user, serializer.save(created_by=self.request.user))

    @extend_schema(request=FocusProblemAdvanceSerializer, responses=FocusProblemSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move the problem one step: reported -> in progress -> solved (with the day it was solved)."""
        problem = self.get_object()
        data = valid(FocusProblemAdvanceSerializer, request)
        ruled(focus_problem_advance, problem=problem, **data)
        return Response(FocusProblemSerializer(self.get_object(), context=self.get_serializer_context()).data)


# --- policies ----------------------------------------------------------------------------------------


@extend_schema_view(history=extend_schema(responses=ServicePolicyChangeSerializer(many=True)))
class ServicePolicyViewSet(RegionPolicyViewSet):
    """Service policies a station in scope may fall under; changed only by officials of that region or above."""

    queryset = ServicePolicy.objects.select_related("region")
    serializer_class = ServicePolicySerializer
    filterset_class = ServicePolicyFilter
    change_serializer_class = ServicePolicyChangeSerializer


# --- station figures ---------------------------------------------------------------------------------


class StationPortfolioView(StationFigureView):
    @extend_schema(parameters=[PortfolioQuerySerializer], responses=PortfolioSerializer)
    def get(self, request, pk):
        """The station's "123X" portfolio of a year: valid or not, counts per category, and each problem."""
        station = self.station(pk)
        year = self.query(PortfolioQuerySerializer).get("year") or self.default_day(station, timezone.localdate()).year
        self.require_in_reach(station, date(year, 1, 1))
        return Response(PortfolioSerializer(portfolio_check(station=station, year=year)).data)


class StationVisitRateView(StationFigureView):
    @extend_schema(parameters=[VisitRateQuerySerializer], responses=VisitRateSerializer)
    def get(self, request, pk):
        """Key targets of a month, how many were visited, and the rate (two places; null without key targets)."""
        station = self.station(pk)
        month = self.query(VisitRateQuerySerializer).get("month") or self.default_day(station, timezone.localdate())
        self.require_in_reach(station, month)
        return Response(VisitRateSerializer(visit_rate(station=station, month=month)).data)
