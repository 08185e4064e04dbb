"""The evaluation workflow through the API: draft -> submitted -> reviewed -> published, returns, amendments and the
township's answers; every skipped or repeated step a 409 that changes nothing; every write after publication a 409."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from evaluation.models import Amendment, Evaluation, EvaluationFile, Evidence, Score, TownshipResponse, Transition
from evaluation.rules.workflow import (
    evaluation_file_add,
    evaluation_publish,
    evaluation_review,
    evaluation_submit,
    evidence_add,
)
from tests.evaluation.helpers import published, reviewed, score_all, started, submitted
from tests.services.matrix_api import PNG

WORKFLOW_MODELS = [Evaluation, Score, Evidence, EvaluationFile, Transition, TownshipResponse, Amendment]


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WORKFLOW_MODELS}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def url(evaluation, step=""):
    return f"/api/v1/evaluations/{evaluation.pk}/" + (f"{step}/" if step else "")


def full_marks(evaluation) -> list[dict]:
    return [
        {"indicator": row.indicator_id, "score": str(row.indicator.max_points), "comment": "核实"}
        for row in evaluation.scores.select_related("indicator")
    ]


def first_row(evaluation) -> Score:
    return evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")[0]


def test_the_whole_workflow_through_the_api(world, api_client_for):
    """Started, scored, submitted, reviewed by the county, published by the city, confirmed by the township."""
    evaluator, county, city, township = (api_client_for(role) for role in ("evaluator", "county", "city", "township"))
    assignment = world.stations["S1"].assignments.get()

    begun = evaluator.post(f"/api/v1/assignments/{assignment.pk}/start/", {"station": world.stations["S1"].pk})
    evaluation = Evaluation.objects.get(pk=begun.json()["id"])
    scored = evaluator.put(url(evaluation, "scores"), full_marks(evaluation), format="json")
    steps = [
        evaluator.post(url(evaluation, "submit"), {}),
        county.post(url(evaluation, "review"), {"reason": "材料齐全"}),
        city.post(url(evaluation, "publish"), {}),
        township.post(url(evaluation, "confirm"), {}),
    ]

    assert begun.status_code == 201
    assert scored.status_code == 200
    assert [step.status_code for step in steps] == [200, 200, 200, 200]
    body = steps[-1].json()
    assert (body["status"], body["total"], body["grade"], body["stars"]) == ("published", "100.0", "excellent", 5)
    assert [(t["from_status"], t["to_status"], t["by"]) for t in body["transitions"]] == [
        ("draft", "submitted", "evaluator"),
        ("submitted", "reviewed", "county"),
        ("reviewed", "published", "city"),
    ]
    assert [(r["answer"], r["by"]) for r in body["responses"]] == [("confirm", "township")]


def test_a_draft_has_no_grade_until_it_is_submitted(world, api_client_for):
    evaluation = score_all(world, started(world))

    draft = api_client_for("city").get(url(evaluation)).json()
    handed_in = api_client_for("evaluator").post(url(evaluation, "submit"), {}).json()

    assert (draft["total"], draft["grade"], draft["stars"]) == (None, None, None)
    assert (handed_in["total"], handed_in["grade"], handed_in["stars"]) == ("100.0", "excellent", 5)


@pytest.mark.parametrize(
    "build, role, step, data",
    [
        (submitted, "evaluator", "submit", {}),  # submitted twice
        (started, "city", "review", {}),  # a draft reviewed
        (started, "city", "publish", {}),  # a draft published
        (submitted, "city", "publish", {}),  # a submitted one published, review skipped
        (reviewed, "city", "review", {}),  # reviewed twice
        (published, "city", "publish", {}),  # published twice
        (published, "city", "return", {"reason": "重新评分"}),  # a published one returned
        (started, "city", "return", {"reason": "重新评分"}),  # a draft returned
        (started, "city", "amend", {"indicator": 0, "new_score": "1.0", "reason": "更正"}),  # a draft amended
        (submitted, "city", "amend", {"indicator": 0, "new_score": "1.0", "reason": "更正"}),  # not yet published
        (started, "township", "confirm", {}),  # a draft confirmed
        (reviewed, "township", "object", {"reason": "不认可"}),  # not yet published
        (published, "evaluator", "submit", {}),  # a published one submitted again
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_a_skipped_or_repeated_step_is_a_conflict_that_changes_nothing(world, api_client_for, build, role, step, data):
    evaluation = build(world)
    if "indicator" in data:
        data = {**data, "indicator": first_row(evaluation).indicator_id}
    before = snapshot()

    response = api_client_for(role).post(url(evaluation, step), data, format="json")

    assert response.status_code == 409, response.content
    assert snapshot() == before


def test_confirming_twice_is_a_conflict(world, api_client_for):
    evaluation = published(world)
    township = api_client_for("township")
    assert township.post(url(evaluation, "confirm"), {}).status_code == 200
    before = snapshot()

    response = township.post(url(evaluation, "confirm"), {})

    assert response.status_code == 409
    assert snapshot() == before


@pytest.mark.parametrize(
    "method, step, data",
    [
        ("patch", "", {"summary": "改一下"}),
        ("put", "", {"summary": "改一下"}),
        ("delete", "", None),
        ("put", "scores", "scores"),
        ("patch", "scores", "scores"),
        ("post", "evidence", "evidence"),
        ("delete", "evidence", "evidence-remove"),
        ("post", "files", "file"),
        ("post", "submit", {}),
    ],
)
def test_every_write_after_publication_is_a_conflict(world, api_client_for, media, method, step, data):
    """The evaluator (and the administrator, for the delete) get 409 on a published evaluation; nothing changes."""
    evaluator = world.users["evaluator"]
    evaluation = score_all(world, started(world))
    row = first_row(evaluation)
    uploaded = evaluation_file_add(evaluation=evaluation, user=evaluator, upload=png())
    evidence = evidence_add(score=row, user=evaluator, kind="file", target_id=uploaded.pk)
    evaluation_submit(evaluation=evaluation, user=evaluator)
    evaluation_review(evaluation=evaluation, user=world.users["county"])
    evaluation_publish(evaluation=evaluation, user=world.users["city"])
    path, fmt = url(evaluation, step), "json"
    if data == "scores":
        data = [{"indicator": row.indicator_id, "score": "0.0", "comment": "改"}]
    elif data == "evidence":
        data = {"indicator": row.indicator_id, "kind": "file", "target": evidence.file_id}
    elif data == "evidence-remove":
        path, data = f"{url(evaluation)}evidence/{evidence.pk}/", None
    elif data == "file":
        data, fmt = {"file": png()}, "multipart"
    client = api_client_for("admin" if method == "delete" and not step else "evaluator")
    before = snapshot()

    response = getattr(client, method)(path, data, format=fmt)

    assert response.status_code == 409, response.content
    assert snapshot() == before


def test_a_score_at_its_maximum_is_accepted(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)

    response = api_client_for("evaluator").patch(
        url(evaluation, "scores"),
        [{"indicator": row.indicator_id, "score": str(row.indicator.max_points), "comment": "现场核实"}],
        format="json",
    )

    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.score == row.indicator.max_points


def test_a_score_above_its_maximum_is_a_field_error_keyed_by_the_indicator_code(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)
    above = row.indicator.max_points + Decimal("0.1")
    before = snapshot()

    response = api_client_for("evaluator").patch(
        url(evaluation, "scores"),
        [{"indicator": row.indicator_id, "score": str(above), "comment": "多给"}],
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == [row.indicator.code]
    assert snapshot() == before


def test_a_score_with_two_decimals_is_a_field_error(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)

    response = api_client_for("evaluator").patch(
        url(evaluation, "scores"), [{"indicator": row.indicator_id, "score": "1.25"}], format="json"
    )

    assert response.status_code == 400
    assert row.indicator.code in response.json()


def test_an_absurd_number_is_a_field_error_not_a_server_error(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)

    response = api_client_for("evaluator").patch(
        url(evaluation, "scores"), [{"indicator": row.indicator_id, "score": "1e30"}], format="json"
    )

    assert response.status_code == 400


def test_a_submission_with_unscored_indicators_lists_them(world, api_client_for):
    evaluation = started(world)
    rows = list(
        evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")
    )
    api_client_for("evaluator").put(url(evaluation, "scores"), full_marks(evaluation)[:-2], format="json")
    missing = {row.indicator.code for row in rows[-2:]}
    before = snapshot()

    response = api_client_for("evaluator").post(url(evaluation, "submit"), {})

    assert response.status_code == 400
    message = response.json()["scores"][0]
    assert all(code in message for code in missing)
    assert snapshot() == before


def test_a_score_change_after_submission_is_a_field_error(world, api_client_for):
    evaluation = submitted(world)
    row = first_row(evaluation)
    before = snapshot()

    response = api_client_for("evaluator").patch(
        url(evaluation, "scores"), [{"indicator": row.indicator_id, "score": "0.0", "comment": "改"}], format="json"
    )

    assert response.status_code == 400
    assert "score" in response.json()
    assert snapshot() == before


def test_a_return_needs_a_reason(world, api_client_for):
    evaluation = submitted(world)
    before = snapshot()

    response = api_client_for("county").post(url(evaluation, "return"), {"reason": "  "})

    assert response.status_code == 400
    assert "reason" in response.json()
    assert snapshot() == before


def test_a_returned_evaluation_is_a_draft_again_without_its_grade(world, api_client_for):
    evaluation = reviewed(world)

    response = api_client_for("city").post(url(evaluation, "return"), {"reason": "证据不足"})

    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["total"], body["grade"], body["stars"]) == ("draft", None, None, None)
    assert body["transitions"][-1]["reason"] == "证据不足"


def test_an_objection_needs_a_reason(world, api_client_for):
    evaluation = published(world)

    response = api_client_for("township").post(url(evaluation, "object"), {"reason": ""})

    assert response.status_code == 400
    assert "reason" in response.json()
    assert not TownshipResponse.objects.exists()


def test_an_amendment_from_89_9_to_90_0_makes_it_excellent_with_four_stars(world, api_client_for):
    """Total, grade and stars are recomputed; the amendment records the old and new score and total."""
    evaluation = published(world, total="89.9")
    row = evaluation.scores.select_related("indicator").filter(score__lt=F("indicator__max_points")).first()
    objection = api_client_for("township").post(url(evaluation, "object"), {"reason": "少算了0.1分"}).json()

    response = api_client_for("city").post(
        url(evaluation, "amend"),
        {
            "indicator": row.indicator_id,
            "new_score": str(row.score + Decimal("0.1")),
            "reason": "复核后更正",
            "objection": objection["responses"][0]["id"],
        },
        format="json",
    )

    body = response.json()
    assert response.status_code == 200, body
    assert (body["total"], body["grade"], body["stars"]) == ("90.0", "excellent", 4)
    amendment = body["amendments"][0]
    assert (amendment["old_total"], amendment["new_total"], amendment["by"]) == ("89.9", "90.0", "city")
    assert amendment["objection"] == objection["responses"][0]["id"]


def test_an_amendment_above_the_maximum_is_a_field_error(world, api_client_for):
    evaluation = published(world)
    row = first_row(evaluation)
    before = snapshot()

    response = api_client_for("city").post(
        url(evaluation, "amend"),
        {"indicator": row.indicator_id, "new_score": str(row.indicator.max_points + 1), "reason": "更正"},
        format="json",
    )

    assert response.status_code == 400
    assert "new_score" in response.json()
    assert snapshot() == before


def test_an_amendment_naming_another_evaluations_objection_is_a_field_error(world, api_client_for):
    evaluation = published(world)
    row = first_row(evaluation)

    response = api_client_for("city").post(
        url(evaluation, "amend"),
        {"indicator": row.indicator_id, "new_score": "0.0", "reason": "更正", "objection": 999999},
        format="json",
    )

    assert response.status_code == 400
    assert "objection" in response.json()


def test_the_county_official_reviews_but_cannot_publish(world, api_client_for):
    evaluation = submitted(world)
    county = api_client_for("county")
    assert county.post(url(evaluation, "review"), {}).status_code == 200
    before = snapshot()

    response = county.post(url(evaluation, "publish"), {})

    assert response.status_code == 403
    assert snapshot() == before


def test_the_county_official_cannot_return_a_reviewed_evaluation(world, api_client_for):
    evaluation = reviewed(world)
    before = snapshot()

    response = api_client_for("county").post(url(evaluation, "return"), {"reason": "再看看"})

    assert response.status_code == 403
    assert snapshot() == before


def test_the_county_official_cannot_amend(world, api_client_for):
    evaluation = published(world)
    row = first_row(evaluation)
    before = snapshot()

    response = api_client_for("county").post(
        url(evaluation, "amend"), {"indicator": row.indicator_id, "new_score": "0.0", "reason": "更正"}, format="json"
    )

    assert response.status_code == 403
    assert snapshot() == before


def test_the_evaluator_cannot_review_their_own_submission(world, api_client_for):
    evaluation = submitted(world)
    before = snapshot()

    response = api_client_for("evaluator").post(url(evaluation, "review"), {})

    assert response.status_code == 403
    assert snapshot() == before


def test_an_official_of_another_city_does_not_find_the_evaluation(world, api_client_for):
    evaluation = submitted(world)

    response = api_client_for("outsider").post(url(evaluation, "review"), {})

    assert response.status_code == 404
