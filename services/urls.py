from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("stations/<id:pk>/log/", views.ServiceLogView.as_view(), name="log"),
    path("stations/<id:pk>/beneficiaries/lookup/", views.BeneficiaryLookupView.as_view(), name="beneficiary_lookup"),
    path("stations/<id:pk>/records/", views.RecordListView.as_view(), name="records"),
    path("stations/<id:pk>/records/export/", views.RecordExportView.as_view(), name="records_export"),
    path("records/<id:pk>/", views.RecordDetailView.as_view(), name="record_detail"),
    path("records/<id:pk>/edit/", views.RecordUpdateView.as_view(), name="record_update"),
    path("records/<id:pk>/attachments/", views.AttachmentAddView.as_view(), name="attachment_add"),
    path("attachments/<id:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("stations/<id:pk>/portfolio/", views.PortfolioView.as_view(), name="portfolio"),
    path("stations/<id:pk>/projects/new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<id:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<id:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_update"),
    path("projects/<id:pk>/advance/", views.ProjectAdvanceView.as_view(), name="project_advance"),
    path("stations/<id:pk>/beneficiaries/", views.BeneficiaryListView.as_view(), name="beneficiaries"),
    path("stations/<id:pk>/beneficiaries/new/", views.BeneficiaryCreateView.as_view(), name="beneficiary_create"),
    path("beneficiaries/<id:pk>/edit/", views.BeneficiaryUpdateView.as_view(), name="beneficiary_update"),
    path("beneficiaries/<id:pk>/id-number/", views.BeneficiaryIdNumberView.as_view(), name="beneficiary_id_number"),
    path("stations/<id:pk>/visits/", views.VisitsView.as_view(), name="visits"),
    path("stations/<id:pk>/cases/", views.CaseListView.as_view(), name="cases"),
    path("stations/<id:pk>/cases/new/", views.CaseCreateView.as_view(), name="case_create"),
    path("cases/<id:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<id:pk>/<slug:step>/", views.CaseStepView.as_view(), name="case_step"),
    path("stations/<id:pk>/focus-problems/", views.FocusProblemListView.as_view(), name="focus_problems"),
    path("focus-problems/<id:pk>/advance/", views.FocusProblemAdvanceView.as_view(), name="focus_problem_advance"),
]
