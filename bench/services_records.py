"""Service records of one busy station: 100,000 records over two years, 2,000 beneficiaries, 300 key targets.

    .venv/bin/python bench/services_records.py [--records N]

Measures the key-target visit rate of a month and its unvisited list, the records API (first page, and filtered
by period and kind), the visit-rate API, the records page (first page, and filtered), the log page, the visits page
and the records export of one month; prints seconds (median of 5) and queries.
"""

import argparse
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import analyze, id_number, maqiao_station, page_client, repeat, report, setup_django  # noqa: E402

BENEFICIARIES = 2_000
KEY_TARGETS = 300
DAYS = 730  # records cover the two years up to today
KINDS = {"visit": 40, "group": 10, "community": 12, "case": 10, "consultation": 15, "training": 5, "referral": 4}


def months_before(today: date, count: int) -> list[date]:
    """The first days of today's month and the ``count - 1`` before it, oldest first."""
    starts, year, month = [], today.year, today.month
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def build(records: int, today: date):
    """One station with staff, volunteers, projects, beneficiaries and ``records`` service records, in bulk."""
    from accounts.choices import Role
    from accounts.models import User
    from services.models import Beneficiary, Project, ServiceRecord, ServiceVolunteer, TargetGroup
    from staffing.models import StaffMember, Volunteer, VolunteerHours

    rng = random.Random(11)
    station, communities = maqiao_station()

    staff = StaffMember.objects.bulk_create(
        StaffMember(
            station=station,
            name=f"社工{n}",
            gender="female",
            id_number=id_number(n, 1990),
            role="deputy" if n == 0 else "full_time",
            hired_on=date(2021, 3, 1),
        )
        for n in range(8)
    )
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(station=station, name=f"志愿者{n}", id_number=id_number(n, 1970), registered_on=date(2022, 1, 1))
        for n in range(40)
    )
    groups = list(TargetGroup.objects.all()) or [TargetGroup.objects.create(code="other", name="其他")]
    people = Beneficiary.objects.bulk_create(
        Beneficiary(
            station=station,
            name=f"对象{n}",
            id_number=id_number(n, 1940 + n // 1000),
            gender="female" if n % 2 else "male",
            birth_date=date(1940 + n // 1000, 1 + n % 12, 1 + n % 28),
            community=communities[n % len(communities)],
            key_target=n < KEY_TARGETS,
            registered_on=date(2023, 1, 1),
        )
        for n in range(BENEFICIARIES)
    )
    Beneficiary.target_groups.through.objects.bulk_create(
        Beneficiary.target_groups.through(beneficiary_id=person.pk, targetgroup_id=groups[n % len(groups)].pk)
        for n, person in enumerate(people)
    )
    projects = {
        year: Project.objects.bulk_create(
            Project(station=station, year=year, name=f"{year}项目{n}", category="optional", stage="implementation")
            for n in range(7)
        )
        for year in (today.year - 2, today.year - 1, today.year)
    }
    manager = User.objects.create_user("manager", password="x", role=Role.STATION_MANAGER, station=station)

    # Every month, 90 % of the key targets are visited, one visit record each; the rest are any kind.
    plans = []
    for start in months_before(today, DAYS // 30):
        end = min((start + timedelta(days=31)).replace(day=1) - timedelta(days=1), today)
        for person in people[:KEY_TARGETS]:
            if rng.random() < 0.9:
                plans.append((start + timedelta(days=rng.randint(0, (end - start).days)), "visit", [person]))
    kinds = rng.choices(list(KINDS), weights=list(KINDS.values()), k=max(records - len(plans), 0))
    for kind in kinds:
        named = rng.sample(people, {"visit": 1, "group": 8, "community": 2}.get(kind, 1) if rng.random() < 0.8 else 0)
        plans.append((today - timedelta(days=rng.randint(0, DAYS - 1)), kind, named))
    rows = [
        ServiceRecord(
            station=station,
            project=rng.choice(projects[on.year]) if rng.random() < 0.6 else None,
            date=on,
            kind=kind,
            headcount=0 if named else rng.randint(5, 60),
            duration_minutes=rng.choice([30, 45, 60, 90, 120]),
            place="服务对象家中" if kind == "visit" else "社工站活动室",
            summary=f"{kind}服务记录，内容摘要。",
            created_by=manager if rng.random() < 0.3 else None,
        )
        for on, kind, named in plans
    ]
    ServiceRecord.objects.bulk_create(rows, batch_size=5000)
    ServiceRecord.beneficiaries.through.objects.bulk_create(
        (
            ServiceRecord.beneficiaries.through(servicerecord_id=row.pk, beneficiary_id=person.pk)
            for row, (_on, _kind, named) in zip(rows, plans, strict=True)
            for person in named
        ),
        batch_size=10000,
    )
    ServiceRecord.staff.through.objects.bulk_create(
        (
            ServiceRecord.staff.through(servicerecord_id=row.pk, staffmember_id=member.pk)
            for row in rows
            for member in rng.sample(staff, rng.choice([1, 1, 2]))
        ),
        batch_size=10000,
    )
    # One record in twenty had a volunteer, whose hours are on their record.
    helped = [(row, rng.choice(volunteers)) for row in rows[::20]]
    hours = VolunteerHours.objects.bulk_create(
        (VolunteerHours(volunteer=v, date=row.date, hours=Decimal("2"), activity="服务") for row, v in helped),
        batch_size=5000,
    )
    ServiceVolunteer.objects.bulk_create(
        (
            ServiceVolunteer(record=row, volunteer=v, hours=Decimal("2"), hours_record=h)
            for (row, v), h in zip(helped, hours, strict=True)
        ),
        batch_size=5000,
    )
    return station, manager


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()
    today = date.today()
    station, manager = build(args.records, today)
    analyze()

    from rest_framework.test import APIClient

    from services.models import ServiceRecord
    from services.rules import unvisited_key_targets, visit_rate

    last_month = months_before(today, 2)[0]
    month = f"{last_month:%Y-%m}"
    month_end = (last_month + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    period = f"date_after={last_month:%Y-%m-%d}&date_before={month_end:%Y-%m-%d}"
    api = APIClient()
    api.force_authenticate(manager)
    pages = page_client(manager)
    pk = station.pk

    def get(client, url: str):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    rows = []
    repeat(f"visit_rate, {month}", rows, lambda: visit_rate(station=station, month=month))
    repeat(f"unvisited_key_targets, {month}", rows, lambda: list(unvisited_key_targets(station=station, month=month)))
    repeat("API service-records, first page", rows, lambda: get(api, f"/api/v1/service-records/?station={pk}"))
    repeat(
        "API service-records, one month of visits",
        rows,
        lambda: get(api, f"/api/v1/service-records/?station={pk}&{period}&kind=visit"),
    )
    repeat("API visit-rate", rows, lambda: get(api, f"/api/v1/stations/{pk}/visit-rate/?month={month}"))
    repeat("records page, first page", rows, lambda: get(pages, f"/services/stations/{pk}/records/"))
    repeat(
        "records page, one month of visits",
        rows,
        lambda: get(pages, f"/services/stations/{pk}/records/?{period}&kind=visit"),
    )
    repeat("log page", rows, lambda: get(pages, f"/services/stations/{pk}/log/"))
    repeat("visits page", rows, lambda: get(pages, f"/services/stations/{pk}/visits/"))
    repeat(
        "records export (.xlsx), one month",
        rows,
        lambda: get(pages, f"/services/stations/{pk}/records/export/?{period}"),
    )
    total = ServiceRecord.objects.filter(station=station).count()
    report(f"Service records of one station: {total} records, {BENEFICIARIES} beneficiaries", rows)


if __name__ == "__main__":
    main()
