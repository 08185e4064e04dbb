"""Services rules (DOMAIN.md section 4): the "123X" portfolio, township targets, project stages and progress,
the key-target visit rate, logging a service (with volunteer hours), attachments, the case workflow and
community focus problems.

Every function takes keyword arguments and returns plain dataclasses or model rows; a refusal is a
``ValidationError`` keyed by the field the caller's form or serializer shows it on. Pages and the API call the
same functions, so both enforce the same checks.
"""

import calendar
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from config.params import parse_month
from staffing.models import StaffMember, Volunteer, VolunteerHours
from staffing.rules import Check, volunteer_hours_add
from stations.models import Region, Station
from stations.policies import nearest_policies

from .choices import (
    BASIC_SUBTYPES,
    BRAND_SUBTYPES,
    CaseStatus,
    FocusProblemStatus,
    ProjectCategory,
    ProjectStage,
    ProjectSubtype,
    ServiceKind,
    next_in,
)
from .models import (
    Attachment,
    Beneficiary,
    Case,
    CaseFollowUp,
    CaseReferral,
    FocusProblem,
    Project,
    ProjectStageChange,
    ServicePolicy,
    ServiceRecord,
    ServiceVolunteer,
)

EMPOWERMENT, GOVERNANCE = "empowerment", "governance"  # codes of the shipped catalogue categories


def refuse(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


def today() -> date:
    return timezone.localdate()


# --- policy ------------------------------------------------------------------------------------------


def service_policy_for(*, station: Station, year: int) -> ServicePolicy:
    """The policy of the nearest region above ``station`` that has one for ``year``, else the defaults."""
    return nearest_policies(ServicePolicy, stations=[station], year=year)[station.pk]


# --- the "123X" portfolio ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True)
class Portfolio:
    """A station's projects of a year against "123X": counts per category and each problem found."""

    station_id: int
    year: int
    valid: bool
    counts: dict[str, int]
    problems: list[Problem]


def missing_message(subtype: str) -> str:
    return {
        ProjectSubtype.PROFESSIONAL: _("No professional social-work service brand project: add one."),
        ProjectSubtype.GOVERNANCE: _("No community-governance brand project: add one."),
        ProjectSubtype.DIFFICULT_FAMILIES: _("No basic project for difficult families: add one."),
        ProjectSubtype.ELDERLY_ALONE: _("No basic project for elderly people living alone: add one."),
        ProjectSubtype.CHILDREN: _("No basic project for children in difficulty: add one."),
    }[subtype]


def portfolio_check(*, station: Station, year: int) -> Portfolio:
    """The "123X" rule (Haining): exactly 1 core, 1 professional + 1 governance brand, one basic project for each
    of difficult families, elderly living alone and children in difficulty, and any number of optional ones.
    """
    rows = (
        Project.objects.filter(station=station, year=year)
        .order_by()
        .values_list("category", "subtype")
        .annotate(n=Count("pk"))
    )
    per_subtype = Counter()
    counts = {category.value: 0 for category in ProjectCategory}
    for category, subtype, n in rows:
        counts[category] += n
        per_subtype[(category, subtype)] += n
    problems = []
    if counts[ProjectCategory.CORE] == 0:
        problems.append(
            Problem("core_missing", _("No core project: add the Party-led social-work talent service project."))
        )
    elif counts[ProjectCategory.CORE] > 1:
        problems.append(
            Problem(
                "core_too_many",
                _("%(count)s core projects: a station runs exactly one.") % {"count": counts[ProjectCategory.CORE]},
            )
        )
    for category, subtypes in ((ProjectCategory.BRAND, BRAND_SUBTYPES), (ProjectCategory.BASIC, BASIC_SUBTYPES)):
        for subtype in subtypes:
            n = per_subtype[(category, subtype)]
            if n == 0:
                problems.append(Problem(f"{category}_missing_{subtype}", missing_message(subtype)))
            elif n > 1:
                problems.append(
                    Problem(
                        f"{category}_duplicate_{subtype}",
                        _("%(count)s %(category)s projects for “%(subtype)s”: keep exactly one.")
                        % {"count": n, "category": ProjectCategory(category).label, "subtype": subtype.label},
                    )
                )
    return Portfolio(station_id=station.pk, year=year, valid=not problems, counts=counts, problems=problems)


@dataclass(frozen=True)
class TownshipTargets:
    """Township-level targets (Suzhou): basic projects cover every community the station serves; projects of
    the empowerment and of the governance catalogue categories land in at least the policy's number of communities.
    """

    station_id: int
    year: int
    checks: list[Check]
    uncovered_communities: list[Region] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def township_targets(*, station: Station, year: int) -> TownshipTargets:
    """The station's projects of ``year`` against the township targets, each a ``Check`` (required, actual, ok).

    Communities of the empowerment (or governance) projects are counted together: the target is the township's,
    not each project's.
    """
    served = list(station.communities.order_by("path"))
    projects = Project.objects.filter(station=station, year=year)
    covered = set(
        Project.communities.through.objects.filter(
            project__in=projects.filter(category=ProjectCategory.BASIC)
        ).values_list("region_id", flat=True)
    )
    uncovered = [community for community in served if community.pk not in covered]
    checks = [Check("basic_coverage", len(served), len(served) - len(uncovered), not uncovered)]
    minimum = service_policy_for(station=station, year=year).empowerment_governance_communities_min
    landed = dict(
        Project.communities.through.objects.filter(
            project__in=projects, project__catalog_items__sub_item__category__code__in=[EMPOWERMENT, GOVERNANCE]
        )
        .order_by()
        .values_list("project__catalog_items__sub_item__category__code")
        .annotate(n=Count("region_id", distinct=True))
    )
    for code in (EMPOWERMENT, GOVERNANCE):
        actual = landed.get(code, 0)
        checks.append(Check(f"{code}_communities", minimum, actual, actual >= minimum))
    return TownshipTargets(station_id=station.pk, year=year, checks=checks, uncovered_communities=uncovered)


# --- project lifecycle and progress ------------------------------------------------------------------


def project_stage_advance(*, project: Project, to_stage: str, user) -> ProjectStageChange:
    """Move ``project`` to the next stage of its lifecycle, recording who and when; no skipping, no going back."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        expected = next_in(ProjectStage, project.stage)
        if to_stage not in ProjectStage.values:
            raise refuse("to_stage", _("Unknown stage."))
        if expected is None:
            raise refuse("to_stage", _("This project has reached its last stage."))
        if to_stage != expected:
            raise refuse(
                "to_stage",
                _("A project moves one stage at a time: after “%(current)s” comes “%(next)s”.")
                % {"current": ProjectStage(project.stage).label, "next": ProjectStage(expected).label},
            )
        change = ProjectStageChange.objects.create(
            project=project, from_stage=project.stage, to_stage=to_stage, changed_by=user
        )
        project.stage = to_stage
        project.save(update_fields=["stage"])
        return change


@dataclass(frozen=True)
class ProjectProgress:
    """Targets against actuals for monitoring: ``checks`` are beneficiaries, sessions and communities."""

    project_id: int
    checks: list[Check]
    headcount: int  # anonymous participants, on top of the named beneficiaries


def project_progress(*, project: Project) -> ProjectProgress:
    """Distinct beneficiaries named in the project's records, its number of records (sessions), and the
    distinct communities of those beneficiaries, each against the project's target."""
    return projects_progress(projects=[project])[project.pk]


def projects_progress(*, projects) -> dict[int, ProjectProgress]:
    """``project_progress`` of many projects at once: project id -> progress, in two queries whatever their number."""
    projects = list(projects)
    ids = [project.pk for project in projects]
    records = {
        row["project_id"]: row
        for row in ServiceRecord.objects.filter(project_id__in=ids)
        .order_by()
        .values("project_id")
        .annotate(sessions=Count("pk"), headcount=Sum("headcount"))
    }
    served = {
        row["servicerecord__project_id"]: row
        for row in ServiceRecord.beneficiaries.through.objects.filter(servicerecord__project_id__in=ids)
        .order_by()
        .values("servicerecord__project_id")
        .annotate(
            beneficiaries=Count("beneficiary_id", distinct=True),
            communities=Count("beneficiary__community_id", distinct=True),
        )
    }
    result = {}
    for project in projects:
        done = records.get(project.pk, {})
        reached = served.get(project.pk, {})
        actual = {
            "beneficiaries": reached.get("beneficiaries", 0),
            "sessions": done.get("sessions", 0),
            "communities": reached.get("communities", 0),
        }
        target = {
            "beneficiaries": project.target_beneficiaries,
            "sessions": project.target_sessions,
            "communities": project.target_communities,
        }
        checks = [Check(code, target[code], actual[code], actual[code] >= target[code]) for code in target]
        result[project.pk] = ProjectProgress(project_id=project.pk, checks=checks, headcount=done.get("headcount") or 0)
    return result


# --- key-target visits -------------------------------------------------------------------------------


def month_start(month: date | str) -> date:
    """The first day of ``month``, given as a date in it or as "YYYY-MM" (ASCII digits, a year 2000-2100)."""
    if isinstance(month, str):
        start = parse_month(month)
        if start is None:
            raise refuse("month", _("Give a month as YYYY-MM, like 2026-03."))
        return start
    return month.replace(day=1)


def month_end(start: date) -> date:
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


@dataclass(frozen=True)
class VisitRate:
    """Key targets of a month, how many were visited at least once in it, and the share (None without any)."""

    key_targets: int
    visited: int
    rate: Decimal | None


def key_targets_of(*, station: Station, month: date | str):
    """Active key targets of ``station`` registered on or before the last day of ``month``."""
    end = month_end(month_start(month))
    return Beneficiary.objects.filter(station=station, key_target=True, active=True, registered_on__lte=end)


def visited_ids(*, station: Station, month: date | str):
    """Ids of the beneficiaries named in a visit record of ``station`` dated within ``month`` (a subquery).

    Read through the (station, kind, date) index of the month's records, once: on PostgreSQL a hashed subplan,
    five times faster at 100,000 records than probing each key target with EXISTS.
    """
    start = month_start(month)
    return ServiceRecord.beneficiaries.through.objects.filter(
        servicerecord__station=station,
        servicerecord__kind=ServiceKind.VISIT,
        servicerecord__date__gte=start,
        servicerecord__date__lte=month_end(start),
    ).values("beneficiary_id")


def visit_rate(*, station: Station, month: date | str) -> VisitRate:
    """The monthly visit rate (Jiaxing): key targets visited at least once in the month / key targets.

    One aggregate query over the key targets, with the month's visited ids as a subquery. The rate is rounded
    half-up to 2 places (2 of 3 is 0.67).
    """
    counts = key_targets_of(station=station, month=month).aggregate(
        key_targets=Count("pk"), visited=Count("pk", filter=Q(pk__in=visited_ids(station=station, month=month)))
    )
    key_targets, visited = counts["key_targets"], counts["visited"]
    rate = (Decimal(visited) / key_targets).quantize(Decimal("0.01"), ROUND_HALF_UP) if key_targets else None
    return VisitRate(key_targets=key_targets, visited=visited, rate=rate)


def visit_goal_met(*, rate: VisitRate, station: Station, month: date | str) -> bool | None:
    """Whether ``rate`` reaches the visit goal of the station's service policy for that year (None: no key targets)."""
    if rate.rate is None:
        return None
    return rate.rate >= service_policy_for(station=station, year=month_start(month).year).key_target_visit_goal


@dataclass(frozen=True)
class MonthVisitRate:
    """The visit rate of one month as seen on a given day.

    ``final`` once the month has ended: only then is it judged against the goal (``goal_met``). Until then it is
    progress "so far" (``as_of`` the day it counts up to) and ``goal_met`` is None, however low it still is: on
    2 December a third of the key targets visited is on track, not a failure.
    """

    month: date
    counts: VisitRate
    final: bool
    as_of: date
    goal: Decimal
    goal_met: bool | None

    @property
    def rate(self) -> Decimal | None:
        return self.counts.rate

    @property
    def ends_on(self) -> date:
        return month_end(self.month)


def month_visit_rate(*, station: Station, month: date | str, on: date | None = None) -> MonthVisitRate:
    """The visit rate of ``month`` as of ``on`` (today by default): final after its last day, in progress before."""
    on = on or today()
    start = month_start(month)
    end = month_end(start)
    counts = visit_rate(station=station, month=start)
    final = on > end
    goal = service_policy_for(station=station, year=start.year).key_target_visit_goal
    met = None if not final or counts.rate is None else counts.rate >= goal
    return MonthVisitRate(month=start, counts=counts, final=final, as_of=min(on, end), goal=goal, goal_met=met)


@dataclass(frozen=True)
class VisitProgress:
    """What a station's month of visits looks like on a day: last month's final rate first, then this month's so far."""

    last_month: MonthVisitRate
    this_month: MonthVisitRate


def visit_progress(*, station: Station, on: date | None = None) -> VisitProgress:
    """Last month's final visit rate and this month's in progress, as of ``on`` (today by default)."""
    on = on or today()
    this_start = on.replace(day=1)
    last_start = (this_start - timedelta(days=1)).replace(day=1)
    return VisitProgress(
        last_month=month_visit_rate(station=station, month=last_start, on=on),
        this_month=month_visit_rate(station=station, month=this_start, on=on),
    )


def unvisited_key_targets(*, station: Station, month: date | str):
    """The key targets of ``month`` nobody has visited yet in it (a queryset, for the page's list)."""
    return key_targets_of(station=station, month=month).exclude(pk__in=visited_ids(station=station, month=month))


def with_last_visit(people, *, station: Station, until: date):
    """``people`` annotated with ``last_visit``: the date of their latest visit record at ``station`` on or before
    ``until`` (None if never visited), one correlated subquery through the (station, kind, date) index."""
    latest = (
        ServiceRecord.objects.filter(
            station=station, kind=ServiceKind.VISIT, date__lte=until, beneficiaries=OuterRef("pk")
        )
        .order_by("-date")
        .values("date")[:1]
    )
    return people.annotate(last_visit=Subquery(latest))


# --- service records ---------------------------------------------------------------------------------

RECORD_FIELDS = ("project", "date", "kind", "headcount", "duration_minutes", "place", "summary")


def add_error(errors: dict, field_name: str, message) -> None:
    errors.setdefault(field_name, []).append(message)


def service_record_create(
    *,
    station: Station,
    user,
    date: date,
    kind: str,
    duration_minutes: int,
    project: Project | None = None,
    beneficiaries: Iterable[Beneficiary] = (),
    headcount: int = 0,
    staff: Iterable[StaffMember] = (),
    volunteers: Iterable[Mapping] = (),
    place: str = "",
    summary: str = "",
) -> ServiceRecord:
    """Log a service: every person must belong to ``station``, the project to it and to the year of ``date``,
    someone must have been served (a named beneficiary or a headcount), and each volunteer's hours
    (``[{"volunteer": v, "hours": Decimal}]``) are added to their record by ``volunteer_hours_add``.
    All or nothing: any refusal saves nothing.
    """
    record = ServiceRecord(
        station=station,
        created_by=user,
        project=project,
        date=date,
        kind=kind,
        headcount=headcount,
        duration_minutes=duration_minutes,
        place=place,
        summary=summary,
    )
    return record_save(
        record, beneficiaries=list(beneficiaries), staff=list(staff), volunteers=list(volunteers), rebook=True
    )


def service_record_update(*, record: ServiceRecord, user, **changes) -> ServiceRecord:
    """Correct a service record (the way a wrong record is fixed): same checks as ``service_record_create``.

    ``changes`` takes the record's fields and ``beneficiaries``, ``staff``, ``volunteers``. The volunteers' hours
    are booked again when the volunteers, the date, the kind or the project change.
    """
    unknown = set(changes) - set(RECORD_FIELDS) - {"beneficiaries", "staff", "volunteers"}
    if unknown:
        raise TypeError(f"service_record_update() got unexpected fields: {sorted(unknown)}")
    record = ServiceRecord.objects.select_related("project").get(pk=record.pk)
    before = (record.date, record.kind, record.project_id)
    for name in RECORD_FIELDS:
        if name in changes:
            setattr(record, name, changes[name])
    volunteers = changes.get("volunteers")
    if volunteers is None:
        volunteers = [{"volunteer": row.volunteer, "hours": row.hours} for row in record.volunteers.all()]
    return record_save(
        record,
        beneficiaries=list(changes.get("beneficiaries", record.beneficiaries.all())),
        staff=list(changes.get("staff", record.staff.all())),
        volunteers=list(volunteers),
        rebook="volunteers" in changes or before != (record.date, record.kind, record.project_id),
    )


def record_errors(record: ServiceRecord, *, beneficiaries, staff, volunteers) -> dict:
    """Everything wrong with a record about to be saved, by field."""
    errors = {}
    try:
        record.full_clean(exclude=["created_by"], validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                add_error(errors, name, message)
    station_id = record.station_id
    strangers = [person.name for person in beneficiaries if person.station_id != station_id]
    if strangers:
        add_error(errors, "beneficiaries", _("Not beneficiaries of this station: %s") % "、".join(strangers))
    strangers = [person.name for person in staff if person.station_id != station_id]
    if strangers:
        add_error(errors, "staff", _("Not staff of this station: %s") % "、".join(strangers))
    strangers = [share["volunteer"].name for share in volunteers if share["volunteer"].station_id != station_id]
    if strangers:
        add_error(errors, "volunteers", _("Not volunteers of this station: %s") % "、".join(strangers))
    volunteer_ids = [share["volunteer"].pk for share in volunteers]
    if len(set(volunteer_ids)) < len(volunteer_ids):
        add_error(errors, "volunteers", _("List each volunteer once, with all their hours."))
    if any(not Decimal("0") < Decimal(share["hours"]) <= 24 for share in volunteers):
        add_error(errors, "volunteers", _("A volunteer serves more than 0 and at most 24 hours in a day."))
    if not beneficiaries and not record.headcount:
        add_error(errors, "beneficiaries", _("Say who was served: name the beneficiaries or give a headcount."))
    return errors


def record_save(record: ServiceRecord, *, beneficiaries, staff, volunteers, rebook: bool) -> ServiceRecord:
    errors = record_errors(record, beneficiaries=beneficiaries, staff=staff, volunteers=volunteers)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record.save()
        record.beneficiaries.set(beneficiaries)
        record.staff.set(staff)
        if rebook:
            volunteers_unbook(record)
            for share in volunteers:
                volunteer_book(record, volunteer=share["volunteer"], hours=Decimal(share["hours"]))
    return record


def volunteer_book(record: ServiceRecord, *, volunteer: Volunteer, hours: Decimal) -> ServiceVolunteer:
    """Put the volunteer's hours of ``record`` on their record; a day over 24 hours refuses the whole record."""
    try:
        hours_record = volunteer_hours_add(
            volunteer=volunteer, on=record.date, hours=hours, activity=record.activity_label()
        )
    except ValidationError as error:
        raise ValidationError({"volunteers": error.messages}) from error
    return ServiceVolunteer.objects.create(record=record, volunteer=volunteer, hours=hours, hours_record=hours_record)


def volunteers_unbook(record: ServiceRecord) -> None:
    """Take back the hours ``record`` put on its volunteers' records."""
    hours_ids = list(record.volunteers.values_list("hours_record_id", flat=True))
    record.volunteers.all().delete()
    VolunteerHours.objects.filter(pk__in=hours_ids).delete()


def service_record_delete(*, record: ServiceRecord) -> None:
    """Delete a record with the volunteer hours it booked; its attachment files go once the deletion commits."""
    with transaction.atomic():
        files = [attachment.file for attachment in record.attachments.all()]
        volunteers_unbook(record)
        record.delete()
        for stored in files:
            transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))


# --- attachments -------------------------------------------------------------------------------------

SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
]


def sniff_content_type(head: bytes) -> str | None:
    """The type a file really is, read from its first bytes: JPEG, PNG, GIF, WebP or PDF, else None."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def megabytes(size: int) -> str:
    return f"{Decimal(size) / (1024 * 1024):.1f} MB"


def attachment_add(*, record: ServiceRecord, user, file) -> Attachment:
    """Attach evidence to ``record``: an image or a PDF by its content (not its name), no larger than
    ``settings.SERVICE_ATTACHMENT_MAX_BYTES``."""
    limit = settings.SERVICE_ATTACHMENT_MAX_BYTES
    if not file.size:
        raise refuse("file", _("This file is empty."))
    if file.size > limit:
        raise refuse(
            "file",
            _("This file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": megabytes(file.size), "limit": megabytes(limit)},
        )
    file.seek(0)
    content_type = sniff_content_type(file.read(16))
    file.seek(0)
    if content_type is None:
        raise refuse("file", _("Only photos (JPEG, PNG, WebP, GIF) and PDF files can be attached."))
    attachment = Attachment(
        record=record,
        original_name=os.path.basename(file.name or "")[:255] or "attachment",
        content_type=content_type,
        size=file.size,
        uploaded_by=user,
    )
    attachment.file.save(file.name or "attachment", file, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


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


def case_timeline(case: Case) -> list[TimelineEvent]:
    """The steps of ``case`` in the order they happened (by date; on one day, in workflow order)."""
    events = [TimelineEvent("intake", case.opened_on, case.intake_notes, worker=case.worker.name)]
    if case.assessed_on:
        events.append(TimelineEvent("assessment", case.assessed_on, case.assessment, score=case.before_score))
    if case.planned_on:
        events.append(TimelineEvent("plan", case.planned_on, case.plan))
    for follow_up in case.follow_ups.select_related("worker").order_by("date", "pk"):
        events.append(
            TimelineEvent(
                "follow_up",
                follow_up.date,
                follow_up.content,
                worker=follow_up.worker.name,
                next_step=follow_up.next_step,
            )
        )
    for referral in case.referrals.order_by("date", "pk"):
        events.append(
            TimelineEvent("referral", referral.date, referral.reason, agency=referral.agency, result=referral.result)
        )
    if case.closed_on:
        events.append(TimelineEvent("closure", case.closed_on, case.outcome, score=case.after_score))
    return sorted(events, key=lambda event: (event.date, TIMELINE_ORDER[event.kind]))


# --- community focus problems ------------------------------------------------------------------------


def focus_problem_advance(*, problem: FocusProblem, to_status: str, solved_on: date | None = None) -> FocusProblem:
    """Move a focus problem one step: reported -> in progress -> solved (solved with its date)."""
    with transaction.atomic():
        problem = FocusProblem.objects.select_for_update().get(pk=problem.pk)
        expected = next_in(FocusProblemStatus, problem.status)
        if to_status not in FocusProblemStatus.values:
            raise refuse("to_status", _("Unknown status."))
        if expected is None:
            raise refuse("to_status", _("This problem is already solved."))
        if to_status != expected:
            raise refuse(
                "to_status",
                _("A problem moves one step at a time: after “%(current)s” comes “%(next)s”.")
                % {"current": FocusProblemStatus(problem.status).label, "next": FocusProblemStatus(expected).label},
            )
        if to_status == FocusProblemStatus.SOLVED:
            errors = {}
            if solved_on is None:
                add_error(errors, "solved_on", _("Give the day the problem was solved."))
            else:
                dated_step_errors(
                    errors,
                    "solved_on",
                    solved_on,
                    after=problem.reported_on,
                    after_message=_("A problem cannot be solved before it was reported."),
                )
            if errors:
                raise ValidationError(errors)
            problem.solved_on = solved_on
        problem.status = to_status
        problem.save()
        return problem
