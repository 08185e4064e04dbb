"""Station pages: fixed query counts, field errors next to the field, and refusals that change nothing."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stations.models import OperatingContract, Organization, Station
from tests.factories import ContractFactory, StationFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def grow(world, n: int) -> None:
    """``n`` more stations (with a contract and a community) in city A."""
    for i in range(n):
        station = StationFactory(township=world.regions["T3"], name=f"大桥镇分站{i}")
        station.communities.set([world.regions["C1"]])
        ContractFactory(station=station, operator=world.orgs["op"])


@pytest.mark.parametrize("url", ["/", "/stations/", "/contracts/", "/organisations/", "/reports/"])
def test_list_pages_take_the_same_queries_for_many_rows_as_for_few(world, django_assert_num_queries, url):
    client = signed_in(world.users["city"])
    response = client.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(world, 30)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_station_list_filters_by_search_and_status(world):
    client = signed_in(world.users["city"])
    page = client.get("/stations/", {"q": "马桥"}).content.decode()
    assert "马桥街道社会工作站" in page and "大桥镇社会工作站" not in page
    page = client.get("/stations/", {"status": "closed"}).content.decode()
    assert "马桥街道社会工作站" not in page


def test_station_list_never_shows_stations_outside_the_scope(world):
    page = signed_in(world.users["county"]).get("/stations/").content.decode()
    assert "许村镇社会工作站" in page
    assert "大桥镇社会工作站" not in page and "八一镇社会工作站" not in page


def test_a_negative_site_area_is_shown_next_to_the_field_and_saves_nothing(world):
    station = world.stations["S1"]
    response = signed_in(world.users["city"]).post(
        f"/stations/{station.pk}/edit/",
        {
            "name": station.name,
            "township": station.township_id,
            "status": "operating",
            "opened_on": "2021-03-01",
            "site_area_m2": "-5",
            "address": "新地址",
        },
    )
    assert response.status_code == 200
    assert "site_area_m2" in response.context["form"].errors
    assert 'class="invalid-feedback' in response.content.decode()
    station.refresh_from_db()
    assert station.address == "测试路1号"


def test_a_bad_credit_code_on_the_form_saves_nothing(world):
    before = Organization.objects.count()
    response = signed_in(world.users["city"]).post(
        "/organisations/new/",
        {
            "name": "坏代码机构",
            "kind": "operator",
            "credit_code": "52330481MJ0000001A",
            "rating": "3",
            "registration_level": "county",
            "region": world.regions["A1"].pk,
        },
    )
    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    assert Organization.objects.count() == before


def test_an_overlapping_contract_on_the_form_saves_nothing(world):
    station = world.stations["S1"]
    response = signed_in(world.users["county"]).post(
        f"/stations/{station.pk}/contracts/new/",
        {
            "operator": world.orgs["op"].pk,
            "start_on": "2026-01-01",
            "end_on": "2026-12-31",
            "amount": "1000",
            "procurement_method": "public_tender",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert OperatingContract.objects.filter(station=station).count() == 1


def test_a_manager_edits_the_site_but_not_the_status(world):
    station = world.stations["S1"]
    response = signed_in(world.users["manager"]).post(
        f"/stations/{station.pk}/edit/",
        {
            "address": "马桥街道新址88号",
            "site_area_m2": "650",
            "status": "closed",
            "communities": [world.regions["C1"].pk],
        },
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert (station.address, station.status) == ("马桥街道新址88号", "operating")


def test_a_county_official_cannot_create_a_station_in_another_county(world):
    response = signed_in(world.users["county"]).post(
        "/stations/new/",
        {"name": "越界站", "township": world.regions["T3"].pk, "status": "planning", "site_area_m2": "600"},
    )
    assert response.status_code == 200
    assert "township" in response.context["form"].errors
    assert not Station.objects.filter(name="越界站").exists()
