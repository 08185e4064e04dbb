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


def setup_django() -> None:
    """Point Django at the benchmark database (created empty when missing) and migrate it."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
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
