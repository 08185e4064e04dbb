from django.urls import path

from . import views

app_name = "stations"
urlpatterns = [
    path("stations/", views.StationListView.as_view(), name="list"),
    path("stations/new/", views.StationCreateView.as_view(), name="create"),
    path("stations/<id:pk>/", views.StationDetailView.as_view(), name="detail"),
    path("stations/<id:pk>/edit/", views.StationUpdateView.as_view(), name="update"),
    path("stations/<id:pk>/checklist/", views.StationChecklistView.as_view(), name="checklist"),
    path("stations/<id:pk>/contracts/new/", views.ContractCreateView.as_view(), name="contract_create"),
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("contracts/<id:pk>/edit/", views.ContractUpdateView.as_view(), name="contract_update"),
    path("organisations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("organisations/new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("organisations/<id:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("organisations/<id:pk>/edit/", views.OrganizationUpdateView.as_view(), name="organization_update"),
]
