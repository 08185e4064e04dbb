"""The scope rule: who reaches which stations, regions, organisations (DOMAIN.md section 1)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError

from accounts.choices import Role
from evaluation.models import Assignment
from stations.models import OperatingContract, Organization, Region, Station
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def station_keys(world, user) -> set[str]:
    visible = set(Station.objects.visible_to(user).values_list("pk", flat=True))
    return {key for key, station in world.stations.items() if station.pk in visible}


@pytest.mark.parametrize(
    "role, expected",
    [
        ("admin", {"S1", "S2", "S3", "SB"}),
        ("city", {"S1", "S2", "S3"}),
        ("county", {"S1", "S2"}),
        ("township", {"S1"}),
        ("manager", {"S1"}),
        ("worker", {"S1"}),
        ("evaluator", {"S1", "S2"}),
        ("outsider", {"SB"}),
    ],
)
def test_each_role_reaches_exactly_its_stations(world, role, expected):
    assert station_keys(world, world.users[role]) == expected


def test_an_inactive_user_reaches_nothing(world):
    user = world.users["city"]
    user.is_active = False
    assert not Station.objects.visible_to(user).exists()
    assert not Region.objects.visible_to(user).exists()


def test_anonymous_reaches_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Station.objects.visible_to(AnonymousUser()).exists()
    assert not Organization.objects.visible_to(AnonymousUser()).exists()


def test_an_evaluator_loses_access_when_the_assignment_ends(world):
    Assignment.objects.update(ends_on=date.today() - timedelta(days=1))
    assert station_keys(world, world.users["evaluator"]) == set()


def test_an_evaluator_sees_its_agency_and_the_operators_of_its_stations(world):
    names = set(Organization.objects.visible_to(world.users["evaluator"]).values_list("name", flat=True))
    assert names == {"众评评估中心", "甲一县春晖社会工作服务中心"}


def test_a_county_official_sees_the_regions_below_only(world):
    codes = set(Region.objects.visible_to(world.users["county"]).values_list("code", flat=True))
    assert codes == {"330481000000", "330481004000", "330481105000", "330481004001"}


def test_station_staff_see_their_township_and_its_communities(world):
    names = set(Region.objects.visible_to(world.users["worker"]).values_list("name", flat=True))
    assert names == {"马桥街道", "利民社区"}


def test_contracts_follow_their_station(world):
    assert list(OperatingContract.objects.visible_to(world.users["outsider"])) == [world.contracts["SB"]]


def test_a_role_without_its_scope_cannot_be_saved(world):
    with pytest.raises(IntegrityError):
        UserFactory(username="nobody", role=Role.CITY_OFFICIAL)


def test_a_superuser_is_always_the_admin_role(world):
    with pytest.raises(IntegrityError):
        UserFactory(username="root2", role=Role.CITY_OFFICIAL, region=world.regions["A"], is_superuser=True)


def test_only_the_admin_role_gets_the_admin_site(world):
    assert world.users["admin"].is_staff
    assert not world.users["city"].is_staff


@pytest.mark.parametrize(
    "role, perm, allowed",
    [
        ("city", "stations.add_station", True),
        ("township", "stations.add_station", False),
        ("manager", "stations.change_station", True),
        ("worker", "stations.change_station", False),
        ("evaluator", "stations.change_stationstandard", False),
        ("admin", "stations.delete_station", True),
        ("city", "stations.delete_station", False),
    ],
)
def test_role_permissions(world, role, perm, allowed):
    assert world.users[role].has_perm(perm) is allowed
