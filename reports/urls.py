from django.urls import path

from . import batch_views, dashboard_pages, views

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("request/", views.ReportRequestView.as_view(), name="request"),
    path("evaluation/<id:pk>/", views.EvaluationReportRequestView.as_view(), name="evaluation"),
    path("dashboard/", dashboard_pages.DashboardView.as_view(), name="dashboard"),
    path("dashboard/export/", dashboard_pages.DashboardExportView.as_view(), name="dashboard-export"),
    path("ranking/", dashboard_pages.RankingView.as_view(), name="ranking"),
    path("ranking/export/", dashboard_pages.RankingExportView.as_view(), name="ranking-export"),
    path("<id:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<id:pk>/download/", views.ReportDownloadView.as_view(), name="download"),
    path("batches/", batch_views.BatchListView.as_view(), name="batch-list"),
    path("batches/start/", batch_views.BatchStartView.as_view(), name="batch-start"),
    path("batches/<id:pk>/", batch_views.BatchDetailView.as_view(), name="batch-detail"),
    path("batches/<id:pk>/retry/", batch_views.BatchRetryView.as_view(), name="batch-retry"),
]
