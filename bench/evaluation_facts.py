"""The facts behind evidence-backed scoring for one station and a whole year of its records.

    .venv/bin/python bench/evaluation_facts.py [--records N] [--beneficiaries N] [--key-targets N] [--cases N]

Builds one station with last year's work (by default 5,000 service records, 300 beneficiaries of which 60 key
targets visited month by month, 40 closed cases, the "123X" projects with targets, staff and volunteers, focus
problems and a satisfaction survey), then measures ``station_facts`` cold (cache cleared each run) and cached, and
``evaluation_suggestions`` of an evaluation on the shipped scorecard, and the evaluator's scorecard page (facts cold
and cached); prints seconds (median of 5) and queries.
"""

import argparse
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import analyze, id_number, maqiao_station, page_client, repeat, report, setup_django  # noqa: E402

KINDS = {"group": 10, "community": 12, "case": 10, "consultation": 15, "training": 5, "referral": 4}


def build(*, year: int, records: int, beneficiaries: int, key_targets: int, cases: int):
    """One station with a year of work in bulk; returns it, its evaluation for ``year`` and the evaluator."""
    from accounts.choices import Role
    from accounts.models import User
    from evaluation.models import Assignment, ScorecardTemplate, Survey, SurveyAnswer, SurveyResponse
    from evaluation.rules.workflow import evaluation_start
    from services.models import Beneficiary, Case, FocusProblem, Project, ServiceRecord
    from staffing.models import StaffingPolicy, StaffMember, Volunteer
    from stations.models import OperatingContract, Organization, StandardItem, StationStandard
    from tests.factories import valid_credit_code

    rng = random.Random(13)
    station, communities = maqiao_station()
    operator = Organization.objects.create(name="承接机构", kind="operator", credit_code=valid_credit_code(1), rating=4)
    agency = Organization.objects.create(
        name="评估机构", kind="evaluation_agency", credit_code=valid_credit_code(2), rating=4
    )
    OperatingContract.objects.create(
        station=station, operator=operator, start_on=date(year, 1, 1), end_on=date(year + 1, 12, 31), amount=1
    )
    city = station.township.parent.parent
    StaffingPolicy.objects.create(region=city, year=year, prior_year_average_wage=Decimal("100000"))

    staff = StaffMember.objects.bulk_create(
        StaffMember(
            station=station,
            name=f"社工{n}",
            gender="female",
            id_number=id_number(n, 1990),
            role="full_time",
            certification="assistant" if n < 5 else "none",
            annual_salary=Decimal("120000"),
            hired_on=date(year - 2, 3, 1),
            left_on=date(year, 4, 20) if n == 7 else None,
        )
        for n in range(8)
    )
    Volunteer.objects.bulk_create(
        Volunteer(station=station, name=f"志愿者{n}", id_number=id_number(n, 1970), registered_on=date(year - 1, 1, 1))
        for n in range(40)
    )
    people = Beneficiary.objects.bulk_create(
        Beneficiary(
            station=station,
            name=f"对象{n}",
            id_number=id_number(n, 1940 + n // 1000),
            gender="female" if n % 2 else "male",
            birth_date=date(1940 + n // 1000, 1 + n % 12, 1 + n % 28),
            community=communities[n % len(communities)],
            key_target=n < key_targets,
            registered_on=date(year - 1, 1, 1),
        )
        for n in range(beneficiaries)
    )
    Project.objects.bulk_create(
        [
            Project(station=station, year=year, name="核心项目", category="core", target_sessions=50),
            *(
                Project(station=station, year=year, name=f"品牌{s}", category="brand", subtype=s, target_sessions=30)
                for s in ("professional", "governance")
            ),
            *(
                Project(
                    station=station, year=year, name=f"基础{s}", category="basic", subtype=s, target_beneficiaries=40
                )
                for s in ("difficult_families", "elderly_alone", "children")
            ),
        ]
    )
    projects = list(Project.objects.filter(station=station, year=year))

    # Key targets are visited once a month, nine in ten of them; the rest of the records are any other kind.
    plans = []
    for month in range(1, 13):
        start = date(year, month, 1)
        days = ((start + timedelta(days=31)).replace(day=1) - start).days
        for person in people[:key_targets]:
            if rng.random() < 0.9:
                plans.append((start + timedelta(days=rng.randrange(days)), "visit", [person]))
    kinds = rng.choices(list(KINDS), weights=list(KINDS.values()), k=max(records - len(plans), 0))
    for kind in kinds:
        named = rng.sample(people, 6 if kind == "group" else 1) if rng.random() < 0.8 else []
        plans.append((date(year, 1, 1) + timedelta(days=rng.randrange(365)), kind, named))
    rows = ServiceRecord.objects.bulk_create(
        (
            ServiceRecord(
                station=station,
                project=rng.choice(projects) if rng.random() < 0.6 else None,
                date=on,
                kind=kind,
                headcount=0 if named else rng.randint(5, 60),
                duration_minutes=rng.choice([30, 45, 60, 90, 120]),
                summary=f"{kind}服务记录",
            )
            for on, kind, named in plans
        ),
        batch_size=5000,
    )
    ServiceRecord.beneficiaries.through.objects.bulk_create(
        (
            ServiceRecord.beneficiaries.through(servicerecord_id=row.pk, beneficiary_id=person.pk)
            for row, (_on, _kind, named) in zip(rows, plans, strict=True)
            for person in named
        ),
        batch_size=10000,
    )
    ServiceRecord.staff.through.objects.bulk_create(
        ServiceRecord.staff.through(servicerecord_id=row.pk, staffmember_id=rng.choice(staff).pk) for row in rows
    )
    Case.objects.bulk_create(
        Case(
            station=station,
            beneficiary=people[n % len(people)],
            worker=staff[n % len(staff)],
            opened_on=date(year, 1 + n % 6, 1),
            assessed_on=date(year, 1 + n % 6, 2),
            planned_on=date(year, 1 + n % 6, 3),
            before_score=rng.randint(30, 60),
            status="closed",
            closed_on=date(year, 7 + n % 6, 1),
            after_score=rng.randint(40, 90),
        )
        for n in range(cases)
    )
    FocusProblem.objects.bulk_create(
        FocusProblem(
            station=station,
            community=communities[n % len(communities)],
            title=f"焦点问题{n}",
            reported_on=date(year, 1 + n, 1),
            status="solved" if n % 3 else "reported",
            solved_on=date(year, 2 + n, 1) if n % 3 else None,
        )
        for n in range(10)
    )
    StationStandard.objects.bulk_create(
        StationStandard(station=station, item=item, met=n % 5 != 0)
        for n, item in enumerate(StandardItem.objects.filter(active=True))
    )
    survey = Survey.objects.create(
        station=station, year=year, title="年度满意度调查", opens_on=date(year, 10, 1), closes_on=date(year, 10, 31)
    )
    questions = [survey.questions.create(order=n, text=f"问题{n}") for n in range(1, 6)]
    responses = SurveyResponse.objects.bulk_create(SurveyResponse(survey=survey, channel="paper") for _ in range(80))
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question=question, score=rng.choice([3, 4, 4, 5, 5]))
        for response in responses
        for question in questions
    )
    template = ScorecardTemplate.objects.get(code="station-evaluation", version=1)
    assignment = Assignment.objects.create(
        agency=agency, year=year, stage="annual", template=template, starts_on=date.today(), ends_on=date.today()
    )
    assignment.stations.set([station])
    evaluator = User.objects.create_user("evaluator", password="x", role=Role.EVALUATOR, organization=agency)
    evaluation = evaluation_start(assignment=assignment, station=station, user=evaluator)
    return station, evaluation, evaluator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--beneficiaries", type=int, default=300)
    parser.add_argument("--key-targets", type=int, default=60)
    parser.add_argument("--cases", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    year = date.today().year - 1
    station, evaluation, evaluator = build(
        year=year,
        records=args.records,
        beneficiaries=args.beneficiaries,
        key_targets=args.key_targets,
        cases=args.cases,
    )
    analyze()

    from django.core.cache import cache
    from django.urls import reverse

    from evaluation.rules.facts import evaluation_suggestions, station_facts
    from services.models import ServiceRecord

    def cold(action):
        def run():
            cache.clear()
            action()

        return run

    rows = []
    repeat("station_facts, cold", rows, cold(lambda: station_facts(station=station, year=year)))
    repeat("station_facts, cached", rows, lambda: station_facts(station=station, year=year))
    repeat("evaluation_suggestions, cold", rows, cold(lambda: evaluation_suggestions(evaluation)))
    repeat("evaluation_suggestions, cached", rows, lambda: evaluation_suggestions(evaluation))
    pages = page_client(evaluator)
    scorecard = reverse("evaluation:scorecard", args=[evaluation.pk])

    def open_scorecard():
        response = pages.get(scorecard)
        assert response.status_code == 200, response.status_code

    repeat("scorecard page (evaluator), facts cold", rows, cold(open_scorecard))
    repeat("scorecard page (evaluator), facts cached", rows, open_scorecard)
    total = ServiceRecord.objects.filter(station=station, date__year=year).count()
    report(
        f"Facts of one station for {year}: {total} service records, {args.beneficiaries} beneficiaries "
        f"({args.key_targets} key targets), {args.cases} closed cases",
        rows,
    )
    for source, facts in station_facts(station=station, year=year).items():
        print(f"  {source:15} ratio {facts.ratio if facts.ratio is None else round(facts.ratio, 4)}")


if __name__ == "__main__":
    main()
