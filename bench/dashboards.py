"""The dashboards at national scale: 40,000 townships, 2,000,000 beneficiaries, 10,000,000 service records a year.

    .venv/bin/python bench/dashboards.py load --records 1000000     # recreate portal_bench, load the nation (COPY)
    .venv/bin/python bench/dashboards.py rollups                    # full rebuild, nightly repair, one new record
    .venv/bin/python bench/dashboards.py measure --label 1M         # 200 dashboard requests per level and period
    .venv/bin/python bench/dashboards.py grow --records 10000000    # add records up to that total (same people)
    .venv/bin/python bench/dashboards.py rollups && ... measure --label 10M
    .venv/bin/python bench/dashboards.py ratio                      # p95 at 10M against p95 at 1M, per level
    .venv/bin/python bench/dashboards.py compliance                 # the compliance page and export, 40,000 stations
    .venv/bin/python bench/dashboards.py alternate --level township --period 2026-12   # one ratio, measured in turns
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
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import DEFAULT_URL, analyze, setup_django  # noqa: E402
from bench.national import grow, load, sizes  # noqa: E402  (the national data set)

RESULTS = Path(tempfile.gettempdir()) / "bench_dashboards.json"


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
    from services.models import Beneficiary, ServiceRecord
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
    # A station no earlier run logged into: each run adds 60 records to today, which would grow the month it times.
    earlier = User.objects.filter(username__startswith="bench-manager-").count()
    station = Station.objects.order_by("pk")[Station.objects.count() // 2 + earlier]
    user = User.objects.create(username=f"bench-manager-{time.time_ns()}", role="station_manager", station=station)
    people = list(Beneficiary.objects.filter(station=station).order_by("pk")[:2])
    timings = {named: ([], [], []) for named in (False, True)}
    for n in range(60):
        named = bool(n % 2)  # half name two people (the quarter's and year's distinct people recomputed)
        started = time.perf_counter()
        with transaction.atomic():
            service_record_create(
                station=station,
                user=user,
                date=today,
                kind="case",
                duration_minutes=30,
                headcount=0 if named else n + 1,
                beneficiaries=people if named else (),
            )
        marked = time.perf_counter()
        assert rollups_refresh() == 1 and not RollupDirty.objects.exists()
        done = time.perf_counter()
        marks, refreshes, both = timings[named]
        marks.append((marked - started) * 1000)
        refreshes.append((done - marked) * 1000)
        both.append((done - started) * 1000)
    for named, (marks, refreshes, both) in timings.items():
        title = "one new record naming two people" if named else "one new record with a headcount"
        print(f"  {title + ' (30 runs)':64}  {'p50 ms':>8}  {'p95 ms':>8}")
        for label, values in (
            ("service_record_create with its mark", marks),
            ("rollups_refresh of its station-month (the rollup update)", refreshes),
            ("together", both),
        ):
            values.sort()
            print(f"    {label:62}  {statistics.median(values):8.1f}  {values[int(len(values) * 0.95) - 1]:8.1f}")
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


def compliance(args) -> None:
    """The officials' compliance page (``staffing:compliance``) and its export over every station of the nation
    (the administrator: ~40,000) and of one province, read from this month's rollups: p50 and p95 of
    ``--requests`` pages each, and the export's seconds (``--exports`` runs). Target: the page <= 300 ms."""
    setup_django(fresh=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from bench.harness import page_client
    from reports.models import StationMonth

    month = date.today().replace(day=1)
    checked = StationMonth.objects.filter(month=month, compliance_checked=True)
    print(f"\nCompliance page at {checked.count():,} stations checked this month, {args.requests} requests each")
    print(f"  {'who':9} {'page':44} {'stations':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7}  target")
    pages = (
        ("failing stations, 25 shown", ""),
        ("one rule, sorted by failures", "?rule=certified_staff&sort=-failed"),
        ("all stations, by county, page 40", "?show=all&sort=-county&page=40"),
    )
    for level in ("nation", "province"):
        user = User.objects.get(username=f"bench-{'admin' if level == 'nation' else level}")
        client = page_client(user)
        in_reach = checked.filter(**({} if level == "nation" else {"province_id": user.region_id})).count()
        for label, query in pages:
            url = reverse("staffing:compliance") + query
            assert client.get(url).status_code == 200  # warm-up
            timings = []
            for _ in range(args.requests):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(
                f"  {level:9} {label:44} {in_reach:8,} {statistics.median(timings):8.1f} {p95:8.1f} "
                f"{len(captured.captured_queries):7d}  {'ok' if p95 <= 300 else 'MISSED (p95 > 300 ms)'}"
            )
        url = reverse("staffing:compliance_export") + "?show=all"
        for _ in range(args.exports):
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            print(
                f"  {level:9} {'export, all stations (.xlsx)':44} {in_reach:8,} "
                f"{time.perf_counter() - started:8.1f} s  {len(body) / 1e6:.1f} MB"
            )


def alternate(args) -> None:
    """p95 of one level and period at two databases (``--small-url``, ``--big-url``), measured in turns (fresh
    processes, ``--rounds`` rounds of ``--requests``): a ratio that the order of ``measure``'s long loop, the
    machine's other load or a process that has served 2,000 requests cannot tilt."""
    import subprocess

    rows = {"small": [], "big": []}
    for _ in range(args.rounds):
        for name, url in (("small", args.small_url), ("big", args.big_url)):
            command = [sys.executable, __file__, "one", "--level", args.level, "--period", args.period]
            command += ["--requests", str(args.requests)]
            out = subprocess.run(
                command, env={**os.environ, "BENCH_DATABASE_URL": url}, capture_output=True, text=True, check=True
            )
            rows[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"\n{args.level} {args.period}, {args.rounds} rounds of {args.requests} requests in turns")
    for small, big in zip(rows["small"], rows["big"], strict=True):
        print(f"  p95 small {small['p95']:7.1f}  big {big['p95']:7.1f}  ratio {big['p95'] / small['p95']:5.2f}")


def one(args) -> None:
    """p50 and p95 of ``--requests`` dashboard API requests of one level and period, as JSON (for ``alternate``)."""
    setup_django(fresh=False)
    import logging

    from accounts.models import User

    logging.disable(logging.INFO)
    user = User.objects.get(username=f"bench-{'admin' if args.level == 'nation' else args.level}")
    _how, ask = requester(user, "api")
    for _ in range(20):
        ask(args.period)
    timings = []
    for _ in range(args.requests):
        started = time.perf_counter()
        ask(args.period)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(json.dumps({"p50": round(statistics.median(timings), 1), "p95": round(p95, 1)}))


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
        ("compliance", compliance),
        ("alternate", alternate),
        ("one", one),
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
    commands.choices["compliance"].add_argument("--requests", type=int, default=50)
    commands.choices["compliance"].add_argument("--exports", type=int, default=1)
    commands.choices["measure"].add_argument("--label", default="")
    for name in ("measure", "explain"):
        commands.choices[name].add_argument("--via", choices=("api", "function"), default="api")
    for name in ("explain", "alternate", "one"):
        commands.choices[name].add_argument("--level", default="nation", choices=LEVELS)
        commands.choices[name].add_argument("--period", default=f"{date.today():%Y}")
    for name in ("alternate", "one"):
        commands.choices[name].add_argument("--requests", type=int, default=400)
    commands.choices["alternate"].add_argument("--rounds", type=int, default=3)
    commands.choices["alternate"].add_argument("--small-url", default=f"{DEFAULT_URL}_1m")
    commands.choices["alternate"].add_argument("--big-url", default=DEFAULT_URL)
    commands.choices["explain"].add_argument("--plans", action="store_true")
    commands.choices["ratio"].add_argument("--big", default="big")
    commands.choices["ratio"].add_argument("--small", default="small")
    args = parser.parse_args()
    args.action(args)


if __name__ == "__main__":
    main()
