"""API tokens (django-rest-knox): issued at sign-in, expiring, revoked with the password or the account.

Knox stores only a digest of each token, keeps one token per signed-in client (so signing out one
device leaves the others) and refreshes a token's expiry when it is used: ``TOKEN_IDLE_DAYS`` after the
last use, never later than ``TOKEN_MAX_DAYS`` after the sign-in (``REST_KNOX`` in settings).
"""

from django.conf import settings
from knox.models import AuthToken


def token_issue(*, user) -> str:
    """A new token for ``user`` (returned once, in clear: only its digest is stored).

    Beyond ``TOKEN_LIMIT_PER_USER`` live tokens, the oldest are dropped, so repeated sign-ins
    from scripts cannot pile tokens up without bound.
    """
    _instance, token = AuthToken.objects.create(user=user)
    stale = (
        AuthToken.objects.filter(user=user)
        .order_by("-created")
        .values_list("pk", flat=True)[settings.TOKEN_LIMIT_PER_USER :]
    )
    AuthToken.objects.filter(pk__in=list(stale)).delete()
    return token


def tokens_revoke(*, user) -> int:
    """Sign ``user`` out of the API everywhere: every token they hold stops working. Returns how many."""
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    return deleted
