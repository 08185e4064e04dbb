from django.urls import path

from . import views

app_name = "staffing"
urlpatterns = [
    path("stations/<id:pk>/roster/", views.RosterView.as_view(), name="roster"),
    path("stations/<id:pk>/roster/export/", views.RosterExportView.as_view(), name="roster_export"),
    path("stations/<id:pk>/roster/import/", views.RosterImportView.as_view(), name="roster_import"),
    path("roster-template/", views.RosterTemplateView.as_view(), name="roster_template"),
    path("stations/<id:pk>/history/", views.StaffHistoryView.as_view(), name="history"),
    path("stations/<id:pk>/staff/new/", views.StaffCreateView.as_view(), name="staff_create"),
    path("staff/<id:pk>/edit/", views.StaffUpdateView.as_view(), name="staff_update"),
    path("staff/<id:pk>/id-number/", views.StaffIdNumberView.as_view(), name="staff_id_number"),
    path("stations/<id:pk>/volunteers/", views.VolunteerListView.as_view(), name="volunteers"),
    path("stations/<id:pk>/volunteers/hours/", views.VolunteerHoursAddView.as_view(), name="volunteer_hours_add"),
    path("stations/<id:pk>/volunteers/new/", views.VolunteerCreateView.as_view(), name="volunteer_create"),
    path("volunteers/<id:pk>/edit/", views.VolunteerUpdateView.as_view(), name="volunteer_update"),
    path("volunteers/<id:pk>/id-number/", views.VolunteerIdNumberView.as_view(), name="volunteer_id_number"),
    path("policies/", views.PolicyListView.as_view(), name="policies"),
    path("policies/new/", views.PolicyCreateView.as_view(), name="policy_create"),
    path("policies/<id:pk>/edit/", views.PolicyUpdateView.as_view(), name="policy_update"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("compliance/export/", views.ComplianceExportView.as_view(), name="compliance_export"),
]
