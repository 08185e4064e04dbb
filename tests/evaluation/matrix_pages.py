"""The evaluator's pages in the permission matrix (tests/matrix.py): home, start, the scorecard and its endpoints.

The targets (``build``): an assignment of the world's agency of its own (S1 and S2, this year), under which S1's
evaluation is a draft with every indicator scored (so it can be submitted), one record of S1 linked as evidence, and
one uploaded file; S2 is not started yet. Everyone in scope reads home; only scorers (the evaluator, and the
administrator, who may do everything) start, score, link evidence, upload and submit; the others reading the
scorecard are sent to the evaluation's page (302), and the outsider finds no such evaluation (404).
"""

from datetime import date

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation.choices import EvidenceKind
from evaluation.models import Evaluation, EvaluationFile, Evidence, Score, Transition
from evaluation.rules.workflow import evaluation_start
from services.models import ServiceRecord
from tests.factories import AssignmentFactory
from tests.matrix import Endpoint, only, register_pages, statuses

from ..services.matrix_api import PNG

WATCHED = [Evaluation, Score, Evidence, EvaluationFile, Transition]
SCORERS = ["admin", "evaluator"]
READERS = ["admin", "city", "county", "township", "manager", "worker", "evaluator"]


def build(world) -> None:
    """Add this module's targets to the matrix world (``world.extra["scorecard"]``)."""
    stations = world.stations
    assignment = AssignmentFactory(
        agency=world.orgs["agency"], title="评分表页面", stations=[stations["S1"], stations["S2"]]
    )
    evaluation = evaluation_start(assignment=assignment, station=stations["S1"], user=world.users["evaluator"])
    rows = list(evaluation.scores.select_related("indicator"))
    for row in rows:
        row.score, row.comment = row.indicator.max_points, "台账齐全"
    Score.objects.bulk_update(rows, ["score", "comment"])
    unsourced = next(row for row in rows if not row.indicator.source)
    record = ServiceRecord.objects.create(
        station=stations["S1"], date=date(assignment.year, 1, 2), kind="visit", duration_minutes=30, summary="矩阵探访"
    )
    evidence = Evidence.objects.create(score=unsourced, kind=EvidenceKind.RECORD, record=record)
    upload = EvaluationFile(
        evaluation=evaluation,
        original_name="现场.png",
        content_type="image/png",
        size=len(PNG),
        uploaded_by=world.users["evaluator"],
    )
    upload.file.save("现场.png", ContentFile(PNG), save=True)
    other = ServiceRecord.objects.create(
        station=stations["S1"], date=date(assignment.year, 1, 3), kind="visit", duration_minutes=30, summary="矩阵"
    )
    world.extra["scorecard"] = {
        "assignment": assignment,
        "evaluation": evaluation,
        "score": unsourced,
        "evidence": evidence,
        "file": upload,
        "record": other,
    }


def target(w, name):
    return w.extra["scorecard"][name]


def evaluation_url(w, suffix: str = "") -> str:
    return f"/evaluation/{target(w, 'evaluation').pk}/{suffix}"


def scorers(ok: int) -> dict[str, int]:
    return only(SCORERS, ok, 403, anonymous=302)


def page(name, method, url, expect, covers, data=None, shows=False):
    return Endpoint(name, method, url, expect, covers, data=data, shows=shows)


register_pages(
    page("evaluation-home", "get", lambda w: "/evaluation/", statuses(200, anonymous=302), "evaluation:home"),
    page(
        "evaluation-start",
        "post",
        lambda w: f"/evaluation/assignments/{target(w, 'assignment').pk}/stations/{w.stations['S2'].pk}/start/",
        scorers(302),
        "evaluation:start",
    ),
    page(
        "evaluation-scorecard",
        "get",
        lambda w: evaluation_url(w, "score/"),
        # Non-scorers are sent to the evaluation's page; the station's own staff do not see a draft at all.
        statuses(302, anonymous=302, outsider=404, admin=200, evaluator=200, manager=404, worker=404),
        "evaluation:scorecard",
    ),
    page(
        "evaluation-scorecard-save-all",
        "post",
        lambda w: evaluation_url(w, "score/"),
        scorers(302),
        "evaluation:scorecard",
        data=lambda w: {
            f"score-{target(w, 'score').indicator_id}": "0.5",
            f"comment-{target(w, 'score').indicator_id}": "缺少台账",
        },
    ),
    page(
        "evaluation-scorecard-save",
        "post",
        lambda w: evaluation_url(w, "score/save/"),
        scorers(200),
        "evaluation:scorecard-save",
        data=lambda w: {"indicator": str(target(w, "score").indicator_id), "score": "1.0", "comment": "部分达标"},
        shows=True,  # answers a saved score with 200 and JSON
    ),
    page(
        "evaluation-scorecard-submit",
        "post",
        lambda w: evaluation_url(w, "score/submit/"),
        scorers(302),
        "evaluation:scorecard-submit",
    ),
    page(
        "evaluation-scorecard-evidence-search",
        "get",
        lambda w: evaluation_url(w, "score/evidence/?kind=record&q=矩阵"),
        scorers(200),
        "evaluation:scorecard-evidence-search",
    ),
    page(
        "evaluation-scorecard-evidence-add",
        "post",
        lambda w: evaluation_url(w, "score/evidence/add/"),
        scorers(302),
        "evaluation:scorecard-evidence-add",
        data=lambda w: {"score": str(target(w, "score").pk), "kind": "record", "target": str(target(w, "record").pk)},
    ),
    page(
        "evaluation-scorecard-evidence-remove",
        "post",
        lambda w: evaluation_url(w, f"score/evidence/{target(w, 'evidence').pk}/remove/"),
        scorers(302),
        "evaluation:scorecard-evidence-remove",
    ),
    page(
        "evaluation-scorecard-file-add",
        "post",
        lambda w: evaluation_url(w, "score/files/"),
        scorers(302),
        "evaluation:scorecard-file-add",
        data=lambda w: {
            "score": str(target(w, "score").pk),
            "upload": SimpleUploadedFile("照片.png", PNG, "image/png"),
        },
    ),
    page(
        "evaluation-file",
        "get",
        lambda w: evaluation_url(w, f"files/{target(w, 'file').pk}/"),
        only([role for role in READERS if role not in ("manager", "worker")], 200, 404, anonymous=302),
        "evaluation:file",
    ),
)
