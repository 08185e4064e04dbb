"""The assignments API: scoped lists with filters, commissioning by officials for stations of their region, what
is fixed once evaluations begin, the counts by status, and ``start``."""

from datetime import date

import pytest

from evaluation.models import Assignment, Evaluation, ScorecardTemplate
from tests.evaluation.helpers import started, submitted
from tests.factories import AssignmentFactory, OrganizationFactory, StationFactory

THIS = date.today().year
LIST = "/api/v1/assignments/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def world_assignment(world) -> Assignment:
    return Assignment.objects.get(agency=world.orgs["agency"])


def template() -> ScorecardTemplate:
    return ScorecardTemplate.objects.get(code="station-evaluation", version=1)


def commission(world, **changes) -> dict:
    return {
        "title": "2026年度社工站评估",
        "agency": world.orgs["agency"].pk,
        "year": THIS,
        "stage": "annual",
        "template": template().pk,
        "starts_on": f"{THIS}-01-01",
        "ends_on": f"{THIS}-12-31",
        "due_on": f"{THIS}-11-30",
        "stations": [world.stations["S1"].pk],
        **changes,
    }


# --- reading ---------------------------------------------------------------------------------------------------


def test_an_assignment_shows_its_stations_deadline_and_counts_by_status(world, api_client_for):
    started(world, "S2")
    assignment = world_assignment(world)

    body = api_client_for("city").get(f"{LIST}{assignment.pk}/").json()

    assert {station["id"] for station in body["station_list"]} == {world.stations["S1"].pk, world.stations["S2"].pk}
    assert body["deadline"] == assignment.deadline.isoformat()
    assert body["evaluations"] == {"not_started": 1, "draft": 1, "submitted": 0, "reviewed": 0, "published": 0}
    assert body["template_version"] == 1


def test_the_counts_and_stations_keep_to_the_callers_scope(world, api_client_for):
    """The township official of T1 sees S1 only, and counts only its evaluation."""
    submitted(world, station_key="S2")

    body = api_client_for("township").get(f"{LIST}{world_assignment(world).pk}/").json()

    assert [station["id"] for station in body["station_list"]] == [world.stations["S1"].pk]
    assert body["evaluations"] == {"not_started": 1, "draft": 0, "submitted": 0, "reviewed": 0, "published": 0}


def test_the_list_filters_by_year_stage_agency_and_station(world, api_client_for):
    mine = world_assignment(world)
    other = AssignmentFactory(
        agency=OrganizationFactory(name="乙评估", kind="evaluation_agency"),
        year=THIS - 1,
        stage="final",
        stations=[world.stations["S3"]],
    )
    city = api_client_for("city")

    assert ids(city.get(LIST, {"year": THIS - 1})) == [other.pk]
    assert ids(city.get(LIST, {"stage": "annual"})) == [mine.pk]
    assert ids(city.get(LIST, {"agency": world.orgs["agency"].pk})) == [mine.pk]
    assert ids(city.get(LIST, {"station": world.stations["S3"].pk})) == [other.pk]


def test_an_evaluator_sees_only_the_current_assignments_of_their_agency(world, api_client_for):
    mine = world_assignment(world)
    AssignmentFactory(stations=[world.stations["S1"]])  # another agency's
    AssignmentFactory(
        agency=world.orgs["agency"], starts_on=date(THIS - 1, 1, 1), ends_on=date(THIS - 1, 12, 31)
    )  # ended

    assert ids(api_client_for("evaluator").get(LIST)) == [mine.pk]


def more_assignments(world, count):
    for _ in range(count):
        station = StationFactory(township=world.regions["T1"])
        AssignmentFactory(agency=world.orgs["agency"], stations=[station, world.stations["S1"]])


def test_the_list_query_count_does_not_grow_with_rows(world, api_client_for, django_assert_max_num_queries):
    client = api_client_for("county")
    more_assignments(world, 2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(LIST).status_code == 200
    more_assignments(world, 8)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)

    assert response.json()["count"] == 11


# --- commissioning ---------------------------------------------------------------------------------------------


def test_a_county_official_commissions_an_assignment_for_their_region(world, api_client_for):
    response = api_client_for("county").post(LIST, commission(world), format="json")

    assert response.status_code == 201, response.content
    created = Assignment.objects.get(pk=response.json()["id"])
    assert created.region == world.regions["A1"]
    assert created.created_by == world.users["county"]
    assert list(created.stations.all()) == [world.stations["S1"]]


def test_a_station_outside_the_officials_region_is_a_field_error(world, api_client_for):
    before = Assignment.objects.count()

    response = api_client_for("county").post(
        LIST, commission(world, stations=[world.stations["S1"].pk, world.stations["S3"].pk]), format="json"
    )

    assert response.status_code == 400
    assert "stations" in response.json()
    assert Assignment.objects.count() == before


def test_only_an_evaluation_agency_is_assigned(world, api_client_for):
    response = api_client_for("city").post(LIST, commission(world, agency=world.orgs["op"].pk), format="json")

    assert response.status_code == 400
    assert "agency" in response.json()


def test_only_an_active_scorecard_is_assigned(world, api_client_for):
    draft = ScorecardTemplate.objects.create(code="draft-card", name="草稿", purpose="evaluation", status="draft")

    response = api_client_for("city").post(LIST, commission(world, template=draft.pk), format="json")

    assert response.status_code == 400
    assert "template" in response.json()


def test_a_two_way_scorecard_is_not_an_evaluation_scorecard(world, api_client_for):
    two_way = ScorecardTemplate.objects.get(code="two-way-operator")

    response = api_client_for("city").post(LIST, commission(world, template=two_way.pk), format="json")

    assert response.status_code == 400
    assert "template" in response.json()


def test_the_due_day_lies_within_the_access_period(world, api_client_for):
    response = api_client_for("city").post(LIST, commission(world, due_on=f"{THIS + 1}-01-15"), format="json")

    assert response.status_code == 400
    assert "due_on" in response.json()


def test_at_least_one_station(world, api_client_for):
    response = api_client_for("city").post(LIST, commission(world, stations=[]), format="json")

    assert response.status_code == 400
    assert "stations" in response.json()


def test_a_station_manager_does_not_commission(world, api_client_for):
    assert api_client_for("manager").post(LIST, commission(world), format="json").status_code == 403


# --- what is fixed once evaluations begin ----------------------------------------------------------------------


@pytest.mark.parametrize("change", [{"stage": "midterm"}, {"year": THIS - 1}, {"template": "other"}])
def test_once_an_evaluation_has_begun_scorecard_year_and_stage_are_fixed(world, api_client_for, change):
    started(world)
    assignment = world_assignment(world)
    if change.get("template") == "other":
        other = ScorecardTemplate.objects.create(code="other-card", name="其他", purpose="evaluation", status="active")
        change = {"template": other.pk}

    response = api_client_for("city").patch(f"{LIST}{assignment.pk}/", change, format="json")

    assert response.status_code == 409
    fresh = Assignment.objects.get(pk=assignment.pk)
    assert (fresh.year, fresh.stage, fresh.template_id) == (assignment.year, assignment.stage, assignment.template_id)


def test_before_any_evaluation_the_stage_may_change(world, api_client_for):
    assignment = world_assignment(world)

    response = api_client_for("city").patch(f"{LIST}{assignment.pk}/", {"stage": "midterm"}, format="json")

    assert response.status_code == 200
    assert response.json()["stage"] == "midterm"


def test_an_evaluated_station_stays_in_the_assignment(world, api_client_for):
    started(world)
    assignment = world_assignment(world)

    response = api_client_for("city").patch(
        f"{LIST}{assignment.pk}/", {"stations": [world.stations["S2"].pk]}, format="json"
    )

    assert response.status_code == 409
    assert set(assignment.stations.values_list("pk", flat=True)) == {world.stations["S1"].pk, world.stations["S2"].pk}


def test_the_dates_may_change_while_evaluations_run(world, api_client_for):
    started(world)
    assignment = world_assignment(world)

    response = api_client_for("city").patch(f"{LIST}{assignment.pk}/", {"due_on": f"{THIS}-10-31"}, format="json")

    assert response.status_code == 200
    assert response.json()["deadline"] == f"{THIS}-10-31"


def test_stations_outside_the_officials_region_stay_when_they_edit(world, api_client_for):
    """A city's assignment (S1 in county A1, S3 in A2) edited by the county official of A1 keeps S3."""
    assignment = AssignmentFactory(
        agency=world.orgs["agency"], stage="final", stations=[world.stations["S1"], world.stations["S3"]]
    )
    new = StationFactory(township=world.regions["T2"])

    response = api_client_for("county").patch(
        f"{LIST}{assignment.pk}/", {"stations": [world.stations["S1"].pk, new.pk]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert set(assignment.stations.values_list("pk", flat=True)) == {
        world.stations["S1"].pk,
        world.stations["S3"].pk,
        new.pk,
    }


def test_an_assignment_with_evaluations_is_not_deleted(world, api_client_for):
    started(world)

    response = api_client_for("admin").delete(f"{LIST}{world_assignment(world).pk}/")

    assert response.status_code == 409
    assert Assignment.objects.filter(agency=world.orgs["agency"]).exists()


# --- start -----------------------------------------------------------------------------------------------------


def test_start_begins_a_draft_then_returns_it(world, api_client_for):
    assignment = world_assignment(world)
    client = api_client_for("evaluator")

    first = client.post(f"{LIST}{assignment.pk}/start/", {"station": world.stations["S1"].pk})
    again = client.post(f"{LIST}{assignment.pk}/start/", {"station": world.stations["S1"].pk})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "draft"
    assert len(first.json()["scores"]) == 23
    assert Evaluation.objects.count() == 1


def test_an_official_does_not_start_an_evaluation(world, api_client_for):
    assignment = world_assignment(world)

    response = api_client_for("city").post(f"{LIST}{assignment.pk}/start/", {"station": world.stations["S1"].pk})

    assert response.status_code == 403
    assert not Evaluation.objects.exists()


def test_a_station_of_the_scope_but_not_of_the_assignment_is_a_field_error(world, api_client_for):
    assignment = AssignmentFactory(agency=world.orgs["agency"], stage="midterm", stations=[world.stations["S1"]])

    response = api_client_for("evaluator").post(f"{LIST}{assignment.pk}/start/", {"station": world.stations["S2"].pk})

    assert response.status_code == 400
    assert "station" in response.json()
