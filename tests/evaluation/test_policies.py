"""Evaluation policies: thresholds must fall, edits are kept in the history, lists keep a fixed query count."""

from datetime import date

import pytest

from evaluation.models import EvaluationPolicy

YEAR = date.today().year


@pytest.mark.parametrize(
    ("figures", "field"),
    [
        ({"excellent_min": "80.0", "good_min": "80.0"}, "good_min"),
        ({"good_min": "59.9"}, "good_min"),
        ({"four_stars_min": "95.0"}, "four_stars_min"),
        ({"one_star_min": "70.0"}, "four_stars_min"),
    ],
)
def test_thresholds_that_do_not_fall_are_a_400_on_a_field(world, api_client_for, figures, field):
    body = {"region": world.regions["A"].pk, "year": YEAR, **figures}

    response = api_client_for("city").post("/api/v1/evaluation-policies/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not EvaluationPolicy.objects.exists()


def test_a_change_that_breaks_the_order_of_the_saved_figures_is_a_400(world, api_client_for):
    policy = EvaluationPolicy.objects.create(region=world.regions["A"], year=YEAR)

    response = api_client_for("city").patch(
        f"/api/v1/evaluation-policies/{policy.pk}/", {"pass_min": "85.0"}, format="json"
    )

    assert response.status_code == 400 and "good_min" in response.json()
    policy.refresh_from_db()
    assert policy.pass_min == 60


def test_falling_thresholds_are_saved_with_their_history(world, api_client_for):
    client = api_client_for("city")
    created = client.post(
        "/api/v1/evaluation-policies/", {"region": world.regions["A"].pk, "year": YEAR}, format="json"
    ).json()

    client.patch(f"/api/v1/evaluation-policies/{created['id']}/", {"excellent_min": "92.5"}, format="json")
    history = client.get(f"/api/v1/evaluation-policies/{created['id']}/history/").json()

    assert created["excellent_min"] == "90.0"
    assert [(record["change"], record["excellent_min"]) for record in history] == [("~", "92.5"), ("+", "90.0")]


def test_the_policy_form_shows_falling_thresholds_as_a_field_error(world, client):
    client.force_login(world.users["city"])
    form = {
        "region": world.regions["A"].pk,
        "year": str(YEAR),
        "excellent_min": "90",
        "good_min": "95",
        "pass_min": "60",
        "five_stars_min": "95",
        "four_stars_min": "90",
        "three_stars_min": "80",
        "two_stars_min": "70",
        "one_star_min": "60",
    }

    response = client.post("/evaluation/policies/new/", form)

    assert response.status_code == 200
    assert response.context["form"].errors["good_min"]
    assert not EvaluationPolicy.objects.exists()


def many_policies(world):
    for year in range(2015, 2027):
        for key in ("A", "A1", "A2"):
            EvaluationPolicy.objects.create(region=world.regions[key], year=year)


def test_the_policy_list_endpoint_keeps_a_fixed_query_count(world, api_client_for, django_assert_max_num_queries):
    many_policies(world)
    client = api_client_for("county")

    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/evaluation-policies/")

    assert response.status_code == 200 and response.json()["count"] == 24  # A and A1, not A2


def test_the_policy_list_page_keeps_a_fixed_query_count(world, client, django_assert_max_num_queries):
    many_policies(world)
    client.force_login(world.users["city"])

    with django_assert_max_num_queries(12):
        response = client.get("/evaluation/policies/")

    assert response.status_code == 200
    assert len(response.context["object_list"]) == 25
    assert all(policy.editable for policy in response.context["object_list"])
