from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["kind", "station", "region", "period", "status", "requested_by", "requested_at", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["station__name", "region__name", "period"]
    list_select_related = ["station", "region", "requested_by"]
    readonly_fields = ["scope_key", "started_at", "finished_at", "attempts"]
