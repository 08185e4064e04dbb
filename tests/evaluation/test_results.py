"""A station's results (issue 9, items 8 and 9): its grade and stars come from its latest published annual or final
evaluation, in the stations API and on the station page; the results page lists its evaluations.

The evaluations are made directly with the models here: the workflow that publishes them is tested elsewhere.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.choices import EvaluationStatus, Grade, Stage
from evaluation.models import Assignment, Evaluation, ScorecardTemplate
from evaluation.rules.twoway import two_way_rate
from stations.choices import OrganizationKind
from tests.factories import OrganizationFactory, StationFactory

pytestmark = pytest.mark.django_db

YEAR = date.today().year


def evaluation(world, station, *, year, stage=Stage.ANNUAL, status=EvaluationStatus.PUBLISHED, total="91.5",
               grade=Grade.EXCELLENT, stars=4, days_ago=30) -> Evaluation:  # fmt: skip
    """An evaluation of ``station`` for ``year`` and ``stage`` under an assignment of its own."""
    agency = world.extra.get("results_agency") or OrganizationFactory(kind=OrganizationKind.EVALUATION_AGENCY)
    world.extra["results_agency"] = agency
    template = ScorecardTemplate.objects.get(code="station-evaluation", version=1)
    assignment = Assignment.objects.create(
        agency=agency,
        year=year,
        stage=stage,
        template=template,
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
    )
    assignment.stations.set([station])
    published = status == EvaluationStatus.PUBLISHED
    return Evaluation.objects.create(
        assignment=assignment,
        station=station,
        template=template,
        year=year,
        stage=stage,
        status=status,
        total=Decimal(total) if status != EvaluationStatus.DRAFT else None,
        grade=grade if status != EvaluationStatus.DRAFT else "",
        stars=stars if status != EvaluationStatus.DRAFT else None,
        published_at=timezone.now() - timedelta(days=days_ago) if published else None,
    )


def station_row(world, api_client_for, role="city", key="S1") -> dict:
    response = api_client_for(role).get(f"/api/v1/stations/{world.stations[key].pk}/")
    assert response.status_code == 200
    return response.json()


# --- the stations API ----------------------------------------------------------------------------------------------


def test_a_station_without_a_published_result_has_no_grade_nor_stars(world, api_client_for):
    row = station_row(world, api_client_for)

    assert (row["grade"], row["stars"]) == (None, None)


def test_the_grade_and_stars_are_the_latest_published_annual_evaluation_s(world, api_client_for):
    s1 = world.stations["S1"]
    evaluation(world, s1, year=YEAR - 2, total="72.0", grade=Grade.PASS, stars=2, days_ago=400)
    evaluation(world, s1, year=YEAR - 1, total="91.5", grade=Grade.EXCELLENT, stars=4)

    row = station_row(world, api_client_for)

    assert (row["grade"], row["stars"]) == ("excellent", 4)


def test_a_newer_published_midterm_does_not_change_them(world, api_client_for):
    s1 = world.stations["S1"]
    evaluation(world, s1, year=YEAR - 1, total="91.5", grade=Grade.EXCELLENT, stars=4)
    evaluation(world, s1, year=YEAR, stage=Stage.MIDTERM, total="65.0", grade=Grade.PASS, stars=1, days_ago=1)

    row = station_row(world, api_client_for)

    assert (row["grade"], row["stars"]) == ("excellent", 4)


@pytest.mark.parametrize("status", [EvaluationStatus.DRAFT, EvaluationStatus.SUBMITTED, EvaluationStatus.REVIEWED])
def test_a_newer_unpublished_annual_does_not_change_them(world, api_client_for, status):
    s1 = world.stations["S1"]
    evaluation(world, s1, year=YEAR - 1, total="91.5", grade=Grade.EXCELLENT, stars=4)
    evaluation(world, s1, year=YEAR, status=status, total="55.0", grade=Grade.FAIL, stars=0)

    row = station_row(world, api_client_for)

    assert (row["grade"], row["stars"]) == ("excellent", 4)


def test_a_newer_published_final_evaluation_sets_them(world, api_client_for):
    s1 = world.stations["S1"]
    evaluation(world, s1, year=YEAR - 1, total="91.5", grade=Grade.EXCELLENT, stars=4)
    evaluation(world, s1, year=YEAR, stage=Stage.FINAL, total="82.0", grade=Grade.GOOD, stars=3, days_ago=1)

    row = station_row(world, api_client_for)

    assert (row["grade"], row["stars"]) == ("good", 3)


def test_an_amended_result_is_what_the_station_shows(world, api_client_for):
    """An amendment rewrites the evaluation's total, grade and stars: the station's follow, nothing is copied."""
    result = evaluation(world, world.stations["S1"], year=YEAR - 1, total="89.9", grade=Grade.GOOD, stars=3)
    Evaluation.objects.filter(pk=result.pk).update(total=Decimal("90.0"), grade=Grade.EXCELLENT, stars=4)

    row = station_row(world, api_client_for)

    assert (row["grade"], row["stars"]) == ("excellent", 4)


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/stations/")
    assert response.status_code == 200
    return len(queries)


def test_the_stations_list_attaches_grades_and_stars_in_a_fixed_number_of_queries(
    world, api_client_for, django_assert_max_num_queries
):
    client = api_client_for("city")
    evaluation(world, world.stations["S1"], year=YEAR - 1)
    few = list_queries(client)
    for n in range(6):
        station = StationFactory(township=world.regions["T2"])
        evaluation(world, station, year=YEAR - 1, total=f"{80 + n}.0", grade=Grade.GOOD, stars=3)

    with django_assert_max_num_queries(few):
        response = client.get("/api/v1/stations/")

    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[world.stations["S1"].pk]["stars"] == 4
    assert sum(1 for row in rows.values() if row["grade"] == "good") == 6


# --- the station page ----------------------------------------------------------------------------------------------


def page(world, role: str, url: str):
    client = Client()
    client.force_login(world.users[role])
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_the_station_page_shows_its_published_results_with_stars_and_a_link_to_each(world):
    s1 = world.stations["S1"]
    annual = evaluation(world, s1, year=YEAR - 1, total="91.5", grade=Grade.EXCELLENT, stars=4)
    midterm = evaluation(world, s1, year=YEAR, stage=Stage.MIDTERM, total="70.0", grade=Grade.PASS, stars=2)
    draft = evaluation(world, s1, year=YEAR, status=EvaluationStatus.DRAFT)

    response = page(world, "manager", reverse("stations:detail", args=[s1.pk]))

    body = response.content.decode()
    assert [row.pk for row in response.context["results"]] == [midterm.pk, annual.pk]
    assert response.context["current_result"] == annual
    assert 'data-stars="4"' in body and "★★★★<" in body
    assert reverse("evaluation:evaluation-detail", args=[annual.pk]) in body
    assert reverse("evaluation:evaluation-detail", args=[draft.pk]) not in body


def test_the_station_page_shows_the_two_way_pair_of_the_latest_year_rated(world):
    s1 = world.stations["S1"]
    scores = {indicator.pk: indicator.max_points for indicator in ScorecardTemplate.objects.get(
        code="two-way-operator").indicators.all()}  # fmt: skip
    two_way_rate(station=s1, year=YEAR - 1, direction="operator", scores=scores, user=world.users["township"])

    response = page(world, "city", reverse("stations:detail", args=[s1.pk]))

    assert response.context["two_way"].year == YEAR - 1
    assert response.context["two_way"].operator.total == Decimal("100.0")
    assert 'id="two-way-operator"' in response.content.decode()


# --- the results page ----------------------------------------------------------------------------------------------


def results_url(world) -> str:
    return reverse("evaluation:station-results", args=[world.stations["S1"].pk])


@pytest.mark.parametrize("role", ["city", "county", "township", "admin"])
def test_officials_see_every_evaluation_on_the_results_page_drafts_too(world, role):
    s1 = world.stations["S1"]
    published = evaluation(world, s1, year=YEAR - 1)
    draft = evaluation(world, s1, year=YEAR, status=EvaluationStatus.DRAFT)

    response = page(world, role, results_url(world))

    assert {row.pk for row in response.context["evaluations"]} == {published.pk, draft.pk}


@pytest.mark.parametrize("role", ["manager", "worker"])
def test_the_station_s_staff_see_its_results_only(world, role):
    s1 = world.stations["S1"]
    published = evaluation(world, s1, year=YEAR - 1)
    evaluation(world, s1, year=YEAR, status=EvaluationStatus.SUBMITTED)

    response = page(world, role, results_url(world))

    assert [row.pk for row in response.context["evaluations"]] == [published.pk]


def test_the_evaluator_sees_the_draft_of_its_own_assignment(world):
    assignment = Assignment.objects.get(agency=world.orgs["agency"])
    draft = Evaluation.objects.create(
        assignment=assignment,
        station=world.stations["S1"],
        template=assignment.template,
        year=assignment.year,
        stage=assignment.stage,
    )
    evaluation(world, world.stations["S1"], year=YEAR, stage=Stage.MIDTERM, status=EvaluationStatus.DRAFT)

    response = page(world, "evaluator", results_url(world))

    assert [row.pk for row in response.context["evaluations"]] == [draft.pk]


def test_the_results_page_marks_the_evaluation_that_sets_the_stars(world):
    annual = evaluation(world, world.stations["S1"], year=YEAR - 1, total="95.0", stars=5)

    response = page(world, "city", results_url(world))

    assert response.context["current"] == annual
    assert 'data-stars="5"' in response.content.decode() and "★★★★★" in response.content.decode()


def test_the_results_page_keeps_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.users["city"])
    evaluation(world, world.stations["S1"], year=YEAR - 1)
    with CaptureQueriesContext(connection) as queries:
        client.get(results_url(world))
    for year in range(YEAR - 6, YEAR - 1):
        evaluation(world, world.stations["S1"], year=year)

    with django_assert_max_num_queries(len(queries)):
        response = client.get(results_url(world))

    assert len(response.context["evaluations"]) == 6
