from django.contrib import admin
from django.urls import include, path, register_converter

from config.filters import IdConverter
from stations.views import HomeView

register_converter(IdConverter, "id")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include("stations.urls")),
    path("accounts/", include("accounts.urls")),
    path("reports/", include("reports.urls")),
    path("staffing/", include("staffing.urls")),
    path("services/", include("services.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("funding/", include("funding.urls")),
    path("api/v1/", include("config.api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
