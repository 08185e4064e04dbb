from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("request/", views.ReportRequestView.as_view(), name="request"),
    path("evaluation/<id:pk>/", views.EvaluationReportRequestView.as_view(), name="evaluation"),
    path("<id:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<id:pk>/download/", views.ReportDownloadView.as_view(), name="download"),
]
