"""Every endpoint and page of tests/matrix.py, for every role: status code, no leak, no change."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import get_resolver
from rest_framework.test import APIClient

from accounts.models import User
from evaluation import api as evaluation_api
from funding import api as funding_api
from reports.models import Report
from staffing.models import (
    IdNumberView,
    StaffingPolicy,
    StaffMember,
    StationSupervisor,
    SupervisionVisit,
    TimeBankEntry,
    TrainingSession,
    Volunteer,
    VolunteerHours,
)
from stations.models import OperatingContract, Organization, Region, Station, StationStandard

from .conftest import ROLES, build_world
from .evaluation.matrix import EVALUATION_WATCHED, build_evaluation
from .funding.matrix import FUNDING_WATCHED, build_funding
from .matrix import API, PAGES, Endpoint
from .reports import matrix_archive as _archive  # noqa: F401  (registers the report archive)
from .reports import matrix_batches as _batches  # noqa: F401  (registers the report batches)
from .reports import matrix_dashboard as _dashboard  # noqa: F401  (registers the dashboard pages)
from .reports import matrix_dashboard_api as _dashboard_api  # noqa: F401  (registers the dashboard API)
from .services import matrix_pages as _services_pages  # noqa: F401  (registers the services pages)
from .services.matrix_api import SERVICES_WATCHED, build_services
from .staffing.matrix_api import build_staffing
from .staffing.matrix_pages import build_staffing_pages
from .stations.matrix_organizations import build_organizations

WATCHED = [
    User,
    Region,
    Organization,
    Station,
    OperatingContract,
    StationStandard,
    Report,
    StaffMember,
    Volunteer,
    VolunteerHours,
    TimeBankEntry,
    TrainingSession,
    SupervisionVisit,
    StationSupervisor,
    StaffingPolicy,
    IdNumberView,
]

WATCHED += SERVICES_WATCHED + EVALUATION_WATCHED + FUNDING_WATCHED


def snapshot() -> dict:
    """Every row of the watched tables, to prove a refused write changed nothing."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


def build_matrix_world():
    """The conftest world with every app's matrix targets."""
    world = build_world()
    report = Report(kind="station_profile", station=world.stations["S1"], status="done")
    report.save()
    report.file.save("profile.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    world.extra["report"] = report
    build_staffing(world)
    build_staffing_pages(world)
    build_services(world)
    build_organizations(world)
    build_evaluation(world)
    build_funding(world)
    return world


@pytest.fixture(scope="module")
def matrix_world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix world, built once a module inside a transaction that each test's own (a savepoint) rolls back to,
    as ``TestCase.setUpTestData`` does: building it costs about a second, and there are thousands of entries."""
    media = tmp_path_factory.mktemp("matrix-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=fast):
        with transaction.atomic():
            cache.clear()
            yield build_matrix_world()
            transaction.set_rollback(True)


@pytest.fixture
def matrix_world(matrix_world_once, db):
    return matrix_world_once


def client_for(endpoint: Endpoint, world, role: str):
    """A signed-in client of the right kind (pages: session; API: DRF) for ``role``."""
    client = Client() if endpoint.page else APIClient()
    if role != "anonymous":
        if endpoint.page:
            client.force_login(world.users[role])
        else:
            client.force_authenticate(world.users[role])
    return client


def send(client, endpoint: Endpoint, world):
    data = endpoint.data(world) if endpoint.data else None
    method = getattr(client, endpoint.method)
    if endpoint.page:
        return method(endpoint.url(world), data or {})
    return method(endpoint.url(world), data, format="multipart" if endpoint.multipart else "json")


def refused(endpoint: Endpoint, role: str, status: int) -> bool:
    """Whether the expected answer turns the request away (a re-shown form counts for a page POST)."""
    if (role == "anonymous" and not endpoint.extra.get("public")) or status >= 400:
        return True
    return endpoint.page and endpoint.method == "post" and status == 200 and not endpoint.shows


def listed_ids(response) -> set:
    return {row["id"] for row in response.json()["results"]}


def of_app(endpoint: Endpoint, api_module, pages: tuple[str, ...]) -> bool:
    """Whether ``endpoint`` is an app's: its pages (``pages``: URL name prefixes) or the routes and paths of its
    ``api_module``."""
    api = tuple(f"api:{basename}-" for _prefix, _viewset, basename in api_module.ROUTES)
    public = {f"api:{path.name}" for path in api_module.PATHS}
    return endpoint.covers.startswith((*pages, *api)) or endpoint.covers in public


def of_evaluation(endpoint: Endpoint) -> bool:
    """Whether ``endpoint`` is the evaluation app's (its pages, its API routes, its result PDF)."""
    return of_app(endpoint, evaluation_api, ("evaluation:", "reports:evaluation"))


def of_funding(endpoint: Endpoint) -> bool:
    """Whether ``endpoint`` is the funding app's (its pages and API)."""
    return of_app(endpoint, funding_api, ("funding:",))


# Three parts in three modules, so that pytest-xdist (which keeps a module on one worker) runs them side by side.
EVALUATION_ENTRIES = [endpoint for endpoint in API + PAGES if of_evaluation(endpoint)]
FUNDING_ENTRIES = [endpoint for endpoint in API + PAGES if of_funding(endpoint)]
OTHER_ENTRIES = [endpoint for endpoint in API + PAGES if not of_evaluation(endpoint) and not of_funding(endpoint)]


def entry_id(endpoint: Endpoint) -> str:
    return f"{'page' if endpoint.page else 'api'}:{endpoint.name}"


def check_entry(endpoint: Endpoint, role: str, world) -> None:
    """The role gets the expected status; a refused write changes nothing; lists keep to the scope."""
    expected = endpoint.expect[role]
    client = client_for(endpoint, world, role)
    before = snapshot() if endpoint.method != "get" else None

    response = send(client, endpoint, world)

    assert response.status_code == expected, (endpoint.name, role, getattr(response, "content", b"")[:300])
    if before is not None and refused(endpoint, role, expected):
        assert snapshot() == before, f"{endpoint.name} as {role} was refused yet changed data"
    if endpoint.listed and not endpoint.page and expected == 200:
        target = endpoint.listed(world)
        if role == "outsider":
            assert target not in listed_ids(response)
        else:
            assert target in listed_ids(response)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", OTHER_ENTRIES, ids=entry_id)
def test_permission_matrix(endpoint, role, matrix_world):
    """Every entry but the evaluation and funding apps' (``test_permission_matrix_evaluation.py``,
    ``test_permission_matrix_funding.py``), for every role."""
    check_entry(endpoint, role, matrix_world)


EXEMPT = {
    # Public or framework pages that need no scope: sign-in, sign-out, language, API schema and docs.
    "accounts:login",
    "accounts:logout",
    "set_language",
    "api:schema",
    "api:docs",
    "api:token",
}


def url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if hasattr(pattern, "url_patterns"):
            if pattern.namespace == "admin":
                continue  # the Django admin has its own staff-only checks
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_matrix_is_complete():
    """Every named URL is exercised by the matrix (or explicitly exempt), so none can be forgotten."""
    covered = {endpoint.covers for endpoint in API + PAGES}
    ignored_formats = {name for name in url_names() if name.endswith("-format") or "format" in name.split(":")[-1]}
    missing = url_names() - covered - EXEMPT - ignored_formats
    assert not missing, f"URLs missing from tests/matrix.py: {sorted(missing)}"
