"""The region-policy pages shared by the staffing and the evaluation policies (``stations.policy_views``)."""

from datetime import date

import pytest
from django.test import Client

from evaluation.models import EvaluationPolicy
from staffing.models import StaffingPolicy
from stations.policy_views import policy_regions

YEAR = date.today().year
EVALUATION_FIGURES = {
    "excellent_min": "90",
    "good_min": "80",
    "pass_min": "60",
    "five_stars_min": "95",
    "four_stars_min": "90",
    "three_stars_min": "80",
    "two_stars_min": "70",
    "one_star_min": "60",
}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_official_sets_policy_for_their_region_and_below_down_to_counties(world):
    regions = world.regions

    assert list(policy_regions(world.users["city"])) == [regions["A"], regions["A2"], regions["A1"]]
    assert list(policy_regions(world.users["county"])) == [regions["A1"]]


def test_a_user_without_a_region_sets_policy_for_none(world):
    assert not policy_regions(world.users["evaluator"]).exists()


@pytest.mark.parametrize(
    ("url", "model"),
    [("/staffing/policies/", StaffingPolicy), ("/evaluation/policies/", EvaluationPolicy)],
)
def test_both_policy_lists_are_the_shared_page_with_their_own_figures(world, url, model):
    model.objects.create(region=world.regions["A"], year=YEAR)

    response = signed_in(world.users["city"]).get(url)

    assert "includes/policy_list.html" in [template.name for template in response.templates]
    assert [policy.editable for policy in response.context["object_list"]] == [True]
    assert response.context["years"] == [YEAR]


def test_a_second_evaluation_policy_for_the_same_region_and_year_is_refused_on_the_year(world):
    EvaluationPolicy.objects.create(region=world.regions["A"], year=YEAR)

    response = signed_in(world.users["city"]).post(
        "/evaluation/policies/new/", {"region": world.regions["A"].pk, "year": str(YEAR), **EVALUATION_FIGURES}
    )

    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert not response.context["form"].non_field_errors()
    assert EvaluationPolicy.objects.count() == 1
