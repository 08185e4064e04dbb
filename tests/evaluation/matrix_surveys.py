"""The evaluation surveys in the permission matrix (tests/matrix.py).

The target is a survey of S1, open all this year, with two paper responses. Everyone in scope reads it; the station
manager (and the administrator) creates, changes and prints it; staff with ``add_surveyresponse`` (manager, worker)
key in paper forms; only the administrator deletes. The public link answers everyone, signed in or not.
"""

from datetime import date

from django.core.cache import cache

from evaluation.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from tests.factories import survey_with_responses
from tests.matrix import Endpoint, only, register_api, register_pages, statuses

WATCHED: list = [Survey, SurveyQuestion, SurveyResponse, SurveyAnswer]

MANAGERS = ["admin", "manager"]
ENTERERS = ["admin", "manager", "worker"]
YEAR = date.today().year


def build(world) -> None:
    """A survey of S1 with two responses; the public link's rate limit starts afresh for every matrix request."""
    cache.clear()
    survey = survey_with_responses(world.stations["S1"], [[5, 4, 4, 5, 5], [3, 4, 5, 4, 4]])
    world.extra.update(survey=survey, survey_response=survey.responses.first())


def survey(w):
    return w.extra["survey"]


def answers_api(w):
    return [{"question": q.pk, "score": 4} for q in survey(w).questions.all()]


def answers_form(w):
    return {f"q{q.pk}": "4" for q in survey(w).questions.all()}


def survey_form(w):
    return {"title": "第二季度满意度调查", "opens_on": f"{YEAR}-04-01", "closes_on": f"{YEAR}-06-30", "questions": ""}


register_api(
    Endpoint(
        "survey-list",
        "get",
        lambda w: "/api/v1/surveys/",
        statuses(200),
        covers="api:survey-list",
        listed=lambda w: survey(w).pk,
    ),
    Endpoint(
        "survey-detail",
        "get",
        lambda w: f"/api/v1/surveys/{survey(w).pk}/",
        statuses(200, outsider=404),
        covers="api:survey-detail",
    ),
    Endpoint(
        "survey-create",
        "post",
        lambda w: "/api/v1/surveys/",
        only(MANAGERS, 201, 403),
        covers="api:survey-list",
        data=lambda w: {"station": w.stations["S1"].pk, "year": YEAR, **survey_form(w), "questions": []},
    ),
    Endpoint(
        "survey-update",
        "patch",
        lambda w: f"/api/v1/surveys/{survey(w).pk}/",
        only(MANAGERS, 200, 403),
        covers="api:survey-detail",
        data=lambda w: {"title": "年度服务满意度调查"},
    ),
    Endpoint(
        "survey-delete",
        "delete",
        lambda w: f"/api/v1/surveys/{survey(w).pk}/",
        only(["admin"], 204, 403),
        covers="api:survey-detail",
    ),
    Endpoint(
        "survey-qr-code",
        "get",
        lambda w: f"/api/v1/surveys/{survey(w).pk}/qr-code/",
        only(MANAGERS, 200, 403),
        covers="api:survey-qr-code",
    ),
    Endpoint(
        "survey-response-list",
        "get",
        lambda w: "/api/v1/survey-responses/",
        statuses(200),
        covers="api:survey-response-list",
        listed=lambda w: w.extra["survey_response"].pk,
    ),
    Endpoint(
        "survey-response-detail",
        "get",
        lambda w: f"/api/v1/survey-responses/{w.extra['survey_response'].pk}/",
        statuses(200, outsider=404),
        covers="api:survey-response-detail",
    ),
    Endpoint(
        "survey-response-create",
        "post",
        lambda w: "/api/v1/survey-responses/",
        only(ENTERERS, 201, 403),
        covers="api:survey-response-list",
        data=lambda w: {"survey": survey(w).pk, "answers": answers_api(w), "comment": ""},
    ),
    Endpoint(
        "public-survey-responses",
        "post",
        lambda w: f"/api/v1/public/surveys/{survey(w).token}/responses/",
        statuses(201, anonymous=201),
        covers="api:public-survey-responses",
        data=lambda w: {"answers": answers_api(w)},
        extra={"public": True},  # anonymous is answered, not refused
    ),
)

register_pages(
    Endpoint(
        "survey-list",
        "get",
        lambda w: f"/evaluation/stations/{w.stations['S1'].pk}/surveys/",
        statuses(200, anonymous=302, outsider=404),
        covers="evaluation:survey-list",
    ),
    Endpoint(
        "survey-create-form",
        "get",
        lambda w: f"/evaluation/stations/{w.stations['S1'].pk}/surveys/new/",
        only(MANAGERS, 200, 403, anonymous=302),
        covers="evaluation:survey-create",
    ),
    Endpoint(
        "survey-create",
        "post",
        lambda w: f"/evaluation/stations/{w.stations['S1'].pk}/surveys/new/",
        only(MANAGERS, 302, 403, anonymous=302),
        covers="evaluation:survey-create",
        data=survey_form,
    ),
    Endpoint(
        "survey-detail",
        "get",
        lambda w: f"/evaluation/surveys/{survey(w).pk}/",
        statuses(200, anonymous=302, outsider=404),
        covers="evaluation:survey-detail",
    ),
    Endpoint(
        "survey-update-form",
        "get",
        lambda w: f"/evaluation/surveys/{survey(w).pk}/edit/",
        only(MANAGERS, 200, 403, anonymous=302),
        covers="evaluation:survey-update",
    ),
    Endpoint(
        "survey-update",
        "post",
        lambda w: f"/evaluation/surveys/{survey(w).pk}/edit/",
        only(MANAGERS, 302, 403, anonymous=302),
        covers="evaluation:survey-update",
        data=lambda w: {**survey_form(w), "opens_on": f"{YEAR}-01-01", "closes_on": f"{YEAR}-12-31"},
    ),
    Endpoint(
        "survey-enter-form",
        "get",
        lambda w: f"/evaluation/surveys/{survey(w).pk}/enter/",
        only(ENTERERS, 200, 403, anonymous=302),
        covers="evaluation:survey-enter",
    ),
    Endpoint(
        "survey-enter",
        "post",
        lambda w: f"/evaluation/surveys/{survey(w).pk}/enter/",
        only(ENTERERS, 302, 403, anonymous=302),
        covers="evaluation:survey-enter",
        data=answers_form,
    ),
    Endpoint(
        "survey-poster",
        "get",
        lambda w: f"/evaluation/surveys/{survey(w).pk}/poster/",
        only(MANAGERS, 200, 403, anonymous=302),
        covers="evaluation:survey-poster",
    ),
    Endpoint(
        "survey-public-form",
        "get",
        lambda w: f"/evaluation/s/{survey(w).token}/",
        statuses(200, anonymous=200),
        covers="evaluation:survey-public",
    ),
    Endpoint(
        "survey-public",
        "post",
        lambda w: f"/evaluation/s/{survey(w).token}/",
        statuses(302, anonymous=302),
        covers="evaluation:survey-public",
        data=answers_form,
        extra={"public": True},
    ),
    Endpoint(
        "survey-public-thanks",
        "get",
        lambda w: f"/evaluation/s/{survey(w).token}/thanks/",
        statuses(200, anonymous=200),
        covers="evaluation:survey-public-thanks",
    ),
)
