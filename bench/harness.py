"""What every benchmark shares: its own PostgreSQL database, Django set up on it, timing and query counts.

A benchmark runs against ``BENCH_DATABASE_URL`` (default: the local PostgreSQL, database ``portal_bench``,
created when missing), never against the development or CI database, and starts from an empty schema so the
figures do not depend on what an earlier run left.
"""

import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"


def setup_django(*, fresh: bool = True) -> None:
    """Point Django at the benchmark database (created empty when missing) and migrate it; not ``fresh``, keep
    the data an earlier step of a multi-step benchmark loaded (``bench/dashboards.py``)."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The benchmarks time the rollups' refresh themselves: no refresh hidden in a write's commit.
    os.environ.setdefault("ROLLUPS_REFRESH_ON_COMMIT", "0")
    sys.path.insert(0, str(ROOT))
    if fresh:
        recreate_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def recreate_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would on a live database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextmanager
def stopwatch(label: str, rows: list):
    """Time the block; append (label, seconds, queries) to ``rows``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
    rows.append((label, elapsed, len(captured.captured_queries)))


def repeat(label: str, rows: list, action, times: int = 5) -> None:
    """Run ``action`` ``times`` times; record the median time and the queries of one run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], 0
    for _ in range(times):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            action()
            timings.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    rows.append((label, statistics.median(timings), queries))


def report(title: str, rows: list) -> None:
    width = max(len(label) for label, _s, _q in rows)
    print(f"\n{title}")
    print(f"  {'measure'.ljust(width)}  {'seconds':>9}  {'queries':>7}")
    for label, seconds, queries in rows:
        print(f"  {label.ljust(width)}  {seconds:9.3f}  {queries:7d}")


def page_client(user):
    """A Django test client signed in as ``user``, for timing whole pages."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def maqiao_station(*, communities: int = 8):
    """The station every per-station benchmark measures: 马桥街道社会工作站 (嘉兴市 > 海宁市 > 马桥街道), serving
    ``communities`` communities. Returns ``(station, communities)``."""
    from datetime import date
    from decimal import Decimal

    from stations.models import Region, Station

    city = Region.objects.create(name="嘉兴市", code="330400000000", level="city")
    county = Region.objects.create(name="海宁市", code="330481000000", level="county", parent=city)
    township = Region.objects.create(name="马桥街道", code="330481004000", level="township", parent=county)
    served = [
        Region.objects.create(name=f"社区{n}", code=f"330481004{n:03d}", level="community", parent=township)
        for n in range(1, communities + 1)
    ]
    station = Station.objects.create(
        township=township,
        name="马桥街道社会工作站",
        address="马桥街道1号",
        site_area_m2=Decimal("800"),
        opened_on=date(2021, 3, 1),
        status="operating",
    )
    station.communities.set(served)
    return station, served


def id_number(n: int, born: int) -> str:
    """A valid resident ID number of 海宁市, born in year ``born``, distinct for each ``n`` below 1,000."""
    from staffing.validators import id_number_check_char

    body = f"330481{born}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + id_number_check_char(body)


def annual_assignment(year: int, *, starts_on):
    """An evaluation agency and its assignment to the annual evaluation of ``year`` on the shipped scorecard, for
    the benchmarks that publish results in bulk. Returns ``(assignment, template)``."""
    from datetime import date

    from evaluation.models import Assignment, ScorecardTemplate
    from stations.models import Organization
    from tests.factories import valid_credit_code

    agency = Organization.objects.create(
        name="评估机构", kind="evaluation_agency", credit_code=valid_credit_code(2), rating=4
    )
    template = ScorecardTemplate.objects.get(code="station-evaluation", version=1)
    assignment = Assignment.objects.create(
        agency=agency, year=year, stage="annual", template=template, starts_on=starts_on, ends_on=date(year + 1, 3, 31)
    )
    return assignment, template
