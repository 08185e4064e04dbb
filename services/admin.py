from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

# Beneficiaries are not in the admin site: their whole ID numbers are shown only through the logged endpoint.
from .models import (
    BeneficiaryIdNumberView,
    CatalogCategory,
    CatalogItem,
    CatalogSubItem,
    ServicePolicy,
    TargetGroup,
)


class CatalogSubItemInline(admin.TabularInline):
    model = CatalogSubItem
    extra = 0


class CatalogItemInline(admin.TabularInline):
    model = CatalogItem
    extra = 0


@admin.register(CatalogCategory)
class CatalogCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    inlines = [CatalogSubItemInline]


@admin.register(CatalogSubItem)
class CatalogSubItemAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "order"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name"]
    inlines = [CatalogItemInline]


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ["name", "sub_item", "order"]
    list_filter = ["sub_item__category"]
    list_select_related = ["sub_item"]
    search_fields = ["name", "sub_item__name"]


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]


@admin.register(ServicePolicy)
class ServicePolicyAdmin(SimpleHistoryAdmin):
    list_display = ["region", "year", "empowerment_governance_communities_min", "key_target_visit_goal"]
    list_filter = ["year"]
    search_fields = ["region__name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


@admin.register(BeneficiaryIdNumberView)
class BeneficiaryIdNumberViewAdmin(admin.ModelAdmin):
    """The audit log of whole-ID views: read only."""

    list_display = ["viewed_at", "viewer", "beneficiary", "reason"]
    list_filter = ["reason"]
    list_select_related = ["viewer", "beneficiary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
