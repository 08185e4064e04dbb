"""Builders shared by the evaluation tests: an evaluation of S1 started, scored and moved through the workflow."""

from decimal import Decimal

from evaluation.models import Assignment, Evaluation
from evaluation.rules.workflow import (
    evaluation_publish,
    evaluation_review,
    evaluation_start,
    evaluation_submit,
    scores_write,
)


def started(world, station_key: str = "S1") -> Evaluation:
    """The world's evaluator starts the evaluation of a station under the world's assignment."""
    assignment = Assignment.objects.get(agency=world.orgs["agency"])
    return evaluation_start(assignment=assignment, station=world.stations[station_key], user=world.users["evaluator"])


def score_all(world, evaluation: Evaluation, total: Decimal | str | None = None) -> Evaluation:
    """Score every indicator: full marks, or (with ``total``) full marks less the difference on the first ones."""
    rows = list(
        evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")
    )
    short = Decimal("100") - Decimal(str(total)) if total is not None else Decimal("0")
    scores = []
    for row in rows:
        taken = min(short, row.indicator.max_points)
        short -= taken
        scores.append({"indicator": row.indicator_id, "score": row.indicator.max_points - taken, "comment": "核实"})
    scores_write(evaluation=evaluation, user=world.users["evaluator"], scores=scores)
    return evaluation


def submitted(world, total="92.5", station_key="S1") -> Evaluation:
    evaluation = score_all(world, started(world, station_key), total)
    return evaluation_submit(evaluation=evaluation, user=world.users["evaluator"])


def reviewed(world, total="92.5", station_key="S1") -> Evaluation:
    return evaluation_review(evaluation=submitted(world, total, station_key), user=world.users["county"])


def published(world, total="92.5", station_key="S1") -> Evaluation:
    return evaluation_publish(evaluation=reviewed(world, total, station_key), user=world.users["city"])
