"""The dashboard API in the permission matrix (tests/matrix.py).

Officials and station staff read it (their region, their station); evaluators have no dashboard (403). A region
asked for by id must be in the caller's reach: county A1 is, for the admin and the officials of city A and county A1;
for T1's official (A1 lies above), the station staff and city B's official it is a 404.
"""

from tests.matrix import Endpoint, register_api, statuses

register_api(
    Endpoint(
        "dashboard-own",
        "get",
        lambda w: "/api/v1/dashboard/",
        statuses(200, evaluator=403),
        covers="api:dashboard",
    ),
    Endpoint(
        "dashboard-county",
        "get",
        lambda w: f"/api/v1/dashboard/?region={w.regions['A1'].pk}&period=2026-Q3&rank_by=visits.rate",
        statuses(200, township=404, manager=404, worker=404, evaluator=403, outsider=404),
        covers="api:dashboard",
    ),
    Endpoint(
        "dashboard-bad-period",
        "get",
        lambda w: "/api/v1/dashboard/?period=2026-13",
        statuses(400, evaluator=403),
        covers="api:dashboard",
    ),
)
