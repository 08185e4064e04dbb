"""The two-way assessment (issue 9, item 7): who rates which side, the scores and the total, the API and the pages.

The township official of S1's township rates the operator, S1's manager the township's support; nobody else rates
(``rules.twoway.two_way_rate``). The permission matrix covers every role on every endpoint; these tests the rule's
boundaries and what the pages show.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from evaluation.choices import TemplatePurpose, TemplateStatus
from evaluation.models import Dimension, Indicator, ScorecardTemplate, TwoWayAssessment, TwoWayScore
from evaluation.rules.twoway import two_way_pair, two_way_rate
from tests.factories import StationFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = date.today().year


def indicators(direction: str) -> list[Indicator]:
    code = {"operator": "two-way-operator", "support": "two-way-support"}[direction]
    return list(Indicator.objects.filter(template__code=code, template__version=1))


def scores_of(direction: str, **overrides) -> dict[int, Decimal]:
    """Full marks on every indicator, but for ``overrides`` (indicator code -> points)."""
    return {indicator.pk: overrides.get(indicator.code, indicator.max_points) for indicator in indicators(direction)}


def rate(world, direction="operator", role=None, year=YEAR, **overrides):
    role = role or {"operator": "township", "support": "manager"}[direction]
    return two_way_rate(
        station=world.stations["S1"],
        year=year,
        direction=direction,
        scores=scores_of(direction, **overrides),
        comment="评价",
        user=world.users[role],
    )


# --- who rates which side ------------------------------------------------------------------------------------------


def test_the_township_official_rates_the_operator_on_the_active_operator_scorecard(world):
    assessment = rate(world, "operator", O1="25.5", O4="10")

    assert assessment.template.purpose == TemplatePurpose.OPERATOR_RATING
    assert assessment.total == Decimal("90.5")
    assert assessment.by == world.users["township"]
    assert TwoWayScore.objects.filter(assessment=assessment).count() == 5


def test_the_station_manager_rates_the_township_s_support(world):
    assessment = rate(world, "support", S2="20")

    assert assessment.template.purpose == TemplatePurpose.SUPPORT_RATING
    assert assessment.total == Decimal("95.0")


@pytest.mark.parametrize("role", ["admin", "city", "county", "manager", "worker", "evaluator", "outsider"])
def test_nobody_but_the_township_official_rates_the_operator(world, role):
    with pytest.raises(PermissionDenied):
        rate(world, "operator", role=role)

    assert not TwoWayAssessment.objects.exists()


@pytest.mark.parametrize("role", ["admin", "city", "county", "township", "worker", "evaluator", "outsider"])
def test_nobody_but_the_station_manager_rates_the_support(world, role):
    with pytest.raises(PermissionDenied):
        rate(world, "support", role=role)

    assert not TwoWayAssessment.objects.exists()


def test_the_official_of_another_township_does_not_rate_the_operator(world):
    """T2's official reaches no station of T1: the rating is refused as if by a stranger."""
    world.users["township2"] = UserFactory(
        username="township2", role=Role.TOWNSHIP_OFFICIAL, region=world.regions["T2"]
    )

    with pytest.raises(PermissionDenied):
        rate(world, "operator", role="township2")


def test_the_manager_of_another_station_does_not_rate_s1_s_support(world):
    other = StationFactory(township=world.regions["T1"])
    world.users["manager2"] = UserFactory(username="manager2", role=Role.STATION_MANAGER, station=other)

    with pytest.raises(PermissionDenied):
        rate(world, "support", role="manager2")


# --- scores and the total ------------------------------------------------------------------------------------------


def test_a_score_at_its_maximum_and_zero_are_accepted(world):
    assessment = rate(world, "operator", O1="30.0", O2="0")

    assert assessment.total == Decimal("80.0")


def test_a_score_above_its_maximum_is_refused_on_scores_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as refused:
        rate(world, "operator", O1="30.1")

    errors = refused.value.error_dict["scores"]
    assert [error.code for error in errors] == ["out_of_range"]
    assert errors[0].params["code"] == "O1"
    assert not TwoWayAssessment.objects.exists() and not TwoWayScore.objects.exists()


@pytest.mark.parametrize(
    ("value", "code"), [("-0.1", "out_of_range"), ("12.25", "precision"), ("NaN", "missing"), ("", "missing")]
)
def test_a_score_that_is_not_0_to_max_with_one_decimal_is_refused(world, value, code):
    with pytest.raises(ValidationError) as refused:
        rate(world, "operator", O3=value)

    assert [error.code for error in refused.value.error_dict["scores"]] == [code]


def test_every_indicator_must_be_scored(world):
    scores = scores_of("operator")
    scores.pop(next(iter(scores)))

    with pytest.raises(ValidationError) as refused:
        two_way_rate(
            station=world.stations["S1"],
            year=YEAR,
            direction="operator",
            scores=scores,
            user=world.users["township"],
        )

    assert [error.code for error in refused.value.error_dict["scores"]] == ["missing"]


def test_an_indicator_of_the_other_side_s_scorecard_is_refused(world):
    scores = {**scores_of("operator"), indicators("support")[0].pk: Decimal("1")}

    with pytest.raises(ValidationError) as refused:
        two_way_rate(
            station=world.stations["S1"], year=YEAR, direction="operator", scores=scores, user=world.users["township"]
        )

    assert "unknown_indicator" in [error.code for error in refused.value.error_dict["scores"]]


def test_a_revision_replaces_the_scores_and_the_total(world):
    first = rate(world, "operator")

    revised = rate(world, "operator", O5="5")

    assert revised.pk == first.pk
    assert revised.total == Decimal("90.0")
    assert TwoWayScore.objects.filter(assessment=first).count() == 5
    assert TwoWayAssessment.objects.count() == 1


def test_last_year_is_still_open_and_the_years_before_and_after_are_not(world):
    assert rate(world, "operator", year=YEAR - 1).year == YEAR - 1
    for year in (YEAR - 2, YEAR + 1):
        with pytest.raises(ValidationError) as refused:
            rate(world, "operator", year=year)
        assert "year" in refused.value.error_dict


def new_version(code: str, *, region=None) -> ScorecardTemplate:
    """A second active version of a shipped two-way scorecard: one indicator of 100 points."""
    old = ScorecardTemplate.objects.get(code=code, version=1)
    template = ScorecardTemplate.objects.create(
        code=code, version=2, name=f"{old.name} v2", purpose=old.purpose, region=region, status=TemplateStatus.ACTIVE
    )
    dimension = Dimension.objects.create(template=template, order=1, code="X", name="综合")
    Indicator.objects.create(
        template=template, dimension=dimension, order=1, code="X1", name="综合评价", max_points=Decimal("100")
    )
    return template


def test_an_assessment_keeps_the_scorecard_it_was_made_on(world):
    made = rate(world, "operator")
    new_version("two-way-operator")

    revised = rate(world, "operator", O1="20")

    assert revised.template_id == made.template_id
    assert revised.total == Decimal("90.0")


def test_a_new_assessment_takes_the_nearest_region_s_active_scorecard(world):
    new_version("two-way-operator")
    ScorecardTemplate.objects.filter(code="two-way-operator", version=1).update(region=world.regions["A"])

    assessment = rate(world, "operator", year=YEAR - 1)

    assert assessment.template.version == 1  # city A's own, before the national version 2


# --- the pair ------------------------------------------------------------------------------------------------------


def test_the_pair_shows_both_sides_of_the_year_and_what_each_can_give(world):
    operator = rate(world, "operator", O1="20")
    rate(world, "support", year=YEAR - 1)

    pair = two_way_pair(station=world.stations["S1"], year=YEAR)

    assert pair.operator == operator and pair.support is None
    sides = {side.direction: side for side in pair.sides}
    assert sides["operator"].max_points == Decimal("100.0")
    assert sides["support"].assessment is None


# --- the API -------------------------------------------------------------------------------------------------------


def api_body(world, direction="operator", year=YEAR, **overrides):
    return {
        "station": world.stations["S1"].pk,
        "year": year,
        "direction": direction,
        "scores": [{"indicator": pk, "score": str(score)} for pk, score in scores_of(direction, **overrides).items()],
        "comment": "年终",
    }


def test_the_api_refuses_a_score_above_its_maximum_with_400_and_saves_nothing(world, api_client_for):
    response = api_client_for("township").post(
        "/api/v1/two-way-assessments/", api_body(world, O2="20.5"), format="json"
    )

    assert response.status_code == 400
    assert "scores" in response.json()
    assert not TwoWayAssessment.objects.exists()


def test_the_api_rates_then_revises_the_same_assessment(world, api_client_for):
    client = api_client_for("township")

    created = client.post("/api/v1/two-way-assessments/", api_body(world), format="json")
    again = client.post("/api/v1/two-way-assessments/", api_body(world, O1="10"), format="json")

    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["id"] == again.json()["id"]
    assert again.json()["total"] == "80.0"
    assert len(again.json()["scores"]) == 5


def test_the_api_refuses_an_indicator_scored_twice(world, api_client_for):
    body = api_body(world)
    body["scores"].append(body["scores"][0])

    response = api_client_for("township").post("/api/v1/two-way-assessments/", body, format="json")

    assert response.status_code == 400
    assert not TwoWayAssessment.objects.exists()


def test_a_patch_of_the_comment_keeps_the_scores(world, api_client_for):
    assessment = rate(world, "operator", O1="20")

    response = api_client_for("township").patch(
        f"/api/v1/two-way-assessments/{assessment.pk}/", {"comment": "补充"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["total"] == "90.0" and response.json()["comment"] == "补充"


def test_the_api_filters_by_station_year_and_direction(world, api_client_for):
    operator = rate(world, "operator")
    rate(world, "support")
    rate(world, "operator", year=YEAR - 1)

    response = api_client_for("city").get(
        "/api/v1/two-way-assessments/", {"station": world.stations["S1"].pk, "year": YEAR, "direction": "operator"}
    )

    assert [row["id"] for row in response.json()["results"]] == [operator.pk]


def test_the_api_list_keeps_a_fixed_number_of_queries(world, api_client_for, django_assert_max_num_queries):
    for station in [world.stations["S1"], *[StationFactory(township=world.regions["T1"]) for _ in range(4)]]:
        for direction in ("operator", "support"):
            TwoWayAssessment.objects.create(
                station=station,
                year=YEAR,
                direction=direction,
                template=ScorecardTemplate.objects.get(code=f"two-way-{direction}"),
                total=Decimal("0"),
                by=world.users["city"],
            )
    client = api_client_for("city")

    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/two-way-assessments/")

    assert response.json()["count"] == 10


# --- the pages -----------------------------------------------------------------------------------------------------


def page_client(world, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def rate_url(world, direction: str, year: int = YEAR) -> str:
    return reverse("evaluation:two-way-rate", args=[world.stations["S1"].pk, direction, year])


def test_the_pair_page_shows_both_totals_side_by_side(world):
    rate(world, "operator", O1="20")
    rate(world, "support", S1="20.5")

    response = page_client(world, "city").get(reverse("evaluation:two-way", args=[world.stations["S1"].pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="two-way-operator"' in body and 'id="two-way-support"' in body
    assert "90.0" in body and "95.5" in body


def test_the_pair_page_offers_the_rating_only_to_the_side_that_rates(world):
    url = reverse("evaluation:two-way", args=[world.stations["S1"].pk])

    township = page_client(world, "township").get(url).content.decode()
    city = page_client(world, "city").get(url).content.decode()

    assert rate_url(world, "operator") in township and rate_url(world, "support") not in township
    assert rate_url(world, "operator") not in city


def test_the_rating_form_shows_each_indicator_s_maximum_and_a_live_total_from_a_static_script(world):
    response = page_client(world, "manager").get(rate_url(world, "support"))

    body = response.content.decode()
    assert response.status_code == 200
    for indicator in indicators("support"):
        assert f'name="score_{indicator.pk}"' in body
        assert f'max="{indicator.max_points}"' in body
    assert "data-two-way-total" in body
    assert "js/two_way.js" in body
    assert "<script>" not in body  # the Content Security Policy allows no inline script


def test_the_rating_form_saves_and_goes_back_to_the_pair(world):
    data = {f"score_{pk}": str(score) for pk, score in scores_of("support", S5="7.5").items()}

    response = page_client(world, "manager").post(rate_url(world, "support"), {**data, "comment": "谢谢支持"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("evaluation:two-way", args=[world.stations["S1"].pk]))
    assessment = TwoWayAssessment.objects.get()
    assert (assessment.total, assessment.comment) == (Decimal("92.5"), "谢谢支持")


def test_the_rating_form_shows_a_score_above_its_maximum_on_its_field_and_saves_nothing(world):
    first = indicators("support")[0]
    data = {f"score_{pk}": str(score) for pk, score in scores_of("support").items()}
    data[f"score_{first.pk}"] = str(first.max_points + 1)

    response = page_client(world, "manager").post(rate_url(world, "support"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[f"score_{first.pk}"]
    assert not TwoWayAssessment.objects.exists()


def test_a_closed_year_has_no_rating_form(world):
    response = page_client(world, "township").get(rate_url(world, "operator", YEAR - 2))

    assert response.status_code == 404


def test_the_other_side_s_form_is_refused(world):
    assert page_client(world, "manager").get(rate_url(world, "operator")).status_code == 403
    assert page_client(world, "township").get(rate_url(world, "support")).status_code == 403
