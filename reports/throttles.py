"""How often one user may rebuild reports: ``report_rebuild`` in ``DEFAULT_THROTTLE_RATES`` (a few a minute).

A rebuild renders a whole PDF again; the same throttle serves the API and the request page, counted per user.
"""

from rest_framework.throttling import UserRateThrottle


class ReportRebuildThrottle(UserRateThrottle):
    scope = "report_rebuild"


def rebuild_wait(request, view) -> float | None:
    """``None`` if ``request``'s user may rebuild now (and count this one), else the seconds to wait."""
    throttle = ReportRebuildThrottle()
    if throttle.allow_request(request, view):
        return None
    return throttle.wait() or 0.0
