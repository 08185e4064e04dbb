"""Who edits an organisation: the administrator, or an official whose region covers where it is registered."""

import pytest
from django.test import Client

from stations.models import Organization
from tests.stations.matrix_organizations import build_organizations

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(world):
    build_organizations(world)
    return world.orgs


@pytest.mark.parametrize(
    "role, editable",
    [
        ("admin", {"op", "opB", "agency", "orgA"}),
        ("city", {"op", "orgA"}),
        ("county", {"op"}),
        ("township", set()),
        ("manager", set()),
        ("evaluator", set()),
        ("outsider", {"opB"}),
    ],
)
def test_editable_organizations_by_role(world, orgs, role, editable):
    ids = set(Organization.objects.editable_by(world.users[role]).values_list("pk", flat=True))
    assert ids == {orgs[key].pk for key in editable}


def test_the_county_official_sees_the_city_registered_operator_of_its_station_but_cannot_edit_it(world, orgs):
    county = world.users["county"]
    assert Organization.objects.visible_to(county).filter(pk=orgs["orgA"].pk).exists()
    assert not Organization.objects.editable_by(county).filter(pk=orgs["orgA"].pk).exists()


def test_the_county_official_cannot_re_register_a_city_organisation_into_the_county(world, orgs, api_client_for):
    response = api_client_for("county").patch(
        f"/api/v1/organizations/{orgs['orgA'].pk}/", {"region": world.regions["A1"].pk}, format="json"
    )

    assert response.status_code == 403
    orgs["orgA"].refresh_from_db()
    assert orgs["orgA"].region == world.regions["A"]


def test_the_city_official_may_move_a_county_organisation_up_to_the_city(world, orgs, api_client_for):
    response = api_client_for("city").patch(
        f"/api/v1/organizations/{orgs['op'].pk}/", {"region": world.regions["A"].pk}, format="json"
    )

    assert response.status_code == 200
    orgs["op"].refresh_from_db()
    assert orgs["op"].region == world.regions["A"]


def test_an_official_cannot_take_an_organisation_out_of_every_region(world, orgs, api_client_for):
    response = api_client_for("county").patch(
        f"/api/v1/organizations/{orgs['op'].pk}/", {"region": None}, format="json"
    )

    assert response.status_code == 403
    orgs["op"].refresh_from_db()
    assert orgs["op"].region == world.regions["A1"]


def test_the_edit_page_refuses_the_county_official_for_a_city_organisation(world, orgs):
    client = Client()
    client.force_login(world.users["county"])
    before = Organization.objects.filter(pk=orgs["orgA"].pk).values().get()

    shown = client.get(f"/organisations/{orgs['orgA'].pk}/edit/")
    posted = client.post(
        f"/organisations/{orgs['orgA'].pk}/edit/",
        {
            "name": "改名",
            "kind": "operator",
            "credit_code": orgs["orgA"].credit_code,
            "registration_level": "county",
            "rating": 5,
            "region": world.regions["A1"].pk,
        },
    )

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert Organization.objects.filter(pk=orgs["orgA"].pk).values().get() == before


def test_the_edit_page_offers_only_regions_inside_the_officials_own(world, orgs):
    client = Client()
    client.force_login(world.users["county"])

    response = client.get(f"/organisations/{orgs['op'].pk}/edit/")

    offered = {choice.value for choice, _label in response.context["form"].fields["region"].choices if choice}
    assert offered == {world.regions["A1"].pk}
