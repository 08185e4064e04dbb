"""Fixtures shared by the whole suite: a small two-city world with a user of every role, and the demo."""

from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.choices import Role
from stations.choices import OrganizationKind, RegionLevel
from stations.models import StationStandard

from .factories import (
    AssignmentFactory,
    ContractFactory,
    OrganizationFactory,
    RegionFactory,
    StationFactory,
    UserFactory,
    shipped_catalog,
    shipped_scorecards,
    shipped_standard_items,
    shipped_target_groups,
)

ROLES = ["anonymous", "admin", "city", "county", "township", "manager", "worker", "evaluator", "outsider"]


@dataclass
class World:
    """City A (county A1: townships T1, T2; county A2: T3) and city B (one township), a station each.

    The target of every scope test is station S1 in T1: every role below except ``outsider``
    reaches it (``county`` through A1, ``township`` through T1, ``evaluator`` by assignment).
    """

    regions: dict = field(default_factory=dict)
    stations: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    contracts: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def build_world() -> World:
    shipped_scorecards()
    w = World()
    r = w.regions
    r["A"] = RegionFactory(name="甲市", code="330400000000", level=RegionLevel.CITY)
    r["A1"] = RegionFactory(name="甲一县", code="330481000000", level=RegionLevel.COUNTY, parent=r["A"])
    r["A2"] = RegionFactory(name="甲二区", code="330402000000", level=RegionLevel.COUNTY, parent=r["A"])
    r["T1"] = RegionFactory(name="马桥街道", code="330481004000", level=RegionLevel.TOWNSHIP, parent=r["A1"])
    r["T2"] = RegionFactory(name="许村镇", code="330481105000", level=RegionLevel.TOWNSHIP, parent=r["A1"])
    r["T3"] = RegionFactory(name="大桥镇", code="330402110000", level=RegionLevel.TOWNSHIP, parent=r["A2"])
    r["C1"] = RegionFactory(name="利民社区", code="330481004001", level=RegionLevel.COMMUNITY, parent=r["T1"])
    r["B"] = RegionFactory(name="乙市", code="540100000000", level=RegionLevel.CITY)
    r["B1"] = RegionFactory(name="乙一区", code="540102000000", level=RegionLevel.COUNTY, parent=r["B"])
    r["TB"] = RegionFactory(name="八一镇", code="540102100000", level=RegionLevel.TOWNSHIP, parent=r["B1"])
    for key, township in [("S1", "T1"), ("S2", "T2"), ("S3", "T3"), ("SB", "TB")]:
        w.stations[key] = StationFactory(township=r[township])
    w.stations["S1"].communities.set([r["C1"]])
    w.orgs["op"] = OrganizationFactory(name="甲一县春晖社会工作服务中心", region=r["A1"])
    w.orgs["opB"] = OrganizationFactory(name="乙市雪域社会工作服务中心", region=r["B"])
    w.orgs["agency"] = OrganizationFactory(name="众评评估中心", kind=OrganizationKind.EVALUATION_AGENCY)
    w.contracts["S1"] = ContractFactory(station=w.stations["S1"], operator=w.orgs["op"])
    w.contracts["SB"] = ContractFactory(station=w.stations["SB"], operator=w.orgs["opB"])
    AssignmentFactory(agency=w.orgs["agency"], stations=[w.stations["S1"], w.stations["S2"]])
    item = shipped_standard_items()[0]
    StationStandard.objects.create(station=w.stations["S1"], item=item, met=False)
    StationStandard.objects.create(station=w.stations["SB"], item=item, met=True)
    u = w.users
    u["admin"] = UserFactory(username="admin", role=Role.ADMIN, is_superuser=True)
    u["city"] = UserFactory(username="city", role=Role.CITY_OFFICIAL, region=r["A"])
    u["county"] = UserFactory(username="county", role=Role.CITY_OFFICIAL, region=r["A1"])
    u["township"] = UserFactory(username="township", role=Role.TOWNSHIP_OFFICIAL, region=r["T1"])
    u["manager"] = UserFactory(username="manager", role=Role.STATION_MANAGER, station=w.stations["S1"])
    u["worker"] = UserFactory(username="worker", role=Role.SOCIAL_WORKER, station=w.stations["S1"])
    u["evaluator"] = UserFactory(username="evaluator", role=Role.EVALUATOR, organization=w.orgs["agency"])
    u["outsider"] = UserFactory(username="outsider", role=Role.CITY_OFFICIAL, region=r["B"])
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def api_client_for(world):
    """An API client signed in as one of the world's roles ("anonymous" for none)."""

    def make(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.force_authenticate(world.users[role])
        return client

    return make


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """Run Celery tasks in-process, even when CI points the broker at Redis.

    Tests marked ``integration`` talk to a real worker and keep the configured broker.
    """
    from config.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached figures (an evaluation's facts) of one test's rows, whose ids
    a later test may reuse, never reach it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The real hasher costs ~0.4 s a user by design; tests need it only to be correct."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """``seed_demo`` loaded once for a whole test module (it takes a while), in a transaction of its own that is
    rolled back when the module ends; each test still runs in its own transaction inside it."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(DEBUG=True):
        shipped_standard_items()
        shipped_target_groups()
        shipped_catalog()
        shipped_scorecards()
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)
