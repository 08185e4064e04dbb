from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User

admin.site.site_header = _("Township Social Work Station Portal · administration")
admin.site.site_title = _("Township Social Work Station Portal")
admin.site.index_title = _("Platform administration")


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "role", "region", "station", "organization", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "phone"]
    list_select_related = ["region", "station", "organization"]
    autocomplete_fields = ["region", "station", "organization"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "email")}),
        (_("Role and scope"), {"fields": ("role", "region", "station", "organization")}),
        (_("Status"), {"fields": ("is_active", "user_permissions", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Role and scope"), {"fields": ("full_name", "role", "region", "station", "organization")}),
    )
