"""The reports page's request form: a user who reaches one station is not asked to pick it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_station_manager_asks_for_a_report_of_their_station_without_picking_it(world):
    response = signed_in(world.users["manager"]).get("/reports/")
    page = response.content.decode()
    assert response.context["single_station"] == world.stations["S1"]
    assert f'name="station" value="{world.stations["S1"].pk}"' in page
    assert '<select class="form-select" id="report-station"' not in page


def test_a_county_official_picks_one_of_the_stations_in_reach(world):
    response = signed_in(world.users["county"]).get("/reports/")
    page = response.content.decode()
    assert response.context["single_station"] is None
    assert '<select class="form-select" id="report-station"' in page
    assert {station.pk for station in response.context["stations"]} == {
        world.stations["S1"].pk,
        world.stations["S2"].pk,
    }


def test_the_reports_list_sorts_by_a_column_and_ignores_an_unknown_one(world):
    client = signed_in(world.users["city"])
    assert client.get("/reports/", {"sort": "-status"}).context["sort"] == "-status"
    assert client.get("/reports/", {"sort": "file"}).context["sort"] == ""
