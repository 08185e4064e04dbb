"""The API's routes, all under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import LogoutAllView, LogoutView, MeView, TokenView
from evaluation import api as evaluation_api
from funding import api as funding_api
from reports import api as reports_api
from reports import batch_api
from reports.api import ReportViewSet
from services.api import (
    BeneficiaryViewSet,
    CaseViewSet,
    CatalogItemViewSet,
    FocusProblemViewSet,
    ProjectViewSet,
    ServicePolicyViewSet,
    ServiceRecordViewSet,
    StationPortfolioView,
    StationVisitRateView,
    TargetGroupViewSet,
)
from staffing.api import (
    StaffingPolicyViewSet,
    StaffMemberViewSet,
    StationComplianceView,
    StationSupervisorViewSet,
    StationTurnoverView,
    SupervisionVisitViewSet,
    TrainingSessionViewSet,
    VolunteerHoursViewSet,
    VolunteerViewSet,
)
from stations.api import (
    ContractViewSet,
    OrganizationViewSet,
    RegionViewSet,
    StationStandardViewSet,
    StationViewSet,
)

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("stations", StationViewSet, basename="station")
router.register("contracts", ContractViewSet, basename="contract")
router.register("station-standards", StationStandardViewSet, basename="station-standard")
router.register("reports", ReportViewSet, basename="report")
router.register("staff", StaffMemberViewSet, basename="staff")
router.register("volunteers", VolunteerViewSet, basename="volunteer")
router.register("volunteer-hours", VolunteerHoursViewSet, basename="volunteer-hours")
router.register("trainings", TrainingSessionViewSet, basename="training")
router.register("supervisions", SupervisionVisitViewSet, basename="supervision")
router.register("station-supervisors", StationSupervisorViewSet, basename="station-supervisor")
router.register("staffing-policies", StaffingPolicyViewSet, basename="staffing-policy")
router.register("projects", ProjectViewSet, basename="project")
router.register("catalog-items", CatalogItemViewSet, basename="catalog-item")
router.register("target-groups", TargetGroupViewSet, basename="target-group")
router.register("beneficiaries", BeneficiaryViewSet, basename="beneficiary")
router.register("service-records", ServiceRecordViewSet, basename="service-record")
router.register("cases", CaseViewSet, basename="case")
router.register("focus-problems", FocusProblemViewSet, basename="focus-problem")
router.register("service-policies", ServicePolicyViewSet, basename="service-policy")
for prefix, viewset, basename in evaluation_api.ROUTES + funding_api.ROUTES + batch_api.ROUTES:
    router.register(prefix, viewset, basename=basename)

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="logout-all"),
    path("users/me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the Content Security Policy allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("stations/<id:pk>/compliance/", StationComplianceView.as_view(), name="station-compliance"),
    path("stations/<id:pk>/turnover/", StationTurnoverView.as_view(), name="station-turnover"),
    path("stations/<id:pk>/portfolio/", StationPortfolioView.as_view(), name="station-portfolio"),
    path("stations/<id:pk>/visit-rate/", StationVisitRateView.as_view(), name="station-visit-rate"),
    *evaluation_api.PATHS,
    *funding_api.PATHS,
    *reports_api.PATHS,
    path("", include(router.urls)),
]
