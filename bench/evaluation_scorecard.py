"""The scorecard of a station with a year of records: time to open it, to autosave one score, to search evidence.

    .venv/bin/python bench/evaluation_scorecard.py [--records N] [--evidence N]

Builds its own database (``bench/harness.py``: ``BENCH_DATABASE_URL``, default ``portal_bench``): one station with
staff, 300 beneficiaries (60 key targets), this year's projects, ``--records`` service records spread over the
year up to today, 40 cases, a satisfaction survey, an agency with its evaluator and a current assignment; the
evaluator starts the station's evaluation and ``--evidence`` records are linked to its indicators. Then measures
(median of 5, with the queries of one run): GET of the scorecard page, the facts alone (``evaluation_facts``), one
autosave POST, and an evidence search (first page, and a text search).
"""

import argparse
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import analyze, id_number, maqiao_station, page_client, repeat, report, setup_django  # noqa: E402

BENEFICIARIES = 300
KEY_TARGETS = 60
CASES = 40


def build(records: int, evidence: int, today: date):
    from accounts.choices import Role
    from accounts.models import User
    from evaluation.choices import EvidenceKind
    from evaluation.models import Assignment, Evidence, ScorecardTemplate
    from evaluation.rules.workflow import evaluation_start
    from services.models import Beneficiary, Case, Project, ServiceRecord
    from staffing.models import StaffMember
    from stations.models import Organization
    from tests.factories import survey_with_responses

    rng = random.Random(9)
    station, (community,) = maqiao_station(communities=1)

    staff = StaffMember.objects.bulk_create(
        StaffMember(
            station=station,
            name=f"社工{n}",
            gender="female",
            id_number=id_number(n, 1990),
            role="deputy" if n == 0 else "full_time",
            hired_on=date(2021, 3, 1),
        )
        for n in range(6)
    )
    people = Beneficiary.objects.bulk_create(
        Beneficiary(
            station=station,
            name=f"对象{n}",
            id_number=id_number(n, 1945),
            gender="female" if n % 2 else "male",
            birth_date=date(1945, 1 + n % 12, 1 + n % 28),
            community=community,
            key_target=n < KEY_TARGETS,
            registered_on=date(2023, 1, 1),
        )
        for n in range(BENEFICIARIES)
    )
    projects = Project.objects.bulk_create(
        Project(station=station, year=today.year, name=f"项目{n}", category="optional", stage="implementation")
        for n in range(6)
    )
    start = date(today.year, 1, 1)
    days = (today - start).days + 1
    rows = ServiceRecord.objects.bulk_create(
        ServiceRecord(
            station=station,
            project=projects[n % len(projects)],
            date=start + timedelta(days=rng.randrange(days)),
            kind=rng.choice(["visit", "group", "community", "consultation"]),
            duration_minutes=60,
            summary=f"服务记录{n}",
            place="社区活动室",
        )
        for n in range(records)
    )
    ServiceRecord.beneficiaries.through.objects.bulk_create(
        ServiceRecord.beneficiaries.through(servicerecord_id=row.pk, beneficiary_id=people[n % len(people)].pk)
        for n, row in enumerate(rows)
    )
    Case.objects.bulk_create(
        Case(
            station=station,
            beneficiary=people[n],
            worker=staff[n % len(staff)],
            opened_on=start + timedelta(days=n),
            status="closed" if n % 2 else "follow_up",
            closed_on=start + timedelta(days=n + 60) if n % 2 and n + 60 < days else None,
            before_score=3,
            after_score=4 if n % 2 else None,
        )
        for n in range(CASES)
    )
    survey_with_responses(station, [[4, 5, 4, 5, 4]] * 30)
    agency = Organization.objects.create(name="众评评估中心", kind="evaluation_agency")
    evaluator = User.objects.create_user("evaluator", password="x", role=Role.EVALUATOR, organization=agency)
    assignment = Assignment.objects.create(
        agency=agency,
        year=today.year,
        template=ScorecardTemplate.objects.get(code="station-evaluation", version=1),
        starts_on=start,
        ends_on=date(today.year, 12, 31),
    )
    assignment.stations.set([station])
    evaluation = evaluation_start(assignment=assignment, station=station, user=evaluator)
    scores = list(evaluation.scores.all())
    Evidence.objects.bulk_create(
        Evidence(score=scores[n % len(scores)], kind=EvidenceKind.RECORD, record=rows[n]) for n in range(evidence)
    )
    unsourced = next(score for score in evaluation.scores.select_related("indicator") if not score.indicator.source)
    return evaluator, evaluation, unsourced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--evidence", type=int, default=60)
    args = parser.parse_args()
    setup_django()
    from django.core.cache import cache
    from django.urls import reverse

    from evaluation.rules.facts import evaluation_facts

    today = date.today()
    evaluator, evaluation, unsourced = build(args.records, args.evidence, today)
    analyze()
    client = page_client(evaluator)
    scorecard = reverse("evaluation:scorecard", args=[evaluation.pk])
    save = reverse("evaluation:scorecard-save", args=[evaluation.pk])
    search = reverse("evaluation:scorecard-evidence-search", args=[evaluation.pk])
    assert client.get(scorecard).status_code == 200
    rows: list = []

    def cold(action):
        cache.clear()  # the facts are cached a few minutes per station and year; sessions live in the database
        return action()

    repeat("GET scorecard page, facts not cached", rows, lambda: cold(lambda: client.get(scorecard)))
    repeat("GET scorecard page, facts cached", rows, lambda: client.get(scorecard))
    repeat("facts of the evaluation, not cached", rows, lambda: cold(lambda: evaluation_facts(evaluation)))
    repeat("facts of the evaluation, cached", rows, lambda: evaluation_facts(evaluation))
    values = iter(str(Decimal(n % 3)) for n in range(100))
    repeat(
        "POST autosave of one score (facts cached)",
        rows,
        lambda: client.post(
            save, {"indicator": unsourced.indicator_id, "score": next(values)}, HTTP_ACCEPT="application/json"
        ),
    )
    repeat("GET evidence search, first page", rows, lambda: client.get(search, {"kind": "record"}))
    repeat("GET evidence search, text", rows, lambda: client.get(search, {"kind": "record", "q": "服务记录12"}))
    report(f"Scorecard of a station with {args.records} records this year, {args.evidence} linked", rows)


if __name__ == "__main__":
    main()
