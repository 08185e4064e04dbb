"""The surveys API and pages: scope, paper entry, the public link (404, device, rate limit), fixed query counts."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from evaluation.api.surveys import DEVICE_COOKIE
from evaluation.models import SurveyResponse
from tests.factories import survey_with_responses

YEAR = date.today().year


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey(world):
    return survey_with_responses(world.stations["S1"], [[5, 4, 4, 5, 5], [3, 4, 5, 4, 4]])


def answers(survey, score=4):
    return [{"question": q.pk, "score": score} for q in survey.questions.all()]


def public(survey):
    return f"/api/v1/public/surveys/{survey.token}/responses/"


# --- surveys --------------------------------------------------------------------------------------------------


def test_the_detail_gives_results_per_question_and_the_link_to_the_manager(survey, api_client_for):
    body = api_client_for("manager").get(f"/api/v1/surveys/{survey.pk}/").json()

    assert body["responses"] == 2 and body["mean"] == "4.30"
    assert [q["mean"] for q in body["results"]["questions"]][:2] == ["4.00", "4.00"]
    assert body["results"]["questions"][2]["counts"] == [0, 0, 0, 1, 1]
    assert body["public_url"].endswith(f"/evaluation/s/{survey.token}/")
    assert body["qr_code_url"].endswith(f"/api/v1/surveys/{survey.pk}/qr-code/")


def test_an_evaluator_reads_the_results_but_not_the_link(survey, api_client_for):
    body = api_client_for("evaluator").get(f"/api/v1/surveys/{survey.pk}/").json()

    assert body["results"]["responses"] == 2
    assert body["public_url"] is None and body["qr_code_url"] is None
    assert survey.token not in str(body)


def test_creating_without_questions_gives_the_five_default_ones(world, api_client_for):
    response = api_client_for("manager").post(
        "/api/v1/surveys/",
        {
            "station": world.stations["S1"].pk,
            "year": YEAR,
            "title": "调查",
            "opens_on": f"{YEAR}-03-01",
            "closes_on": f"{YEAR}-03-31",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert len(response.json()["questions"]) == 5


def test_two_questions_are_a_field_error(world, api_client_for):
    response = api_client_for("manager").post(
        "/api/v1/surveys/",
        {
            "station": world.stations["S1"].pk,
            "year": YEAR,
            "title": "调查",
            "opens_on": f"{YEAR}-03-01",
            "closes_on": f"{YEAR}-03-31",
            "questions": [{"text": "一"}, {"text": "二"}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "questions" in response.json()


def test_the_qr_code_is_an_svg_of_the_public_link(survey, api_client_for):
    response = api_client_for("manager").get(f"/api/v1/surveys/{survey.pk}/qr-code/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and b"viewBox" in response.content


def test_the_survey_list_runs_a_fixed_number_of_queries(world, api_client_for, django_assert_max_num_queries):
    for n in range(6):
        survey_with_responses(world.stations["S1"], [[4, 4, 4, 4, 4]] * n, title=f"调查{n}")
    client = api_client_for("city")

    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/surveys/").json()

    assert body["count"] == 6


def test_the_response_list_runs_a_fixed_number_of_queries(world, api_client_for, django_assert_max_num_queries):
    survey_with_responses(world.stations["S1"], [[4, 4, 4, 4, 4]] * 12)
    client = api_client_for("city")

    with django_assert_max_num_queries(7):
        body = client.get("/api/v1/survey-responses/").json()

    assert body["count"] == 12
    assert len(body["results"][0]["answers"]) == 5


# --- paper entry ----------------------------------------------------------------------------------------------


def test_a_worker_enters_a_paper_form(survey, world, api_client_for):
    response = api_client_for("worker").post(
        "/api/v1/survey-responses/", {"survey": survey.pk, "answers": answers(survey, 5)}, format="json"
    )

    assert response.status_code == 201, response.content
    recorded = SurveyResponse.objects.get(pk=response.json()["id"])
    assert recorded.channel == "paper" and recorded.entered_by == world.users["worker"]


def test_a_paper_form_missing_an_answer_is_a_field_error(survey, api_client_for):
    response = api_client_for("worker").post(
        "/api/v1/survey-responses/", {"survey": survey.pk, "answers": answers(survey)[:4]}, format="json"
    )

    assert response.status_code == 400
    assert "answers" in response.json()


# --- the public link ------------------------------------------------------------------------------------------


def test_a_respondent_answers_without_signing_in_and_gets_a_device_cookie(survey):
    client = APIClient()

    response = client.post(public(survey), {"answers": answers(survey)}, format="json")

    assert response.status_code == 201
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"]
    recorded = survey.responses.get(channel="online")
    assert recorded.device and cookie.value not in recorded.device and len(recorded.device) == 64
    assert recorded.entered_by is None


def test_the_same_device_twice_is_a_409(survey):
    client = APIClient()
    client.post(public(survey), {"answers": answers(survey)}, format="json")

    response = client.post(public(survey), {"answers": answers(survey)}, format="json")

    assert response.status_code == 409
    assert survey.responses.filter(channel="online").count() == 1


def test_the_address_is_never_stored(survey):
    APIClient().post(public(survey), {"answers": answers(survey)}, format="json", REMOTE_ADDR="203.0.113.7")

    stored = list(SurveyResponse.objects.filter(channel="online").values())
    assert "203.0.113.7" not in str(stored)


@pytest.mark.parametrize("score", [0, 6])
def test_a_public_score_outside_1_to_5_is_a_400(survey, score):
    body = answers(survey)
    body[0]["score"] = score

    response = APIClient().post(public(survey), {"answers": body}, format="json")

    assert response.status_code == 400
    assert not survey.responses.filter(channel="online").exists()


def test_an_unknown_token_is_a_404(db):
    response = APIClient().post("/api/v1/public/surveys/no-such-token/responses/", {"answers": []}, format="json")

    assert response.status_code == 404


def test_a_closed_survey_is_a_404(survey):
    survey.closes_on = survey.opens_on = date.today() - timedelta(days=1)
    survey.year = survey.opens_on.year
    survey.save()

    response = APIClient().post(public(survey), {"answers": answers(survey)}, format="json")

    assert response.status_code == 404


def test_too_many_answers_from_one_address_are_a_429(survey, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_survey": "2/min"},
    }
    statuses = [
        APIClient()
        .post(public(survey), {"answers": answers(survey)}, format="json", REMOTE_ADDR="198.51.100.1")
        .status_code
        for _ in range(3)
    ]
    other = APIClient().post(public(survey), {"answers": answers(survey)}, format="json", REMOTE_ADDR="198.51.100.2")

    assert statuses == [201, 201, 429]
    assert other.status_code == 201


def test_the_public_page_and_the_api_share_the_rate_limit(survey, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_survey": "1/min"},
    }
    APIClient().post(public(survey), {"answers": answers(survey)}, format="json")
    form = {f"q{q.pk}": "4" for q in survey.questions.all()}

    response = Client().post(f"/evaluation/s/{survey.token}/", form)

    assert response.status_code == 429
    assert survey.responses.filter(channel="online").count() == 1


# --- pages ----------------------------------------------------------------------------------------------------


def test_the_public_page_records_an_answer_then_thanks_and_refuses_a_second_one(survey):
    client = Client(enforce_csrf_checks=False)
    page = client.get(f"/evaluation/s/{survey.token}/")
    assert page.status_code == 200 and DEVICE_COOKIE in page.cookies
    form = {f"q{q.pk}": "5" for q in survey.questions.all()}

    first = client.post(f"/evaluation/s/{survey.token}/", form)
    second = client.post(f"/evaluation/s/{survey.token}/", form)

    assert first.status_code == 302 and first["Location"].endswith("/thanks/")
    assert second.status_code == 302 and second["Location"].endswith("/thanks/?again=1")
    assert survey.responses.filter(channel="online").count() == 1


def test_the_public_page_keeps_csrf_on(survey):
    client = Client(enforce_csrf_checks=True)
    form = {f"q{q.pk}": "5" for q in survey.questions.all()}

    response = client.post(f"/evaluation/s/{survey.token}/", form)

    assert response.status_code == 403
    assert not survey.responses.filter(channel="online").exists()


def test_the_public_page_of_a_closed_survey_is_a_404(survey):
    survey.closes_on = survey.opens_on = date.today() - timedelta(days=1)
    survey.year = survey.opens_on.year
    survey.save()

    assert Client().get(f"/evaluation/s/{survey.token}/").status_code == 404


def test_a_paper_form_keyed_in_goes_back_to_a_blank_form(survey, world):
    client = Client()
    client.force_login(world.users["worker"])
    form = {f"q{q.pk}": "3" for q in survey.questions.all()}

    response = client.post(f"/evaluation/surveys/{survey.pk}/enter/", form)

    assert response.status_code == 302 and response["Location"].endswith(f"/surveys/{survey.pk}/enter/")
    assert survey.responses.count() == 3


def test_a_paper_form_with_a_6_is_shown_again_with_the_error(survey, world):
    client = Client()
    client.force_login(world.users["worker"])
    form = {f"q{q.pk}": "3" for q in survey.questions.all()}
    form[f"q{survey.questions.first().pk}"] = "6"

    response = client.post(f"/evaluation/surveys/{survey.pk}/enter/", form)

    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert survey.responses.count() == 2


def test_the_poster_shows_the_qr_code_inline(survey, world):
    client = Client()
    client.force_login(world.users["manager"])

    body = client.get(f"/evaluation/surveys/{survey.pk}/poster/").content.decode()

    assert "<svg" in body and "viewBox" in body and f"/evaluation/s/{survey.token}/" in body


def test_the_detail_page_draws_a_bar_per_question(survey, world):
    client = Client()
    client.force_login(world.users["evaluator"])

    body = client.get(f"/evaluation/surveys/{survey.pk}/").content.decode()

    assert body.count('fill="#0a4a9a"') == 5
    assert "4.30" in body
    assert survey.token not in body


def test_the_survey_list_page_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for n in range(6):
        survey_with_responses(world.stations["S1"], [[4, 4, 4, 4, 4]] * n, title=f"调查{n}")
    client = Client()
    client.force_login(world.users["city"])
    url = f"/evaluation/stations/{world.stations['S1'].pk}/surveys/"
    client.get(url)  # warm the session and the menu's caches

    with django_assert_max_num_queries(16):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("/enter/") == 0  # city officials read, they do not key in
    assert "调查5" in response.content.decode()
