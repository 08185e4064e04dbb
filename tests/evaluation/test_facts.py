"""Evidence-backed scoring (issue 9, item 5): each source's facts and suggested score on small worked examples,
their boundaries, the cache, a query count that does not grow with the records, and links the evaluator opens."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from evaluation.choices import EvaluationStatus, IndicatorSource, Stage
from evaluation.models import Evaluation, Indicator, ScorecardTemplate, Survey, SurveyAnswer, SurveyResponse
from evaluation.rules.facts import (
    MIN_SURVEY_RESPONSES,
    SourceFacts,
    evaluation_facts,
    evaluation_suggestions,
    station_facts,
    suggested_score,
)
from services.models import Case, FocusProblem, ServicePolicy, ServiceRecord
from staffing.models import StaffingPolicy, Volunteer
from stations.models import StandardItem, StationStandard
from tests.factories import AssignmentFactory, shipped_standard_items, valid_id_number
from tests.services.helpers import beneficiary, project, staff_member

YEAR = 2025  # a year whose every month has ended


@pytest.fixture(autouse=True)
def fresh_cache():
    """Facts are cached a few minutes: each test starts without any."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def in_english():
    """Labels are read in English here (the Chinese is the catalogue's, checked by the i18n test)."""
    with translation.override("en"):
        yield


@pytest.fixture
def station(world):
    return world.stations["S1"]


def facts_of(station, source, year=YEAR, on=None) -> SourceFacts:
    return station_facts(station=station, year=year, on=on)[source]


def fact(facts: SourceFacts, label: str):
    return next(f for f in facts.facts if f.label == label)


def indicator(max_points) -> Indicator:
    """An indicator of ``max_points`` (unsaved: the suggestion reads only its maximum)."""
    return Indicator(max_points=Decimal(max_points))


def suggestion(facts: SourceFacts, max_points) -> Decimal | None:
    return suggested_score(indicator=indicator(max_points), facts=facts)


# --- staffing --------------------------------------------------------------------------------------------------


@pytest.fixture
def compliant_team(world, station):
    """S1 with the staffing standard met all year: 6 full-time (4 certified), 30 volunteers, the wage entered."""
    for n in range(6):
        staff_member(station, n, certification="assistant" if n < 4 else "none", annual_salary=Decimal("120000"))
    Volunteer.objects.bulk_create(
        Volunteer(
            station=station, name=f"志愿者{n}", id_number=valid_id_number(500 + n), registered_on=date(2024, 1, 1)
        )
        for n in range(30)
    )
    StaffingPolicy.objects.create(region=world.regions["A"], year=YEAR, prior_year_average_wage=Decimal("100000"))
    return station


@pytest.mark.django_db
def test_staffing_met_at_every_month_end_suggests_full_marks(compliant_team):
    facts = facts_of(compliant_team, IndicatorSource.STAFFING)
    assert facts.ratio == 1
    assert fact(facts, "Month-end checks with every rule met").value == "12 / 12"
    assert all(f.ok for f in facts.facts)
    assert suggestion(facts, "6") == Decimal("6.0")


@pytest.mark.django_db
def test_staffing_lists_the_month_ends_a_rule_failed_on(compliant_team):
    """Five volunteers leave mid-March, five others register in May: the rule fails at the ends of March and April."""
    leaving = Volunteer.objects.filter(station=compliant_team).order_by("pk")[:5]
    Volunteer.objects.filter(pk__in=[v.pk for v in leaving]).update(left_on=date(YEAR, 3, 15))
    Volunteer.objects.bulk_create(
        Volunteer(
            station=compliant_team,
            name=f"新志愿者{n}",
            id_number=valid_id_number(600 + n),
            registered_on=date(YEAR, 5, 10),
        )
        for n in range(5)
    )
    facts = facts_of(compliant_team, IndicatorSource.STAFFING)
    volunteers = fact(facts, "Registered volunteers")
    assert volunteers.ok is False
    assert "2025-03-31, 2025-04-30" in volunteers.value
    assert volunteers.url == f"/staffing/compliance/?on={YEAR}-03-31&rule=volunteers"
    assert facts.ratio == Decimal(10) / 12
    assert suggestion(facts, "6") == Decimal("5.0")


@pytest.mark.django_db
def test_staffing_without_the_average_wage_fails_the_salary_floor_and_says_why(compliant_team):
    StaffingPolicy.objects.filter(year=YEAR).update(prior_year_average_wage=None)
    facts = facts_of(compliant_team, IndicatorSource.STAFFING)
    salary = fact(facts, "Lowest full-time salary")
    assert salary.ok is False
    assert "Average wage not entered" in salary.value
    assert facts.ratio == 0


@pytest.mark.django_db
def test_staffing_suggests_nothing_before_the_first_month_of_the_year_ends(compliant_team):
    facts = facts_of(compliant_team, IndicatorSource.STAFFING, year=2026, on=date(2026, 1, 31))
    assert facts.ratio is None
    assert suggestion(facts, "6") is None


# --- portfolio -------------------------------------------------------------------------------------------------


def full_portfolio(station, year=YEAR):
    project(station, year, "core")
    for subtype in ("professional", "governance"):
        project(station, year, "brand", subtype)
    for subtype in ("difficult_families", "elderly_alone", "children"):
        project(station, year, "basic", subtype)


@pytest.mark.django_db
def test_a_valid_portfolio_suggests_full_marks(station):
    full_portfolio(station)
    project(station, YEAR, "optional")
    facts = facts_of(station, IndicatorSource.PORTFOLIO)
    assert facts.ratio == 1
    assert facts.facts[0].ok is True
    assert fact(facts, "Optional").value == "1"
    assert facts.facts[0].url == f"/services/stations/{station.pk}/portfolio/?year={YEAR}"


@pytest.mark.django_db
def test_each_portfolio_problem_takes_one_of_the_six_places_off(station):
    """No governance brand and two children's projects: two problems, 4 of 6 places right, 8 x 4/6 = 5.3."""
    full_portfolio(station)
    station.projects.filter(subtype="governance").delete()
    project(station, YEAR, "basic", "children", name="第二个儿童项目")
    facts = facts_of(station, IndicatorSource.PORTFOLIO)
    assert [f.ok for f in facts.facts if f.label == "Problem"] == [False, False]
    assert facts.ratio == Decimal(4) / 6
    assert suggestion(facts, "8") == Decimal("5.3")


@pytest.mark.django_db
def test_no_project_at_all_suggests_zero(station):
    facts = facts_of(station, IndicatorSource.PORTFOLIO)
    assert facts.ratio == 0
    assert suggestion(facts, "8") == Decimal("0.0")


# --- visits ----------------------------------------------------------------------------------------------------


def visit(station, on, people, **fields):
    record = ServiceRecord.objects.create(station=station, date=on, kind="visit", duration_minutes=30, **fields)
    record.beneficiaries.set(people)
    return record


@pytest.fixture
def key_targets(world, station):
    """Five key targets of S1 and a visit goal of 80 % for the year."""
    ServicePolicy.objects.create(region=world.regions["A"], year=YEAR, key_target_visit_goal=Decimal("0.80"))
    return [beneficiary(station, 100 + n, key_target=True, registered_on=date(2024, 6, 1)) for n in range(5)]


def visit_every_month(station, people, *, except_month=None, visited_then=None):
    for month in range(1, 13):
        chosen = people[:visited_then] if month == except_month else people[:4]
        visit(station, date(YEAR, month, 10), chosen)


@pytest.mark.django_db
def test_the_visit_goal_exactly_met_every_month_suggests_full_marks(station, key_targets):
    visit_every_month(station, key_targets)
    facts = facts_of(station, IndicatorSource.VISITS)
    assert fact(facts, "Mean monthly visit rate").value == "80%"
    assert fact(facts, "Mean monthly visit rate").ok is True
    assert fact(facts, "Months under the goal").value == "0 / 12"
    assert facts.ratio == 1
    assert suggestion(facts, "7") == Decimal("7.0")


@pytest.mark.django_db
def test_a_month_under_the_goal_is_listed_and_lowers_the_mean(station, key_targets):
    """March: 3 of 5 visited (60 %). Mean (11 x 0.80 + 0.60) / 12 = 0.7833 over 0.80: 7 x 0.9792 = 6.9."""
    visit_every_month(station, key_targets, except_month=3, visited_then=3)
    facts = facts_of(station, IndicatorSource.VISITS)
    march = fact(facts, "2025-03")
    assert (march.value, march.ok) == ("60% (3 / 5)", False)
    assert march.url == f"/services/stations/{station.pk}/visits/?month=2025-03"
    assert fact(facts, "Months under the goal").value == "1 / 12"
    assert suggestion(facts, "7") == Decimal("6.9")


@pytest.mark.django_db
def test_visits_without_key_targets_suggest_nothing(station):
    visit(station, date(YEAR, 5, 1), [beneficiary(station, 1)])
    assert facts_of(station, IndicatorSource.VISITS).ratio is None


# --- cases -----------------------------------------------------------------------------------------------------


def case(station, person, worker, *, opened, closed=None, before=None, after=None):
    return Case.objects.create(
        station=station,
        beneficiary=person,
        worker=worker,
        opened_on=opened,
        status="closed" if closed else "follow_up",
        before_score=before,
        closed_on=closed,
        after_score=after,
        assessed_on=opened,
        planned_on=opened,
    )


@pytest.mark.django_db
def test_cases_closed_in_the_year_suggest_the_share_whose_score_rose(station):
    """Closed in 2025: 40 -> 60, 50 -> 50, 60 -> 80; 2 of 3 rose: 7 x 2/3 = 4.7. One closed in 2024, one open."""
    worker, person = staff_member(station, 1), beneficiary(station, 1)
    case(station, person, worker, opened=date(2024, 11, 1), closed=date(YEAR, 2, 1), before=40, after=60)
    case(station, person, worker, opened=date(YEAR, 3, 1), closed=date(YEAR, 6, 1), before=50, after=50)
    case(station, person, worker, opened=date(YEAR, 4, 1), closed=date(YEAR, 12, 31), before=60, after=80)
    case(station, person, worker, opened=date(2024, 1, 1), closed=date(2024, 12, 31), before=10, after=90)
    case(station, person, worker, opened=date(YEAR, 9, 1), before=30)
    facts = facts_of(station, IndicatorSource.CASES)
    assert fact(facts, "Cases closed in the year").value == "3"
    assert fact(facts, "Cases opened in the year").value == "3"
    assert fact(facts, "Mean score before → after").value == "50.0 → 63.3 (+13.3)"
    assert fact(facts, "Closed cases whose score rose").value == "2 / 3"
    assert suggestion(facts, "7") == Decimal("4.7")


@pytest.mark.django_db
def test_no_case_closed_in_the_year_suggests_zero(station):
    case(station, beneficiary(station, 1), staff_member(station, 1), opened=date(YEAR, 9, 1), before=30)
    facts = facts_of(station, IndicatorSource.CASES)
    assert fact(facts, "Cases closed in the year").ok is False
    assert facts.ratio == 0
    assert suggestion(facts, "7") == Decimal("0.0")


# --- services --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_services_count_the_years_records_and_suggest_the_project_targets_reached(station):
    """A project of 2025 targets 2 sessions (reached) and 3 beneficiaries (2 reached): 1 of 2 targets, 6 x 1/2 = 3."""
    aims = project(station, YEAR, "optional", target_sessions=2, target_beneficiaries=3)
    first, second = beneficiary(station, 1), beneficiary(station, 2)
    visit(station, date(YEAR, 3, 1), [first, second], project=aims)
    group = ServiceRecord.objects.create(
        station=station, date=date(YEAR, 4, 1), kind="group", duration_minutes=90, headcount=12, project=aims
    )
    group.beneficiaries.set([first])
    visit(station, date(2024, 12, 31), [first])  # another year
    facts = facts_of(station, IndicatorSource.SERVICES)
    assert fact(facts, "Service records").value == "2"
    assert fact(facts, "Registered beneficiaries served").value == "2"
    assert fact(facts, "Unregistered attendances").value == "12"
    assert fact(facts, "Service hours").value == "2"
    assert fact(facts, "Service records").url == (
        f"/services/stations/{station.pk}/records/?date_after={YEAR}-01-01&date_before={YEAR}-12-31"
    )
    assert fact(facts, "Project targets reached").value == "1 / 2"
    assert suggestion(facts, "6") == Decimal("3.0")


@pytest.mark.django_db
def test_services_without_project_targets_suggest_nothing(station):
    project(station, YEAR, "optional")
    visit(station, date(YEAR, 3, 1), [beneficiary(station, 1)])
    facts = facts_of(station, IndicatorSource.SERVICES)
    assert fact(facts, "Service records").value == "1"
    assert facts.ratio is None


# --- focus problems --------------------------------------------------------------------------------------------


def problem(station, community, reported, solved=None):
    return FocusProblem.objects.create(
        station=station,
        community=community,
        title=f"问题{reported}",
        reported_on=reported,
        solved_on=solved,
        status="solved" if solved else "reported",
    )


@pytest.mark.django_db
def test_focus_problems_solved_over_those_open_in_the_year(world, station):
    """Open in 2025: one from 2024 solved in February, one reported and solved in 2025, one still open: 2 of 3."""
    community = world.regions["C1"]
    problem(station, community, date(2024, 10, 1), date(YEAR, 2, 1))
    problem(station, community, date(YEAR, 3, 1), date(YEAR, 5, 1))
    problem(station, community, date(YEAR, 6, 1))
    problem(station, community, date(2023, 1, 1), date(2024, 1, 1))  # solved before the year
    problem(station, community, date(2026, 1, 5))  # reported after it
    facts = facts_of(station, IndicatorSource.FOCUS_PROBLEMS)
    assert fact(facts, "Focus problems open in the year").value == "3"
    assert fact(facts, "Solved in the year").value == "2"
    assert fact(facts, "Reported in the year").value == "2"
    assert fact(facts, "Still open at the end of the year").value == "1"
    assert suggestion(facts, "4") == Decimal("2.7")


@pytest.mark.django_db
def test_no_focus_problem_open_in_the_year_suggests_nothing(station):
    assert facts_of(station, IndicatorSource.FOCUS_PROBLEMS).ratio is None


# --- satisfaction ----------------------------------------------------------------------------------------------


def survey_with(station, scores: list[int]):
    """A survey of S1 for 2025 with one question, one response per score."""
    survey = Survey.objects.create(
        station=station, year=YEAR, title="满意度", opens_on=date(YEAR, 6, 1), closes_on=date(YEAR, 6, 30)
    )
    question = survey.questions.create(order=1, text="您对服务满意吗？")
    responses = SurveyResponse.objects.bulk_create(SurveyResponse(survey=survey, channel="paper") for _ in scores)
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question=question, score=score)
        for response, score in zip(responses, scores, strict=True)
    )
    return survey


@pytest.mark.django_db
def test_satisfaction_at_the_minimum_responses_suggests_mean_minus_one_over_four(station):
    """30 responses averaging 4.0: (4 - 1) / 4 = 0.75, 7 x 0.75 = 5.25, rounded half-up to 5.3."""
    survey_with(station, [3, 5] * (MIN_SURVEY_RESPONSES // 2))
    facts = facts_of(station, IndicatorSource.SATISFACTION)
    assert fact(facts, "Responses").ok is True
    assert fact(facts, "Mean score").value == "4.00 / 5"
    assert facts.ratio == Decimal("0.75")
    assert suggestion(facts, "7") == Decimal("5.3")


@pytest.mark.django_db
def test_satisfaction_one_response_short_suggests_nothing(station):
    survey_with(station, [5] * (MIN_SURVEY_RESPONSES - 1))
    facts = facts_of(station, IndicatorSource.SATISFACTION)
    assert fact(facts, "Responses").ok is False
    assert facts.ratio is None


@pytest.mark.django_db
def test_the_minimum_responses_come_from_the_setting(station, settings):
    settings.EVALUATION_SATISFACTION_MIN_RESPONSES = 2
    survey_with(station, [5, 5])
    assert facts_of(station, IndicatorSource.SATISFACTION).ratio == 1


# --- construction standard -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_standard_suggests_the_share_of_items_met(station):
    """Every item met but two (one checked not met, one never checked)."""
    items = shipped_standard_items()
    StationStandard.objects.filter(station=station).delete()
    StationStandard.objects.bulk_create(StationStandard(station=station, item=item, met=True) for item in items[2:])
    StationStandard.objects.create(station=station, item=items[0], met=False)
    facts = facts_of(station, IndicatorSource.STANDARD)
    assert fact(facts, "Standard items met").value == f"{len(items) - 2} / {len(items)}"
    assert fact(facts, items[0].name).value == "Not met"
    assert fact(facts, items[1].name).value == "Not checked"
    assert facts.ratio == Decimal(len(items) - 2) / len(items)


@pytest.mark.django_db
def test_standard_without_active_items_suggests_nothing(station):
    StandardItem.objects.update(active=False)
    assert facts_of(station, IndicatorSource.STANDARD).ratio is None


# --- evaluations, cache, queries, links ------------------------------------------------------------------------


def evaluation_of(world, station, year=YEAR, **fields) -> Evaluation:
    template = ScorecardTemplate.objects.get(code="station-evaluation", version=1)
    assignment = AssignmentFactory(agency=world.orgs["agency"], year=year, stations=[station])
    return Evaluation.objects.create(
        assignment=assignment, station=station, template=template, year=year, stage=Stage.ANNUAL, **fields
    )


@pytest.mark.django_db
def test_every_indicator_with_a_source_gets_its_facts_and_the_others_none(world, station):
    evaluation = evaluation_of(world, station)
    facts = evaluation_facts(evaluation)
    indicators = list(evaluation.template.indicators.all())
    assert set(facts) == {i.pk for i in indicators}
    for item in indicators:
        assert (facts[item.pk].source if facts[item.pk] else "") == item.source


@pytest.mark.django_db
def test_indicators_of_one_source_share_its_ratio_scaled_to_their_maximum(world, compliant_team):
    """B1 (6 points) and B2 (5 points) both read the staffing standard, met all year."""
    evaluation = evaluation_of(world, compliant_team)
    suggestions = evaluation_suggestions(evaluation)
    by_code = {i.code: i.pk for i in evaluation.template.indicators.all()}
    assert suggestions[by_code["B1"]] == Decimal("6.0")
    assert suggestions[by_code["B2"]] == Decimal("5.0")
    assert suggestions[by_code["A3"]] is None  # no source


@pytest.mark.django_db
def test_a_submitted_evaluation_reads_the_facts_as_of_its_submission(world, compliant_team):
    """Submitted on 10 April 2026: three month ends of 2026 are checked, whatever today is."""
    StaffingPolicy.objects.create(region=world.regions["A"], year=2026, prior_year_average_wage=Decimal("100000"))
    submitted = timezone.make_aware(datetime(2026, 4, 10, 15, 0))
    evaluation = evaluation_of(
        world, compliant_team, year=2026, status=EvaluationStatus.SUBMITTED, submitted_at=submitted
    )
    staffing = next(f for f in evaluation_facts(evaluation).values() if f and f.source == "staffing")
    assert fact(staffing, "Month-end checks with every rule met").value == "3 / 3"


@pytest.mark.django_db
def test_the_facts_are_cached_between_two_saves(world, station):
    evaluation = evaluation_of(world, station)
    evaluation_suggestions(evaluation)
    with CaptureQueriesContext(connection) as captured:
        evaluation_suggestions(evaluation)
    assert len(captured.captured_queries) <= 2  # the scorecard's indicators (and the station), no fact


def busy_year(station, world, *, records: int, people: int, cases: int):
    """``records`` service records of 2025 naming ``people`` beneficiaries (a fifth key targets), ``cases`` closed
    cases, projects with targets and a few focus problems: the data a year of work leaves."""
    full_portfolio(station)
    aims = project(station, YEAR, "optional", target_sessions=10, target_beneficiaries=10, target_communities=1)
    served = [beneficiary(station, 1000 + n, key_target=n % 5 == 0) for n in range(people)]
    worker = staff_member(station, 900)
    rows = ServiceRecord.objects.bulk_create(
        ServiceRecord(
            station=station,
            date=date(YEAR, 1, 1) + timedelta(days=n % 365),
            kind="visit" if n % 2 else "group",
            duration_minutes=60,
            headcount=n % 3,
            project=aims if n % 4 == 0 else None,
        )
        for n in range(records)
    )
    ServiceRecord.beneficiaries.through.objects.bulk_create(
        ServiceRecord.beneficiaries.through(servicerecord_id=row.pk, beneficiary_id=served[n % people].pk)
        for n, row in enumerate(rows)
    )
    for n in range(cases):
        case(
            station,
            served[n % people],
            worker,
            opened=date(YEAR, 1, 5),
            closed=date(YEAR, 6, 1),
            before=40,
            after=41 + n % 20,
        )
    for n in range(3):
        problem(station, world.regions["C1"], date(YEAR, 2, 1 + n), date(YEAR, 3, 1) if n else None)
    survey_with(station, [4] * 5)


def queries_of(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_queries_of_the_facts_do_not_grow_with_the_records(world, station, django_assert_max_num_queries):
    busy_year(station, world, records=20, people=10, cases=2)
    few = queries_of(lambda: station_facts(station=station, year=YEAR))
    cache.clear()
    busy_year(world.stations["S2"], world, records=600, people=120, cases=30)
    with django_assert_max_num_queries(few):
        facts = station_facts(station=world.stations["S2"], year=YEAR)
    assert fact(facts[IndicatorSource.SERVICES], "Service records").value == "600"
    with django_assert_max_num_queries(0):
        station_facts(station=world.stations["S2"], year=YEAR)


@pytest.mark.django_db
def test_every_link_opens_for_the_evaluator_of_the_station(world, station, client):
    """The facts of this year (the world's current assignment), each link opened as the assigned evaluator."""
    year = date.today().year
    busy_year_now = [beneficiary(station, 5000, key_target=True, registered_on=date(year, 1, 1))]
    visit(station, date(year, 1, 15), busy_year_now)
    facts = station_facts(station=station, year=year)
    urls = {f.url for source in facts.values() for f in source.facts if f.url}
    assert {source for source in facts} == set(IndicatorSource.values)
    assert len(urls) >= 8
    client.force_login(world.users["evaluator"])
    for url in sorted(urls):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_cache_keeps_each_language_apart(station):
    """Facts cached in English are not served to a Chinese page."""
    assert facts_of(station, IndicatorSource.CASES).facts[0].label == "Cases opened in the year"
    with translation.override("zh-hans"):
        assert facts_of(station, IndicatorSource.CASES).facts[0].label == "年内开案数"
