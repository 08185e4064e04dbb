"""The assignments and evaluations API in the permission matrix (tests/matrix.py): every endpoint and action, every
role.

The targets are evaluations of station S1 (``build``), one per status, each under an assignment of the world's
agency: the draft under the world's assignment (annual, fully scored so it can be submitted, with a service record
as evidence and an uploaded photo), a submitted one (mid-term), a reviewed one (opening) and a published one
(final); they are moved through the workflow by the rules themselves.

Who may: the agency's evaluator scores and submits (and begins evaluations from an assignment); city and county
officials commission assignments and review or return a submitted evaluation; only a city official publishes,
returns a reviewed one and amends a published one (the county official: 403); the township official confirms or
objects. The administrator may do everything; only the administrator deletes. A role without the step's right gets
403 before the evaluation is looked up, the outsider (city B) with the right a 404; a step the status does not
allow is a 409, a missing reason a 400.
"""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation.models import (
    Amendment,
    Assignment,
    Evaluation,
    EvaluationFile,
    Evidence,
    Score,
    TownshipResponse,
    Transition,
)
from evaluation.rules.workflow import (
    evaluation_file_add,
    evaluation_publish,
    evaluation_review,
    evaluation_start,
    evaluation_submit,
    evidence_add,
)
from services.models import ServiceRecord
from tests.factories import AssignmentFactory
from tests.matrix import Endpoint, only, register_api, statuses
from tests.services.matrix_api import PNG

WATCHED = [
    Assignment,
    Assignment.stations.through,
    Evaluation,
    Score,
    Evidence,
    EvaluationFile,
    Transition,
    TownshipResponse,
    Amendment,
]

SCORERS = ["admin", "evaluator"]
REVIEWERS = ["admin", "city", "county"]
PUBLISHERS = ["admin", "city"]
ANSWERERS = ["admin", "township"]


def full_marks(evaluation) -> None:
    """Every indicator at its maximum, straight to the table: the rule's suggestions would compute the portal's facts
    for every world of the matrix; the scoring rule itself is exercised by the scoring endpoints below."""
    rows = list(evaluation.scores.select_related("indicator"))
    for row in rows:
        row.score, row.comment = row.indicator.max_points, "核实"
    Score.objects.bulk_update(rows, ["score", "comment"])


def begun(world, assignment) -> Evaluation:
    evaluation = evaluation_start(assignment=assignment, station=world.stations["S1"], user=world.users["evaluator"])
    full_marks(evaluation)
    return evaluation


def draft_reads() -> dict:
    """Reading an evaluation still in the works: everyone in scope but the station's own staff, who see results."""
    return statuses(200, outsider=404, manager=404, worker=404)


def build(world) -> None:
    """One evaluation of S1 in each status, in ``world.extra`` as ``evaluation_draft`` ... ``evaluation_published``."""
    users, s1 = world.users, world.stations["S1"]
    # The world's own assignment (annual, S1 and S2): the first of the agency's, whatever other modules add.
    assignment = Assignment.objects.filter(agency=world.orgs["agency"]).order_by("pk").first()

    draft = begun(world, assignment)
    first = draft.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")[0]
    # A record of its own: the services matrix deletes its target record.
    record = ServiceRecord.objects.create(
        station=s1,
        date=min(date(assignment.year, 1, 2), date.today()),
        kind="visit",
        duration_minutes=30,
        summary="佐证",
    )
    evidence = evidence_add(score=first, user=users["evaluator"], kind="record", target_id=record.pk)
    photo = evaluation_file_add(
        evaluation=draft, user=users["evaluator"], upload=SimpleUploadedFile("现场.png", PNG, "image/png")
    )

    def moved(stage, *steps):
        evaluation = begun(world, AssignmentFactory(agency=world.orgs["agency"], stage=stage, stations=[s1]))
        for step, role in steps:
            evaluation = step(evaluation=evaluation, user=users[role])
        return evaluation

    submitted = moved("midterm", (evaluation_submit, "evaluator"))
    reviewed = moved("opening", (evaluation_submit, "evaluator"), (evaluation_review, "county"))
    published = moved(
        "final", (evaluation_submit, "evaluator"), (evaluation_review, "county"), (evaluation_publish, "city")
    )
    world.extra.update(
        evaluation_assignment=assignment,
        evaluation_draft=draft,
        evaluation_submitted=submitted,
        evaluation_reviewed=reviewed,
        evaluation_published=published,
        evaluation_evidence=evidence,
        evaluation_file=photo,
        evaluation_first_row=first,
    )


def at(key, step=""):
    return lambda w: f"/api/v1/evaluations/{w.extra[key].pk}/" + (f"{step}/" if step else "")


def first_indicator(w) -> int:
    return w.extra["evaluation_first_row"].indicator_id


def rescore(w) -> list[dict]:
    row = w.extra["evaluation_first_row"]
    return [{"indicator": row.indicator_id, "score": str(row.indicator.max_points - Decimal("0.5")), "comment": "扣分"}]


def amendment(w) -> dict:
    row = w.extra["evaluation_first_row"]
    return {"indicator": row.indicator_id, "new_score": str(row.indicator.max_points - 1), "reason": "复核更正"}


def photo(w) -> dict:
    return {"file": SimpleUploadedFile("签到表.png", PNG, "image/png")}


def assignment_url(w, step=""):
    return f"/api/v1/assignments/{w.extra['evaluation_assignment'].pk}/" + (f"{step}/" if step else "")


def commission(w) -> dict:
    assignment = w.extra["evaluation_assignment"]
    return {
        "title": "年度评估（二）",
        "agency": w.orgs["agency"].pk,
        "year": assignment.year,
        "stage": "annual",
        "template": assignment.template_id,
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": assignment.ends_on.isoformat(),
        "stations": [w.stations["S1"].pk],
    }


# --- assignments -----------------------------------------------------------------------------------------------
register_api(
    Endpoint(
        "assignment-list",
        "get",
        lambda w: "/api/v1/assignments/",
        statuses(200),
        covers="api:assignment-list",
        listed=lambda w: w.extra["evaluation_assignment"].pk,
    ),
    Endpoint(
        "assignment-detail",
        "get",
        assignment_url,
        statuses(200, outsider=404),
        covers="api:assignment-detail",
    ),
    Endpoint(
        "assignment-create",
        "post",
        lambda w: "/api/v1/assignments/",
        only(REVIEWERS, 201, 403, outsider=400),  # the outsider's region holds no S1
        covers="api:assignment-list",
        data=commission,
    ),
    Endpoint(
        "assignment-update",
        "patch",
        assignment_url,
        only(REVIEWERS, 200, 403, outsider=404),
        covers="api:assignment-detail",
        data=lambda w: {
            "title": "2026年度评估（调整）",
            "due_on": w.extra["evaluation_assignment"].ends_on.isoformat(),
        },
    ),
    Endpoint(
        "assignment-update-locked",
        "patch",
        assignment_url,
        only(REVIEWERS, 409, 403, outsider=404),  # evaluations have begun: the stage is fixed
        covers="api:assignment-detail",
        data=lambda w: {"stage": "midterm"},
    ),
    Endpoint(
        "assignment-delete",
        "delete",
        assignment_url,
        only(["admin"], 409, 403),  # its evaluations keep it
        covers="api:assignment-detail",
    ),
    Endpoint(
        "assignment-start-again",
        "post",
        lambda w: assignment_url(w, "start"),
        only(SCORERS, 200, 403, outsider=404),
        covers="api:assignment-start",
        data=lambda w: {"station": w.stations["S1"].pk},
    ),
    Endpoint(
        "assignment-start",
        "post",
        lambda w: assignment_url(w, "start"),
        only(SCORERS, 201, 403, outsider=404),
        covers="api:assignment-start",
        data=lambda w: {"station": w.stations["S2"].pk},
    ),
)

# --- evaluations: reading, the summary, deleting -------------------------------------------------------------
register_api(
    Endpoint(
        "evaluation-list",
        "get",
        lambda w: "/api/v1/evaluations/",
        statuses(200),
        covers="api:evaluation-list",
        listed=lambda w: w.extra["evaluation_published"].pk,  # a result: the station's staff see it too
    ),
    Endpoint(
        "evaluation-create",
        "post",
        lambda w: "/api/v1/evaluations/",
        only(["admin"], 405, 403),  # begun from the assignment, never posted
        covers="api:evaluation-list",
        data=lambda w: {"assignment": w.extra["evaluation_assignment"].pk, "station": w.stations["S2"].pk},
    ),
    Endpoint(
        "evaluation-detail",
        "get",
        at("evaluation_draft"),
        draft_reads(),
        covers="api:evaluation-detail",
    ),
    Endpoint(
        "evaluation-summary",
        "patch",
        at("evaluation_draft"),
        only(SCORERS, 200, 403),
        covers="api:evaluation-detail",
        data=lambda w: {"summary": "台账完整，服务记录翔实。"},
    ),
    Endpoint(
        "evaluation-summary-put",
        "put",
        at("evaluation_draft"),
        only(SCORERS, 200, 403),
        covers="api:evaluation-detail",
        data=lambda w: {"summary": "台账完整。"},
    ),
    Endpoint(
        "evaluation-summary-published",
        "patch",
        at("evaluation_published"),
        only(SCORERS, 409, 403),
        covers="api:evaluation-detail",
        data=lambda w: {"summary": "改动"},
    ),
    Endpoint(
        "evaluation-delete",
        "delete",
        at("evaluation_draft"),
        only(["admin"], 204, 403),
        covers="api:evaluation-detail",
    ),
    Endpoint(
        "evaluation-delete-published",
        "delete",
        at("evaluation_published"),
        only(["admin"], 409, 403),
        covers="api:evaluation-detail",
    ),
)

# --- evaluations: the steps ----------------------------------------------------------------------------------
register_api(
    Endpoint(
        "evaluation-submit",
        "post",
        at("evaluation_draft", "submit"),
        only(SCORERS, 200, 403),
        covers="api:evaluation-submit",
        data=lambda w: {},
    ),
    Endpoint(
        "evaluation-submit-again",
        "post",
        at("evaluation_submitted", "submit"),
        only(SCORERS, 409, 403),
        covers="api:evaluation-submit",
        data=lambda w: {},
    ),
    Endpoint(
        "evaluation-review",
        "post",
        at("evaluation_submitted", "review"),
        only(REVIEWERS, 200, 403, outsider=404),
        covers="api:evaluation-review",
        data=lambda w: {"reason": "材料齐全"},
    ),
    Endpoint(
        "evaluation-review-draft",
        "post",
        at("evaluation_draft", "review"),
        only(REVIEWERS, 409, 403, outsider=404),
        covers="api:evaluation-review",
        data=lambda w: {},
    ),
    Endpoint(
        "evaluation-return-submitted",
        "post",
        at("evaluation_submitted", "return"),
        only(REVIEWERS, 200, 403, outsider=404),
        covers="api:evaluation-return",
        data=lambda w: {"reason": "证据不足"},
    ),
    Endpoint(
        "evaluation-return-no-reason",
        "post",
        at("evaluation_submitted", "return"),
        only(REVIEWERS, 400, 403, outsider=404),
        covers="api:evaluation-return",
        data=lambda w: {"reason": ""},
    ),
    Endpoint(
        "evaluation-return-reviewed",
        "post",
        at("evaluation_reviewed", "return"),
        only(PUBLISHERS, 200, 403, outsider=404),  # the county official reviews, the city returns a reviewed one
        covers="api:evaluation-return",
        data=lambda w: {"reason": "复核不通过"},
    ),
    Endpoint(
        "evaluation-return-published",
        "post",
        at("evaluation_published", "return"),
        only(REVIEWERS, 409, 403, outsider=404),
        covers="api:evaluation-return",
        data=lambda w: {"reason": "重新评分"},
    ),
    Endpoint(
        "evaluation-publish",
        "post",
        at("evaluation_reviewed", "publish"),
        only(PUBLISHERS, 200, 403, outsider=404),
        covers="api:evaluation-publish",
        data=lambda w: {},
    ),
    Endpoint(
        "evaluation-publish-submitted",
        "post",
        at("evaluation_submitted", "publish"),
        only(PUBLISHERS, 409, 403, outsider=404),  # review skipped
        covers="api:evaluation-publish",
        data=lambda w: {},
    ),
    Endpoint(
        "evaluation-confirm",
        "post",
        at("evaluation_published", "confirm"),
        only(ANSWERERS, 200, 403),
        covers="api:evaluation-confirm",
        data=lambda w: {},
    ),
    Endpoint(
        "evaluation-confirm-draft",
        "post",
        at("evaluation_draft", "confirm"),
        only(ANSWERERS, 409, 403),
        covers="api:evaluation-confirm",
        data=lambda w: {},
    ),
    Endpoint(
        "evaluation-object",
        "post",
        at("evaluation_published", "object"),
        only(ANSWERERS, 200, 403),
        covers="api:evaluation-object",
        data=lambda w: {"reason": "服务对象数量统计有误"},
    ),
    Endpoint(
        "evaluation-object-no-reason",
        "post",
        at("evaluation_published", "object"),
        only(ANSWERERS, 400, 403),
        covers="api:evaluation-object",
        data=lambda w: {"reason": ""},
    ),
    Endpoint(
        "evaluation-amend",
        "post",
        at("evaluation_published", "amend"),
        only(PUBLISHERS, 200, 403, outsider=404),
        covers="api:evaluation-amend",
        data=amendment,
    ),
    Endpoint(
        "evaluation-amend-draft",
        "post",
        at("evaluation_draft", "amend"),
        only(PUBLISHERS, 409, 403, outsider=404),
        covers="api:evaluation-amend",
        data=amendment,
    ),
)

# --- evaluations: scores, evidence, files, facts ---------------------------------------------------------------
register_api(
    Endpoint(
        "evaluation-scores",
        "get",
        at("evaluation_draft", "scores"),
        draft_reads(),
        covers="api:evaluation-scores",
    ),
    Endpoint(
        "evaluation-scores-write",
        "put",
        at("evaluation_draft", "scores"),
        only(SCORERS, 200, 403),
        covers="api:evaluation-scores",
        data=rescore,
    ),
    Endpoint(
        "evaluation-scores-submitted",
        "patch",
        at("evaluation_submitted", "scores"),
        only(SCORERS, 400, 403),  # a score change after submission is a field error
        covers="api:evaluation-scores",
        data=rescore,
    ),
    Endpoint(
        "evaluation-scores-published",
        "patch",
        at("evaluation_published", "scores"),
        only(SCORERS, 409, 403),
        covers="api:evaluation-scores",
        data=rescore,
    ),
    Endpoint(
        "evaluation-evidence",
        "get",
        at("evaluation_draft", "evidence"),
        draft_reads(),
        covers="api:evaluation-evidence",
    ),
    Endpoint(
        "evaluation-evidence-add",
        "post",
        at("evaluation_draft", "evidence"),
        only(SCORERS, 201, 403),
        covers="api:evaluation-evidence",
        data=lambda w: {"indicator": first_indicator(w), "kind": "attachment", "target": w.extra["attachment"].pk},
    ),
    Endpoint(
        "evaluation-evidence-add-published",
        "post",
        at("evaluation_published", "evidence"),
        only(SCORERS, 409, 403),
        covers="api:evaluation-evidence",
        data=lambda w: {"indicator": first_indicator(w), "kind": "record", "target": w.extra["record"].pk},
    ),
    Endpoint(
        "evaluation-evidence-remove",
        "delete",
        lambda w: f"{at('evaluation_draft')(w)}evidence/{w.extra['evaluation_evidence'].pk}/",
        only(SCORERS, 204, 403),
        covers="api:evaluation-evidence-remove",
    ),
    Endpoint(
        "evaluation-files",
        "get",
        at("evaluation_draft", "files"),
        draft_reads(),
        covers="api:evaluation-files",
    ),
    Endpoint(
        "evaluation-file-upload",
        "post",
        at("evaluation_draft", "files"),
        only(SCORERS, 201, 403),
        covers="api:evaluation-files",
        data=photo,
        multipart=True,
    ),
    Endpoint(
        "evaluation-file-upload-published",
        "post",
        at("evaluation_published", "files"),
        only(SCORERS, 409, 403),
        covers="api:evaluation-files",
        data=photo,
        multipart=True,
    ),
    Endpoint(
        "evaluation-file",
        "get",
        lambda w: f"{at('evaluation_draft')(w)}files/{w.extra['evaluation_file'].pk}/",
        draft_reads(),
        covers="api:evaluation-file",
    ),
    Endpoint(
        "evaluation-facts",
        "get",
        at("evaluation_draft", "facts"),
        draft_reads(),
        covers="api:evaluation-facts",
    ),
)
