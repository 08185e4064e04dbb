"""Station pages: fixed query counts, field errors next to the field, and refusals that change nothing."""

from datetime import date, timedelta
from decimal import Decimal

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


# --- officials: money in 万元, contracts ending, a station at a glance ------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("800000.00", "80.00"),
        ("1234567.00", "123.46"),
        ("1234550.00", "123.46"),
        ("1234549.99", "123.45"),
        ("12345678901.00", "1,234,567.89"),
        ("0", "0.00"),
    ],
)
def test_money_in_tables_of_many_stations_reads_in_wan_yuan_rounded_half_up(amount, shown):
    from stations.templatetags.portal import wan

    assert wan(Decimal(amount)) == shown


def test_the_contract_list_shows_amounts_in_wan_yuan_with_the_total_of_every_page(world):
    for i in range(30):
        station = StationFactory(township=world.regions["T3"], name=f"大桥镇分站{i}")
        ContractFactory(station=station, operator=world.orgs["op"], amount=Decimal("500000.00"))
    response = signed_in(world.users["city"]).get("/contracts/")
    assert len(response.context["object_list"]) == 25
    [total] = [cell["value"] for cell in response.context["list_totals"] if cell["value"] not in ("", "合计")]
    assert total == "1,580.00"  # 30 x 50 万 + the world's 80 万 in city A; city B's contract is out of scope
    assert "金额（万元）" in response.content.decode()


def ending_world(world, days_left: int, successor: bool = False):
    today = date.today()
    contract = world.contracts["S1"]
    contract.start_on, contract.end_on = today - timedelta(days=300), today + timedelta(days=days_left)
    contract.save()
    if successor:
        ContractFactory(
            station=contract.station,
            operator=world.orgs["op"],
            start_on=contract.end_on + timedelta(days=1),
            end_on=contract.end_on + timedelta(days=365),
        )
    return contract


def test_the_officials_home_lists_contracts_ending_within_the_configured_days(world, settings):
    settings.CONTRACT_ENDING_DAYS = 90
    contract = ending_world(world, days_left=40)
    response = signed_in(world.users["county"]).get("/")
    assert [c.pk for c in response.context["contracts_ending"]] == [contract.pk]
    assert response.context["contracts_ending"][0].days_left == 40
    settings.CONTRACT_ENDING_DAYS = 30
    assert signed_in(world.users["county"]).get("/").context["contracts_ending"] == []


def test_a_contract_with_a_successor_signed_is_not_listed_as_ending(world):
    ending_world(world, days_left=20, successor=True)
    assert signed_in(world.users["city"]).get("/").context["contracts_ending"] == []


def test_contracts_ending_out_of_the_officials_scope_are_not_listed(world):
    contract = ending_world(world, days_left=20)
    listed = signed_in(world.users["outsider"]).get("/").context["contracts_ending"]
    assert contract.pk not in [c.pk for c in listed]


def test_the_officials_station_page_shows_its_figures_at_a_glance(world):
    station = world.stations["S1"]
    response = signed_in(world.users["county"]).get(f"/stations/{station.pk}/")
    glance = response.context["glance"]
    assert set(glance) >= {"staff", "rules_met", "rules", "records", "visits", "portfolio"}
    page = response.content.decode()
    for card in ("glance-staffing", "glance-services", "glance-visits", "glance-portfolio"):
        assert f'id="{card}"' in page


def test_the_station_page_takes_as_many_queries_with_many_staff_and_records_as_with_few(
    world, django_assert_num_queries
):
    station = world.stations["S1"]
    client = signed_in(world.users["city"])
    url = f"/stations/{station.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(10):
        ContractFactory(
            station=station,
            operator=world.orgs["op"],
            start_on=date(2000 + 2 * i, 1, 1),
            end_on=date(2001 + 2 * i, 12, 31),
        )
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_filter_bar_names_its_filters_as_the_page_says_and_keeps_other_parameters(world):
    response = signed_in(world.users["city"]).get(
        "/stations/", {"township": world.regions["T1"].pk, "sort": "-name", "q": "马桥"}
    )
    labels = [str(field.label) for field in response.context["filter_fields"]]
    assert labels == ["地区", "承接机构", "状态"]
    assert ("township", str(world.regions["T1"].pk)) in response.context["filter_hidden"]
    assert ("sort", "-name") in response.context["filter_hidden"]
    assert "export=xlsx" in response.context["export_url"] and "q=" in response.context["export_url"]


def test_the_station_list_exports_every_filtered_station_to_excel(world):
    from io import BytesIO

    from openpyxl import load_workbook

    response = signed_in(world.users["county"]).get("/stations/", {"export": "xlsx"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "社工站"
    assert sorted(row[0] for row in rows[1:]) == sorted(
        s.name for s in Station.objects.visible_to(world.users["county"])
    )
