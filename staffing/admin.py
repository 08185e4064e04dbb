from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import StaffingPolicy


@admin.register(StaffingPolicy)
class StaffingPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["region", "year", "full_time_min", "certified_min", "volunteers_min", "prior_year_average_wage"]
    list_filter = ["year"]
    search_fields = ["region__name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
