"""The funding records in the admin site: read and searched there, changed only through the portal's rules (the
history of every change is kept by simple-history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Budget, BudgetLineAmount, BudgetSourceAmount, Disbursement, Expenditure, FundingPolicy


@admin.register(FundingPolicy)
class FundingPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["region", "year", "city_share", "township_cap", "personnel_max_share"]
    list_filter = ["year"]
    search_fields = ["region__name"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLineAmount
    extra = 0


class BudgetSourceInline(admin.TabularInline):
    model = BudgetSourceAmount
    extra = 0


@admin.register(Budget)
class BudgetAdmin(SimpleHistoryAdmin):
    list_display = ["station", "year", "version", "status", "updated_at"]
    list_filter = ["status", "year"]
    search_fields = ["station__name"]
    raw_id_fields = ["station"]
    inlines = [BudgetLineInline, BudgetSourceInline]


@admin.register(Expenditure)
class ExpenditureAdmin(SimpleHistoryAdmin):
    list_display = ["station", "date", "line", "source", "amount", "payee"]
    list_filter = ["line", "source"]
    search_fields = ["station__name", "payee", "description"]
    raw_id_fields = ["station"]
    date_hierarchy = "date"


@admin.register(Disbursement)
class DisbursementAdmin(SimpleHistoryAdmin):
    list_display = ["township", "year", "date", "amount", "reference", "approver"]
    list_filter = ["year"]
    search_fields = ["township__name", "reference"]
    raw_id_fields = ["township", "reverses"]
