"""Social workers logging services at once: N simulated workers against gunicorn on PostgreSQL, with retries.

    .venv/bin/python bench/load_logging.py [--users 50] [--duration 300] [--think 0.5] [--workers 4]
                                           [--threads 4] [--retry-share 0.1] [--no-keepalive]

Builds its own database (``bench/harness.py``: ``BENCH_DATABASE_URL``, default ``portal_bench_logging``), with
five stations and ``--users`` social workers spread over them, each with their own staff record and token.
Starts gunicorn with ``config/gunicorn.py`` (``DEBUG=0``) on a free local port, then every simulated worker
loops for ``--duration`` seconds: log a service record (``POST /api/v1/service-records/`` with a fresh
Idempotency-Key), now and then send the same request again under the same key (a retry after a timeout: it
must answer the first record), and every third round read the station's records of the day. Each client keeps
its connection alive (as browsers do) unless ``--no-keepalive``.

Prints requests per second, p50/p95/p99 per operation, errors, the records expected (one per key answered 201)
against the records found (none lost, none duplicated), and each user's median against the overall median.
Targets: 0 errors, 0 lost or duplicated records, no user's median above twice the overall median.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_logging")

from bench.harness import setup_django  # noqa: E402

STATIONS = 5
PEOPLE_PER_STATION = 30
DAYS_BACK = 60  # records are spread over the last 60 days, so nobody's day nears the 24-hour limit
SUMMARY = "bench"


@dataclass
class Worker:
    """One simulated social worker: who they are, their token, and what they sent and got."""

    username: str
    token: str
    station: int
    staff: int
    people: list[int]
    timings: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # Idempotency-Key -> record id answered


def build(users: int) -> list[Worker]:
    """Five stations in one county, ``users`` social workers over them, each with a staff record and a token."""
    from django.conf import settings

    from accounts.choices import Role
    from accounts.models import User
    from services.models import Beneficiary
    from staffing.models import StaffMember
    from staffing.validators import id_number_check_char
    from stations.models import Region, Station

    def id_number(n: int, born: int) -> str:
        body = f"330481{born}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        return body + id_number_check_char(body)

    city = Region.objects.create(name="嘉兴市", code="330400000000", level="city")
    county = Region.objects.create(name="海宁市", code="330481000000", level="county", parent=city)
    stations = []
    for s in range(STATIONS):
        township = Region.objects.create(name=f"镇街{s}", code=f"330481{s + 1:03d}000", level="township", parent=county)
        stations.append(
            Station.objects.create(
                township=township,
                name=f"镇街{s}社会工作站",
                address=f"镇街{s}1号",
                site_area_m2=Decimal("600"),
                opened_on=date(2021, 3, 1),
                status="operating",
            )
        )
    people = {
        station.pk: [
            person.pk
            for person in Beneficiary.objects.bulk_create(
                Beneficiary(
                    station=station,
                    name=f"对象{s}-{n}",
                    id_number=id_number(s * 100 + n, 1945),
                    birth_date=date(1945, 1 + (s * 100 + n) % 12, 1 + (s * 100 + n) % 28),
                    registered_on=date(2023, 1, 1),
                )
                for n in range(PEOPLE_PER_STATION)
            )
        ]
        for s, station in enumerate(stations)
    }
    knox = "knox" in settings.INSTALLED_APPS
    workers = []
    for n in range(users):
        station = stations[n % STATIONS]
        user = User.objects.create_user(f"worker{n}", password="x", role=Role.SOCIAL_WORKER, station=station)
        staff = StaffMember.objects.create(
            station=station,
            name=f"社工{n}",
            gender="female",
            id_number=id_number(5000 + n, 1990),
            role="full_time",
            hired_on=date(2021, 3, 1),
        )
        workers.append(Worker(user.username, token_for(user, knox), station.pk, staff.pk, people[station.pk]))
    return workers


def token_for(user, knox: bool) -> str:
    if knox:
        from knox.models import AuthToken

        return AuthToken.objects.create(user)[1]
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=user).key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),  # no static files are served here
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", str(ROOT / "config" / "gunicorn.py"), "config.wsgi:application"], cwd=ROOT, env=env
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def warm_up(base: str, token: str, processes: int) -> None:
    """Let every gunicorn worker load the URLs and open its database connection before the clock starts."""
    import requests

    for _ in range(12 * processes):  # new connections: the kernel spreads them over the workers' sockets
        requests.get(
            f"{base}/api/v1/service-records/",
            headers={"Authorization": f"Token {token}", "Connection": "close"},
            timeout=120,
        )


def simulate(worker: Worker, base: str, until: float, think: float, retry_share: float, keepalive: bool, seed: int):
    """One social worker's loop: log, sometimes send the same log again, read the day's records."""
    import random

    import requests

    rng = random.Random(seed)
    session = requests.Session()
    session.headers["Authorization"] = f"Token {worker.token}"
    if not keepalive:
        session.headers["Connection"] = "close"
    today = date.today()
    rounds = 0

    def timed(operation, method, url, **kwargs):
        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=30, **kwargs)
        except requests.RequestException as error:
            worker.errors.append(f"{operation}: {type(error).__name__}")
            return None
        worker.timings.append((operation, time.perf_counter() - started))
        return response

    while time.monotonic() < until:
        rounds += 1
        key = uuid.uuid4().hex
        body = {
            "station": worker.station,
            "date": (today - timedelta(days=rng.randrange(DAYS_BACK))).isoformat(),
            "kind": "visit",
            "beneficiaries": [rng.choice(worker.people)],
            "staff": [worker.staff],
            "duration_minutes": 5,
            "place": "服务对象家中",
            "summary": f"{SUMMARY} {key}",
        }
        sends = 2 if rng.random() < retry_share else 1
        for attempt in range(sends):
            operation = "create" if attempt == 0 else "retry"
            response = timed(
                operation, "POST", f"{base}/api/v1/service-records/", json=body, headers={"Idempotency-Key": key}
            )
            if response is None:
                continue
            if response.status_code != 201:
                worker.errors.append(f"{operation}: {response.status_code} {response.text[:120]}")
                continue
            record = response.json()["id"]
            if worker.created.setdefault(key, record) != record:
                worker.errors.append(f"retry answered record {record}, not {worker.created[key]}")
        if rounds % 3 == 0:
            response = timed(
                "list", "GET", f"{base}/api/v1/service-records/", params={"station": worker.station, "page_size": 20}
            )
            if response is not None and response.status_code != 200:
                worker.errors.append(f"list: {response.status_code}")
        time.sleep(rng.uniform(0, 2 * think))
    session.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarize(workers: list[Worker], seconds: float) -> bool:
    """Print the figures; return whether every target was met."""
    from services.models import ServiceRecord

    timings = [(op, t) for w in workers for op, t in w.timings]
    errors = [e for w in workers for e in w.errors]
    print(
        f"\n{len(workers)} simulated workers for {seconds:.0f} s: {len(timings)} requests, "
        f"{len(timings) / seconds:.1f} requests per second"
    )
    print(f"  {'operation':<9} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for operation in ("create", "retry", "list"):
        values = [t for op, t in timings if op == operation]
        if values:
            p50, p95, p99 = (1000 * percentile(values, q) for q in (0.5, 0.95, 0.99))
            print(f"  {operation:<9} {len(values):>7} {p50:8.0f} {p95:8.0f} {p99:8.0f}")

    print(f"\nerrors: {len(errors)}")
    for message, count in sorted(defaultdict(int, {e: errors.count(e) for e in set(errors)}).items())[:10]:
        print(f"  {count} x {message}")

    expected = {record for w in workers for record in w.created.values()}
    found = defaultdict(list)
    for pk, summary in ServiceRecord.objects.filter(summary__startswith=f"{SUMMARY} ").values_list("pk", "summary"):
        found[summary.split(" ", 1)[1]].append(pk)
    keys = {key for w in workers for key in w.created}
    lost = [key for key in keys if key not in found]
    duplicated = [key for key, pks in found.items() if len(pks) > 1]
    unanswered = [key for key in found if key not in keys]
    print(
        f"records: {len(expected)} expected (keys answered 201), {sum(map(len, found.values()))} found; "
        f"{len(lost)} lost, {len(duplicated)} duplicated, {len(unanswered)} saved without a 201 reaching the client"
    )

    overall = statistics.median(t for _op, t in timings)
    medians = sorted((statistics.median(t for _op, t in w.timings), w.username) for w in workers if w.timings)
    print(
        f"\nmedian per user (overall {1000 * overall:.0f} ms): "
        f"lowest {1000 * medians[0][0]:.0f} ms ({medians[0][1]}), highest {1000 * medians[-1][0]:.0f} ms "
        f"({medians[-1][1]}), highest / overall = {medians[-1][0] / overall:.2f}"
    )
    print("  " + " ".join(f"{1000 * m:.0f}" for m, _name in medians))
    fair = medians[-1][0] <= 2 * overall
    met = not errors and not lost and not duplicated and fair
    print(
        f"\ntargets {'met' if met else 'NOT met'}: 0 errors, 0 lost or duplicated, every user's median "
        "at most twice the overall median"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (default 300)")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between rounds, seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--retry-share", type=float, default=0.1, help="share of logs sent twice under one key")
    parser.add_argument("--no-keepalive", action="store_true", help="a new connection per request")
    args = parser.parse_args()

    setup_django()
    from django.db import connections

    workers = build(args.users)
    connections.close_all()  # gunicorn's workers open their own
    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads)
    try:
        base = f"http://127.0.0.1:{port}"
        warm_up(base, workers[0].token, args.workers)
        started = time.monotonic()
        until = started + args.duration
        threads = [
            threading.Thread(
                target=simulate,
                args=(w, base, until, args.think, args.retry_share, not args.no_keepalive, n),
                daemon=True,
            )
            for n, w in enumerate(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    met = summarize(workers, elapsed)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
