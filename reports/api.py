from django.http import FileResponse
from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.viewsets import ScopedViewSetMixin

from .dashboard import dashboard
from .dashboard_serializers import DashboardQuerySerializer, DashboardSerializer, dashboard_data
from .filters import ReportFilter
from .lookup import PlaceLookupView
from .models import Report, StationMonth
from .serializers import ReportRequestSerializer, ReportSerializer
from .services import BrokerUnavailable, report_request
from .throttles import rebuild_wait


class ReportQueueUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _(
        "Reports cannot be prepared right now: the task queue is unreachable. Please ask for the report again "
        "in a few minutes."
    )
    default_code = "report_queue_unavailable"


class ReportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Report jobs in the caller's scope: ask for one, follow its status, download its PDF."""

    queryset = Report.objects.select_related("station", "region")
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    ordering_fields = ["requested_at", "finished_at"]
    ordering = ["-requested_at"]
    action_perms = {"download": "view"}

    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            202: ReportSerializer,
            429: OpenApiResponse(description="Too many rebuilds in a minute"),
            503: OpenApiResponse(description="The task queue is unreachable; the job was failed"),
        },
    )
    def create(self, request):
        """Ask for a report; the same report asked again is the same job unless ``rebuild`` is true."""
        serializer = ReportRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["rebuild"] and (wait := rebuild_wait(request, self)) is not None:
            raise Throttled(wait)
        report, _queued = report_request(
            user=request.user,
            kind=data["kind"],
            station=data.get("station"),
            region=data.get("region"),
            evaluation=data.get("evaluation"),
            period=data.get("period", ""),
            rebuild=data["rebuild"],
        )
        report.refresh_from_db()
        return Response(
            ReportSerializer(report, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    def handle_exception(self, exc):
        # Raised when the job's commit hands it to the broker, after the view returned: answered here.
        if isinstance(exc, BrokerUnavailable):
            exc = ReportQueueUnavailable()
        return super().handle_exception(exc)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The PDF")})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        report = self.get_object()
        if not report.file:
            raise NotFound()
        return FileResponse(report.file.open("rb"), as_attachment=True, filename=report_download_name(report))


def report_download_name(report: Report) -> str:
    subject = report.station or report.region
    return f"{subject}-{report.get_kind_display()}{'-' + report.period if report.period else ''}.pdf"


class DashboardView(APIView):
    """The figures of a region (or of the caller's station) for a month, quarter or year, read from the rollups,
    with those of the period before and one ranked row per child region (per station under a township)."""

    perm_model = StationMonth  # reports.view_stationmonth: officials and station staff

    @extend_schema(
        parameters=[DashboardQuerySerializer],
        responses={
            200: DashboardSerializer,
            400: OpenApiResponse(description="A period that does not exist or has not begun, or an unknown figure"),
            404: OpenApiResponse(description="No region in the caller's reach has this id"),
        },
    )
    def get(self, request):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        board = dashboard(
            request.user,
            period=query.validated_data["period"],
            region_id=query.validated_data.get("region"),
            rank_by=query.validated_data["rank_by"],
        )
        return Response(dashboard_data(board))


# ``config/api.py`` registers these; the place search boxes of the report archive (and any page) ask this one.
PATHS = [
    re_path(r"^lookup/places/$", PlaceLookupView.as_view(), name="place-lookup"),
    re_path(r"^dashboard/$", DashboardView.as_view(), name="dashboard"),
]
