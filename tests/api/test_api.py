"""The API's conventions: token auth, lockout, the caller's scope, filters, paging, errors, query counts."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from stations.models import Organization, Station
from tests.factories import ContractFactory, StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttle_memory():
    cache.clear()


def test_a_token_opens_the_api(world):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "county", "password": "shegong2026"}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    me = client.get("/api/v1/users/me/").json()

    assert me["username"] == "county"
    assert me["role"] == "city_official"
    assert me["scope"] == {"kind": "region", "id": world.regions["A1"].pk, "name": "甲一县", "level": "county"}


def test_a_wrong_password_gets_400_and_no_token(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "county", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_five_failures_lock_the_username_even_with_the_right_password(world):
    client = APIClient()
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "county", "password": "nope"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": "county", "password": "shegong2026"}, format="json")
    assert response.status_code == 429
    assert "token" not in response.json()
    other = client.post("/api/v1/auth/token/", {"username": "city", "password": "shegong2026"}, format="json")
    assert other.status_code == 200, "the lock is per username and address, not global"


def test_no_credentials_is_401(world):
    response = APIClient().get("/api/v1/stations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize(
    "role, kind", [("admin", "all"), ("manager", "station"), ("evaluator", "agency"), ("township", "region")]
)
def test_me_names_the_scope_kind(api_client_for, role, kind):
    assert api_client_for(role).get("/api/v1/users/me/").json()["scope"]["kind"] == kind


def test_station_list_pages_filters_and_sorts(world, api_client_for):
    for n in range(3):
        StationFactory(township=world.regions["T3"], name=f"大桥镇分站{n}", site_area_m2=100 + n)
    client = api_client_for("city")

    page = client.get("/api/v1/stations/", {"page_size": 2}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 6 and len(page["results"]) == 2 and page["next"]

    in_county = client.get("/api/v1/stations/", {"region": world.regions["A1"].pk}).json()
    assert {s["name"] for s in in_county["results"]} == {"马桥街道社会工作站", "许村镇社会工作站"}

    smallest = client.get("/api/v1/stations/", {"ordering": "site_area_m2"}).json()["results"][0]
    assert smallest["name"] == "大桥镇分站0"

    searched = client.get("/api/v1/stations/", {"q": "马桥"}).json()
    assert [s["name"] for s in searched["results"]] == ["马桥街道社会工作站"]

    assert client.get("/api/v1/stations/", {"status": "closed"}).json()["count"] == 0


def test_filtering_by_a_region_outside_the_scope_finds_nothing(world, api_client_for):
    response = api_client_for("county").get("/api/v1/stations/", {"region": world.regions["B"].pk})
    assert response.json()["count"] == 0


def test_a_bad_credit_code_is_a_400_on_that_field_and_creates_nothing(world, api_client_for):
    before = Organization.objects.count()
    response = api_client_for("city").post(
        "/api/v1/organizations/",
        {
            "name": "坏代码机构",
            "kind": "operator",
            "credit_code": "52330481MJ0000001A",
            "rating": 3,
            "registration_level": "county",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["credit_code"]
    assert Organization.objects.count() == before


@pytest.mark.parametrize("area", ["-1", "-0.01"])
def test_a_negative_site_area_is_refused(world, api_client_for, area):
    response = api_client_for("city").post(
        "/api/v1/stations/",
        {"name": "负面积站", "township": world.regions["T2"].pk, "site_area_m2": area},
        format="json",
    )
    assert response.status_code == 400
    assert "site_area_m2" in response.json()
    assert not Station.objects.filter(name="负面积站").exists()


def test_an_overlapping_contract_is_refused(world, api_client_for):
    response = api_client_for("city").post(
        "/api/v1/contracts/",
        {
            "station": world.stations["S1"].pk,
            "operator": world.orgs["op"].pk,
            "start_on": "2026-06-01",
            "end_on": "2027-05-31",
            "amount": "100.00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "start_on" in response.json()


def test_a_contract_longer_than_two_years_is_refused(world, api_client_for):
    response = api_client_for("city").post(
        "/api/v1/contracts/",
        {
            "station": world.stations["S2"].pk,
            "operator": world.orgs["op"].pk,
            "start_on": "2027-01-01",
            "end_on": "2029-01-01",
            "amount": "100.00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "end_on" in response.json()


def test_station_staff_cannot_move_or_reclassify_their_station(world, api_client_for):
    response = api_client_for("manager").patch(
        f"/api/v1/stations/{world.stations['S1'].pk}/", {"status": "closed"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()
    world.stations["S1"].refresh_from_db()
    assert world.stations["S1"].status == "operating"


def test_communities_of_another_township_are_refused(world, api_client_for):
    response = api_client_for("admin").patch(
        f"/api/v1/stations/{world.stations['S2'].pk}/", {"communities": [world.regions["C1"].pk]}, format="json"
    )
    assert response.status_code == 400
    assert "communities" in response.json()


def test_deleting_an_organization_in_use_is_a_409(world, api_client_for):
    response = api_client_for("admin").delete(f"/api/v1/organizations/{world.orgs['op'].pk}/")
    assert response.status_code == 409
    assert Organization.objects.filter(pk=world.orgs["op"].pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/stations/",
        "/api/v1/contracts/",
        "/api/v1/organizations/",
        "/api/v1/regions/",
        "/api/v1/station-standards/",
        "/api/v1/reports/",
    ],
)
def test_list_query_count_does_not_grow_with_rows(world, api_client_for, django_assert_max_num_queries, url):
    client = api_client_for("city")
    client.get(url)  # warm the per-user caches
    for n in range(25):
        station = StationFactory(township=world.regions["T3"], name=f"大桥镇分站{n}")
        station.communities.set([world.regions["C1"]])
        ContractFactory(station=station, operator=world.orgs["op"])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
