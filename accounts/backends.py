from django.contrib.auth.backends import ModelBackend

from .choices import Role
from .roles import role_permissions


class RoleBackend(ModelBackend):
    """Password authentication, plus the permissions of the user's role (``roles.py``).

    The administrator role holds every permission; the others hold their role's set and any
    permission granted to them individually.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = set(role_permissions(user_obj.role)) | super().get_all_permissions(user_obj)
        return user_obj._role_perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_active and getattr(user_obj, "role", None) == Role.ADMIN:
            return True
        return perm in self.get_all_permissions(user_obj, obj)
