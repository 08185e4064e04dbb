from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import OperatingContract, Organization, Region, StandardItem, Station, StationStandard


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "credit_code", "registration_level", "rating", "region"]
    list_filter = ["kind", "rating", "registration_level"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


class ContractInline(admin.TabularInline):
    model = OperatingContract
    extra = 0
    autocomplete_fields = ["operator"]


class StandardInline(admin.TabularInline):
    model = StationStandard
    extra = 0
    exclude = ["updated_by"]


@admin.register(Station)
class StationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "township", "status", "site_area_m2", "opened_on"]
    list_filter = ["status"]
    search_fields = ["name", "address", "township__name"]
    autocomplete_fields = ["township", "communities", "supervisor"]
    list_select_related = ["township"]
    inlines = [ContractInline, StandardInline]


@admin.register(OperatingContract)
class OperatingContractAdmin(SimpleHistoryAdmin):
    list_display = ["station", "operator", "start_on", "end_on", "amount", "procurement_method"]
    list_filter = ["procurement_method"]
    search_fields = ["station__name", "operator__name"]
    autocomplete_fields = ["station", "operator"]
    list_select_related = ["station", "operator"]


@admin.register(StandardItem)
class StandardItemAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name", "active"]
    list_editable = ["active"]
