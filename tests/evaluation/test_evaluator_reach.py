"""The evaluator's reach (issue 9, item 3): the stations of the agency's current assignments and, of their records,
only those of a year some current assignment evaluates for that station (a union of (station, year) pairs).

Other roles see what they saw before: the same rows, through the same queries.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from evaluation.models import Assignment, ScorecardTemplate, Survey, TwoWayAssessment
from services.models import (
    Attachment,
    Case,
    CaseFollowUp,
    CaseReferral,
    FocusProblem,
    Project,
    ServiceRecord,
)
from services.models.cases import CaseStepQuerySet
from staffing.api import VolunteerHoursQuerySet
from staffing.models import SupervisionVisit, TrainingSession, VolunteerHours
from tests.factories import AssignmentFactory
from tests.services.helpers import beneficiary, staff_member, volunteer

pytestmark = pytest.mark.django_db

TODAY = date.today()
THIS = TODAY.year
LAST = THIS - 1
# A day of this year that is not in the future (records cannot be), and one of last year.
THIS_DAY = date(THIS, 1, 1)
LAST_DAY = date(LAST, 6, 15)


def record(station, on) -> ServiceRecord:
    return ServiceRecord.objects.create(station=station, date=on, kind="visit", duration_minutes=60)


def evaluated_also(world, year, **window):
    """A second current assignment of the world's agency: S1 evaluated for ``year`` as well."""
    return AssignmentFactory(agency=world.orgs["agency"], year=year, stations=[world.stations["S1"]], **window)


def only_last_year(world):
    """The world's agency evaluates S1 and S2 for last year only (the usual case early in a year)."""
    Assignment.objects.filter(agency=world.orgs["agency"]).update(year=LAST)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- the one mechanism, model by model -----------------------------------------------------------------------


def people(station):
    return beneficiary(station, 1), staff_member(station, 2), volunteer(station, 3)


def dated_row(model, station, on: date):
    """One row of ``model`` of ``station`` dated ``on`` (its year, for a model with a year field)."""
    person, worker, helper = (
        station.beneficiaries.first() or beneficiary(station, 1),
        station.staff.first() or staff_member(station, 2),
        station.volunteers.first() or volunteer(station, 3),
    )
    if model is ServiceRecord:
        return record(station, on)
    if model is Attachment:
        return Attachment.objects.create(
            record=record(station, on),
            file="x.png",
            original_name="x.png",
            content_type="image/png",
            size=1,
            uploaded_by=_someone(),
        )
    if model is VolunteerHours:
        return VolunteerHours.objects.create(volunteer=helper, date=on, hours=Decimal("2"), activity="探访")
    if model is TrainingSession:
        return TrainingSession.objects.create(station=station, topic="督导培训", date=on, hours=Decimal("2"))
    if model is SupervisionVisit:
        return SupervisionVisit.objects.create(station=station, supervisor="王督导", date=on, findings="良好")
    if model is Case:
        return Case.objects.create(station=station, beneficiary=person, worker=worker, opened_on=on)
    if model is CaseFollowUp:
        case = Case.objects.create(station=station, beneficiary=person, worker=worker, opened_on=date(LAST, 1, 1))
        return CaseFollowUp.objects.create(case=case, date=on, worker=worker, content="电话回访")
    if model is CaseReferral:
        case = Case.objects.create(station=station, beneficiary=person, worker=worker, opened_on=date(LAST, 1, 1))
        return CaseReferral.objects.create(case=case, date=on, agency="县医院", reason="就医")
    if model is Project:
        return Project.objects.create(station=station, year=on.year, name=f"项目{on}", category="optional")
    if model is FocusProblem:
        return FocusProblem.objects.create(
            station=station,
            community=station.communities.first(),
            title="积水",
            reported_on=on,
            status="solved",
            solved_on=on,
        )
    if model is Survey:
        return Survey.objects.create(
            station=station, year=on.year, title="满意度", opens_on=date(on.year, 1, 1), closes_on=date(on.year, 12, 31)
        )
    if model is TwoWayAssessment:
        return TwoWayAssessment.objects.create(
            station=station,
            year=on.year,
            direction="operator",
            template=ScorecardTemplate.objects.get(code="two-way-operator", version=1),
            by=_someone(),
        )
    raise AssertionError(model)


def _someone():
    return User.objects.get(username="manager")


def visible(model, user):
    """``model``'s rows ``user`` reaches, through the queryset its API and pages use."""
    if model is VolunteerHours:
        return VolunteerHoursQuerySet(model=VolunteerHours).visible_to(user)
    return model.objects.visible_to(user)


DATED = [
    ServiceRecord,
    Attachment,
    VolunteerHours,
    TrainingSession,
    SupervisionVisit,
    Case,
    CaseFollowUp,
    CaseReferral,
    Project,
    FocusProblem,
    Survey,
    TwoWayAssessment,
]


@pytest.mark.parametrize("model", DATED, ids=lambda model: model.__name__)
def test_evaluator_reaches_the_evaluated_year_of_every_dated_record(world, model):
    """Given a row of S1 this year and one of last year, the evaluator (S1 evaluated for this year) reaches the
    first only, while the city official reaches both."""
    s1 = world.stations["S1"]
    if model is Case:
        # A case closed before 1 January belongs to last year only.
        now = dated_row(model, s1, THIS_DAY)
        then = dated_row(model, s1, date(LAST, 2, 1))
        Case.objects.filter(pk=then.pk).update(closed_on=date(LAST, 12, 31))
    else:
        now, then = dated_row(model, s1, THIS_DAY), dated_row(model, s1, LAST_DAY)

    seen = set(visible(model, world.users["evaluator"]).values_list("pk", flat=True))
    seen_by_city = set(visible(model, world.users["city"]).values_list("pk", flat=True))

    assert now.pk in seen and then.pk not in seen
    assert {now.pk, then.pk} <= seen_by_city


def test_a_case_open_across_new_year_belongs_to_both_years(world):
    """A case opened last year and still open (or closed this year) is one of this year's cases."""
    s1 = world.stations["S1"]
    person, worker = beneficiary(s1, 1), staff_member(s1, 2)
    open_since = Case.objects.create(station=s1, beneficiary=person, worker=worker, opened_on=date(LAST, 3, 1))
    closed_now = Case.objects.create(station=s1, beneficiary=person, worker=worker, opened_on=date(LAST, 3, 1))
    Case.objects.filter(pk=closed_now.pk).update(closed_on=THIS_DAY, after_score=60, status="closed")

    seen = set(Case.objects.visible_to(world.users["evaluator"]).values_list("pk", flat=True))

    assert seen == {open_since.pk, closed_now.pk}


def test_a_focus_problem_solved_this_year_is_one_of_this_years(world):
    """A problem reported last year and solved this year counts among this year's problems; one solved last year not."""
    s1 = world.stations["S1"]
    solved_now = dated_row(FocusProblem, s1, LAST_DAY)
    FocusProblem.objects.filter(pk=solved_now.pk).update(solved_on=THIS_DAY)
    solved_then = dated_row(FocusProblem, s1, LAST_DAY)

    seen = set(FocusProblem.objects.visible_to(world.users["evaluator"]).values_list("pk", flat=True))

    assert solved_now.pk in seen and solved_then.pk not in seen


def test_people_are_not_records_of_a_year(world):
    """Staff, volunteers and beneficiaries registered years ago stay visible to the evaluator (masked elsewhere)."""
    person, worker, helper = people(world.stations["S1"])
    evaluator = world.users["evaluator"]

    assert type(person).objects.visible_to(evaluator).filter(pk=person.pk).exists()
    assert type(worker).objects.visible_to(evaluator).filter(pk=worker.pk).exists()
    assert type(helper).objects.visible_to(evaluator).filter(pk=helper.pk).exists()


def test_every_dated_model_declares_where_its_year_lives():
    """The mechanism is declared, not guessed: each dated model says where its station and year live."""
    assert all(getattr(model, "year_of", None) is not None for model in DATED)
    assert issubclass(CaseFollowUp.objects._queryset_class, CaseStepQuerySet)


# --- the API: list and detail --------------------------------------------------------------------------------


def test_evaluator_lists_this_years_record_of_s1_and_not_last_years(world, api_client_for):
    now, then = record(world.stations["S1"], THIS_DAY), record(world.stations["S1"], LAST_DAY)

    listed = ids(api_client_for("evaluator").get("/api/v1/service-records/"))

    assert now.pk in listed and then.pk not in listed


def test_evaluator_gets_404_for_last_years_record_and_200_for_this_years(world, api_client_for):
    now, then = record(world.stations["S1"], THIS_DAY), record(world.stations["S1"], LAST_DAY)
    client = api_client_for("evaluator")

    assert client.get(f"/api/v1/service-records/{now.pk}/").status_code == 200
    assert client.get(f"/api/v1/service-records/{then.pk}/").status_code == 404


def test_two_current_assignments_reach_both_years(world, api_client_for):
    """Given the agency also evaluates S1 for last year (a second assignment, current too), both records show."""
    now, then = record(world.stations["S1"], THIS_DAY), record(world.stations["S1"], LAST_DAY)
    evaluated_also(world, LAST)

    listed = ids(api_client_for("evaluator").get("/api/v1/service-records/"))

    assert {now.pk, then.pk} <= listed


def test_the_other_years_assignment_covers_only_its_own_station(world, api_client_for):
    """S1 evaluated for last year too does not open last year of S2, which only this year's assignment covers."""
    evaluated_also(world, LAST)
    then_s2 = record(world.stations["S2"], LAST_DAY)
    now_s2 = record(world.stations["S2"], THIS_DAY)

    listed = ids(api_client_for("evaluator").get("/api/v1/service-records/"))

    assert now_s2.pk in listed and then_s2.pk not in listed


def test_the_year_is_lost_when_its_assignment_ends(world, api_client_for):
    """Given the second (last year's) assignment ended yesterday, last year's record is a 404 again."""
    then = record(world.stations["S1"], LAST_DAY)
    evaluated_also(world, LAST, starts_on=TODAY - timedelta(days=30), ends_on=TODAY - timedelta(days=1))

    response = api_client_for("evaluator").get(f"/api/v1/service-records/{then.pk}/")

    assert response.status_code == 404


def test_an_unassigned_stations_record_of_the_evaluated_year_is_out_of_reach(world, api_client_for):
    """S3 is not assigned: its record of this very year is a 404, and not listed."""
    elsewhere = record(world.stations["S3"], THIS_DAY)
    client = api_client_for("evaluator")

    assert elsewhere.pk not in ids(client.get("/api/v1/service-records/"))
    assert client.get(f"/api/v1/service-records/{elsewhere.pk}/").status_code == 404


def test_other_roles_see_every_year_as_before(world, api_client_for):
    now, then = record(world.stations["S1"], THIS_DAY), record(world.stations["S1"], LAST_DAY)

    for role in ("admin", "city", "county", "township", "manager", "worker"):
        assert {now.pk, then.pk} <= ids(api_client_for(role).get("/api/v1/service-records/")), role


def test_a_case_shows_the_evaluator_only_the_follow_ups_and_referrals_of_the_evaluated_year(world, api_client_for):
    """A case open since last year: its follow-ups and referrals of last year are not shown to the evaluator."""
    s1 = world.stations["S1"]
    person, worker = beneficiary(s1, 1), staff_member(s1, 2)
    case = Case.objects.create(station=s1, beneficiary=person, worker=worker, opened_on=date(LAST, 3, 1))
    old = CaseFollowUp.objects.create(case=case, date=LAST_DAY, worker=worker, content="去年回访")
    new = CaseFollowUp.objects.create(case=case, date=THIS_DAY, worker=worker, content="今年回访")
    CaseReferral.objects.create(case=case, date=LAST_DAY, agency="县医院", reason="去年转介")
    kept = CaseReferral.objects.create(case=case, date=THIS_DAY, agency="县医院", reason="今年转介")

    evaluator, city = api_client_for("evaluator"), api_client_for("city")
    follow_ups = evaluator.get(f"/api/v1/cases/{case.pk}/follow-ups/").json()
    referrals = evaluator.get(f"/api/v1/cases/{case.pk}/").json()["referrals"]

    assert [row["id"] for row in follow_ups] == [new.pk]
    assert [row["id"] for row in referrals] == [kept.pk]
    assert {row["id"] for row in city.get(f"/api/v1/cases/{case.pk}/follow-ups/").json()} == {old.pk, new.pk}


# --- the API: station figures of a day, a month, a year ------------------------------------------------------


FIGURES = [
    ("portfolio", {"year": LAST}),
    ("compliance", {"date": LAST_DAY.isoformat()}),
    ("turnover", {"start": date(LAST, 1, 1).isoformat(), "end": date(LAST, 12, 31).isoformat()}),
    ("visit-rate", {"month": LAST_DAY.strftime("%Y-%m")}),
]


@pytest.mark.parametrize(("figure", "query"), FIGURES, ids=[figure for figure, _ in FIGURES])
def test_a_station_figure_of_another_year_is_404_for_the_evaluator(world, api_client_for, figure, query):
    url = f"/api/v1/stations/{world.stations['S1'].pk}/{figure}/"

    assert api_client_for("evaluator").get(url, query).status_code == 404
    assert api_client_for("city").get(url, query).status_code == 200


@pytest.mark.parametrize(("figure", "query"), FIGURES, ids=[figure for figure, _ in FIGURES])
def test_a_station_figure_of_the_evaluated_year_is_answered(world, api_client_for, figure, query):
    """Given S1 evaluated for last year, last year's figure is answered."""
    only_last_year(world)

    response = api_client_for("evaluator").get(f"/api/v1/stations/{world.stations['S1'].pk}/{figure}/", query)

    assert response.status_code == 200


def test_a_turnover_period_reaching_into_another_year_is_404(world, api_client_for):
    query = {"start": date(LAST, 7, 1).isoformat(), "end": THIS_DAY.isoformat()}

    response = api_client_for("evaluator").get(f"/api/v1/stations/{world.stations['S1'].pk}/turnover/", query)

    assert response.status_code == 404


def test_a_figure_asked_without_a_date_is_about_the_evaluated_year(world, api_client_for):
    """Given S1 evaluated for last year only, the portfolio and turnover without a date are last year's."""
    only_last_year(world)
    Project.objects.create(station=world.stations["S1"], year=LAST, name="去年核心项目", category="core")
    client, pk = api_client_for("evaluator"), world.stations["S1"].pk

    portfolio = client.get(f"/api/v1/stations/{pk}/portfolio/")
    turnover = client.get(f"/api/v1/stations/{pk}/turnover/")

    assert portfolio.status_code == 200 and portfolio.json()["counts"]["core"] == 1
    assert turnover.json()["start"] == f"{LAST}-01-01" and turnover.json()["end"] == f"{LAST}-12-31"


def test_a_figure_asked_without_a_date_is_todays_for_other_roles(world, api_client_for):
    response = api_client_for("city").get(f"/api/v1/stations/{world.stations['S1'].pk}/turnover/")

    assert response.json()["end"] == TODAY.isoformat()


# --- pages ---------------------------------------------------------------------------------------------------


def page(client, user, name, pk, query=None):
    client.force_login(user)
    return client.get(reverse(name, args=[pk]), query or {})


def test_evaluator_gets_404_for_the_page_of_last_years_record(world, client):
    now, then = record(world.stations["S1"], THIS_DAY), record(world.stations["S1"], LAST_DAY)
    evaluator = world.users["evaluator"]

    assert page(client, evaluator, "services:record_detail", now.pk).status_code == 200
    assert page(client, evaluator, "services:record_detail", then.pk).status_code == 404


def test_the_records_page_lists_only_the_evaluated_year(world, client):
    now, then = record(world.stations["S1"], THIS_DAY), record(world.stations["S1"], LAST_DAY)

    response = page(client, world.users["evaluator"], "services:records", world.stations["S1"].pk)

    shown = {row.pk for row in response.context["object_list"]}
    assert now.pk in shown and then.pk not in shown


PAGES = [
    ("services:portfolio", {"year": LAST}),
    ("services:visits", {"month": LAST_DAY.strftime("%Y-%m")}),
    ("staffing:roster", {"on": LAST_DAY.isoformat()}),
]


@pytest.mark.parametrize(("name", "query"), PAGES, ids=[name for name, _ in PAGES])
def test_a_station_page_of_another_year_is_404_for_the_evaluator(world, client, name, query):
    pk = world.stations["S1"].pk

    assert page(client, world.users["evaluator"], name, pk, query).status_code == 404
    assert page(client, world.users["city"], name, pk, query).status_code == 200


@pytest.mark.parametrize(("name", "query"), PAGES, ids=[name for name, _ in PAGES])
def test_a_station_page_of_the_evaluated_year_opens(world, client, name, query):
    only_last_year(world)

    response = page(client, world.users["evaluator"], name, world.stations["S1"].pk, query)

    assert response.status_code == 200


def test_the_portfolio_page_opens_on_the_evaluated_year(world, client):
    """Given S1 evaluated for last year only, the portfolio page without ``?year=`` shows last year, and offers no
    year the evaluator does not reach."""
    only_last_year(world)
    Project.objects.create(station=world.stations["S1"], year=LAST - 1, name="前年项目", category="optional")

    response = page(client, world.users["evaluator"], "services:portfolio", world.stations["S1"].pk)

    assert response.context["year"] == LAST
    assert response.context["years"] == [LAST]


def test_the_visits_page_offers_no_month_out_of_reach(world, client):
    """In January of the evaluated year, the previous month (December of the year before) is not offered."""
    response = page(
        client, world.users["evaluator"], "services:visits", world.stations["S1"].pk, {"month": f"{THIS}-01"}
    )

    assert response.status_code == 200
    assert response.context["previous"] is None


def test_the_staff_history_shows_the_turnover_of_the_evaluated_year_only(world, client):
    only_last_year(world)

    response = page(client, world.users["evaluator"], "staffing:history", world.stations["S1"].pk)

    assert [(period.start, period.end) for period in response.context["turnover"]] == [
        (date(LAST, 1, 1), date(LAST, 12, 31))
    ]


def test_the_compliance_page_checks_only_stations_evaluated_for_the_day(world, client):
    """Given S1 evaluated for last year too, compliance on a day of last year (its month's rollup) checks S1 and
    not S2."""
    from reports.rollups.refresh import stations_refresh

    evaluated_also(world, LAST)
    stations_refresh([station.pk for station in world.stations.values()], [LAST_DAY.replace(day=1)])
    client.force_login(world.users["evaluator"])

    response = client.get(reverse("staffing:compliance"), {"on": LAST_DAY.isoformat(), "show": "all"})

    assert response.status_code == 200
    assert {row.station.pk for row in response.context["object_list"]} == {world.stations["S1"].pk}


# --- query counts --------------------------------------------------------------------------------------------


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", ["/api/v1/service-records/", "/api/v1/cases/", "/api/v1/volunteer-hours/", "/api/v1/projects/"]
)
def test_the_evaluators_list_costs_the_same_queries_however_many_rows(world, api_client_for, url):
    """The year cut is one correlated EXISTS in the list's query: no query per row, and no more than the city's."""
    s1 = world.stations["S1"]
    person, worker, helper = people(s1)
    client, city = api_client_for("evaluator"), api_client_for("city")

    def add_rows(n):
        for _ in range(n):
            record(s1, THIS_DAY)
            Case.objects.create(station=s1, beneficiary=person, worker=worker, opened_on=THIS_DAY)
            VolunteerHours.objects.create(volunteer=helper, date=THIS_DAY, hours=Decimal("1"), activity="探访")
            Project.objects.create(station=s1, year=THIS, name=f"项目{Project.objects.count()}", category="optional")

    add_rows(2)
    queries_of(client, url), queries_of(city, url)  # per-process caches (content types, permissions) warmed
    few = queries_of(client, url)
    add_rows(5)
    many = queries_of(client, url)

    assert few == many
    assert many <= queries_of(city, url)


def test_the_evaluators_record_list_stays_within_a_fixed_number_of_queries(
    world, api_client_for, django_assert_max_num_queries
):
    for _ in range(8):
        record(world.stations["S1"], THIS_DAY)
    client = api_client_for("evaluator")

    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/service-records/")

    assert response.json()["count"] >= 1
