"""The case workflow from intake to closure, one step at a time, and its timeline."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from staffing.models import StaffMember
from stations.models import Station

from ..choices import (
    CaseStatus,
)
from ..models import (
    Beneficiary,
    Case,
    CaseFollowUp,
    CaseReferral,
)
from .common import refuse, today
from .records import add_error

# --- cases -------------------------------------------------------------------------------------------


def case_open(*, station: Station, beneficiary: Beneficiary, worker: StaffMember, opened_on: date, intake_notes=""):
    """Open a case at intake for a beneficiary of ``station``, with a social worker of the same station."""
    case = Case(station=station, beneficiary=beneficiary, worker=worker, opened_on=opened_on, intake_notes=intake_notes)
    case.full_clean()
    case.save()
    return case


def locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def case_step_refused(case: Case, allowed: tuple[str, ...], message: str) -> None:
    if case.status == CaseStatus.CLOSED:
        raise refuse(NON_FIELD_ERRORS, _("This case is closed."))
    if case.status not in allowed:
        raise refuse(NON_FIELD_ERRORS, message)


def dated_step_errors(errors: dict, name: str, on: date, *, after: date | None, after_message: str) -> None:
    if on > today():
        add_error(errors, name, _("This date is in the future."))
    elif after is not None and on < after:
        add_error(errors, name, after_message)


def score_errors(errors: dict, name: str, score) -> None:
    if score is None:
        add_error(errors, name, _("Give a score from 0 to 100."))
    elif not 0 <= score <= 100:
        add_error(errors, name, _("A score is from 0 to 100."))


def text_errors(errors: dict, name: str, text: str) -> None:
    if not (text or "").strip():
        add_error(errors, name, _("This field is required."))


def case_assess(*, case: Case, assessed_on: date, assessment: str, before_score: int) -> Case:
    """Assess a case at intake (or revise the assessment before a plan is made), with the score before."""
    with transaction.atomic():
        case = locked(case)
        case_step_refused(case, (CaseStatus.INTAKE, CaseStatus.ASSESSMENT), _("The assessment comes before the plan."))
        errors = {}
        dated_step_errors(
            errors,
            "assessed_on",
            assessed_on,
            after=case.opened_on,
            after_message=_("A case is assessed after it is opened."),
        )
        text_errors(errors, "assessment", assessment)
        score_errors(errors, "before_score", before_score)
        if errors:
            raise ValidationError(errors)
        case.assessed_on, case.assessment, case.before_score = assessed_on, assessment, before_score
        case.status = CaseStatus.ASSESSMENT
        case.save()
        return case


def case_plan(*, case: Case, planned_on: date, plan: str) -> Case:
    """Make (or revise, before any follow-up) the service plan of an assessed case."""
    with transaction.atomic():
        case = locked(case)
        case_step_refused(
            case, (CaseStatus.ASSESSMENT, CaseStatus.PLAN), _("Assess the case before planning: a plan needs one.")
        )
        errors = {}
        dated_step_errors(
            errors,
            "planned_on",
            planned_on,
            after=case.assessed_on,
            after_message=_("The plan comes after the assessment."),
        )
        text_errors(errors, "plan", plan)
        if errors:
            raise ValidationError(errors)
        case.planned_on, case.plan = planned_on, plan
        case.status = CaseStatus.PLAN
        case.save()
        return case


def case_follow_up(*, case: Case, date: date, worker: StaffMember, content: str, next_step: str = "") -> CaseFollowUp:
    """Record a follow-up of a case that has a plan, by a social worker of the case's station."""
    with transaction.atomic():
        case = locked(case)
        case_step_refused(
            case, (CaseStatus.PLAN, CaseStatus.FOLLOW_UP), _("Follow-ups start once the case has a plan.")
        )
        errors = {}
        dated_step_errors(
            errors, "date", date, after=case.planned_on, after_message=_("A follow-up comes after the plan.")
        )
        if worker.station_id != case.station_id:
            add_error(errors, "worker", _("This social worker works at another station."))
        text_errors(errors, "content", content)
        if errors:
            raise ValidationError(errors)
        follow_up = CaseFollowUp.objects.create(
            case=case, date=date, worker=worker, content=content, next_step=next_step
        )
        if case.status != CaseStatus.FOLLOW_UP:
            case.status = CaseStatus.FOLLOW_UP
            case.save(update_fields=["status"])
        return follow_up


def case_refer(*, case: Case, date: date, agency: str, reason: str, result: str = "") -> CaseReferral:
    """Refer an open case to another agency (at any step before closure)."""
    with transaction.atomic():
        case = locked(case)
        if case.status == CaseStatus.CLOSED:
            raise refuse(NON_FIELD_ERRORS, _("This case is closed."))
        errors = {}
        dated_step_errors(
            errors, "date", date, after=case.opened_on, after_message=_("A referral comes after the case is opened.")
        )
        text_errors(errors, "agency", agency)
        text_errors(errors, "reason", reason)
        if errors:
            raise ValidationError(errors)
        return CaseReferral.objects.create(case=case, date=date, agency=agency, reason=reason, result=result)


def case_close(*, case: Case, closed_on: date, after_score: int, outcome: str) -> Case:
    """Close a case that has a plan, with the score after and the outcome; nothing is added to it afterwards."""
    with transaction.atomic():
        case = locked(case)
        case_step_refused(
            case, (CaseStatus.PLAN, CaseStatus.FOLLOW_UP), _("A case is closed after its assessment and plan.")
        )
        last = max(
            [
                case.planned_on,
                *case.follow_ups.values_list("date", flat=True),
                *case.referrals.values_list("date", flat=True),
            ]
        )
        errors = {}
        dated_step_errors(
            errors,
            "closed_on",
            closed_on,
            after=last,
            after_message=_("The case is closed on or after its last step (%(date)s).") % {"date": last},
        )
        score_errors(errors, "after_score", after_score)
        text_errors(errors, "outcome", outcome)
        if errors:
            raise ValidationError(errors)
        case.closed_on, case.after_score, case.outcome = closed_on, after_score, outcome
        case.status = CaseStatus.CLOSED
        case.save()
        return case


@dataclass(frozen=True)
class TimelineEvent:
    """One step of a case's timeline; ``kind`` is intake, assessment, plan, follow_up, referral or closure."""

    kind: str
    date: date
    text: str
    worker: str = ""
    score: int | None = None
    next_step: str = ""
    agency: str = ""
    result: str = ""


TIMELINE_ORDER = {"intake": 0, "assessment": 1, "plan": 2, "follow_up": 3, "referral": 3, "closure": 4}


def case_timeline(case: Case, *, user=None) -> list[TimelineEvent]:
    """The steps of ``case`` in the order they happened (by date; on one day, in workflow order). With ``user``, the
    follow-ups and referrals are those ``user`` reaches (an evaluator: of the evaluated years only)."""
    follow_ups, referrals = case.follow_ups.all(), case.referrals.all()
    if user is not None:
        follow_ups, referrals = follow_ups.visible_to(user), referrals.visible_to(user)
    events = [TimelineEvent("intake", case.opened_on, case.intake_notes, worker=case.worker.name)]
    if case.assessed_on:
        events.append(TimelineEvent("assessment", case.assessed_on, case.assessment, score=case.before_score))
    if case.planned_on:
        events.append(TimelineEvent("plan", case.planned_on, case.plan))
    for follow_up in follow_ups.select_related("worker").order_by("date", "pk"):
        events.append(
            TimelineEvent(
                "follow_up",
                follow_up.date,
                follow_up.content,
                worker=follow_up.worker.name,
                next_step=follow_up.next_step,
            )
        )
    for referral in referrals.order_by("date", "pk"):
        events.append(
            TimelineEvent("referral", referral.date, referral.reason, agency=referral.agency, result=referral.result)
        )
    if case.closed_on:
        events.append(TimelineEvent("closure", case.closed_on, case.outcome, score=case.after_score))
    return sorted(events, key=lambda event: (event.date, TIMELINE_ORDER[event.kind]))
