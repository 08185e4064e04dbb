"""Satisfaction survey rules: creating surveys, recording responses at their boundaries, results in Decimal."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.models import SurveyResponse
from evaluation.rules.surveys import (
    default_questions,
    station_satisfaction,
    survey_create,
    survey_device_key,
    survey_response_record,
    survey_results,
    survey_update,
)
from tests.factories import survey_with_responses

YEAR = date.today().year


def all_answers(survey, score=4) -> dict:
    return {question.pk: score for question in survey.questions.all()}


def open_survey(world, **kwargs):
    return survey_create(
        station=world.stations["S1"],
        year=YEAR,
        title="年度满意度调查",
        opens_on=date(YEAR, 1, 1),
        closes_on=date(YEAR, 12, 31),
        questions=kwargs.pop("questions", None),
        user=world.users["manager"],
        **kwargs,
    )


# --- creating -------------------------------------------------------------------------------------------------


def test_a_survey_without_questions_asks_the_five_default_ones_in_chinese(world):
    survey = open_survey(world)

    texts = list(survey.questions.values_list("text", flat=True))
    assert texts == default_questions()
    assert len(texts) == 5
    assert all("满意" in text for text in texts)


def test_a_survey_asks_three_to_ten_questions(world):
    with pytest.raises(ValidationError) as error:
        open_survey(world, questions=["一", "二"])
    assert "questions" in error.value.message_dict
    with pytest.raises(ValidationError):
        open_survey(world, questions=[f"问题{n}" for n in range(11)])

    assert open_survey(world, questions=["一", "二", "三"]).questions.count() == 3


def test_a_social_worker_may_not_create_a_survey(world):
    with pytest.raises(PermissionDenied):
        survey_create(
            station=world.stations["S1"],
            year=YEAR,
            title="调查",
            opens_on=date(YEAR, 1, 1),
            closes_on=date(YEAR, 1, 31),
            questions=None,
            user=world.users["worker"],
        )


def test_a_manager_may_not_create_a_survey_for_another_station(world):
    with pytest.raises(PermissionDenied):
        survey_create(
            station=world.stations["S2"],
            year=YEAR,
            title="调查",
            opens_on=date(YEAR, 1, 1),
            closes_on=date(YEAR, 1, 31),
            questions=None,
            user=world.users["manager"],
        )


def test_a_survey_must_open_in_its_year_and_close_after_it_opens(world):
    with pytest.raises(ValidationError) as error:
        survey_create(
            station=world.stations["S1"],
            year=YEAR,
            title="调查",
            opens_on=date(YEAR - 1, 12, 1),
            closes_on=date(YEAR, 1, 31),
            questions=None,
            user=world.users["manager"],
        )
    assert "opens_on" in error.value.message_dict


def test_questions_are_fixed_once_a_response_is_recorded(world):
    survey = open_survey(world)
    survey_response_record(survey=survey, answers=all_answers(survey), channel="paper", user=world.users["worker"])

    with pytest.raises(ValidationError) as error:
        survey_update(survey=survey, user=world.users["manager"], questions=["一", "二", "三"])

    assert "questions" in error.value.message_dict
    assert survey.questions.count() == 5


# --- responses ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [0, 6, -1, "4.5", 4.5, True, "²"])
def test_a_score_outside_1_to_5_is_refused(world, score):
    survey = open_survey(world)
    answers = {**all_answers(survey), survey.questions.first().pk: score}

    with pytest.raises(ValidationError) as error:
        survey_response_record(survey=survey, answers=answers, channel="paper", user=world.users["worker"])

    assert "answers" in error.value.message_dict
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("score", [1, 5, "3"])
def test_scores_1_and_5_are_accepted(world, score):
    survey = open_survey(world)

    response = survey_response_record(
        survey=survey, answers=all_answers(survey, score), channel="paper", user=world.users["worker"]
    )

    assert {answer.score for answer in response.answers.all()} == {int(score)}
    assert response.entered_by == world.users["worker"]


def test_a_missing_answer_is_refused(world):
    survey = open_survey(world)
    answers = all_answers(survey)
    answers.pop(next(iter(answers)))

    with pytest.raises(ValidationError) as error:
        survey_response_record(survey=survey, answers=answers, channel="paper", user=world.users["worker"])

    assert "answers" in error.value.message_dict


def test_an_answer_to_another_surveys_question_is_refused(world):
    survey, other = open_survey(world), open_survey(world)
    answers = {**all_answers(survey), other.questions.first().pk: 3}

    with pytest.raises(ValidationError):
        survey_response_record(survey=survey, answers=answers, channel="paper", user=world.users["worker"])


def test_an_online_answer_to_a_closed_survey_is_refused(world):
    yesterday = date.today() - timedelta(days=1)
    survey = survey_with_responses(world.stations["S1"], [], year=yesterday.year)
    survey.opens_on, survey.closes_on = yesterday, yesterday
    survey.save()

    with pytest.raises(ValidationError) as error:
        survey_response_record(survey=survey, answers=all_answers(survey), channel="online", device="d" * 64)

    assert "survey" in error.value.message_dict


def test_an_online_answer_on_the_closing_day_is_accepted(world):
    today = date.today()
    survey = survey_with_responses(world.stations["S1"], [], year=today.year)
    survey.opens_on = survey.closes_on = today
    survey.save()

    response = survey_response_record(survey=survey, answers=all_answers(survey), channel="online", device="d" * 64)

    assert response.channel == "online" and response.entered_by is None


def test_the_same_device_twice_is_refused(world):
    survey = open_survey(world)
    device = survey_device_key(survey=survey, device_id="phone-1")
    survey_response_record(survey=survey, answers=all_answers(survey), channel="online", device=device)

    with pytest.raises(ValidationError) as error:
        survey_response_record(survey=survey, answers=all_answers(survey), channel="online", device=device)

    assert error.value.error_dict["device"][0].code == "duplicate"
    assert survey.responses.count() == 1


def test_the_device_key_is_keyed_and_differs_from_survey_to_survey(world):
    first, second = open_survey(world), open_survey(world)

    key = survey_device_key(survey=first, device_id="phone-1")

    assert len(key) == 64 and "phone-1" not in key
    assert key == survey_device_key(survey=first, device_id="phone-1")
    assert key != survey_device_key(survey=second, device_id="phone-1")


def test_an_online_answer_without_a_device_is_refused(world):
    survey = open_survey(world)

    with pytest.raises(ValidationError):
        survey_response_record(survey=survey, answers=all_answers(survey), channel="online")


def test_paper_entry_needs_the_right_to_enter_responses(world):
    survey = open_survey(world)

    with pytest.raises(PermissionDenied):
        survey_response_record(
            survey=survey, answers=all_answers(survey), channel="paper", user=world.users["evaluator"]
        )


# --- results --------------------------------------------------------------------------------------------------


def test_results_give_the_mean_per_question_in_decimal_rounded_half_up(world):
    # Question 1: 5, 4, 4 -> 13/3 = 4.333.. -> 4.33; question 2: 5, 5, 4 -> 4.666.. -> 4.67; 1/8 -> 0.125 below.
    survey = survey_with_responses(world.stations["S1"], [[5, 5, 3, 1, 2], [4, 5, 3, 2, 2], [4, 4, 4, 2, 2]])

    results = survey_results(survey=survey)

    assert results.responses == 3
    assert [q.mean for q in results.questions] == [
        Decimal("4.33"),
        Decimal("4.67"),
        Decimal("3.33"),
        Decimal("1.67"),
        Decimal("2.00"),
    ]
    assert all(isinstance(q.mean, Decimal) for q in results.questions)
    assert results.questions[0].counts == (0, 0, 0, 2, 1)
    # Every answer: 13 + 14 + 10 + 5 + 6 = 48 over 15 answers = 3.2.
    assert results.mean == Decimal("3.20")


def test_a_mean_at_the_half_rounds_up(world):
    # 17 / 8 = 2.125: half-up gives 2.13 where half-even (and float formatting) would give 2.12.
    survey = survey_with_responses(world.stations["S1"], [[2], [2], [2], [2], [2], [2], [2], [3]])

    assert survey_results(survey=survey).questions[0].mean == Decimal("2.13")


def test_a_survey_without_responses_has_no_mean(world):
    survey = survey_with_responses(world.stations["S1"], [])

    results = survey_results(survey=survey)

    assert results.responses == 0 and results.mean is None
    assert [q.responses for q in results.questions] == [0] * 5


def test_station_satisfaction_joins_every_survey_of_the_year_and_only_that_year(world, django_assert_num_queries):
    station = world.stations["S1"]
    survey_with_responses(station, [[5, 5, 5, 5, 5]], title="上半年")
    survey_with_responses(station, [[3, 3, 3, 3, 3], [4, 4, 4, 4, 4]], title="下半年")
    survey_with_responses(station, [[1, 1, 1, 1, 1]], year=YEAR - 1, title="去年")
    survey_with_responses(world.stations["S2"], [[1, 1, 1, 1, 1]], title="别站")

    with django_assert_num_queries(2):
        satisfaction = station_satisfaction(station=station, year=YEAR)

    assert satisfaction.responses == 3
    assert satisfaction.mean == Decimal("4.00")
    assert [s.title for s in satisfaction.surveys] == ["上半年", "下半年"]
    # The same questions in both surveys are one result each.
    assert len(satisfaction.questions) == 5
    assert satisfaction.questions[0].responses == 3
    assert satisfaction.questions[0].mean == Decimal("4.00")


def test_station_satisfaction_of_a_year_without_surveys_is_empty(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        satisfaction = station_satisfaction(station=world.stations["S1"], year=YEAR)

    assert satisfaction.responses == 0 and satisfaction.mean is None
    assert satisfaction.questions == [] and satisfaction.surveys == []
