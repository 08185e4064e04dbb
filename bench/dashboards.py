"""The dashboards at national scale: 40,000 townships, 2,000,000 beneficiaries, 10,000,000 service records a year.

    .venv/bin/python bench/dashboards.py load --records 1000000     # recreate portal_bench, load the nation (COPY)
    .venv/bin/python bench/dashboards.py rollups                    # full rebuild, nightly repair, one new record
    .venv/bin/python bench/dashboards.py measure --label 1M         # 200 dashboard requests per level and period
    .venv/bin/python bench/dashboards.py grow --records 10000000    # add records up to that total (same people)
    .venv/bin/python bench/dashboards.py rollups && ... measure --label 10M
    .venv/bin/python bench/dashboards.py ratio                      # p95 at 10M against p95 at 1M, per level
    .venv/bin/python bench/dashboards.py all                        # the whole sequence above

``load`` builds with PostgreSQL COPY (from generated streams, foreign-key triggers off, secondary indexes dropped
and rebuilt) 31 provinces, ~340 cities, ~2,800 counties and ~40,000 townships of uneven sizes, each township with
an operating station, ~6 staff and ~30 volunteers a station (the staffing standard passes or fails by station),
a rated operator's contract, a site area, 50 beneficiaries a station (10 key targets), the records of the 365 days
up to today with ~0.4 named people each, a tenth as many volunteer hours and expenditures, each station's approved
budget of both years and a published annual result of the current year (the dashboards' grades). Then officials:
an administrator (the nation), a province's, a city's and a county's official and a township official.

``measure`` asks the dashboard API (``api:dashboard``; until it exists, ``reports.dashboard.dashboard`` with
``figures_data`` of every child, as the API will) 200 times per level for the current month and the current year,
and prints p50, p95 and queries; its figures go to ``--results`` so ``ratio`` can compare 10M with 1M records.
Uses ``BENCH_DATABASE_URL`` (default portal_bench); ``load`` drops and recreates it, the others reuse it.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import analyze, id_number, setup_django  # noqa: E402

PROVINCES, CITIES, COUNTIES, TOWNSHIPS = 31, 340, 2800, 40_000
PEOPLE, KEY_TARGETS = 50, 10
KINDS = ["visit"] * 4 + ["group", "community", "case", "consultation", "training", "referral", "other"]
LINES = ["personnel"] * 6 + ["activities"] * 3 + ["management", "other"]
SOURCES = ["city_fiscal", "township_fiscal", "welfare_lottery", "social_assistance", "donations"]
RESULTS = Path(tempfile.gettempdir()) / "bench_dashboards.json"
NOW = "2026-01-01 00:00:00+08"
CHUNK = 20_000  # lines per piece handed to COPY


# --- COPY ---------------------------------------------------------------------------------------------------


class Stream:
    """A file-like object over an iterable of text lines, read by ``copy_expert`` piece by piece, so a COPY of
    ten million rows never holds them in memory."""

    def __init__(self, lines):
        self.lines = iter(lines)
        self.buffer = ""

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self.buffer) < size:
            piece = "".join(line for _n, line in zip(range(CHUNK), self.lines, strict=False))
            if not piece:
                break
            self.buffer += piece
        if size < 0:
            size = len(self.buffer)
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out

    readline = read


def copy(table: str, columns: str, lines) -> None:
    """COPY ``lines`` into ``table`` with foreign-key triggers off (the ids are generated consistent), then move
    the id sequence past the rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN", lines if hasattr(lines, "read") else Stream(lines)
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
        )


class IndexesOff:
    """Drop the secondary indexes of ``tables`` (those no constraint owns) for a bulk load; rebuild them after."""

    def __init__(self, *tables: str):
        self.tables = tables
        self.definitions: list[tuple[str, str]] = []

    def __enter__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [list(self.tables)],
            )
            self.definitions = cursor.fetchall()
            for name, _definition in self.definitions:
                cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in self.definitions:
                cursor.execute(definition)
        return False


# --- the nation -------------------------------------------------------------------------------------------


def split(total: int, parts: int, rng: random.Random, spread: float = 0.6) -> list[int]:
    """``total`` in ``parts`` uneven positive parts (each within 1 +- ``spread`` of the mean), summing exactly."""
    weights = [1 + rng.uniform(-spread, spread) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    for n in range(total - sum(sizes)):
        sizes[n % parts] += 1
    while sum(sizes) > total:
        biggest = sizes.index(max(sizes))
        sizes[biggest] -= 1
    return sizes


def build_regions(rng: random.Random) -> list[tuple[int, int]]:
    """31 provinces, 340 cities, 2,800 counties, 40,000 townships (uneven), with explicit ids, codes and paths.
    Returns ``[(township id, township code)]`` in id order."""
    rows, townships = [], []
    next_id = iter(range(1, 10**7))
    cities_of = split(CITIES, PROVINCES, rng)
    counties_of = split(COUNTIES, CITIES, rng)
    townships_of = split(TOWNSHIPS, COUNTIES, rng)
    city_n = county_n = 0
    for p in range(PROVINCES):
        pid, pcode = next(next_id), f"{11 + p:02d}0000000000"
        ppath = f"{pcode}/"
        rows.append(f"{pid}\t省{p + 1}\t{pcode}\tprovince\t{ppath}\t\\N\n")
        for c in range(cities_of[p]):
            cid, ccode = next(next_id), f"{11 + p:02d}{c + 1:02d}00000000"
            cpath = f"{ppath}{ccode}/"
            rows.append(f"{cid}\t省{p + 1}市{c + 1}\t{ccode}\tcity\t{cpath}\t{pid}\n")
            for k in range(counties_of[city_n]):
                kid, kcode = next(next_id), f"{ccode[:4]}{k + 1:02d}000000"
                kpath = f"{cpath}{kcode}/"
                rows.append(f"{kid}\t省{p + 1}市{c + 1}县{k + 1}\t{kcode}\tcounty\t{kpath}\t{cid}\n")
                for t in range(townships_of[county_n]):
                    tid, tcode = next(next_id), f"{kcode[:6]}{t + 1:03d}000"
                    rows.append(f"{tid}\t{kid}镇{t + 1}\t{tcode}\ttownship\t{kpath}{tcode}/\t{kid}\n")
                    townships.append((tid, tcode))
                county_n += 1
            city_n += 1
    copy("stations_region", "id, name, code, level, path, parent_id", rows)
    return townships


def build_stations(townships, rng: random.Random) -> dict:
    """A station per township (id = its index + 1), its operator's contract, staff and volunteers.

    The staffing standard (6 full-time, 4 certified, 30 volunteers, half professional, a 3A operator, 500 m2)
    passes at about half the stations and fails at the others on one rule or several. Returns the volunteers'
    first id and count per station, for the hours."""
    copy(
        "stations_station",
        "id, name, address, site_area_m2, opened_on, status, created_at, updated_at, township_id",
        (
            f"{n}\t镇{n}社会工作站\t某路1号\t{rng.choice((450, 600, 600, 800))}\t2021-03-01\toperating\t{NOW}\t{NOW}\t{tid}\n"
            for n, (tid, _code) in enumerate(townships, start=1)
        ),
    )
    copy(
        "stations_organization",
        "id, name, kind, credit_code, registration_level, rating, legal_representative, phone, address",
        (
            f"{n}\t运营机构{n}\toperator\t{n:018d}\tcounty\t{rng.choice((2, 3, 4, 4, 5))}\t张三\t\t\n"
            for n in range(1, 2001)
        ),
    )
    copy(
        "stations_operatingcontract",
        "id, start_on, end_on, amount, procurement_method, operator_id, station_id",
        (
            f"{n}\t2025-01-01\t2026-12-31\t600000.00\tpublic_tender\t{1 + n % 2000}\t{n}\n"
            for n in range(1, len(townships) + 1)
        ),
    )

    def staff():
        pk = 0
        for station in range(1, len(townships) + 1):
            full_time = rng.choice((5, 6, 6, 7, 8))
            certified = rng.choice((3, 4, 4, 5, 6))
            for n in range(full_time + 1):  # the head is the township official's post, not full-time
                pk += 1
                role = "head" if n == 0 else ("deputy" if n == 1 else "full_time")
                cert = "intermediate" if 0 < n <= certified else "none"
                salary = rng.randrange(70_000, 140_000)
                yield (
                    f"{pk}\t社工{n}\tfemale\t\t{id_number(n, 1990)}\t{role}\toperator\tbachelor\t"
                    f"{'t' if n % 2 else 'f'}\t{cert}\t2021-03-01\t\\N\tt\t{salary}.00\t{station}\t\\N\tsg\tshegong\n"
                )

    copy(
        "staffing_staffmember",
        "id, name, gender, phone, id_number, role, employer, education, major_social_work, certification, "
        "hired_on, left_on, labour_contract, annual_salary, station_id, user_id, name_initials, name_pinyin",
        staff(),
    )
    volunteers, first = {}, 1
    for station in range(1, len(townships) + 1):
        volunteers[station] = (first, rng.randrange(22, 40))
        first += volunteers[station][1]
    copy(
        "staffing_volunteer",
        "id, name, phone, id_number, skills, registered_on, left_on, station_id, name_initials, name_pinyin",
        (
            f"{start + n}\t志愿者{n}\t\t{id_number(n, 1970)}\t\t2022-01-01\t\\N\t{station}\tzyz\tzhiyuanzhe\n"
            for station, (start, count) in volunteers.items()
            for n in range(count)
        ),
    )
    return volunteers


def build_people(stations: int) -> None:
    """50 beneficiaries a station, the first 10 key targets; beneficiary ``(s - 1) * 50 + n + 1`` of station s."""
    copy(
        "services_beneficiary",
        "id, name, id_number, gender, birth_date, phone, address, key_target, notes, registered_on, active, "
        "station_id, name_initials, name_pinyin",
        (
            f"{(station - 1) * PEOPLE + n + 1}\t对象{n}\t{id_number(n, 1940 + n % 50)}\t"
            f"{'female' if n % 2 else 'male'}\t{1940 + n % 50}-{1 + n % 12:02d}-{1 + n % 28:02d}\t\t\t"
            f"{'t' if n < KEY_TARGETS else 'f'}\t\t2023-01-01\tt\t{station}\tdx\tduixiang\n"
            for station in range(1, stations + 1)
            for n in range(PEOPLE)
        ),
    )


def build_budgets_and_results(stations: int, year: int, rng: random.Random) -> None:
    """An approved budget of ``year - 1`` and ``year`` for every station (four lines), and the published annual
    result of ``year`` with grades mixed."""
    from django.utils import timezone

    from evaluation.models import Assignment, Evaluation, ScorecardTemplate
    from stations.models import Organization
    from tests.factories import valid_credit_code

    budgets = [(station, y) for station in range(1, stations + 1) for y in (year - 1, year)]
    copy(
        "funding_budget",
        "id, year, version, status, note, return_reason, created_at, updated_at, station_id",
        (f"{n}\t{y}\t1\tapproved\t\t\t{NOW}\t{NOW}\t{station}\n" for n, (station, y) in enumerate(budgets, start=1)),
    )
    shares = (("personnel", 60), ("activities", 25), ("management", 10), ("other", 5))
    copy(
        "funding_budgetlineamount",
        "id, line, amount, budget_id",
        (
            f"{(n - 1) * 4 + k + 1}\t{line}\t{rng.randrange(3000, 9000) * share}.00\t{n}\n"
            for n in range(1, len(budgets) + 1)
            for k, (line, share) in enumerate(shares)
        ),
    )
    agency = Organization.objects.create(
        name="评估机构", kind="evaluation_agency", credit_code=valid_credit_code(2), rating=4
    )
    template = ScorecardTemplate.objects.get(code="station-evaluation", version=1)
    assignment = Assignment.objects.create(
        agency=agency,
        year=year,
        stage="annual",
        template=template,
        starts_on=date(year, 11, 1),
        ends_on=date(year + 1, 3, 31),
    )
    grades = (("95.0", "excellent", 5), ("85.0", "good", 3), ("70.0", "pass", 2), ("50.0", "fail", 0))
    published = timezone.now()
    Evaluation.objects.bulk_create(
        (
            Evaluation(
                assignment=assignment,
                station_id=station,
                template=template,
                year=year,
                stage="annual",
                status="published",
                total=total,
                grade=grade,
                stars=stars,
                published_at=published,
            )
            for station in range(1, stations + 1)
            for total, grade, stars in [rng.choices(grades, weights=(25, 45, 25, 5))[0]]
        ),
        batch_size=5000,
    )


def build_records(*, stations: int, volunteers: dict, first: int, last: int, today: date, seed: int) -> None:
    """Service records ``first`` to ``last`` (ids) over the 365 days up to today, at random stations; 70 % name
    0-2 of the station's people (about 0.4 a record). Every tenth record has a volunteer's hours and an
    expenditure. The records stream into COPY; links, hours and spending go to temporary files COPYed after."""
    rng = random.Random(seed)
    days = [(today - timedelta(days=d)).isoformat() for d in range(365)]
    with tempfile.TemporaryDirectory() as folder:
        files = {name: open(os.path.join(folder, name), "w+") for name in ("links", "hours", "spent")}
        link = link_first()

        def records():
            nonlocal link
            links, hours, spent = files["links"], files["hours"], files["spent"]
            for pk in range(first, last + 1):
                station = rng.randrange(1, stations + 1)
                day = days[rng.randrange(365)]
                named = rng.choice((0, 0, 0, 0, 0, 1, 1, 1, 2, 2))
                kind = KINDS[rng.randrange(11)]
                for person in rng.sample(range(PEOPLE), named) if named else ():
                    link += 1
                    links.write(f"{link}\t{pk}\t{(station - 1) * PEOPLE + person + 1}\n")
                if pk % 10 == 0:
                    start, count = volunteers[station]
                    hours.write(
                        f"{pk // 10}\t{start + rng.randrange(count)}\t{day}\t{rng.randrange(5, 40) / 10}\t服务\n"
                    )
                    fen = rng.randrange(1000, 200000)
                    spent.write(
                        f"{pk // 10}\t{station}\t{day}\t{LINES[rng.randrange(11)]}\t{SOURCES[rng.randrange(5)]}\t"
                        f"{fen // 100}.{fen % 100:02d}\t某商行\t物资\t\t\t\t\\N\t\\N\t{NOW}\t{NOW}\n"
                    )
                yield (
                    f"{pk}\t{station}\t{day}\t{kind}\t{0 if named else rng.randrange(1, 30)}\t"
                    f"{rng.randrange(15, 180)}\t\t\t{NOW}\n"
                )

        copy(
            "services_servicerecord",
            "id, station_id, date, kind, headcount, duration_minutes, place, summary, created_at",
            records(),
        )
        for handle in files.values():
            handle.seek(0)
        copy("services_servicerecord_beneficiaries", "id, servicerecord_id, beneficiary_id", files["links"])
        copy("staffing_volunteerhours", "id, volunteer_id, date, hours, activity", files["hours"])
        copy(
            "funding_expenditure",
            "id, station_id, date, line, source, amount, payee, description, voucher, voucher_name, voucher_type, "
            "voucher_size, created_by_id, created_at, updated_at",
            files["spent"],
        )
        for handle in files.values():
            handle.close()


def link_first() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM services_servicerecord_beneficiaries")
        return cursor.fetchone()[0]


RECORD_TABLES = (
    "services_servicerecord",
    "services_servicerecord_beneficiaries",
    "staffing_volunteerhours",
    "funding_expenditure",
)


def build_users() -> None:
    """The officials measured: the administrator, and one official of the largest province, city and county and
    of a township of that county."""
    from django.db.models import Count

    from accounts.models import User
    from stations.models import Region

    def largest(level: str, parent=None):
        below = Region.objects.filter(level=level, parent=parent) if parent else Region.objects.filter(level=level)
        townships = Region.objects.filter(level="township")
        counts = {
            region.pk: townships.filter(path__startswith=region.path).count() for region in below.order_by("path")
        }
        return Region.objects.get(pk=max(counts, key=counts.get))

    province = largest("province")
    city = largest("city", province)
    county = Region.objects.filter(parent=city).annotate(n=Count("children")).order_by("-n", "path").first()
    township = Region.objects.filter(parent=county).order_by("path").first()
    User.objects.create(username="bench-admin", role="admin", is_staff=True)
    for name, role, region in (
        ("bench-province", "city_official", province),
        ("bench-city", "city_official", city),
        ("bench-county", "city_official", county),
        ("bench-township", "township_official", township),
    ):
        User.objects.create(username=name, role=role, region=region)


def load(args) -> None:
    setup_django()
    rng = random.Random(40_000)
    today = date.today()
    started = time.perf_counter()
    townships = build_regions(rng)
    volunteers = build_stations(townships, rng)
    build_people(len(townships))
    build_budgets_and_results(len(townships), today.year, rng)
    print(f"  nation, stations, staff, volunteers, people, budgets, results: {time.perf_counter() - started:.0f} s")
    records_add(volunteers, stations=len(townships), total=args.records, today=today)
    build_users()
    print(f"Loaded in {time.perf_counter() - started:.0f} s")


def volunteers_of() -> dict:
    from django.db.models import Count, Min

    from staffing.models import Volunteer

    return {
        row["station_id"]: (row["first"], row["n"])
        for row in Volunteer.objects.order_by().values("station_id").annotate(first=Min("pk"), n=Count("pk"))
    }


def records_add(volunteers: dict, *, stations: int, total: int, today: date) -> None:
    """Add service records (with links, hours, spending) until there are ``total``; indexes off meanwhile."""
    from services.models import ServiceRecord

    have = ServiceRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if total <= have:
        print(f"  {have:,} records already")
        return
    started = time.perf_counter()
    with IndexesOff(*RECORD_TABLES):
        build_records(stations=stations, volunteers=volunteers, first=have + 1, last=total, today=today, seed=have)
        loaded = time.perf_counter()
    print(
        f"  records {have + 1:,}-{total:,}: COPY {loaded - started:.0f} s, indexes {time.perf_counter() - loaded:.0f} s"
    )
    analyze()


def grow(args) -> None:
    setup_django(fresh=False)
    from stations.models import Station

    records_add(volunteers_of(), stations=Station.objects.count(), total=args.records, today=date.today())


def sizes() -> dict:
    """Row counts and the database's size."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in (
            "stations_region",
            "stations_station",
            "staffing_staffmember",
            "staffing_volunteer",
            "services_beneficiary",
            *RECORD_TABLES,
            "reports_stationmonth",
            "reports_stationperiod",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts["database size"] = cursor.fetchone()[0]
    return counts


# --- the rollups ------------------------------------------------------------------------------------------


def rollups(args) -> None:
    """Time the full rebuild (13 months: the 365 days up to today), the repair of one whole month over every
    station (the nightly work for 10M / 12 records), the nightly task itself (3 months), and the update for one
    new record (the rule function with its mark, then the refresh of its station-month)."""
    setup_django(fresh=False)
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import User
    from reports.models import RollupDirty
    from reports.rollups.refresh import CHUNK as STATIONS_CHUNK
    from reports.rollups.refresh import rollups_refresh, rollups_repair, stations_refresh
    from services.models import ServiceRecord
    from services.rules import service_record_create
    from stations.models import Station

    today = date.today()
    records = ServiceRecord.objects.count()
    timed = []
    if not args.skip_rebuild:
        started = time.perf_counter()
        call_command("rollups_rebuild", months=13)
        timed.append(("full rebuild: rollups_rebuild --months 13", time.perf_counter() - started))
        analyze()
    if args.only_rebuild:
        print(f"\nRollups at {records:,} records: {timed[0][0]} {timed[0][1]:.1f} s")
        return
    if not args.skip_nightly:
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        in_month = ServiceRecord.objects.filter(date__gte=last_month, date__lt=today.replace(day=1)).count()
        ids = list(Station.objects.order_by("pk").values_list("pk", flat=True))
        started = time.perf_counter()
        for start in range(0, len(ids), STATIONS_CHUNK):
            stations_refresh(ids[start : start + STATIONS_CHUNK], [last_month], today=today, regions=False)
        timed.append(
            (f"recompute of {last_month:%Y-%m} ({in_month:,} records), every station", time.perf_counter() - started)
        )
        started = time.perf_counter()
        differences = rollups_repair(months=1)
        timed.append((f"rollups_repair(months=1): {len(differences)} differences", time.perf_counter() - started))
        started = time.perf_counter()
        differences = rollups_repair(months=3)
        timed.append(
            (f"nightly rollups_repair(months=3): {len(differences)} differences", time.perf_counter() - started)
        )

    print(f"\nRollups at {records:,} records")
    for label, seconds in timed:
        print(f"  {label:64}  {seconds:8.1f} s", flush=True)
    RollupDirty.objects.all().delete()  # marks an earlier run left: the loop below counts its own
    station = Station.objects.order_by("pk")[Station.objects.count() // 2]
    user = User.objects.create(username=f"bench-manager-{time.time_ns()}", role="station_manager", station=station)
    marks, refreshes, both = [], [], []
    for n in range(30):
        started = time.perf_counter()
        with transaction.atomic():
            service_record_create(
                station=station, user=user, date=today, kind="case", duration_minutes=30, headcount=n + 1
            )
        marked = time.perf_counter()
        assert rollups_refresh() == 1 and not RollupDirty.objects.exists()
        done = time.perf_counter()
        marks.append((marked - started) * 1000)
        refreshes.append((done - marked) * 1000)
        both.append((done - started) * 1000)
    print(f"  {'one new record (30 runs)':64}  {'p50 ms':>8}  {'p95 ms':>8}")
    for label, values in (
        ("service_record_create with its mark", marks),
        ("rollups_refresh of its station-month", refreshes),
        ("together (the update for one new record)", both),
    ):
        values.sort()
        print(f"  {label:64}  {statistics.median(values):8.1f}  {values[int(len(values) * 0.95) - 1]:8.1f}")
    print(f"\n  {json.dumps(sizes(), ensure_ascii=False)}")


# --- the dashboards ---------------------------------------------------------------------------------------

LEVELS = ("nation", "province", "city", "county", "township")


def requester(user, via: str = "api"):
    """A function answering the dashboard for ``user`` (``region`` None: theirs) and a period: the API when it is
    there, else ``dashboard`` with every child's ``figures_data``, which is what the API will serialise."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("api:dashboard") if via == "api" else None
    except NoReverseMatch:
        url = None
    if url:
        client = Client()
        client.force_login(user)

        def ask(period: str):
            response = client.get(url, {"period": period})
            assert response.status_code == 200, (user.username, period, response.status_code, response.content[:300])
            return len(response.json()["children"])

        return "API", ask
    from config.periods import parse_period
    from reports.dashboard import dashboard, figures_data

    def call(period: str):
        board = dashboard(user, period=parse_period(period, today=date.today()))
        data = [figures_data(child.figures) for child in board.children]
        figures_data(board.figures)
        return len(data)

    return "dashboard()", call


def measure(args) -> None:
    setup_django(fresh=False)
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from services.models import ServiceRecord

    today = date.today()
    periods = {"month": f"{today:%Y-%m}", "year": f"{today:%Y}"}
    records = ServiceRecord.objects.count()
    table, how = [], None
    for level in LEVELS:
        user = User.objects.get(username=f"bench-{'admin' if level == 'nation' else level}")
        how, ask = requester(user, args.via)
        for period in periods.values():
            children = ask(period)  # warm-up
            timings = []
            for _ in range(args.requests):
                reset_queries()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    ask(period)
                    timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            table.append(
                {
                    "level": level,
                    "period": period,
                    "region": user.region.name if user.region_id else "全国",
                    "children": children,
                    "p50": round(statistics.median(timings), 1),
                    "p95": round(p95, 1),
                    "queries": len(captured.captured_queries),
                }
            )
    print(f"\nDashboard ({how}) at {records:,} records, {args.requests} requests each")
    print(
        f"  {'level':9} {'period':8} {'region':20} {'children':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7}  target"
    )
    for row in table:
        verdict = "ok" if row["p95"] <= 150 else "MISSED (p95 > 150 ms)"
        print(
            f"  {row['level']:9} {row['period']:8} {row['region']:20} {row['children']:8d} {row['p50']:8.1f} "
            f"{row['p95']:8.1f} {row['queries']:7d}  {verdict}"
        )
    results = json.loads(args.results.read_text()) if args.results.exists() else {}
    results[args.label or f"{records}"] = {"records": records, "how": how, "rows": table}
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1))


def explain(args) -> None:
    """The queries of one dashboard request of ``--level`` and ``--period``, each with its EXPLAIN ANALYZE
    execution time, slowest first (``--plans``: with the plan of the slowest three)."""
    setup_django(fresh=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    user = User.objects.get(username=f"bench-{'admin' if args.level == 'nation' else args.level}")
    _how, ask = requester(user, args.via)
    ask(args.period)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        ask(args.period)
        total = (time.perf_counter() - started) * 1000
    timed = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = [row[0] for row in cursor.fetchall()]
            executed = float(plan[-1].split(":")[1].split()[0])
            timed.append((executed, sql, plan))
    timed.sort(key=lambda item: -item[0])
    print(
        f"\n{args.level} {args.period}: {total:.1f} ms, {len(captured.captured_queries)} queries, "
        f"{sum(t for t, _s, _p in timed):.1f} ms executing in the database"
    )
    for executed, sql, _plan in timed:
        print(f"  {executed:8.1f} ms  {sql[:150]}")
    for executed, sql, plan in timed[: 3 if args.plans else 0]:
        print(f"\n--- {executed:.1f} ms: {sql[:400]}")
        print("\n".join(plan))


def ratio(args) -> None:
    results = json.loads(args.results.read_text())
    big, small = results[args.big], results[args.small]
    print(f"\np95 at {big['records']:,} records against {small['records']:,} (target <= 1.2)")
    print(f"  {'level':9} {'period':8} {'p95 small':>10} {'p95 big':>10} {'ratio':>6}")
    for a, b in zip(small["rows"], big["rows"], strict=True):
        value = b["p95"] / a["p95"]
        print(
            f"  {a['level']:9} {a['period']:8} {a['p95']:10.1f} {b['p95']:10.1f} {value:6.2f}"
            f"  {'ok' if value <= 1.2 else 'MISSED'}"
        )


def everything(args) -> None:
    small, big = args.records // 10, args.records
    for step in (
        ["load", "--records", str(small)],
        ["rollups"],
        ["measure", "--label", "small"],
        ["grow", "--records", str(big)],
        ["rollups"],
        ["measure", "--label", "big"],
        ["ratio"],
    ):
        os.spawnv(os.P_WAIT, sys.executable, [sys.executable, __file__, *step, "--results", str(args.results)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, action in (
        ("load", load),
        ("grow", grow),
        ("rollups", rollups),
        ("measure", measure),
        ("ratio", ratio),
        ("explain", explain),
        ("all", everything),
    ):
        command = commands.add_parser(name)
        command.set_defaults(action=action)
        command.add_argument("--results", type=Path, default=RESULTS)
        if name in ("load", "grow", "all"):
            command.add_argument("--records", type=int, default=10_000_000)
    commands.choices["rollups"].add_argument("--skip-rebuild", action="store_true")
    commands.choices["rollups"].add_argument("--only-rebuild", action="store_true")
    commands.choices["rollups"].add_argument("--skip-nightly", action="store_true", help="only the one new record")
    commands.choices["measure"].add_argument("--requests", type=int, default=200)
    commands.choices["measure"].add_argument("--label", default="")
    for name in ("measure", "explain"):
        commands.choices[name].add_argument("--via", choices=("api", "function"), default="api")
    commands.choices["explain"].add_argument("--level", default="nation", choices=LEVELS)
    commands.choices["explain"].add_argument("--period", default=f"{date.today():%Y}")
    commands.choices["explain"].add_argument("--plans", action="store_true")
    commands.choices["ratio"].add_argument("--big", default="big")
    commands.choices["ratio"].add_argument("--small", default="small")
    args = parser.parse_args()
    args.action(args)


if __name__ == "__main__":
    main()
