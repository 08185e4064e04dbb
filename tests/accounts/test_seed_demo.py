"""``seed_demo``: a realistic Jiaxing, an account for every role, idempotent, refused in production."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from accounts.choices import Role
from accounts.models import User
from evaluation.choices import EvaluationStatus, Grade, Stage, TownshipAnswer
from evaluation.models import (
    Amendment,
    Assignment,
    Evaluation,
    EvaluationPolicy,
    Score,
    Survey,
    SurveyResponse,
    TownshipResponse,
    Transition,
    TwoWayAssessment,
)
from evaluation.rules.grading import evaluation_grade
from funding.models import Budget, BudgetLineAmount, BudgetSourceAmount, Disbursement, Expenditure, FundingPolicy
from services.models import (
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
from staffing.models import (
    StaffingPolicy,
    StaffMember,
    StationSupervisor,
    SupervisionVisit,
    TimeBankEntry,
    TrainingSession,
    Volunteer,
    VolunteerHours,
)
from staffing.rules import (
    policy_for,
    staff_on,
    station_compliance,
    time_bank_balance,
    volunteer_stars,
    volunteer_total_hours,
)
from staffing.validators import validate_id_number
from stations.models import OperatingContract, Organization, Region, Station, StationStandard
from stations.validators import validate_credit_code

pytestmark = pytest.mark.django_db


STAFFING = (
    StaffingPolicy,
    StaffMember,
    Volunteer,
    VolunteerHours,
    TimeBankEntry,
    StationSupervisor,
    SupervisionVisit,
    TrainingSession,
    TrainingSession.attendees.through,
    StaffMember.history.model,
    StationSupervisor.history.model,
    StaffingPolicy.history.model,
)


SERVICES = (
    ServicePolicy,
    ServicePolicy.history.model,
    Beneficiary,
    Beneficiary.target_groups.through,
    Project,
    Project.communities.through,
    Project.catalog_items.through,
    ProjectStageChange,
    ServiceRecord,
    ServiceRecord.beneficiaries.through,
    ServiceRecord.staff.through,
    ServiceVolunteer,
    Case,
    CaseFollowUp,
    CaseReferral,
    FocusProblem,
)


STATIONS = (
    Region,
    Organization,
    Organization.history.model,
    Station,
    Station.history.model,
    OperatingContract,
    OperatingContract.history.model,
    StationStandard,
    StationStandard.history.model,
    User,
)


EVALUATION = (
    Assignment,
    Evaluation,
    Score,
    Transition,
    Amendment,
    TownshipResponse,
    Survey,
    SurveyResponse,
    TwoWayAssessment,
)

FUNDING = tuple(
    table
    for model in (FundingPolicy, Budget, BudgetLineAmount, BudgetSourceAmount, Expenditure, Disbursement)
    for table in (model, model.history.model)
)


def counts() -> tuple[int, ...]:
    """Rows of every table the demo writes, change histories included (a second run saves nothing)."""
    return tuple(m.objects.count() for m in (*STATIONS, *STAFFING, *SERVICES, *EVALUATION, *FUNDING))


def test_the_demo_is_a_city_of_about_seventy_townships_with_every_role(seeded_demo):
    assert Region.objects.filter(level="township").count() == 72
    assert Station.objects.count() == 70
    assert set(Station.objects.values_list("status", flat=True)) == {"operating", "planning", "suspended"}
    assert {u.role for u in User.objects.all()} == set(Role.values)
    for org in Organization.objects.all():
        validate_credit_code(org.credit_code)
    county = User.objects.get(username="county")
    assert Station.objects.visible_to(county).count() == 12
    evaluator = User.objects.get(username="evaluator")
    assert Station.objects.visible_to(evaluator).exists()


def test_the_staffing_demo_shows_compliant_short_and_tiny_stations_honestly(seeded_demo):
    today = date.today()
    operating = list(Station.objects.filter(status="operating"))

    demo = Station.objects.get(name="马桥街道社会工作站")
    checks = station_compliance(station=demo, on=today).checks
    assert [c.code for c in checks if not c.ok] == []
    assert len(checks) == 7
    failing = {s.name: {c.code for c in station_compliance(station=s, on=today).checks if not c.ok} for s in operating}
    assert any("certified_staff" in failed for failed in failing.values())
    assert any("salary_floor" in failed for failed in failing.values())
    assert any("volunteers" in failed for failed in failing.values())
    assert [s.name for s in operating if staff_on(station=s, on=today).count() == 2] == ["澉浦镇社会工作站"]

    # The "1+1" rule: every operating station has its named supervisor, visits and training.
    assert StationSupervisor.objects.filter(station__in=operating).count() == len(operating)
    assert not [s for s in operating if not s.supervision_visits.exists() or not s.trainings.exists()]
    assert StaffingPolicy.objects.filter(region__code="330400000000", year=today.year).exists()
    assert policy_for(station=demo, year=today.year).prior_year_average_wage is not None
    assert StaffMember.objects.filter(left_on__lt=today).exists()

    thresholds = policy_for(station=demo, year=today.year).volunteer_star_hours
    stars = {
        volunteer_stars(total_hours=volunteer_total_hours(v), thresholds=thresholds) for v in Volunteer.objects.all()
    }
    assert stars == {0, 1, 2, 3, 4, 5}
    assert not VolunteerHours.objects.values("volunteer", "date").annotate(day=Sum("hours")).filter(day__gt=24)
    # The staffing demo's hours and those the services demo books for volunteers who helped in a service.
    assert VolunteerHours.objects.count() < 65_000
    banked = Volunteer.objects.filter(time_bank__isnull=False).distinct()
    assert banked.exists() and all(time_bank_balance(v) >= 0 for v in banked)
    for number in [
        *StaffMember.objects.values_list("id_number", flat=True),
        *Volunteer.objects.values_list("id_number", flat=True),
    ]:
        validate_id_number(number)


def test_the_demo_evaluated_haining_last_year_across_every_grade_and_this_years_midterm_is_under_way(seeded_demo):
    """Issue 9's demo: 12 results of last year published (马桥 excellent, one failing), one amended, one objected to;
    this year's mid-term has drafts, one submitted and one returned; surveys answered; 马桥's two-way pair."""
    year = date.today().year
    last = Evaluation.objects.filter(year=year - 1, stage=Stage.ANNUAL)
    assert last.count() == 12 and set(last.values_list("status", flat=True)) == {EvaluationStatus.PUBLISHED}
    assert set(last.values_list("grade", flat=True)) == set(Grade.values)
    assert last.get(station__township__name="马桥街道").grade == Grade.EXCELLENT
    assert last.filter(grade=Grade.FAIL).count() == 1
    assert Amendment.objects.filter(evaluation__in=last).count() == 1
    assert TownshipResponse.objects.filter(evaluation__in=last, answer=TownshipAnswer.OBJECT).count() == 1
    for evaluation in last:  # the stored figures are the rules' own
        total = sum(evaluation.scores.values_list("score", flat=True))
        assert evaluation.total == total and evaluation.grade == evaluation_grade(total, EvaluationPolicy())
    midterm = Evaluation.objects.filter(year=year, stage=Stage.MIDTERM)
    assert midterm.filter(status=EvaluationStatus.SUBMITTED).count() == 1
    assert midterm.filter(status=EvaluationStatus.DRAFT).count() >= 3
    assert (
        Transition.objects.filter(evaluation__in=midterm, to_status=EvaluationStatus.DRAFT).exclude(reason="").count()
        == 1
    )
    assert SurveyResponse.objects.filter(survey__year=year - 1).count() >= 12 * 30
    assert (
        TwoWayAssessment.objects.filter(station__township__name="马桥街道").values("direction").distinct().count() == 2
    )


def test_running_it_twice_changes_nothing(seeded_demo, settings):
    settings.DEBUG = True
    first = counts()
    assert ServiceRecord.objects.exists() and Case.objects.exists()
    call_command("seed_demo", "--again", stdout=StringIO())  # a real second load, not the skip
    assert counts() == first


def test_a_second_run_at_the_same_version_is_skipped_and_says_so(seeded_demo, settings):
    settings.DEBUG = True
    first = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "skipped" in out.getvalue() and "区县民政干部" in out.getvalue()
    assert counts() == first


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    before = counts()
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert counts() == before


def test_the_demo_has_last_months_batch_of_haining(seeded_demo):
    """The monthly reports of last month for 海宁市 as the beat makes them on the 1st: its 11 operating stations,
    its 12 townships and itself. Here its jobs wait (the load's transaction never commits); in ``make run`` they
    are produced at once, in the process."""
    from reports.batches import scheduled_period
    from reports.models import ReportBatch

    batch = ReportBatch.objects.get()
    assert (batch.kind, batch.period, batch.region.name, batch.trigger) == (
        "monthly",
        scheduled_period("monthly", today=date.today()).key,
        "海宁市",
        "demo",
    )
    operating = Station.objects.filter(township__parent=batch.region, status="operating").count()
    assert batch.total == batch.reports.count() == operating + 12 + 1
