"""The monthly and quarterly reports at a province's scale, and a city's monthly batch on a real worker.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_reports CELERY_BROKER_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/reports.py [--skip-batch] [--reuse]

Builds a province (``bench.rollups.build_regions``: 1,360 townships, a station each) plus a 72-station city of 7
counties, and fills three months of rollups (``StationMonth``, ``StationPeriod``, ``StationYear``, ``TownshipYear``)
with random figures: the reports read the rollups only. Then times one station's monthly PDF (median of 3 after a
warm-up, with the context and the layout apart), the province's quarterly PDF with its 1,360 townships ranked (in
a child process, whose peak resident memory is read), and the month's batch of the 72-station city (stations,
townships, counties, city) on one Celery worker of the reports queue with concurrency 2, started here.
Targets (issue 11): 1.5 s, 30 s and 500 MB, 2 min. ``--reuse`` keeps the province and rollups an earlier run built
(and drops its reports and batches), to measure a change to the rendering without building again.
"""

import argparse
import multiprocessing
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, analyze, report, setup_django  # noqa: E402

CITY_COUNTIES, CITY_STATIONS = 7, 72


def build_city(province):
    """嘉兴市: 7 counties, 72 townships with an operating station each."""
    from stations.models import Region, Station

    city = Region.objects.create(name="嘉兴市", code="339900000000", level="city", parent=province)
    counties = [
        Region.objects.create(name=f"嘉县{n}", code=f"3399{n + 1:02d}000000", level="county", parent=city)
        for n in range(CITY_COUNTIES)
    ]
    townships = []
    for t in range(CITY_STATIONS):
        county = counties[t % CITY_COUNTIES]
        code = f"{county.code[:6]}{t // CITY_COUNTIES + 1:03d}000"
        townships.append(
            Region(name=f"嘉镇{t}", code=code, level="township", parent=county, path=f"{county.path}{code}/")
        )
    Region.objects.bulk_create(townships)
    Station.objects.bulk_create(
        Station(township=township, name=f"{township.name}社会工作站", status="operating", site_area_m2=600)
        for township in townships
    )
    return city


def fill_rollups(months: list[date], rng) -> None:
    """Random rollup rows for every station and month, the stations' year and the townships' split."""
    from reports.models import StationMonth, StationPeriod, StationYear, TownshipYear
    from reports.rollups.regions import regions_refresh
    from stations.models import Station

    rows, periods, years, splits = [], [], [], []
    stations = Station.objects.select_related("township__parent__parent__parent")
    for station in stations:
        township = station.township
        county, city = township.parent, township.parent.parent
        ancestors = {"township": township, "county": county, "city": city, "province": city.parent}
        for month in months:
            records = rng.randint(20, 80)
            kinds = [rng.randint(0, records // 4) for _ in range(7)]
            rows.append(
                StationMonth(
                    station=station,
                    month=month,
                    records=records,
                    kind_case=kinds[0],
                    kind_group=kinds[1],
                    kind_community=kinds[2],
                    kind_visit=records - sum(kinds[:3]) if records > sum(kinds[:3]) else 0,
                    people_served=rng.randint(10, 40),
                    headcount=rng.randint(30, 150),
                    service_minutes=rng.randint(1200, 6000),
                    key_targets=10,
                    key_targets_visited=rng.randint(4, 10),
                    volunteer_hours=Decimal(rng.randint(10, 90)),
                    compliance_checked=True,
                    compliant=rng.random() < 0.7,
                    fail_certified_staff=rng.random() < 0.3,
                    spent=Decimal(rng.randint(20000, 70000)),
                    line_personnel=Decimal(rng.randint(12000, 20000)),
                    source_city_fiscal=Decimal(rng.randint(10000, 20000)),
                    **ancestors,
                )
            )
        periods.append(
            StationPeriod(
                station=station, kind="quarter", first=months[0], people_served=rng.randint(40, 90), **ancestors
            )
        )
        years.append(
            StationYear(
                station=station,
                year=months[0].year,
                budget=Decimal(rng.randint(500, 900) * 1000),
                grade=rng.choice(["excellent", "good", "pass", "fail", ""]),
                **ancestors,
            )
        )
        settled = rng.random() < 0.8
        splits.append(
            TownshipYear(
                year=months[0].year,
                pending=not settled,
                city_share=Decimal(rng.randint(100, 300) * 1000) if settled else None,
                township_share=Decimal(rng.randint(100, 300) * 1000) if settled else None,
                **ancestors,
            )
        )
    StationMonth.objects.bulk_create(rows, batch_size=2000)
    StationPeriod.objects.bulk_create(periods, batch_size=2000)
    StationYear.objects.bulk_create(years, batch_size=2000)
    TownshipYear.objects.bulk_create(splits, batch_size=2000)
    regions_refresh(months=months)  # the regions' rows, summed from the stations' (what the region reports read)


def quarterly_in_child(report_id: int, queue) -> None:
    """Render the quarterly report in a fresh process (as a worker child would) and send back seconds and pages."""
    import django
    from django.db import connections

    connections.close_all()
    django.setup()
    from reports.models import Report
    from reports.rendering import render_report_pdf

    started = time.perf_counter()
    pdf = render_report_pdf(Report.objects.select_related("region").get(pk=report_id))
    queue.put((time.perf_counter() - started, len(pdf), page_count(pdf)))


def page_count(pdf: bytes) -> int:
    """The pages of ``pdf``, by poppler's ``pdfinfo`` (WeasyPrint compresses its page objects into object streams)."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout.decode()
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(found.group(1)) if found else 0


def batch_on_worker(city, period: str) -> tuple[float, int, int]:
    """Start a worker (reports queue, concurrency 2), the city's month batch, and wait until it completes."""
    from reports.batches import batch_progress, batch_start
    from reports.models import ReportBatch

    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"}
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            os.environ.get("CELERY_REPORTS_QUEUE", "reports"),
            "-c",
            "2",
            "--loglevel=warning",
            "-n",
            f"bench-reports-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(8)  # the worker's start-up is not the batch's
        started = time.perf_counter()
        batch, _created = batch_start("monthly", period, region=city, trigger="bench")
        while True:
            batch = ReportBatch.objects.get(pk=batch.pk)
            progress = batch_progress(batch)
            if progress.complete and batch.sent_at:
                break
            if time.perf_counter() - started > 900:
                break
            time.sleep(1)
        return time.perf_counter() - started, progress.done, progress.failed
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the data an earlier run built")
    args = parser.parse_args()
    setup_django(fresh=not args.reuse)
    from django.conf import settings
    from django.utils import timezone

    from bench.rollups import build_regions
    from config.periods import QUARTER, period_of
    from reports.models import Report, ReportBatch
    from reports.periodic import monthly_context, periodic_pdf
    from reports.rendering import render_report_pdf
    from stations.models import Region, Station

    assert not settings.CELERY_TASK_ALWAYS_EAGER or args.skip_batch, "the batch needs CELERY_BROKER_URL"
    rng = random.Random(11)
    quarter = period_of(timezone.localdate(), QUARTER).previous()
    months = quarter.months()
    started = time.perf_counter()
    if args.reuse and Region.objects.filter(level="city", name="嘉兴市").exists():
        Report.objects.all().delete()
        ReportBatch.objects.all().delete()
        province = Region.objects.get(level="province")
        city = Region.objects.get(level="city", name="嘉兴市")
        print(f"reusing {Station.objects.count()} stations and their rollups")
    else:
        build_regions()
        province = Region.objects.get(level="province")
        city = build_city(province)
        fill_rollups(months, rng)
        analyze()
        print(f"built {Station.objects.count()} stations and their rollups in {time.perf_counter() - started:.1f} s")
    rows = []

    month = f"{months[-1]:%Y-%m}"
    station = Station.objects.filter(township__parent__parent=city).first()
    monthly = Report.objects.create(kind="monthly", station=station, period=month)
    render_report_pdf(monthly)  # warm-up: templates, fonts
    timings, contexts, layouts = [], [], []

    for _ in range(3):
        t0 = time.perf_counter()
        context = monthly_context(monthly)
        t1 = time.perf_counter()
        periodic_pdf("reports/pdf/monthly.html", context)
        t2 = time.perf_counter()
        contexts.append(t1 - t0)
        layouts.append(t2 - t1)
        timings.append(t2 - t0)
    rows.append(("station monthly PDF (median of 3)", statistics.median(timings), 0))
    rows.append(("  of which figures and context", statistics.median(contexts), 0))
    rows.append(("  of which template and layout", statistics.median(layouts), 0))

    quarterly = Report.objects.create(kind="quarterly", region=province, period=quarter.key)
    from django.db import connections

    connections.close_all()
    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=quarterly_in_child, args=(quarterly.pk, queue))
    child.start()
    seconds, size, pages = queue.get(timeout=900)
    child.join()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows.append((f"province quarterly PDF, 1,360 townships ranked ({pages} pages, {size // 1024} KB)", seconds, 0))
    rows.append(("  peak resident memory of its process (MB)", peak_mb, 0))

    if not args.skip_batch:
        seconds, done, failed = batch_on_worker(city, month)
        rows.append((f"72-station city month batch on 1 worker x2 ({done} done, {failed} failed)", seconds, 0))
    report("Monthly and quarterly reports (bench/reports.py)", rows)


if __name__ == "__main__":
    main()
