"""The rollups at a province's scale: 1,360 stations and a year of service records (1,000,000 by default).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_rollups .venv/bin/python bench/rollups.py [--records N]

Loads with PostgreSQL COPY a province (11 cities, 90 counties, 1,360 townships each with an operating station),
50 beneficiaries a station (10 key targets), the records of the 12 months up to today with their named people,
volunteer hours and expenditures; then times the filling of the rollups (12 months), the nightly repair of the
last month and of 3 months, ``dashboard_figures`` of the province and of a township (month and year),
``children_figures`` of the province (p50 and p95 over 50 runs, with queries), and the update for one new service
record and for one new payment (the rule function with its mark, and the refresh of the station-month it marked,
p50 and p95 over 40 of each).
"""

import argparse
import io
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import analyze, report, setup_django, stopwatch  # noqa: E402

CITIES, COUNTIES_PER_CITY, STATIONS = 11, 8, 1360
PEOPLE, KEY_TARGETS, VOLUNTEERS = 50, 10, 5
KINDS = ["visit"] * 4 + ["group", "community", "case", "consultation", "training", "referral", "other"]


def build_regions():
    """A province, its cities, counties and 1,360 townships with one operating station each; returns stations."""
    from stations.models import Region, Station

    province = Region.objects.create(name="浙江省", code="330000000000", level="province")
    cities = [
        Region.objects.create(name=f"市{c}", code=f"33{c + 1:02d}00000000", level="city", parent=province)
        for c in range(CITIES)
    ]
    counties = [
        Region.objects.create(name=f"县{c}-{n}", code=f"33{c + 1:02d}{n + 1:02d}000000", level="county", parent=city)
        for c, city in enumerate(cities)
        for n in range(COUNTIES_PER_CITY)
    ]
    townships = []
    for t in range(STATIONS):
        county = counties[t % len(counties)]
        code = f"{county.code[:6]}{t // len(counties) + 1:03d}000"
        townships.append(
            Region(name=f"镇{t}", code=code, level="township", parent=county, path=f"{county.path}{code}/")
        )
    Region.objects.bulk_create(townships)
    return Station.objects.bulk_create(
        Station(
            township=township,
            name=f"{township.name}社会工作站",
            address="某路1号",
            site_area_m2=600,
            opened_on=date(2021, 3, 1),
            status="operating",
        )
        for township in townships
    )


def copy(table: str, columns: str, buffer: io.StringIO) -> None:
    from django.db import connection

    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def build_people(stations, rng):
    """Beneficiaries (key targets first) and volunteers of every station; returns their ids by station."""
    from bench.harness import id_number
    from services.models import Beneficiary
    from staffing.models import Volunteer

    people = Beneficiary.objects.bulk_create(
        (
            Beneficiary(
                station=station,
                name=f"对象{n}",
                id_number=id_number(n, 1940 + n % 50),
                gender="female",
                birth_date=date(1940 + n % 50, 1 + n % 12, 1 + n % 28),
                key_target=n < KEY_TARGETS,
                registered_on=date(2023, 1, 1),
            )
            for station in stations
            for n in range(PEOPLE)
        ),
        batch_size=5000,
    )
    helpers = Volunteer.objects.bulk_create(
        (
            Volunteer(station=station, name=f"志愿者{n}", id_number=id_number(n, 1970), registered_on=date(2022, 1, 1))
            for station in stations
            for n in range(VOLUNTEERS)
        ),
        batch_size=5000,
    )
    by_station, volunteers_of = {}, {}
    for person in people:
        by_station.setdefault(person.station_id, []).append(person.pk)
    for helper in helpers:
        volunteers_of.setdefault(helper.station_id, []).append(helper.pk)
    return by_station, volunteers_of


def build_records(stations, people, volunteers, *, records: int, today: date, rng) -> None:
    """``records`` service records over the 365 days up to today, 40% naming 1-2 people; volunteer hours and
    expenditures (about a tenth as many each). All with COPY."""
    from funding.models import Expenditure
    from services.models import ServiceRecord
    from staffing.models import VolunteerHours

    days = [(today - timedelta(days=d)).isoformat() for d in range(365)]
    rows, named, hours, spent = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
    now = "2026-01-01 00:00:00+08"
    link = 0
    for record_id in range(1, records + 1):
        station = stations[record_id % len(stations)]
        day = rng.choice(days)
        persons = rng.sample(people[station.pk], rng.choice((0, 0, 0, 1, 2))) if rng.random() < 0.7 else []
        headcount = 0 if persons else rng.randrange(1, 30)
        rows.write(
            f"{record_id}\t{station.pk}\t{day}\t{rng.choice(KINDS)}\t{headcount}\t{rng.randrange(15, 180)}\t\t\t{now}\n"
        )
        for person in persons:
            link += 1
            named.write(f"{link}\t{record_id}\t{person}\n")
        if record_id % 10 == 0:
            hours.write(
                f"{record_id // 10}\t{rng.choice(volunteers[station.pk])}\t{day}\t{rng.randrange(5, 40) / 10}\t服务\n"
            )
            fen = rng.randrange(1000, 200000)
            line = rng.choice(("personnel", "activities", "management", "other"))
            source = rng.choice(("city_fiscal", "township_fiscal", "welfare_lottery"))
            spent.write(
                f"{record_id // 10}\t{station.pk}\t{day}\t{line}\t{source}\t{fen // 100}.{fen % 100:02d}\t某商行\t物资\t\t\t\t\\N\t\\N\t{now}\t{now}\n"
            )
    copy(
        ServiceRecord._meta.db_table,
        "id, station_id, date, kind, headcount, duration_minutes, place, summary, created_at",
        rows,
    )
    copy(ServiceRecord.beneficiaries.through._meta.db_table, "id, servicerecord_id, beneficiary_id", named)
    copy(VolunteerHours._meta.db_table, "id, volunteer_id, date, hours, activity", hours)
    copy(
        Expenditure._meta.db_table,
        "id, station_id, date, line, source, amount, payee, description, voucher, voucher_name, voucher_type, "
        "voucher_size, created_by_id, created_at, updated_at",
        spent,
    )


def percentiles(label: str, action, runs: int = 50) -> tuple:
    """p50 and p95 in ms of ``action`` over ``runs`` (after one warm-up), and its queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    action()
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            action()
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return label, statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    from django.utils import timezone

    from config.periods import MONTH, YEAR, period_of
    from funding.models import Budget, BudgetLineAmount
    from funding.rules.expenditures import expenditure_create
    from reports.models import RollupDirty, StationMonth
    from reports.rollups.figures import children_figures, dashboard_figures
    from reports.rollups.refresh import rollups_refresh, rollups_repair
    from services.models import Beneficiary
    from services.rules import service_record_create
    from stations.models import Region

    rng = random.Random(11)
    today = timezone.localdate()
    rows: list = []
    with stopwatch("load: regions, stations, people (bulk)", rows):
        stations = build_regions()
        people, volunteers = build_people(stations, rng)
    with stopwatch(f"load: {args.records:,} records + links, hours, spending (COPY)", rows):
        build_records(stations, people, volunteers, records=args.records, today=today, rng=rng)
        analyze()
    with stopwatch("fill the rollups: 12 months x 1,360 stations", rows):
        rollups_repair(months=12, log=False)
        analyze()
    with stopwatch("nightly repair, last month (nothing to repair)", rows):
        rollups_repair(months=1)
    with stopwatch("nightly repair, last 3 months (nothing to repair)", rows):
        rollups_repair(months=3)
    report(f"Rollups: {StationMonth.objects.count():,} station-months", rows)

    province = Region.objects.get(level="province")
    township = Region.objects.filter(level="township").order_by("pk")[500]
    month, year = period_of(today, MONTH), period_of(today, YEAR)
    timed = [
        percentiles(
            "dashboard_figures province, month", lambda: dashboard_figures(stations_or_region=province, period=month)
        ),
        percentiles(
            "dashboard_figures province, year", lambda: dashboard_figures(stations_or_region=province, period=year)
        ),
        percentiles(
            "dashboard_figures township, month", lambda: dashboard_figures(stations_or_region=township, period=month)
        ),
        percentiles(
            "dashboard_figures township, year", lambda: dashboard_figures(stations_or_region=township, period=year)
        ),
        percentiles(
            "children_figures province (11 cities), year", lambda: children_figures(region=province, period=year)
        ),
        percentiles("children_figures county, month", lambda: children_figures(region=township.parent, period=month)),
    ]
    station = stations[500]
    from accounts.models import User

    user = User.objects.create(username="bench", role="station_manager", station=station)
    people_of = list(Beneficiary.objects.filter(station=station).order_by("pk")[:2])

    def new_record(n: int):
        return service_record_create(
            station=station,
            user=user,
            date=today,
            kind="case",
            duration_minutes=30,
            headcount=n + 1,
            beneficiaries=people_of if n % 2 else (),
        )

    budget = Budget.objects.create(station=station, year=today.year, status="approved", version=1)
    BudgetLineAmount.objects.create(budget=budget, line="activities", amount=Decimal("500000"))

    def new_payment(n: int):
        return expenditure_create(
            station=station,
            user=user,
            date=today,
            line="activities",
            source="city_fiscal",
            amount=Decimal(n + 1),
            payee="某商行",
            description="物资",
        )

    timed += write_and_refresh("one new record", new_record, rollups_refresh)
    timed += write_and_refresh("one new payment", new_payment, rollups_refresh)
    assert not RollupDirty.objects.exists()
    print(f"\n  {'measure':52}  {'p50 ms':>8}  {'p95 ms':>8}  {'queries':>7}")
    for label, p50, p95, queries in timed:
        print(f"  {label:52}  {p50:8.1f}  {p95:8.1f}  {queries:7d}")


def write_and_refresh(label: str, write, refresh, runs: int = 40) -> list[tuple]:
    """p50 and p95 in ms (and the queries of the last run) of ``write`` (the rule function that marks, in its
    transaction) and of the refresh of the one station-month it marked, over ``runs``: half the records name two
    people (the quarter's and the year's distinct people are recomputed), half give a headcount."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    writes, refreshes = [], []
    for n in range(runs):
        with CaptureQueriesContext(connection) as wrote:
            started = time.perf_counter()
            with transaction.atomic():
                write(n)
            writes.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as refreshed:
            started = time.perf_counter()
            assert refresh() == 1
            refreshes.append((time.perf_counter() - started) * 1000)
    writes.sort()
    refreshes.sort()
    p95 = int(runs * 0.95) - 1
    return [
        (f"{label}: the rule function with its mark", statistics.median(writes), writes[p95], len(wrote)),
        (f"{label}: refresh of its station-month", statistics.median(refreshes), refreshes[p95], len(refreshed)),
    ]


if __name__ == "__main__":
    main()
