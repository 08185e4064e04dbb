"""Every endpoint and page of tests/matrix.py, for every role: status code, no leak, no change."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver
from rest_framework.test import APIClient

from accounts.models import User
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

from .conftest import ROLES
from .matrix import API, PAGES, Endpoint
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

WATCHED += SERVICES_WATCHED


def snapshot() -> dict:
    """Every row of the watched tables, to prove a refused write changed nothing."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@pytest.fixture
def matrix_world(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = Report(kind="station_profile", station=world.stations["S1"], status="done")
    report.save()
    report.file.save("profile.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    world.extra["report"] = report
    build_staffing(world)
    build_staffing_pages(world)
    build_services(world)
    build_organizations(world)
    return world


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
    if role == "anonymous" or status >= 400:
        return True
    return endpoint.page and endpoint.method == "post" and status == 200 and not endpoint.shows


def listed_ids(response) -> set:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", API + PAGES, ids=lambda e: f"{'page' if e.page else 'api'}:{e.name}")
def test_permission_matrix(endpoint, role, matrix_world):
    """The role gets the expected status; a refused write changes nothing; lists keep to the scope."""
    expected = endpoint.expect[role]
    client = client_for(endpoint, matrix_world, role)
    before = snapshot() if endpoint.method != "get" else None

    response = send(client, endpoint, matrix_world)

    assert response.status_code == expected, (endpoint.name, role, getattr(response, "content", b"")[:300])
    if before is not None and refused(endpoint, role, expected):
        assert snapshot() == before, f"{endpoint.name} as {role} was refused yet changed data"
    if endpoint.listed and not endpoint.page and expected == 200:
        target = endpoint.listed(matrix_world)
        if role == "outsider":
            assert target not in listed_ids(response)
        else:
            assert target in listed_ids(response)


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
