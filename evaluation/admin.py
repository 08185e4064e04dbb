from django.contrib import admin

from .models import Assignment


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["agency", "year", "stage", "title", "starts_on", "ends_on"]
    list_filter = ["year", "stage"]
    search_fields = ["agency__name", "title"]
    autocomplete_fields = ["agency", "stations"]
    list_select_related = ["agency"]
