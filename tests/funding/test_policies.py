"""Funding policies: figures within their bounds, edits only in the official's region and below, every saved version
in the history, shares printed as percentages, lists at a fixed query count."""

from datetime import date
from decimal import Decimal

import pytest

from funding.models import FundingPolicy
from tests.funding.matrix_policies import figures

YEAR = date.today().year


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"city_share": "1.5"}, "city_share"),
        ({"factor_good": "1.01"}, "factor_good"),
        ({"personnel_max_share": "-0.1"}, "personnel_max_share"),
        ({"township_cap": "-1.00"}, "township_cap"),
        ({"voucher_required_above": "-0.01"}, "voucher_required_above"),
        ({"warning_share": "0.95", "alert_share": "0.90"}, "warning_share"),
    ],
)
def test_figures_out_of_bounds_are_a_400_on_the_field_and_save_nothing(world, api_client_for, bad, field):
    """A share or factor above 1 or below 0, a negative amount, a warning above the over-budget mark: 400."""
    body = {"region": world.regions["A"].pk, "year": YEAR, **bad}

    response = api_client_for("city").post("/api/v1/funding-policies/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not FundingPolicy.objects.exists()


def test_a_change_that_puts_the_warning_above_the_saved_over_budget_mark_is_a_400(world, api_client_for):
    """The check runs on the saved figures merged with the change; nothing is written."""
    policy = FundingPolicy.objects.create(region=world.regions["A"], year=YEAR, alert_share="0.95")

    response = api_client_for("city").patch(
        f"/api/v1/funding-policies/{policy.pk}/", {"warning_share": "0.96"}, format="json"
    )

    assert response.status_code == 400 and "warning_share" in response.json()
    policy.refresh_from_db()
    assert policy.warning_share == Decimal("0.90")
    assert policy.history.count() == 1


def test_a_new_policy_starts_at_the_haining_defaults_with_money_as_strings_of_two_places(world, api_client_for):
    """40 %, 300,000.00, 70 %, factors 1.0 / 0.9 / 0.7 / 0.0, warnings 90 % and 100 %, vouchers above 1,000.00."""
    response = api_client_for("city").post(
        "/api/v1/funding-policies/", {"region": world.regions["A"].pk, "year": YEAR}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["region_name"] == world.regions["A"].name
    assert [body[name] for name in FundingPolicy.FIGURES] == [
        "0.4000",
        "300000.00",
        "0.7000",
        "1.0000",
        "0.9000",
        "0.7000",
        "0.0000",
        "0.9000",
        "1.0000",
        "1000.00",
    ]


def test_edits_are_kept_in_the_history_with_who_and_the_old_and_new_figures(world, api_client_for):
    client = api_client_for("city")
    created = client.post(
        "/api/v1/funding-policies/", {"region": world.regions["A"].pk, "year": YEAR}, format="json"
    ).json()

    client.patch(f"/api/v1/funding-policies/{created['id']}/", {"township_cap": "250000.00"}, format="json")
    history = client.get(f"/api/v1/funding-policies/{created['id']}/history/").json()

    assert [(record["change"], record["township_cap"]) for record in history] == [
        ("~", "250000.00"),
        ("+", "300000.00"),
    ]
    assert {record["changed_by"] for record in history} == {world.users["city"].username}


def test_a_county_official_changes_their_county_s_policy_but_not_the_city_s(world, api_client_for):
    """The city's policy applies in the county (read) but only the city changes it (403); the county's own: 200."""
    city_policy = FundingPolicy.objects.create(region=world.regions["A"], year=YEAR)
    county_policy = FundingPolicy.objects.create(region=world.regions["A1"], year=YEAR)
    client = api_client_for("county")

    refused = client.patch(f"/api/v1/funding-policies/{city_policy.pk}/", {"city_share": "0.5"}, format="json")
    allowed = client.patch(f"/api/v1/funding-policies/{county_policy.pk}/", {"city_share": "0.5"}, format="json")

    assert client.get(f"/api/v1/funding-policies/{city_policy.pk}/").status_code == 200
    assert refused.status_code == 403 and allowed.status_code == 200
    city_policy.refresh_from_db()
    county_policy.refresh_from_db()
    assert city_policy.city_share == Decimal("0.4000") and county_policy.city_share == Decimal("0.5000")


def test_a_county_official_cannot_create_a_policy_for_the_city_above_them(world, api_client_for):
    """The city is not a region the county official may name: 400 on the region, nothing saved."""
    response = api_client_for("county").post(
        "/api/v1/funding-policies/", {"region": world.regions["A"].pk, "year": YEAR}, format="json"
    )

    assert response.status_code in (400, 403)
    assert not FundingPolicy.objects.exists()


def test_an_evaluator_sees_no_funding_policy(world, api_client_for):
    FundingPolicy.objects.create(region=world.regions["A"], year=YEAR)

    assert api_client_for("evaluator").get("/api/v1/funding-policies/").status_code == 403


def test_the_station_staff_read_the_policies_that_apply_to_their_station(world, api_client_for):
    """City A's and county A1's apply at S1; county A2's does not and is not listed."""
    applying = {FundingPolicy.objects.create(region=world.regions[key], year=YEAR).pk for key in ("A", "A1")}
    FundingPolicy.objects.create(region=world.regions["A2"], year=YEAR)

    listed = api_client_for("worker").get("/api/v1/funding-policies/").json()["results"]

    assert {row["id"] for row in listed} == applying


def test_the_form_shows_a_share_above_one_as_a_field_error_and_saves_nothing(world, client):
    client.force_login(world.users["city"])

    response = client.post(
        "/funding/policies/new/", {"region": world.regions["A"].pk, "year": str(YEAR), **figures(), "city_share": "1.2"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["city_share"]
    assert not FundingPolicy.objects.exists()


def test_the_form_shows_a_warning_above_the_over_budget_mark_next_to_the_warning_in_chinese(world, client):
    client.force_login(world.users["city"])
    form = {"region": world.regions["A"].pk, "year": str(YEAR), **figures(), "warning_share": "1.00"}

    response = client.post("/funding/policies/new/", {**form, "alert_share": "0.95"})

    assert response.context["form"].errors["warning_share"] == ["预警比例不能高于超支比例。"]
    assert not FundingPolicy.objects.exists()


def test_a_second_policy_for_the_same_region_and_year_is_refused_on_the_year(world, client):
    FundingPolicy.objects.create(region=world.regions["A"], year=YEAR)
    client.force_login(world.users["city"])

    response = client.post("/funding/policies/new/", {"region": world.regions["A"].pk, "year": str(YEAR), **figures()})

    assert "year" in response.context["form"].errors
    assert FundingPolicy.objects.count() == 1


def test_the_form_saves_a_policy_and_says_shares_are_fractions(world, client):
    client.force_login(world.users["city"])
    page = client.get("/funding/policies/new/")

    response = client.post(
        "/funding/policies/new/",
        {"region": world.regions["A1"].pk, "year": str(YEAR), **figures(), "city_share": "0.45"},
    )

    assert "0.40 即 40%" in page.content.decode()
    assert response.status_code == 302
    assert FundingPolicy.objects.get(region=world.regions["A1"], year=YEAR).city_share == Decimal("0.4500")


def test_the_edit_page_lists_every_saved_version(world, client):
    policy = FundingPolicy.objects.create(region=world.regions["A"], year=YEAR)
    policy.township_cap = Decimal("250000.00")
    policy.save()
    client.force_login(world.users["city"])

    response = client.get(f"/funding/policies/{policy.pk}/edit/")

    assert response.status_code == 200
    assert len(response.context["history"]) == 2
    html = response.content.decode()
    assert "250,000.00" in html and "300,000.00" in html


def test_the_edit_page_of_a_policy_above_the_official_is_a_404(world, client):
    policy = FundingPolicy.objects.create(region=world.regions["A"], year=YEAR)
    client.force_login(world.users["county"])

    assert client.get(f"/funding/policies/{policy.pk}/edit/").status_code == 404


def test_the_list_prints_shares_as_percentages_and_money_in_yuan(world, client):
    FundingPolicy.objects.create(region=world.regions["A"], year=YEAR, city_share="0.35", township_cap="280000")
    client.force_login(world.users["county"])

    response = client.get("/funding/policies/")

    row = response.content.decode().split('id="policy-table"')[1]
    assert "35%" in row and "280,000.00" in row and "1,000.00" in row
    assert "40%" in row  # the shipped defaults under the table


def many_policies(world):
    FundingPolicy.objects.bulk_create(
        FundingPolicy(region=world.regions[key], year=year) for year in range(2015, 2027) for key in ("A", "A1", "A2")
    )


def test_the_policy_list_endpoint_keeps_a_fixed_query_count(world, api_client_for, django_assert_max_num_queries):
    many_policies(world)
    client = api_client_for("county")

    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/funding-policies/")

    assert response.status_code == 200 and response.json()["count"] == 24  # A and A1, not A2


def test_the_policy_list_page_keeps_a_fixed_query_count(world, client, django_assert_max_num_queries):
    many_policies(world)
    client.force_login(world.users["city"])

    with django_assert_max_num_queries(12):
        response = client.get("/funding/policies/")

    assert response.status_code == 200
    assert len(response.context["object_list"]) == 25
    assert all(policy.editable for policy in response.context["object_list"])
