"""The dashboard pages in the permission matrix (tests/matrix.py): the dashboard, the township ranking, their exports.

Officials reach the dashboard of their region and below (a region above or beside theirs: 404); station staff get
their station's and no region's (404); evaluators have no dashboard (403). The ranking is of a county or above: the
township official's T1 sees no county (A1 is above it: 404).
"""

from django.utils import timezone

from config.periods import QUARTER, current_period
from tests.matrix import Endpoint, register_pages, statuses


def quarter(w) -> str:
    return current_period(QUARTER, today=timezone.localdate()).key


def region(w, key: str) -> int:
    return w.regions[key].pk


def page(name, url, expect, covers):
    return Endpoint(name, "get", url, expect, covers)


OWN = statuses(200, anonymous=302, evaluator=403)
# A1 (county of S1): the city's and the county's official and the administrator; the rest see it not.
COUNTY = statuses(200, anonymous=302, evaluator=403, township=404, manager=404, worker=404, outsider=404)

register_pages(
    page("dashboard-own", lambda w: "/reports/dashboard/", OWN, "reports:dashboard"),
    page(
        "dashboard-township",
        lambda w: f"/reports/dashboard/?region={region(w, 'T1')}",
        statuses(200, anonymous=302, evaluator=403, manager=404, worker=404, outsider=404),
        "reports:dashboard",
    ),
    page("dashboard-bad-period", lambda w: "/reports/dashboard/?period=2026-13", OWN, "reports:dashboard"),
    page(
        "dashboard-export-county",
        lambda w: f"/reports/dashboard/export/?region={region(w, 'A1')}",
        COUNTY,
        "reports:dashboard-export",
    ),
    page(
        "dashboard-export-bad-period",
        lambda w: "/reports/dashboard/export/?period=2026-Q5",
        statuses(400, anonymous=302, evaluator=403),
        "reports:dashboard-export",
    ),
    page(
        "ranking-county",
        lambda w: f"/reports/ranking/?region={region(w, 'A1')}&period={quarter(w)}&rank_by=visits.rate",
        COUNTY,
        "reports:ranking",
    ),
    page("ranking-own", lambda w: "/reports/ranking/", OWN, "reports:ranking"),
    page(
        "ranking-export-county",
        lambda w: f"/reports/ranking/export/?region={region(w, 'A1')}&period={quarter(w)}",
        COUNTY,
        "reports:ranking-export",
    ),
)
