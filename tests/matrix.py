"""The permission matrix: every API endpoint and page, what every role gets from it.

Each app registers its endpoints here (``Endpoint(...)``, from ``tests/<app>/matrix_*.py``, which
``test_permission_matrix.py`` imports, so this registry never imports them back); that test runs
every endpoint for every role in ``conftest.ROLES`` and checks the status code, that a refused
write changed nothing, and that a list never shows the target to a role outside its scope.
``test_matrix_is_complete`` fails when a URL exists that no endpoint here covers.

Roles: ``anonymous``; ``admin``; ``city`` (city A), ``county`` (county A1), ``township`` (T1),
``manager`` and ``worker`` (station S1), ``evaluator`` (agency assigned S1, S2) all reach the
target S1; ``outsider`` (city official of city B) does not.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ALL = ["admin", "city", "county", "township", "manager", "worker", "evaluator", "outsider"]
IN_SCOPE = ["admin", "city", "county", "township", "manager", "worker", "evaluator"]


def statuses(default: int, anonymous: int = 401, **overrides: int) -> dict[str, int]:
    """Expected status per role: ``default`` unless overridden; anonymous gets 401 (API) or 302 (pages)."""
    table = {role: default for role in ALL}
    table["anonymous"] = anonymous
    table.update(overrides)
    return table


def only(roles: list[str], ok: int, other: int, anonymous: int = 401, **overrides: int) -> dict[str, int]:
    """``ok`` for the listed roles, ``other`` for the rest."""
    return statuses(other, anonymous, **{role: ok for role in roles}, **overrides)


@dataclass
class Endpoint:
    """One URL and method, as seen by every role.

    ``url`` and ``data`` take the world (see conftest); ``expect`` maps role -> status code;
    ``listed`` names the id (from the world) that must appear in a list response for roles
    with scope and never for the others; ``covers`` names the URL patterns this entry exercises.
    A page POST answered 200 is read as a form shown again (refused), unless ``shows`` says the
    page answers a successful POST with 200 (the whole-ID pages show the number, and log it).
    """

    name: str
    method: str
    url: Callable
    expect: dict[str, int]
    covers: str
    data: Callable | None = None
    listed: Callable | None = None
    page: bool = False
    multipart: bool = False
    shows: bool = False
    extra: dict = field(default_factory=dict)


def s1(w):
    return w.stations["S1"].pk


API: list[Endpoint] = []
PAGES: list[Endpoint] = []


def register_api(*endpoints: Endpoint) -> None:
    API.extend(endpoints)


def register_pages(*endpoints: Endpoint) -> None:
    PAGES.extend(endpoint.__class__(**{**endpoint.__dict__, "page": True}) for endpoint in endpoints)


# --- accounts -------------------------------------------------------------------------------------
register_api(
    Endpoint("me", "get", lambda w: "/api/v1/users/me/", statuses(200), covers="api:me"),
    Endpoint("api-root", "get", lambda w: "/api/v1/", statuses(200), covers="api:api-root"),
    Endpoint("logout", "post", lambda w: "/api/v1/auth/logout/", statuses(204), covers="api:logout"),
    Endpoint("logout-all", "post", lambda w: "/api/v1/auth/logout-all/", statuses(204), covers="api:logout-all"),
)

# --- stations -------------------------------------------------------------------------------------
VIEW_ROLES = IN_SCOPE
register_api(
    Endpoint(
        "region-list",
        "get",
        lambda w: "/api/v1/regions/",
        statuses(200),
        covers="api:region-list",
        listed=lambda w: w.regions["T1"].pk,
    ),
    Endpoint(
        "region-detail",
        "get",
        lambda w: f"/api/v1/regions/{w.regions['T1'].pk}/",
        statuses(200, outsider=404),
        covers="api:region-detail",
    ),
    Endpoint(
        "region-create",
        "post",
        lambda w: "/api/v1/regions/",
        only(["admin"], 201, 403),
        covers="api:region-list",
        data=lambda w: {"name": "新社区", "code": "330481004009", "level": "community", "parent": w.regions["T1"].pk},
    ),
    Endpoint(
        "region-update",
        "patch",
        lambda w: f"/api/v1/regions/{w.regions['C1'].pk}/",
        only(["admin"], 200, 403),
        covers="api:region-detail",
        data=lambda w: {"name": "利民新社区"},
    ),
    Endpoint(
        "region-delete",
        "delete",
        lambda w: f"/api/v1/regions/{w.regions['C1'].pk}/",
        only(["admin"], 204, 403),
        covers="api:region-detail",
    ),
    Endpoint(
        "organization-list",
        "get",
        lambda w: "/api/v1/organizations/",
        statuses(200),
        covers="api:organization-list",
        listed=lambda w: w.orgs["op"].pk,
    ),
    Endpoint(
        "organization-detail",
        "get",
        lambda w: f"/api/v1/organizations/{w.orgs['op'].pk}/",
        statuses(200, outsider=404),
        covers="api:organization-detail",
    ),
    Endpoint(
        "organization-create",
        "post",
        lambda w: "/api/v1/organizations/",
        only(["admin", "city", "county"], 201, 403, outsider=400),
        covers="api:organization-list",
        data=lambda w: {
            "name": "甲一县新运营机构",
            "kind": "operator",
            "credit_code": "52330481MJ0000001T",
            "rating": 3,
            "registration_level": "county",
            "region": w.regions["A1"].pk,
        },
    ),
    Endpoint(
        "organization-update",
        "patch",
        lambda w: f"/api/v1/organizations/{w.orgs['op'].pk}/",
        only(["admin", "city", "county"], 200, 403, outsider=404),
        covers="api:organization-detail",
        data=lambda w: {"rating": 5},
    ),
    Endpoint(
        "organization-delete",
        "delete",
        lambda w: f"/api/v1/organizations/{w.orgs['op'].pk}/",
        only(["admin"], 409, 403),
        covers="api:organization-detail",
    ),
    Endpoint("station-list", "get", lambda w: "/api/v1/stations/", statuses(200), covers="api:station-list", listed=s1),
    Endpoint(
        "station-detail",
        "get",
        lambda w: f"/api/v1/stations/{s1(w)}/",
        statuses(200, outsider=404),
        covers="api:station-detail",
    ),
    Endpoint(
        "station-create",
        "post",
        lambda w: "/api/v1/stations/",
        only(["admin", "city", "county"], 201, 403, outsider=400),
        covers="api:station-list",
        data=lambda w: {
            "name": "许村镇第二社会工作站",
            "township": w.regions["T2"].pk,
            "status": "planning",
            "site_area_m2": "520.00",
        },
    ),
    Endpoint(
        "station-update",
        "patch",
        lambda w: f"/api/v1/stations/{s1(w)}/",
        only(["admin", "city", "county", "manager"], 200, 403, outsider=404),
        covers="api:station-detail",
        data=lambda w: {"address": "马桥街道新址88号"},
    ),
    Endpoint(
        "station-delete",
        "delete",
        lambda w: f"/api/v1/stations/{w.stations['S2'].pk}/",
        only(["admin"], 204, 403),
        covers="api:station-detail",
    ),
    Endpoint(
        "contract-list",
        "get",
        lambda w: "/api/v1/contracts/",
        statuses(200),
        covers="api:contract-list",
        listed=lambda w: w.contracts["S1"].pk,
    ),
    Endpoint(
        "contract-detail",
        "get",
        lambda w: f"/api/v1/contracts/{w.contracts['S1'].pk}/",
        statuses(200, outsider=404),
        covers="api:contract-detail",
    ),
    Endpoint(
        "contract-create",
        "post",
        lambda w: "/api/v1/contracts/",
        only(["admin", "city", "county"], 201, 403, outsider=400),
        covers="api:contract-list",
        data=lambda w: {
            "station": s1(w),
            "operator": w.orgs["op"].pk,
            "start_on": "2027-01-01",
            "end_on": "2028-12-31",
            "amount": "900000.00",
            "procurement_method": "public_tender",
        },
    ),
    Endpoint(
        "contract-update",
        "patch",
        lambda w: f"/api/v1/contracts/{w.contracts['S1'].pk}/",
        only(["admin", "city", "county"], 200, 403, outsider=404),
        covers="api:contract-detail",
        data=lambda w: {"amount": "850000.00"},
    ),
    Endpoint(
        "contract-delete",
        "delete",
        lambda w: f"/api/v1/contracts/{w.contracts['S1'].pk}/",
        only(["admin"], 204, 403),
        covers="api:contract-detail",
    ),
    Endpoint(
        "standard-list",
        "get",
        lambda w: "/api/v1/station-standards/",
        statuses(200),
        covers="api:station-standard-list",
        listed=lambda w: w.stations["S1"].standards.get().pk,
    ),
    Endpoint(
        "standard-detail",
        "get",
        lambda w: f"/api/v1/station-standards/{w.stations['S1'].standards.get().pk}/",
        statuses(200, outsider=404),
        covers="api:station-standard-detail",
    ),
    Endpoint(
        "standard-update",
        "patch",
        lambda w: f"/api/v1/station-standards/{w.stations['S1'].standards.get().pk}/",
        only(["admin", "city", "county", "township", "manager"], 200, 403, outsider=404),
        covers="api:station-standard-detail",
        data=lambda w: {"met": True, "note": "已整改"},
    ),
)

# --- reports --------------------------------------------------------------------------------------
register_api(
    Endpoint(
        "report-create",
        "post",
        lambda w: "/api/v1/reports/",
        statuses(202, outsider=400, evaluator=403),  # evaluators read reports, and neither ask for nor rebuild them
        covers="api:report-list",
        data=lambda w: {"kind": "station_profile", "station": s1(w)},
    ),
    Endpoint(
        "report-rebuild",
        "post",
        lambda w: "/api/v1/reports/",
        statuses(202, outsider=400, evaluator=403),
        covers="api:report-list",
        data=lambda w: {"kind": "station_profile", "station": s1(w), "rebuild": True},
    ),
    Endpoint(
        "report-list",
        "get",
        lambda w: "/api/v1/reports/",
        statuses(200),
        covers="api:report-list",
        listed=lambda w: w.extra["report"].pk,
    ),
    Endpoint(
        "report-detail",
        "get",
        lambda w: f"/api/v1/reports/{w.extra['report'].pk}/",
        statuses(200, outsider=404),
        covers="api:report-detail",
    ),
    Endpoint(
        "report-download",
        "get",
        lambda w: f"/api/v1/reports/{w.extra['report'].pk}/download/",
        statuses(200, outsider=404),
        covers="api:report-download",
    ),
)

# --- pages ----------------------------------------------------------------------------------------
# Anonymous visitors are sent to the sign-in page (302); a role without the permission gets 403;
# an object outside the scope is a 404, as if it did not exist.
OFFICIALS_WHO_MANAGE = ["admin", "city", "county"]


def page(name, method, url, expect, covers, data=None):
    return Endpoint(name, method, url, expect, covers, data=data)


def station_form(w, township="T2"):
    return {
        "name": "新建社会工作站",
        "township": w.regions[township].pk,
        "status": "planning",
        "site_area_m2": "520",
        "address": "测试路9号",
    }


register_pages(
    page("home", "get", lambda w: "/", statuses(200, anonymous=302), "home"),
    page("station-list", "get", lambda w: "/stations/", statuses(200, anonymous=302), "stations:list"),
    page(
        "station-detail",
        "get",
        lambda w: f"/stations/{s1(w)}/",
        statuses(200, anonymous=302, outsider=404),
        "stations:detail",
    ),
    page(
        "station-create-form",
        "get",
        lambda w: "/stations/new/",
        only(OFFICIALS_WHO_MANAGE + ["outsider"], 200, 403, anonymous=302),
        "stations:create",
    ),
    page(
        "station-create",
        "post",
        lambda w: "/stations/new/",
        only(OFFICIALS_WHO_MANAGE, 302, 403, anonymous=302, outsider=200),
        "stations:create",
        data=station_form,
    ),
    page(
        "station-update-form",
        "get",
        lambda w: f"/stations/{s1(w)}/edit/",
        only(OFFICIALS_WHO_MANAGE + ["manager"], 200, 403, anonymous=302, outsider=404),
        "stations:update",
    ),
    page(
        "station-checklist-form",
        "get",
        lambda w: f"/stations/{s1(w)}/checklist/",
        only(OFFICIALS_WHO_MANAGE + ["township", "manager"], 200, 403, anonymous=302, outsider=404),
        "stations:checklist",
    ),
    page(
        "contract-create-form",
        "get",
        lambda w: f"/stations/{s1(w)}/contracts/new/",
        only(OFFICIALS_WHO_MANAGE, 200, 403, anonymous=302, outsider=404),
        "stations:contract_create",
    ),
    page("contract-list", "get", lambda w: "/contracts/", statuses(200, anonymous=302), "stations:contract_list"),
    page(
        "contract-update-form",
        "get",
        lambda w: f"/contracts/{w.contracts['S1'].pk}/edit/",
        only(OFFICIALS_WHO_MANAGE, 200, 403, anonymous=302, outsider=404),
        "stations:contract_update",
    ),
    page(
        "organization-list",
        "get",
        lambda w: "/organisations/",
        statuses(200, anonymous=302),
        "stations:organization_list",
    ),
    page(
        "organization-create-form",
        "get",
        lambda w: "/organisations/new/",
        only(OFFICIALS_WHO_MANAGE + ["outsider"], 200, 403, anonymous=302),
        "stations:organization_create",
    ),
    page(
        "organization-detail",
        "get",
        lambda w: f"/organisations/{w.orgs['op'].pk}/",
        statuses(200, anonymous=302, outsider=404),
        "stations:organization_detail",
    ),
    page(
        "organization-update-form",
        "get",
        lambda w: f"/organisations/{w.orgs['op'].pk}/edit/",
        only(OFFICIALS_WHO_MANAGE, 200, 403, anonymous=302, outsider=404),
        "stations:organization_update",
    ),
    page("report-list", "get", lambda w: "/reports/", statuses(200, anonymous=302), "reports:list"),
    page(
        "report-detail",
        "get",
        lambda w: f"/reports/{w.extra['report'].pk}/",
        statuses(200, anonymous=302, outsider=404),
        "reports:detail",
    ),
    page(
        "report-download",
        "get",
        lambda w: f"/reports/{w.extra['report'].pk}/download/",
        statuses(200, anonymous=302, outsider=404),
        "reports:download",
    ),
    page(
        "report-request",
        "post",
        lambda w: "/reports/request/",
        statuses(302, anonymous=302, outsider=404, evaluator=403),
        "reports:request",
        data=lambda w: {"kind": "station_profile", "station": s1(w)},
    ),
    page(
        "report-rebuild",
        "post",
        lambda w: "/reports/request/",
        statuses(302, anonymous=302, outsider=404, evaluator=403),
        "reports:request",
        data=lambda w: {"kind": "station_profile", "station": s1(w), "rebuild": "on"},
    ),
)
