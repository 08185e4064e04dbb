"""The report archive in the permission matrix (tests/matrix.py): the place lookup and the archive's filters.

Targets: station S1 and its township T1 (马桥街道), and the matrix's station-profile report of S1. Every role with a
scope finds them by typing (the evaluator through its assignment of S1); city B's official never does. A request
typed without JavaScript names S1 whole: in scope it is the existing report (302 to it); for the outsider it names no
station in reach (302 back to the form, nothing asked); evaluators ask for no report (403).
"""

from tests.matrix import Endpoint, register_api, register_pages, s1, statuses


def a1(w):
    return w.regions["A1"].pk


register_api(
    Endpoint(
        "place-lookup-stations",
        "get",
        lambda w: "/api/v1/lookup/places/?q=马桥街道社会",
        statuses(200),
        covers="api:place-lookup",
        listed=lambda w: f"station:{s1(w)}",
    ),
    Endpoint(
        "place-lookup-regions",
        "get",
        lambda w: "/api/v1/lookup/places/?q=马桥&kind=region",
        statuses(200),
        covers="api:place-lookup",
        listed=lambda w: f"region:{w.regions['T1'].pk}",
    ),
    Endpoint(
        "place-lookup-bad-kind",
        "get",
        lambda w: "/api/v1/lookup/places/?q=马桥&kind=village",
        statuses(400),
        covers="api:place-lookup",
    ),
    Endpoint(
        "report-list-within-region",
        "get",
        lambda w: f"/api/v1/reports/?within={a1(w)}",
        statuses(200),
        covers="api:report-list",
        listed=lambda w: w.extra["report"].pk,
    ),
    Endpoint(
        "report-list-bad-period",
        "get",
        lambda w: "/api/v1/reports/?period=2026-13",
        statuses(400),
        covers="api:report-list",
    ),
)


def page(name, method, url, expect, covers, data=None):
    return Endpoint(name, method, url, expect, covers, data=data)


register_pages(
    page(
        "report-list-filtered",
        "get",
        lambda w: f"/reports/?within={a1(w)}&kind=station_profile&place=%E9%A9%AC%E6%A1%A5",
        statuses(200, anonymous=302),
        "reports:list",
    ),
    page(
        "report-list-bad-period",
        "get",
        lambda w: "/reports/?period=2026-Q5",
        statuses(200, anonymous=302),
        "reports:list",
    ),
    page(
        "report-request-typed",
        "post",
        lambda w: "/reports/request/",
        statuses(302, anonymous=302, evaluator=403),
        "reports:request",
        data=lambda w: {"kind": "station_profile", "station_text": w.stations["S1"].name},
    ),
)
