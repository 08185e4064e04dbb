"""The API's one permission check: the caller's role must hold the model permission the request needs.

Which objects the caller reaches is the queryset's business (``ScopedViewSet``); this class only
answers "may this role do this kind of thing at all".
"""

from rest_framework.permissions import BasePermission

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def model_perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class RolePermission(BasePermission):
    """Authenticated, and holding ``<app>.<action>_<model>`` for the view's model.

    A view may name the permissions of its own actions in ``action_perms`` (``{"download": "view"}``)
    or point at another model with ``perm_model``.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        model = getattr(view, "perm_model", None) or getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            return True
        action = getattr(view, "action_perms", {}).get(getattr(view, "action", None)) or METHOD_ACTIONS.get(
            request.method, "view"
        )
        return user.has_perm(model_perm(model, action))
