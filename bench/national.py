"""The national data set of the dashboard benchmark (``bench/dashboards.py load`` and ``grow``), built with COPY.

31 provinces, ~340 cities, ~2,800 counties and ~40,000 townships of uneven sizes, each township with an operating
station, ~6 staff and ~30 volunteers a station (the staffing standard passes or fails by station), a rated
operator's contract, a site area, 50 beneficiaries a station (10 key targets), the records of the 365 days up to
today with ~0.4 named people each, a tenth as many volunteer hours and expenditures, each station's approved budget
of both years and a published annual result of the current year; then the officials the measures sign in as.
Rows are streamed into COPY (foreign-key triggers off, secondary indexes dropped and rebuilt).
"""

import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import analyze, annual_assignment, id_number, setup_django  # noqa: E402

PROVINCES, CITIES, COUNTIES, TOWNSHIPS = 31, 340, 2800, 40_000
PEOPLE, KEY_TARGETS = 50, 10
KINDS = ["visit"] * 4 + ["group", "community", "case", "consultation", "training", "referral", "other"]
LINES = ["personnel"] * 6 + ["activities"] * 3 + ["management", "other"]
SOURCES = ["city_fiscal", "township_fiscal", "welfare_lottery", "social_assistance", "donations"]
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

    from evaluation.models import Evaluation

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
    assignment, template = annual_assignment(year, starts_on=date(year, 11, 1))
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
