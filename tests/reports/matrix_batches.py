"""The report batches in the permission matrix (tests/matrix.py): their API, their pages and the retry.

Target: a monthly batch of township T1 (made on first use; it has no job, so a retry changes nothing). Officials
whose region covers T1 (city, county, township) and the administrator see it; city B's official has the right but
not the place (404); station staff and evaluators have no right to batches (403). Retrying needs the retry right:
the administrator and city and county officials (one role); the township official is refused (403).
"""

from reports.models import ReportBatch
from tests.matrix import Endpoint, only, register_api, register_pages

SEE = ["admin", "city", "county", "township"]


def batch(w) -> int:
    township = w.regions["T1"]
    found = ReportBatch.objects.filter(kind="monthly", period="2026-01", scope_key=f"region:{township.pk}").first()
    return (found or ReportBatch.objects.create(kind="monthly", period="2026-01", region=township, trigger="matrix")).pk


register_api(
    Endpoint(
        "report-batch-list",
        "get",
        lambda w: f"/api/v1/report-batches/?made={batch(w)}",
        only(SEE + ["outsider"], 200, 403),
        covers="api:report-batch-list",
        listed=batch,
    ),
    Endpoint(
        "report-batch-detail",
        "get",
        lambda w: f"/api/v1/report-batches/{batch(w)}/",
        only(SEE, 200, 403, outsider=404),
        covers="api:report-batch-detail",
    ),
)

register_pages(
    Endpoint(
        "batch-list",
        "get",
        lambda w: f"/reports/batches/?made={batch(w)}",
        only(SEE + ["outsider"], 200, 403, anonymous=302),
        covers="reports:batch-list",
    ),
    Endpoint(
        "batch-detail",
        "get",
        lambda w: f"/reports/batches/{batch(w)}/",
        only(SEE, 200, 403, anonymous=302, outsider=404),
        covers="reports:batch-detail",
    ),
    Endpoint(
        "batch-retry",
        "post",
        lambda w: f"/reports/batches/{batch(w)}/retry/",
        only(["admin", "city", "county"], 302, 403, anonymous=302, outsider=404),
        covers="reports:batch-retry",
    ),
    Endpoint(
        "batch-start",
        "post",
        lambda w: "/reports/batches/start/",
        only(["admin", "city", "county", "outsider"], 302, 403, anonymous=302),
        covers="reports:batch-start",
        data=lambda w: {"kind": "quarterly", "period": "2026-Q3"},
    ),
    Endpoint(
        "batch-start-bad-period",
        "post",
        lambda w: "/reports/batches/start/",
        only(["admin", "city", "county", "outsider"], 400, 403, anonymous=302),
        covers="reports:batch-start",
        data=lambda w: {"kind": "quarterly", "period": "2026-Q5"},
    ),
)
