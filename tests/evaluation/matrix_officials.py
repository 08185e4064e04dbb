"""The officials' evaluation pages in the permission matrix (tests/matrix.py): the list, an evaluation's page and
its steps, the assignments.

Targets (``build``), all of station S1 and made through the rules: an evaluation submitted (to review or return),
one reviewed (to publish) and one published with the township's objection (to amend, confirm, object), each under
an assignment of its own stage given to an agency of its own ("officials" agency), so that no other module's
evaluation of S1 is touched; and an assignment commissioned by county A1 with no evaluation yet (to edit).

The world's evaluator belongs to another agency: these evaluations are outside its reach (404).
"""

from datetime import date
from decimal import Decimal

from accounts.choices import Role
from evaluation.choices import Stage
from evaluation.models import Amendment, Assignment, Evaluation, Score, ScorecardTemplate, TownshipResponse, Transition
from evaluation.rules.workflow import (
    evaluation_answer,
    evaluation_publish,
    evaluation_review,
    evaluation_start,
    evaluation_submit,
    scores_write,
)
from stations.choices import OrganizationKind
from tests.factories import OrganizationFactory, UserFactory
from tests.matrix import Endpoint, only, register_pages, statuses

WATCHED = [Assignment, Evaluation, Score, Transition, TownshipResponse, Amendment]
YEAR = date.today().year
REVIEWERS = ["admin", "city", "county"]
PUBLISHERS = ["admin", "city"]
ANSWERERS = ["admin", "township"]


def shipped_template() -> ScorecardTemplate:
    return ScorecardTemplate.objects.get(code="station-evaluation", version=1)


def officials_assignment(world, stage: str, *, agency, region_key: str = "A") -> Assignment:
    assignment = Assignment.objects.create(
        agency=agency,
        year=YEAR,
        stage=stage,
        template=shipped_template(),
        region=world.regions[region_key],
        title=f"{YEAR}年{Stage(stage).label}评估",
        starts_on=date(YEAR, 1, 1),
        ends_on=date(YEAR, 12, 31),
    )
    assignment.stations.set([world.stations["S1"]])
    return assignment


def scored_evaluation(world, stage: str, *, agency, evaluator, short: Decimal = Decimal("7.5")) -> Evaluation:
    """S1 evaluated at ``stage``: every indicator scored (full marks, ``short`` points taken off the first ones),
    each score explained (a score differing from the portal's suggestion needs a comment), then submitted."""
    assignment = officials_assignment(world, stage, agency=agency)
    evaluation = evaluation_start(assignment=assignment, station=world.stations["S1"], user=evaluator)
    scores = []
    for row in evaluation.scores.select_related("indicator").order_by(
        "indicator__dimension__order", "indicator__order"
    ):
        taken = min(short, row.indicator.max_points)
        short -= taken
        scores.append({"indicator": row.indicator_id, "score": row.indicator.max_points - taken, "comment": "现场核实"})
    scores_write(evaluation=evaluation, user=evaluator, scores=scores)
    return evaluation_submit(evaluation=evaluation, user=evaluator)


def build(world) -> None:
    agency = OrganizationFactory(name="官方评估测试中心", kind=OrganizationKind.EVALUATION_AGENCY)
    evaluator = UserFactory(username="officials-evaluator", role=Role.EVALUATOR, organization=agency)
    users = world.users
    submitted = scored_evaluation(world, Stage.OPENING, agency=agency, evaluator=evaluator)
    reviewed = evaluation_review(
        evaluation=scored_evaluation(world, Stage.MIDTERM, agency=agency, evaluator=evaluator), user=users["county"]
    )
    published = evaluation_publish(
        evaluation=evaluation_review(
            evaluation=scored_evaluation(world, Stage.FINAL, agency=agency, evaluator=evaluator), user=users["county"]
        ),
        user=users["city"],
    )
    objection = evaluation_answer(
        evaluation=published, user=users["township"], answer="object", reason="服务台账已补齐，A1 指标应得满分。"
    )
    open_assignment = officials_assignment(world, Stage.ANNUAL, agency=agency, region_key="A1")
    world.extra.update(
        officials_agency=agency,
        officials_evaluator=evaluator,
        submitted_evaluation=submitted,
        reviewed_evaluation=reviewed,
        published_for_officials=published,
        objection=objection,
        open_assignment=open_assignment,
    )


def pk(key):
    return lambda w: w.extra[key].pk


def reads() -> dict[str, int]:
    """Everyone who reaches S1 reads its evaluations, but not an evaluator of another agency."""
    return statuses(200, anonymous=302, outsider=404, evaluator=404)


def step(roles: list[str]) -> dict[str, int]:
    """A step's POST: done (302) for ``roles``; 403 for the other roles; 404 for the outsider if the role could."""
    return only(roles, 302, 403, anonymous=302)


def amend_data(w) -> dict:
    evaluation = w.extra["published_for_officials"]
    first = evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")[0]
    return {
        "amend-indicator": str(first.indicator_id),
        "amend-new_score": str(first.indicator.max_points),
        "amend-reason": "复核台账后更正",
        "amend-objection": str(w.extra["objection"].pk),
    }


def assignment_data(w) -> dict:
    return {
        "title": "年度评估（新）",
        "agency": str(w.extra["officials_agency"].pk),
        "template": str(shipped_template().pk),
        "year": str(YEAR),
        "stage": "annual",
        "starts_on": f"{YEAR}-02-01",
        "ends_on": f"{YEAR}-11-30",
        "due_on": f"{YEAR}-11-15",
        "stations": [str(w.stations["S1"].pk)],
    }


register_pages(
    Endpoint(
        "evaluation-list",
        "get",
        lambda w: "/evaluation/evaluations/",
        statuses(200, anonymous=302),
        covers="evaluation:evaluation-list",
    ),
    Endpoint(
        "evaluation-list-filtered",
        "get",
        lambda w: f"/evaluation/evaluations/?year={YEAR}&status=published&grade=excellent&sort=-total",
        statuses(200, anonymous=302),
        covers="evaluation:evaluation-list",
    ),
    Endpoint(
        "evaluation-list-export",
        "get",
        lambda w: "/evaluation/evaluations/?export=xlsx",
        statuses(200, anonymous=302),
        covers="evaluation:evaluation-list",
    ),
    Endpoint(
        "evaluation-detail",
        "get",
        lambda w: f"/evaluation/{pk('published_for_officials')(w)}/",
        reads(),
        covers="evaluation:evaluation-detail",
    ),
    Endpoint(
        "evaluation-detail-submitted",
        "get",
        lambda w: f"/evaluation/{pk('submitted_evaluation')(w)}/",
        reads() | {"manager": 404, "worker": 404},  # not yet a result: the station's staff do not see it
        covers="evaluation:evaluation-detail",
    ),
    Endpoint(
        "evaluation-review",
        "post",
        lambda w: f"/evaluation/{pk('submitted_evaluation')(w)}/review/",
        step(REVIEWERS) | {"outsider": 404},
        covers="evaluation:evaluation-review",
        data=lambda w: {"review-reason": "材料齐全"},
    ),
    Endpoint(
        "evaluation-return",
        "post",
        lambda w: f"/evaluation/{pk('submitted_evaluation')(w)}/return/",
        step(REVIEWERS) | {"outsider": 404},
        covers="evaluation:evaluation-return",
        data=lambda w: {"return-reason": "A2 指标缺少证据"},
    ),
    Endpoint(
        "evaluation-publish",
        "post",
        lambda w: f"/evaluation/{pk('reviewed_evaluation')(w)}/publish/",
        step(PUBLISHERS) | {"outsider": 404},  # the county reviews but does not publish: 403
        covers="evaluation:evaluation-publish",
        data=lambda w: {"publish-reason": ""},
    ),
    Endpoint(
        "evaluation-amend",
        "post",
        lambda w: f"/evaluation/{pk('published_for_officials')(w)}/amend/",
        step(PUBLISHERS) | {"outsider": 404},  # amending is the city's: the county gets 403
        covers="evaluation:evaluation-amend",
        data=amend_data,
    ),
    Endpoint(
        "evaluation-confirm",
        "post",
        lambda w: f"/evaluation/{pk('published_for_officials')(w)}/confirm/",
        step(ANSWERERS),
        covers="evaluation:evaluation-confirm",
        data=lambda w: {"confirm-reason": ""},
    ),
    Endpoint(
        "evaluation-object",
        "post",
        lambda w: f"/evaluation/{pk('published_for_officials')(w)}/object/",
        step(ANSWERERS),
        covers="evaluation:evaluation-object",
        data=lambda w: {"object-reason": "B3 指标的活动记录未被采纳"},
    ),
    Endpoint(
        "assignment-list",
        "get",
        lambda w: "/evaluation/assignments/",
        statuses(200, anonymous=302),
        covers="evaluation:assignment-list",
    ),
    Endpoint(
        "assignment-create-form",
        "get",
        lambda w: "/evaluation/assignments/new/",
        only([*REVIEWERS, "outsider"], 200, 403, anonymous=302),
        covers="evaluation:assignment-create",
    ),
    Endpoint(
        "assignment-create",
        "post",
        lambda w: "/evaluation/assignments/new/",
        only(REVIEWERS, 302, 403, anonymous=302, outsider=200),  # S1 is not among the outsider's stations
        covers="evaluation:assignment-create",
        data=assignment_data,
    ),
    Endpoint(
        "assignment-edit-form",
        "get",
        lambda w: f"/evaluation/assignments/{pk('open_assignment')(w)}/edit/",
        only(REVIEWERS, 200, 403, anonymous=302, outsider=404),
        covers="evaluation:assignment-edit",
    ),
    Endpoint(
        "assignment-edit",
        "post",
        lambda w: f"/evaluation/assignments/{pk('open_assignment')(w)}/edit/",
        only(REVIEWERS, 302, 403, anonymous=302, outsider=404),
        covers="evaluation:assignment-edit",
        data=assignment_data,
    ),
    Endpoint(
        "evaluation-result-pdf",
        "post",
        lambda w: f"/reports/evaluation/{pk('published_for_officials')(w)}/",
        # Everyone who asks for reports and reaches S1 asks for a published evaluation's PDF; evaluators do not ask.
        statuses(302, anonymous=302, evaluator=403, outsider=404),
        covers="reports:evaluation",
    ),
)
