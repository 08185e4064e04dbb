"""An evaluation's life: started, scored, submitted, reviewed, published; returned; amended; answered.

draft -> submitted (the evaluator) -> reviewed (an official of the station's region) -> published (a city official);
submitted or reviewed -> draft again with a reason. Every step is a ``Transition`` row (who, when, why). Scores
change only in a draft; a published evaluation changes only by amendments (a city official's audited corrections),
each recomputing the total, grade and stars. The township official confirms a published result or objects to it.

Refusals: ``ValidationError`` keyed by field (the API's 400, a form's errors; score errors are keyed by the
indicator's code), ``PermissionDenied`` (403), and ``Conflict`` for a step the evaluation's status does not allow
and for any write to a published evaluation (409).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import scope_of
from config.conflicts import Conflict
from reports.rollups.dirty import GRADES, rollup_mark
from reports.services import reports_refresh
from services.models import Attachment, Case, ServiceRecord
from services.rules import upload_content_type, upload_save
from stations.choices import RegionLevel

from ..choices import EvaluationStatus, EvidenceKind, TownshipAnswer
from ..models import (
    Amendment,
    Assignment,
    Evaluation,
    EvaluationFile,
    Evidence,
    Indicator,
    Score,
    TownshipResponse,
    Transition,
)
from .facts import evaluation_suggestions
from .grading import evaluation_grade, evaluation_stars, points, policy_for

Status = EvaluationStatus


def refuse(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


# --- who may ------------------------------------------------------------------------------------------------


def assert_reaches(user, evaluation: Evaluation) -> None:
    if not Evaluation.objects.visible_to(user).filter(pk=evaluation.pk).exists():
        raise PermissionDenied(_("This evaluation is outside your scope."))


def assert_may(user, perm: str, evaluation: Evaluation, message: str) -> None:
    if not user.has_perm(f"evaluation.{perm}"):
        raise PermissionDenied(message)
    assert_reaches(user, evaluation)


def at_city_level(user) -> bool:
    """Publishing and amending are the city's: the administrator, or an official whose region is a city (or above)."""
    scope = scope_of(user)
    if scope.everything:
        return True
    return scope.region is not None and scope.region.level in (RegionLevel.CITY, RegionLevel.PROVINCE)


def may_score(user, evaluation: Evaluation) -> bool:
    return user.has_perm("evaluation.score_evaluation") and evaluation.status == Status.DRAFT


def may_review(user, evaluation: Evaluation) -> bool:
    return user.has_perm("evaluation.review_evaluation") and evaluation.status == Status.SUBMITTED


def may_publish(user, evaluation: Evaluation) -> bool:
    return (
        user.has_perm("evaluation.publish_evaluation") and at_city_level(user) and evaluation.status == Status.REVIEWED
    )


def may_return(user, evaluation: Evaluation) -> bool:
    if evaluation.status == Status.SUBMITTED:
        return user.has_perm("evaluation.review_evaluation")
    return evaluation.status == Status.REVIEWED and may_publish(user, evaluation)


def may_amend(user, evaluation: Evaluation) -> bool:
    return user.has_perm("evaluation.amend_evaluation") and at_city_level(user) and evaluation.is_published


def may_answer(user, evaluation: Evaluation) -> bool:
    return user.has_perm("evaluation.answer_evaluation") and evaluation.is_published


# --- locking and steps ----------------------------------------------------------------------------------------


def locked(evaluation: Evaluation) -> Evaluation:
    """The evaluation re-read under a row lock: concurrent steps queue instead of both passing the status check."""
    return Evaluation.objects.select_for_update().get(pk=evaluation.pk)


def assert_not_published(evaluation: Evaluation) -> None:
    if evaluation.is_published:
        raise Conflict(_("This evaluation is published and can no longer change; a city official can amend it."))


def assert_status(evaluation: Evaluation, allowed: tuple[str, ...], message: str) -> None:
    assert_not_published(evaluation)
    if evaluation.status not in allowed:
        raise Conflict(message)


def move(evaluation: Evaluation, to_status: str, *, user, reason: str = "") -> Evaluation:
    Transition.objects.create(
        evaluation=evaluation, from_status=evaluation.status, to_status=to_status, by=user, reason=reason
    )
    evaluation.status = to_status
    return evaluation


def reason_required(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", message)
    return reason


# --- start and score ------------------------------------------------------------------------------------------


def evaluation_start(*, assignment: Assignment, station, user) -> Evaluation:
    """The evaluation of ``station`` under ``assignment``, begun as a draft with an empty score for every indicator.

    Starting it again returns the one already begun. Only the assignment's evaluators (and the administrator) start.
    """
    if not user.has_perm("evaluation.score_evaluation"):
        raise PermissionDenied(_("Only the assigned evaluation agency's evaluators score stations."))
    if not Assignment.objects.visible_to(user).filter(pk=assignment.pk).exists():
        raise PermissionDenied(_("This assignment is outside your scope."))
    if not assignment.stations.filter(pk=station.pk).exists():
        raise refuse("station", _("This station is not part of the assignment."))
    existing = Evaluation.objects.filter(assignment=assignment, station=station).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                assignment=assignment,
                station=station,
                template=assignment.template,
                year=assignment.year,
                stage=assignment.stage,
                created_by=user,
            )
            indicators = Indicator.objects.filter(template=assignment.template)
            Score.objects.bulk_create(Score(evaluation=evaluation, indicator=indicator) for indicator in indicators)
    except IntegrityError:
        # Started at the same moment by a colleague: theirs is ours.
        return Evaluation.objects.get(assignment=assignment, station=station)
    return evaluation


def score_value(raw, indicator: Indicator) -> Decimal | None:
    """``raw`` as a score of ``indicator``: None (not scored), or 0 up to the maximum with one decimal at most."""
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise refuse(indicator.code, _("Give a number, such as 4.5.")) from None
    if not value.is_finite():
        raise refuse(indicator.code, _("Give a number, such as 4.5."))
    # Bounds first: quantizing a huge number (1e999) would overflow.
    if value < 0:
        raise refuse(indicator.code, _("A score cannot be negative."))
    if value > indicator.max_points:
        raise refuse(
            indicator.code,
            _("%(score)s is above this indicator's maximum of %(max)s points.")
            % {"score": value, "max": indicator.max_points},
        )
    if value != value.quantize(Decimal("0.1")):
        raise refuse(indicator.code, _("Scores have one decimal place at most."))
    return points(value)


def scores_write(*, evaluation: Evaluation, user, scores: list[dict]) -> list[Score]:
    """Write scores of a draft: each ``{"indicator": id, "score": Decimal | None, "comment": str}``, all or nothing.

    A score differing from the portal's suggestion (an override) needs a comment. Errors are keyed by indicator code.
    """
    assert_may(user, "score_evaluation", evaluation, _("Only the assigned evaluation agency's evaluators score."))
    with transaction.atomic():
        evaluation = locked(evaluation)
        assert_not_published(evaluation)
        if evaluation.status != Status.DRAFT:
            raise refuse(
                "score",
                _("Scores cannot change after submission: a reviewer can return the evaluation to draft."),
            )
        rows = {row.indicator_id: row for row in evaluation.scores.select_related("indicator")}
        suggestions = evaluation_suggestions(evaluation)
        errors: dict[str, list[str]] = {}
        changed = []
        for item in scores:
            row = rows.get(_indicator_id(item.get("indicator")))
            if row is None:
                errors.setdefault("indicator", []).append(
                    _("Indicator %(id)s is not on this evaluation's scorecard.") % {"id": item.get("indicator")}
                )
                continue
            try:
                value = score_value(item.get("score"), row.indicator)
            except ValidationError as error:
                errors.update(error.message_dict)
                continue
            comment = (item.get("comment", row.comment) or "").strip()
            suggested = suggestions.get(row.indicator_id)
            if value is not None and suggested is not None and value != suggested and not comment:
                errors[row.indicator.code] = [
                    _("The suggested score is %(suggested)s: explain in a comment why you give %(score)s.")
                    % {"suggested": suggested, "score": value}
                ]
                continue
            row.score, row.comment, row.suggested, row.updated_by = value, comment, suggested, user
            changed.append(row)
        if errors:
            raise ValidationError(errors)
        Score.objects.bulk_update(changed, ["score", "comment", "suggested", "updated_by", "updated_at"])
        Evaluation.objects.filter(pk=evaluation.pk).update(updated_at=timezone.now())
    return changed


def summary_write(*, evaluation: Evaluation, user, summary: str) -> Evaluation:
    """The evaluator's overall comment, written while the evaluation is a draft, like its scores."""
    assert_may(user, "score_evaluation", evaluation, _("Only the assigned evaluation agency's evaluators score."))
    with transaction.atomic():
        evaluation = locked(evaluation)
        assert_not_published(evaluation)
        if evaluation.status != Status.DRAFT:
            raise refuse("summary", _("The overall comment cannot change after submission."))
        evaluation.summary = (summary or "").strip()
        evaluation.save(update_fields=["summary", "updated_at"])
    return evaluation


def _indicator_id(raw) -> int | None:
    raw = getattr(raw, "pk", raw)
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Progress:
    scored: int
    indicators: int
    points: Decimal

    @property
    def missing(self) -> int:
        return self.indicators - self.scored


def evaluation_progress(evaluation: Evaluation, scores=None) -> Progress:
    """How far scoring has got: indicators scored of all, and the points given so far."""
    scores = list(scores if scores is not None else evaluation.scores.all())
    given = [row.score for row in scores if row.score is not None]
    return Progress(scored=len(given), indicators=len(scores), points=points(sum(given, Decimal("0"))))


# --- evidence -------------------------------------------------------------------------------------------------

EVIDENCE_MODELS = {
    EvidenceKind.RECORD: (ServiceRecord, "record"),
    EvidenceKind.CASE: (Case, "case"),
    EvidenceKind.ATTACHMENT: (Attachment, "attachment"),
}


def in_evaluated_year(kind: str, target, evaluation: Evaluation) -> bool:
    first, last = date(evaluation.year, 1, 1), date(evaluation.year, 12, 31)
    if kind == EvidenceKind.RECORD:
        return first <= target.date <= last
    if kind == EvidenceKind.ATTACHMENT:
        return first <= target.record.date <= last
    if kind == EvidenceKind.CASE:
        return target.opened_on <= last and (target.closed_on is None or target.closed_on >= first)
    return True


def evidence_target(*, evaluation: Evaluation, user, kind: str, target_id):
    """The record, case, attachment or evaluation file ``target_id`` names, if it may back a score of ``evaluation``."""
    if kind == EvidenceKind.FILE:
        target = EvaluationFile.objects.filter(pk=_indicator_id(target_id), evaluation=evaluation).first()
        station_id = evaluation.station_id if target else None
    elif kind in EVIDENCE_MODELS:
        model, _field = EVIDENCE_MODELS[kind]
        queryset = model.objects.visible_to(user)
        if kind == EvidenceKind.ATTACHMENT:
            queryset = queryset.select_related("record")
        target = queryset.filter(pk=_indicator_id(target_id)).first()
        owner = target.record if kind == EvidenceKind.ATTACHMENT and target else target
        station_id = owner.station_id if owner else None
    else:
        raise refuse("kind", _("Choose what kind of evidence this is."))
    if target is None or station_id != evaluation.station_id:
        raise refuse("target", _("No such record of this station."))
    if not in_evaluated_year(kind, target, evaluation):
        raise refuse("target", _("Evidence must come from the evaluated year, %(year)s.") % {"year": evaluation.year})
    return target


def evidence_add(*, score: Score, user, kind: str, target_id, note: str = "") -> Evidence:
    """Link a record, case, attachment or uploaded file of the evaluated station and year to a draft's score."""
    evaluation = score.evaluation
    assert_may(user, "score_evaluation", evaluation, _("Only the assigned evaluation agency's evaluators score."))
    with transaction.atomic():
        evaluation = locked(evaluation)
        assert_status(evaluation, (Status.DRAFT,), _("Evidence can only be added while the evaluation is a draft."))
        target = evidence_target(evaluation=evaluation, user=user, kind=kind, target_id=target_id)
        field_name = "file" if kind == EvidenceKind.FILE else EVIDENCE_MODELS[kind][1]
        if score.evidence.filter(kind=kind, **{field_name: target}).exists():
            raise refuse("target", _("This evidence is already linked to the indicator."))
        return Evidence.objects.create(score=score, kind=kind, note=(note or "").strip()[:200], **{field_name: target})


def evidence_remove(*, evidence: Evidence, user) -> None:
    evaluation = evidence.score.evaluation
    assert_may(user, "score_evaluation", evaluation, _("Only the assigned evaluation agency's evaluators score."))
    with transaction.atomic():
        evaluation = locked(evaluation)
        assert_status(evaluation, (Status.DRAFT,), _("Evidence can only be removed while the evaluation is a draft."))
        evidence.delete()


def evaluation_file_add(*, evaluation: Evaluation, user, upload) -> EvaluationFile:
    """Upload a file as evidence of a draft: an image or a PDF, checked like a service attachment."""
    assert_may(user, "score_evaluation", evaluation, _("Only the assigned evaluation agency's evaluators score."))
    upload_content_type(upload)  # a bad file is refused before the evaluation is locked
    with transaction.atomic():
        evaluation = locked(evaluation)
        assert_status(evaluation, (Status.DRAFT,), _("Files can only be added while the evaluation is a draft."))
        return upload_save(EvaluationFile(evaluation=evaluation), upload, user=user, default_name="file")


# --- the steps ------------------------------------------------------------------------------------------------


def grade_of(evaluation: Evaluation, total: Decimal) -> Evaluation:
    """Set ``total`` and the grade and stars it reaches under the policy of the station and the evaluated year."""
    policy = policy_for(station=evaluation.station, year=evaluation.year)
    evaluation.total = points(total)
    evaluation.grade = evaluation_grade(evaluation.total, policy)
    evaluation.stars = evaluation_stars(evaluation.total, policy)
    return evaluation


def evaluation_submit(*, evaluation: Evaluation, user, reason: str = "") -> Evaluation:
    """The evaluator hands in a draft whose every indicator is scored: its total, grade and stars are set."""
    assert_may(user, "score_evaluation", evaluation, _("Only the assigned evaluation agency's evaluators submit."))
    with transaction.atomic():
        evaluation = locked(evaluation)
        assert_status(evaluation, (Status.DRAFT,), _("Only a draft can be submitted; this one already is."))
        scores = list(evaluation.scores.select_related("indicator"))
        missing = [row.indicator.code for row in scores if row.score is None]
        if missing:
            raise refuse(
                "scores",
                _("Score every indicator before submitting; still missing: %(codes)s.") % {"codes": "、".join(missing)},
            )
        grade_of(evaluation, sum((row.score for row in scores), Decimal("0")))
        move(evaluation, Status.SUBMITTED, user=user, reason=reason)
        evaluation.submitted_at = timezone.now()
        evaluation.save()
    return evaluation


def evaluation_review(*, evaluation: Evaluation, user, reason: str = "") -> Evaluation:
    """An official of the station's region checks a submitted evaluation and passes it on for publication."""
    assert_may(user, "review_evaluation", evaluation, _("Only civil-affairs officials review evaluations."))
    with transaction.atomic():
        evaluation = locked(evaluation)
        assert_status(evaluation, (Status.SUBMITTED,), _("Only a submitted evaluation can be reviewed."))
        move(evaluation, Status.REVIEWED, user=user, reason=reason)
        evaluation.save()
    return evaluation


def evaluation_publish(*, evaluation: Evaluation, user, reason: str = "") -> Evaluation:
    """A city official publishes a reviewed evaluation: from now on it is the station's result, and immutable."""
    assert_may(user, "publish_evaluation", evaluation, _("Only city civil-affairs officials publish evaluations."))
    if not at_city_level(user):
        raise PermissionDenied(_("Only city civil-affairs officials publish evaluations."))
    with transaction.atomic():
        evaluation = locked(evaluation)
        assert_status(evaluation, (Status.REVIEWED,), _("Only a reviewed evaluation can be published."))
        move(evaluation, Status.PUBLISHED, user=user, reason=reason)
        evaluation.published_at = timezone.now()
        evaluation.save()
        # The year's grade, and so the township's split, of the dashboards.
        rollup_mark(station_id=evaluation.station_id, day=date(evaluation.year, 1, 1), part=GRADES)
    return evaluation


def evaluation_return(*, evaluation: Evaluation, user, reason: str) -> Evaluation:
    """Send a submitted (by a reviewer) or reviewed (by a publisher) evaluation back to draft, saying why."""
    assert_reaches(user, evaluation)
    with transaction.atomic():
        evaluation = locked(evaluation)
        assert_status(
            evaluation,
            (Status.SUBMITTED, Status.REVIEWED),
            _("Only a submitted or reviewed evaluation can be returned."),
        )
        if not may_return(user, evaluation):
            raise PermissionDenied(
                _("A submitted evaluation is returned by a reviewer, a reviewed one by a city official.")
            )
        reason = reason_required(reason, _("Say why the evaluation goes back to the evaluator."))
        move(evaluation, Status.DRAFT, user=user, reason=reason)
        evaluation.total, evaluation.grade, evaluation.stars, evaluation.submitted_at = None, "", None, None
        evaluation.save()
    return evaluation


def evaluation_amend(
    *, evaluation: Evaluation, user, indicator, new_score, reason: str, objection: TownshipResponse | None = None
) -> Amendment:
    """A city official corrects one score of a published evaluation; total, grade and stars are recomputed.

    ``objection``, if given, is the township's objection the amendment answers.
    """
    assert_may(user, "amend_evaluation", evaluation, _("Only city civil-affairs officials amend evaluations."))
    if not at_city_level(user):
        raise PermissionDenied(_("Only city civil-affairs officials amend evaluations."))
    with transaction.atomic():
        evaluation = locked(evaluation)
        if not evaluation.is_published:
            raise Conflict(_("Only a published evaluation is amended; before that, return it to the evaluator."))
        row = evaluation.scores.select_related("indicator").filter(indicator=_indicator_id(indicator)).first()
        if row is None:
            raise refuse("indicator", _("This indicator is not on the evaluation's scorecard."))
        try:
            value = score_value(new_score, row.indicator)
        except ValidationError as error:
            raise refuse("new_score", error.messages[0]) from None
        if value is None:
            raise refuse("new_score", _("Give the corrected score."))
        if value == row.score:
            raise refuse("new_score", _("The corrected score is the same as the current one."))
        reason = reason_required(reason, _("Say why the score is corrected."))
        if objection is not None and (
            objection.evaluation_id != evaluation.pk or objection.answer != TownshipAnswer.OBJECT
        ):
            raise refuse("objection", _("Choose an objection to this evaluation."))
        old_score, old_total = row.score, evaluation.total
        row.score = value
        row.save(update_fields=["score", "updated_at"])
        grade_of(evaluation, sum((score.score for score in evaluation.scores.all()), Decimal("0")))
        evaluation.save()
        reports_refresh(evaluation=evaluation)  # the result's PDF shows the corrected figures
        rollup_mark(station_id=evaluation.station_id, day=date(evaluation.year, 1, 1), part=GRADES)
        return Amendment.objects.create(
            evaluation=evaluation,
            indicator=row.indicator,
            old_score=old_score,
            new_score=value,
            reason=reason,
            objection=objection,
            old_total=old_total,
            new_total=evaluation.total,
            by=user,
        )


def evaluation_answer(*, evaluation: Evaluation, user, answer: str, reason: str = "") -> TownshipResponse:
    """The township official (站长) confirms a published result or objects to it, with a reason."""
    assert_may(user, "answer_evaluation", evaluation, _("Only the township's official confirms or objects."))
    with transaction.atomic():
        evaluation = locked(evaluation)
        if not evaluation.is_published:
            raise Conflict(_("Only a published result can be confirmed or objected to."))
        if answer not in TownshipAnswer.values:
            raise refuse("answer", _("Confirm the result or object to it."))
        reason = (reason or "").strip()
        if answer == TownshipAnswer.OBJECT:
            reason = reason_required(reason, _("Say what you object to."))
        latest = evaluation.responses.order_by("-at", "-pk").first()
        amended_since = latest is not None and evaluation.amendments.filter(at__gt=latest.at).exists()
        if latest is not None and latest.answer == answer and not amended_since:
            raise Conflict(_("This answer is already recorded."))
        return TownshipResponse.objects.create(evaluation=evaluation, answer=answer, reason=reason, by=user)
