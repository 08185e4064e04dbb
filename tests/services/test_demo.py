"""The services part of ``seed_demo``: an honest picture that keeps every rule of the services app.

One load serves every test of this module (``seeded_demo``); ``tests/accounts/test_seed_demo.py`` checks that a
second run creates nothing new.
"""

from datetime import date

import pytest
from django.db.models import Count, F, Q, Sum

from services.choices import CaseStatus, FocusProblemStatus, ProjectStage, ServiceKind
from services.demo import month_starts
from services.models import Beneficiary, Case, FocusProblem, Project, ServiceRecord, ServiceVolunteer
from services.rules import portfolio_check, visit_rate
from staffing.models import VolunteerHours
from staffing.validators import id_number_birth_date, validate_id_number
from stations.models import Station

pytestmark = pytest.mark.django_db

DEMO_STATION = "马桥街道社会工作站"


@pytest.fixture
def demo(seeded_demo):
    return list(Station.objects.filter(status="operating"))


def test_the_demo_station_has_a_valid_portfolio_and_another_station_an_incomplete_one(demo):
    year = date.today().year
    maqiao = Station.objects.get(name=DEMO_STATION)

    assert portfolio_check(station=maqiao, year=year).valid
    incomplete = [s.name for s in demo if not portfolio_check(station=s, year=year).valid]
    assert incomplete and DEMO_STATION not in incomplete
    assert len(incomplete) <= len(demo) // 10  # most stations run a complete "123X"
    # Last year's portfolios were complete and are at the evaluation stage.
    assert all(portfolio_check(station=s, year=year - 1).valid for s in demo)
    assert set(Project.objects.filter(year=year - 1).values_list("stage", flat=True)) == {ProjectStage.EVALUATION}
    this_year = set(Project.objects.filter(year=year, category__in=["core", "brand", "basic"]).values_list("stage"))
    assert this_year == {(ProjectStage.IMPLEMENTATION,), (ProjectStage.MONITORING,)}


def test_the_demo_station_visits_every_key_target_every_past_month_and_another_station_does_not(demo):
    today = date.today()
    maqiao = Station.objects.get(name=DEMO_STATION)
    *past, this_month = month_starts(today, 12)

    assert [visit_rate(station=maqiao, month=month).rate for month in past] == [1] * 12
    assert visit_rate(station=maqiao, month=this_month).key_targets > 0
    low = [
        s
        for s in demo
        if (visit_rate(station=s, month=past[-1]).rate or 1) < 1
        and (visit_rate(station=s, month=this_month).rate or 1) < 1
    ]
    assert low
    assert min(visit_rate(station=s, month=past[-1]).rate for s in low) <= 0.8  # clearly below the goal


def test_every_demo_record_keeps_the_rules_of_a_service_record(demo):
    today = date.today()
    records = ServiceRecord.objects.all()

    assert 60 * len(demo) <= records.count() <= 20_000
    assert not records.filter(date__gt=today)
    assert not records.filter(date__lt=month_starts(today, 12)[0])
    assert not records.filter(Q(duration_minutes__lt=1) | Q(duration_minutes__gt=1440))
    assert not records.exclude(project=None).exclude(project__station=F("station"))
    assert not records.exclude(project=None).exclude(project__year=F("date__year"))
    assert not records.annotate(named=Count("beneficiaries")).filter(named=0, headcount=0)
    assert not ServiceRecord.beneficiaries.through.objects.exclude(beneficiary__station=F("servicerecord__station"))
    assert not ServiceRecord.staff.through.objects.exclude(staffmember__station=F("servicerecord__station"))
    # Visits are the most frequent kind, and every kind is logged.
    kinds = dict(records.order_by().values_list("kind").annotate(n=Count("pk")))
    assert set(kinds) == set(ServiceKind.values)
    assert max(kinds, key=kinds.get) == ServiceKind.VISIT
    # Volunteers' hours land on their record, within 24 hours a day.
    shares = ServiceVolunteer.objects.select_related("record", "hours_record")
    assert shares.exists()
    assert not shares.exclude(volunteer__station=F("record__station"))
    assert all(s.hours_record.date == s.record.date and s.hours_record.hours == s.hours for s in shares)
    assert not VolunteerHours.objects.values("volunteer", "date").annotate(day=Sum("hours")).filter(day__gt=24)


def test_demo_beneficiaries_are_real_people_of_their_township(demo):
    people = Beneficiary.objects.select_related("station", "community")

    assert 60 * len(demo) <= people.count() <= 150 * len(demo)
    for person in people:
        validate_id_number(person.id_number)
        assert person.birth_date == id_number_birth_date(person.id_number)
        assert person.community.parent_id == person.station.township_id
        assert person.registered_on <= date.today()
    key_share = people.filter(key_target=True).count() / people.count()
    assert 0.10 <= key_share <= 0.20
    assert not people.annotate(groups=Count("target_groups")).filter(groups=0)


def test_demo_cases_and_focus_problems_reach_every_status(demo):
    maqiao = Station.objects.get(name=DEMO_STATION)

    assert set(maqiao.cases.values_list("status", flat=True)) == set(CaseStatus.values)
    assert maqiao.cases.count() >= 8
    assert all(set(s.cases.values_list("status", flat=True)) == set(CaseStatus.values) for s in demo)
    closed = Case.objects.filter(status=CaseStatus.CLOSED)
    assert closed.exists() and not closed.filter(after_score__lte=F("before_score"))
    assert Case.objects.filter(status=CaseStatus.FOLLOW_UP, follow_ups__isnull=False).exists()
    assert Case.objects.filter(referrals__isnull=False).exists()
    assert set(maqiao.focus_problems.values_list("status", flat=True)) == set(FocusProblemStatus.values)
    assert not FocusProblem.objects.exclude(community__parent=F("station__township"))
