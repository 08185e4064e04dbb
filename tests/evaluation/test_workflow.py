"""The evaluation workflow's rules: scores within their maximum, every step in order, published is immutable."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.choices import EvaluationStatus, Grade, TownshipAnswer
from evaluation.models import Amendment, Assignment, Evaluation, Transition
from evaluation.rules.grading import station_results
from evaluation.rules.workflow import (
    Conflict,
    evaluation_amend,
    evaluation_answer,
    evaluation_publish,
    evaluation_return,
    evaluation_review,
    evaluation_start,
    evaluation_submit,
    evidence_add,
    scores_write,
)
from tests.evaluation.helpers import published, reviewed, score_all, started, submitted
from tests.services.helpers import log


def first_line(evaluation):
    return evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")[0]


def test_starting_makes_a_draft_with_an_empty_score_per_indicator_and_again_returns_it(world):
    evaluation = started(world)
    assert evaluation.status == EvaluationStatus.DRAFT
    assert evaluation.scores.count() == 23
    assert evaluation.scores.filter(score__isnull=False).count() == 0
    assert started(world) == evaluation


def test_only_the_assigned_agency_starts_and_only_its_stations(world):
    assignment = Assignment.objects.get(agency=world.orgs["agency"])
    with pytest.raises(PermissionDenied):
        evaluation_start(assignment=assignment, station=world.stations["S1"], user=world.users["city"])
    with pytest.raises(ValidationError):
        evaluation_start(assignment=assignment, station=world.stations["S3"], user=world.users["evaluator"])


def test_a_score_at_its_maximum_is_taken_and_above_it_refused(world):
    evaluation = started(world)
    line = first_line(evaluation)
    maximum = line.indicator.max_points
    scores_write(
        evaluation=evaluation,
        user=world.users["evaluator"],
        scores=[{"indicator": line.indicator_id, "score": maximum, "comment": "现场核实"}],
    )
    line.refresh_from_db()
    assert line.score == maximum
    with pytest.raises(ValidationError) as refused:
        scores_write(
            evaluation=evaluation,
            user=world.users["evaluator"],
            scores=[{"indicator": line.indicator_id, "score": maximum + Decimal("0.1"), "comment": "现场核实"}],
        )
    assert line.indicator.code in refused.value.message_dict
    line.refresh_from_db()
    assert line.score == maximum


@pytest.mark.parametrize("raw", ["-0.1", "4.25", "abc", "NaN", "Infinity"])
def test_bad_scores_are_refused_keyed_by_the_indicator(world, raw):
    evaluation = started(world)
    line = first_line(evaluation)
    with pytest.raises(ValidationError) as refused:
        scores_write(
            evaluation=evaluation,
            user=world.users["evaluator"],
            scores=[{"indicator": line.indicator_id, "score": raw}],
        )
    assert list(refused.value.message_dict) == [line.indicator.code]


def test_one_bad_score_saves_none_of_the_batch(world):
    evaluation = started(world)
    first, second = list(
        evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")
    )[:2]
    with pytest.raises(ValidationError):
        scores_write(
            evaluation=evaluation,
            user=world.users["evaluator"],
            scores=[{"indicator": first.indicator_id, "score": "1"}, {"indicator": second.indicator_id, "score": "99"}],
        )
    assert evaluation.scores.filter(score__isnull=False).count() == 0


def test_an_override_of_the_suggestion_needs_a_comment(world, monkeypatch):
    evaluation = started(world)
    line = first_line(evaluation)
    monkeypatch.setattr(
        "evaluation.rules.workflow.evaluation_suggestions", lambda evaluation: {line.indicator_id: Decimal("4.0")}
    )
    user = world.users["evaluator"]
    scores_write(evaluation=evaluation, user=user, scores=[{"indicator": line.indicator_id, "score": "4.0"}])
    with pytest.raises(ValidationError):
        scores_write(
            evaluation=evaluation, user=user, scores=[{"indicator": line.indicator_id, "score": "3.0", "comment": ""}]
        )
    scores_write(
        evaluation=evaluation,
        user=user,
        scores=[{"indicator": line.indicator_id, "score": "3.0", "comment": "场地部分在改建"}],
    )
    line.refresh_from_db()
    assert (line.score, line.suggested) == (Decimal("3.0"), Decimal("4.0"))


def test_a_submission_with_unscored_indicators_lists_them(world):
    evaluation = started(world)
    line = first_line(evaluation)
    scores_write(
        evaluation=evaluation,
        user=world.users["evaluator"],
        scores=[{"indicator": line.indicator_id, "score": "1", "comment": "现场核实"}],
    )
    with pytest.raises(ValidationError) as refused:
        evaluation_submit(evaluation=evaluation, user=world.users["evaluator"])
    codes = re.split("[:：]", refused.value.message_dict["scores"][0])[-1].strip(" .。").split("、")
    assert len(codes) == 22 and "A2" in codes and line.indicator.code not in codes
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT


@pytest.mark.parametrize(
    "total, grade, stars", [("90.0", Grade.EXCELLENT, 4), ("89.9", Grade.GOOD, 3), ("59.9", Grade.FAIL, 0)]
)
def test_submission_sets_total_grade_and_stars(world, total, grade, stars):
    evaluation = submitted(world, total)
    assert (evaluation.total, evaluation.grade, evaluation.stars) == (Decimal(total), grade, stars)
    assert evaluation.transitions.get().to_status == EvaluationStatus.SUBMITTED


def test_a_score_change_after_submission_is_a_field_error(world):
    evaluation = submitted(world)
    line = first_line(evaluation)
    with pytest.raises(ValidationError) as refused:
        scores_write(
            evaluation=evaluation,
            user=world.users["evaluator"],
            scores=[{"indicator": line.indicator_id, "score": "0"}],
        )
    assert "score" in refused.value.message_dict


def test_the_whole_way_records_every_step(world):
    evaluation = published(world)
    steps = list(
        Transition.objects.filter(evaluation=evaluation).values_list("from_status", "to_status", "by__username")
    )
    assert steps == [
        ("draft", "submitted", "evaluator"),
        ("submitted", "reviewed", "county"),
        ("reviewed", "published", "city"),
    ]
    assert evaluation.published_at is not None


@pytest.mark.parametrize(
    "state, step",
    [
        ("draft", "review"),
        ("draft", "publish"),
        ("draft", "return"),
        ("submitted", "submit"),
        ("submitted", "publish"),
        ("reviewed", "review"),
        ("reviewed", "submit"),
        ("published", "publish"),
        ("published", "review"),
        ("published", "submit"),
        ("published", "return"),
    ],
)
def test_every_skipped_or_repeated_step_is_a_conflict(world, state, step):
    builders = {"draft": lambda: score_all(world, started(world)), "submitted": lambda: submitted(world)}
    builders |= {"reviewed": lambda: reviewed(world), "published": lambda: published(world)}
    evaluation = builders[state]()
    steps = {
        "submit": lambda: evaluation_submit(evaluation=evaluation, user=world.users["evaluator"]),
        "review": lambda: evaluation_review(evaluation=evaluation, user=world.users["county"]),
        "publish": lambda: evaluation_publish(evaluation=evaluation, user=world.users["city"]),
        "return": lambda: evaluation_return(evaluation=evaluation, user=world.users["city"], reason="补充材料"),
    }
    before = Transition.objects.count()
    with pytest.raises(Conflict):
        steps[step]()
    assert Transition.objects.count() == before
    assert Evaluation.objects.get(pk=evaluation.pk).status == state


def test_every_write_to_a_published_evaluation_is_a_conflict(world):
    evaluation = published(world)
    line = first_line(evaluation)
    user = world.users["evaluator"]
    record = log(world.stations["S1"], world.users["worker"], date.today(), headcount=3)
    with pytest.raises(Conflict):
        scores_write(evaluation=evaluation, user=user, scores=[{"indicator": line.indicator_id, "score": "0"}])
    with pytest.raises(Conflict):
        evidence_add(score=line, user=user, kind="record", target_id=record.pk)


def test_return_needs_a_reason_and_clears_the_grade(world):
    evaluation = submitted(world)
    with pytest.raises(ValidationError):
        evaluation_return(evaluation=evaluation, user=world.users["county"], reason="  ")
    evaluation = evaluation_return(evaluation=evaluation, user=world.users["county"], reason="缺少个案档案")
    assert (evaluation.status, evaluation.total, evaluation.grade, evaluation.stars) == ("draft", None, "", None)
    assert evaluation.transitions.last().reason == "缺少个案档案"


def test_a_county_official_reviews_but_neither_publishes_nor_returns_a_reviewed_one(world):
    evaluation = reviewed(world)
    with pytest.raises(PermissionDenied):
        evaluation_publish(evaluation=evaluation, user=world.users["county"])
    with pytest.raises(PermissionDenied):
        evaluation_return(evaluation=evaluation, user=world.users["county"], reason="再看看")
    with pytest.raises(PermissionDenied):
        evaluation_review(evaluation=submitted(world, station_key="S2"), user=world.users["outsider"])


def test_an_amendment_recomputes_total_grade_and_stars_and_the_station_result_follows(world):
    evaluation = published(world, "89.9")
    assert evaluation.grade == Grade.GOOD
    line = first_line(evaluation)
    amendment = evaluation_amend(
        evaluation=evaluation,
        user=world.users["city"],
        indicator=line.indicator_id,
        new_score=line.score + Decimal("0.1"),
        reason="复核场地面积",
    )
    evaluation.refresh_from_db()
    assert (evaluation.total, evaluation.grade, evaluation.stars) == (Decimal("90.0"), Grade.EXCELLENT, 4)
    assert (amendment.old_total, amendment.new_total) == (Decimal("89.9"), Decimal("90.0"))
    assert station_results([world.stations["S1"]])[world.stations["S1"].pk].grade == Grade.EXCELLENT


def test_amendments_only_by_the_city_and_only_when_published_and_within_the_maximum(world):
    evaluation = published(world)
    line = first_line(evaluation)
    with pytest.raises(PermissionDenied):
        evaluation_amend(
            evaluation=evaluation, user=world.users["county"], indicator=line.indicator_id, new_score="1", reason="x"
        )
    with pytest.raises(ValidationError):
        evaluation_amend(
            evaluation=evaluation,
            user=world.users["city"],
            indicator=line.indicator_id,
            new_score=line.indicator.max_points + 1,
            reason="x",
        )
    with pytest.raises(ValidationError):
        evaluation_amend(
            evaluation=evaluation, user=world.users["city"], indicator=line.indicator_id, new_score="1", reason=""
        )
    draft = started(world, "S2")
    with pytest.raises(Conflict):
        evaluation_amend(
            evaluation=draft,
            user=world.users["city"],
            indicator=first_line(draft).indicator_id,
            new_score="1",
            reason="x",
        )
    assert Amendment.objects.count() == 0


def test_the_township_confirms_or_objects_and_an_amendment_may_answer_the_objection(world):
    evaluation = published(world)
    township = world.users["township"]
    with pytest.raises(ValidationError):
        evaluation_answer(evaluation=evaluation, user=township, answer=TownshipAnswer.OBJECT, reason="")
    objection = evaluation_answer(
        evaluation=evaluation, user=township, answer=TownshipAnswer.OBJECT, reason="个案数漏计"
    )
    with pytest.raises(Conflict):
        evaluation_answer(evaluation=evaluation, user=township, answer=TownshipAnswer.OBJECT, reason="再次")
    line = first_line(evaluation)
    evaluation_amend(
        evaluation=evaluation,
        user=world.users["city"],
        indicator=line.indicator_id,
        new_score=line.score + 1,
        reason="采纳异议",
        objection=objection,
    )
    confirmed = evaluation_answer(evaluation=evaluation, user=township, answer=TownshipAnswer.CONFIRM)
    assert confirmed.answer == "confirm"
    with pytest.raises(PermissionDenied):
        evaluation_answer(evaluation=evaluation, user=world.users["manager"], answer=TownshipAnswer.CONFIRM)


def test_evidence_comes_from_the_station_and_the_evaluated_year(world):
    evaluation = started(world)
    line = first_line(evaluation)
    station, worker = world.stations["S1"], world.users["worker"]
    this_year = log(station, worker, date.today(), headcount=3)
    last_year = log(station, worker, date(date.today().year - 1, 6, 1), headcount=3)
    elsewhere = log(world.stations["S2"], world.users["admin"], date.today(), headcount=3)
    evidence = evidence_add(score=line, user=world.users["evaluator"], kind="record", target_id=this_year.pk)
    assert evidence.record == this_year
    for record in (last_year, elsewhere):
        with pytest.raises(ValidationError):
            evidence_add(score=line, user=world.users["evaluator"], kind="record", target_id=record.pk)
    with pytest.raises(ValidationError):
        evidence_add(score=line, user=world.users["evaluator"], kind="record", target_id=this_year.pk)


def test_an_ended_assignment_ends_the_evaluators_reach(world):
    evaluation = started(world)
    Assignment.objects.update(ends_on=date.today() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        scores_write(evaluation=evaluation, user=world.users["evaluator"], scores=[])
