"""Where a request comes from: the one answer the sign-in lockout (django-axes) and the throttles use."""

from ipaddress import ip_address

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP address, trusting exactly ``TRUSTED_PROXY_COUNT`` reverse proxies in front of the portal.

    With none (the default) it is ``REMOTE_ADDR``, whatever ``X-Forwarded-For`` says. With n proxies, each
    appends the address it received the request from, so the n-th entry from the end of ``X-Forwarded-For``
    was written by the outermost trusted proxy; everything before it came from the client and is ignored.
    A header too short for that (the request did not pass all proxies) or an entry that is not an address
    falls back to ``REMOTE_ADDR``. Accepts a Django ``HttpRequest`` or a DRF ``Request``.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    entries = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) < count:
        return remote
    return _valid(entries[-count]) or remote
