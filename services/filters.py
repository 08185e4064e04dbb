"""Filters of the services records, shared by the API (and the pages that want the same questions)."""

import django_filters

from config.filters import IdFilter

from .choices import CaseStatus, FocusProblemStatus, ProjectCategory, ProjectStage, ProjectSubtype, ServiceKind
from .models import Beneficiary, Case, CatalogItem, FocusProblem, Project, ServicePolicy, ServiceRecord

YEAR = {"min_value": 2000, "max_value": 2100}


class ProjectFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    year = django_filters.NumberFilter(**YEAR)
    category = django_filters.MultipleChoiceFilter(choices=ProjectCategory.choices)
    subtype = django_filters.MultipleChoiceFilter(choices=ProjectSubtype.choices)
    stage = django_filters.MultipleChoiceFilter(choices=ProjectStage.choices)
    community = IdFilter(field_name="communities", distinct=True)
    catalog_item = IdFilter(field_name="catalog_items", distinct=True)

    class Meta:
        model = Project
        fields = ["station", "year", "category", "subtype", "stage"]


class CatalogItemFilter(django_filters.FilterSet):
    sub_item = IdFilter(field_name="sub_item_id")
    category = django_filters.CharFilter(field_name="sub_item__category__code", max_length=40)

    class Meta:
        model = CatalogItem
        fields = ["sub_item", "category"]


class BeneficiaryFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    community = IdFilter(field_name="community_id")
    target_group = django_filters.CharFilter(field_name="target_groups__code", max_length=40, distinct=True)
    registered_after = django_filters.DateFilter(field_name="registered_on", lookup_expr="gte")
    registered_before = django_filters.DateFilter(field_name="registered_on", lookup_expr="lte")

    class Meta:
        model = Beneficiary
        fields = ["station", "community", "key_target", "active", "gender"]


class ServiceRecordFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    project = IdFilter(field_name="project_id")
    kind = django_filters.MultipleChoiceFilter(choices=ServiceKind.choices)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    beneficiary = IdFilter(field_name="beneficiaries")
    staff = IdFilter(field_name="staff")
    volunteer = IdFilter(field_name="volunteers__volunteer_id")

    class Meta:
        model = ServiceRecord
        fields = ["station", "project", "kind"]


class CaseFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    beneficiary = IdFilter(field_name="beneficiary_id")
    worker = IdFilter(field_name="worker_id")
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    opened_after = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_before = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte")

    class Meta:
        model = Case
        fields = ["station", "beneficiary", "worker", "status"]


class FocusProblemFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    community = IdFilter(field_name="community_id")
    status = django_filters.MultipleChoiceFilter(choices=FocusProblemStatus.choices)
    reported_after = django_filters.DateFilter(field_name="reported_on", lookup_expr="gte")
    reported_before = django_filters.DateFilter(field_name="reported_on", lookup_expr="lte")

    class Meta:
        model = FocusProblem
        fields = ["station", "community", "status"]


class ServicePolicyFilter(django_filters.FilterSet):
    region = IdFilter(field_name="region_id")
    year = django_filters.NumberFilter(**YEAR)

    class Meta:
        model = ServicePolicy
        fields = ["region", "year"]
