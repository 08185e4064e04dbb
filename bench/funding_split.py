"""The two-level split at province scale: 1,360 townships (Zhejiang's), one station each, a year of spending.

    .venv/bin/python bench/funding_split.py [--townships N] [--rows N]

Builds a province of 11 cities and 88 counties over ``--townships`` townships with a station each, about
``--rows`` expenditures in the year (2,000,000 by default, loaded with COPY from an in-memory CSV), last year's
spending is left out on purpose (the split must not read it: a second year of rows is loaded too, a tenth as
many), the published annual result of the year for every station with mixed grades, and one instalment paid to a
third of the townships. Then measures ``township_funding_splits`` over every township (cold: the first call; warm:
median of 5) and one township's ``township_funding_split``, the ``funding-splits/`` API (the first page, and
500 townships a page, the most it serves), one township's split in the API, and the officials'
funding overview page, as a province official; prints seconds and queries.
"""

import argparse
import io
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import analyze, annual_assignment, page_client, repeat, report, setup_django, stopwatch  # noqa: E402

CITIES, COUNTIES_PER_CITY = 11, 8
LINES = [("personnel", 68), ("activities", 22), ("management", 7), ("other", 3)]
SOURCES = ["city_fiscal", "township_fiscal", "welfare_lottery", "donations"]
GRADES = [("95.0", "excellent", 5), ("85.0", "good", 3), ("70.0", "pass", 2), ("50.0", "fail", 0)]


def build_regions(townships: int):
    """A province, its cities and counties (saved one by one: ``save`` derives the path), and its townships in
    bulk with their paths; one station each."""
    from stations.models import Region, Station

    province = Region.objects.create(name="浙江省", code="330000000000", level="province")
    counties = []
    for c in range(CITIES):
        city = Region.objects.create(name=f"市{c + 1}", code=f"33{c + 1:02d}00000000", level="city", parent=province)
        for k in range(COUNTIES_PER_CITY):
            counties.append(
                Region.objects.create(
                    name=f"市{c + 1}县{k + 1}", code=f"33{c + 1:02d}{k + 1:02d}000000", level="county", parent=city
                )
            )
    rows = []
    for n in range(townships):
        county = counties[n % len(counties)]
        code = f"{county.code[:6]}{n // len(counties) + 1:03d}000"
        rows.append(Region(name=f"镇{n + 1}", code=code, level="township", parent=county, path=f"{county.path}{code}/"))
    townships = Region.objects.bulk_create(rows, batch_size=2000)
    stations = Station.objects.bulk_create(
        (
            Station(
                township=township,
                name=f"{township.name}社会工作站",
                address="路1号",
                site_area_m2=Decimal("600"),
                opened_on=date(2021, 3, 1),
                status="operating",
            )
            for township in townships
        ),
        batch_size=2000,
    )
    return province, townships, stations


def copy_expenditures(stations, *, year: int, rows: int, rng: random.Random) -> int:
    """About ``rows`` expenditures of ``year`` spread over ``stations``, written with one COPY; returns the count.

    Each station spends between 300,000 and 1,100,000 a year (so excellent stations above 750,000 hit the cap).
    """
    from django.db import connection

    per_station = rows // len(stations)
    buffer = io.StringIO()
    now = "2026-01-01 00:00:00+08"
    written = 0
    days = 366 if year % 4 == 0 else 365
    start = date(year, 1, 1)
    dates = [(start + timedelta(days=d)).isoformat() for d in range(days)]
    lines = [line for line, weight in LINES for _ in range(weight)]
    for station in stations:
        budget = rng.randint(300_000, 1_100_000) * 100  # in fen
        mean = budget // per_station
        for _ in range(per_station):
            fen = rng.randint(mean // 2, mean * 3 // 2) or 1
            buffer.write(
                f"{station.pk}\t{dates[rng.randrange(days)]}\t{rng.choice(lines)}\t{rng.choice(SOURCES)}\t"
                f"{fen // 100}.{fen % 100:02d}\t嘉兴市某某商行\t活动物资\t\t\t\t\\N\t\\N\t{now}\t{now}\n"
            )
            written += 1
    buffer.seek(0)
    columns = (
        "station_id, date, line, source, amount, payee, description, voucher, voucher_name, voucher_type, "
        "voucher_size, created_by_id, created_at, updated_at"
    )
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY funding_expenditure ({columns}) FROM STDIN", buffer)
    return written


def publish_results(stations, *, year: int, rng: random.Random) -> dict:
    """The published annual result of ``year`` for every station, grades mixed; returns grade -> count."""
    from django.utils import timezone

    from evaluation.models import Evaluation

    assignment, template = annual_assignment(year, starts_on=date(year + 1, 1, 5))
    picks = rng.choices(GRADES, weights=[25, 45, 25, 5], k=len(stations))
    Evaluation.objects.bulk_create(
        (
            Evaluation(
                assignment=assignment,
                station=station,
                template=template,
                year=year,
                stage="annual",
                status="published",
                total=Decimal(total),
                grade=grade,
                stars=stars,
                published_at=timezone.now(),
            )
            for station, (total, grade, stars) in zip(stations, picks, strict=True)
        ),
        batch_size=2000,
    )
    counts: dict[str, int] = {}
    for _total, grade, _stars in picks:
        counts[grade] = counts.get(grade, 0) + 1
    return counts


def pay_a_third(townships, *, year: int) -> int:
    """One instalment of 10,000.00 to every third township (always below its subsidy unless it failed)."""
    from evaluation.models import Evaluation
    from funding.models import Disbursement

    failing = set(Evaluation.objects.filter(year=year, grade="fail").values_list("station__township_id", flat=True))
    rows = [
        Disbursement(
            township=township,
            year=year,
            date=date(year + 1, 4, 20),
            amount=Decimal("10000.00"),
            reference=f"浙民发〔{year + 1}〕{n}号",
            approver="张三",
        )
        for n, township in enumerate(townships)
        if n % 3 == 0 and township.pk not in failing
    ]
    Disbursement.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def build(*, townships: int, rows: int, year: int):
    from accounts.choices import Role
    from accounts.models import User
    from funding.models import FundingPolicy

    rng = random.Random(1360)
    started = time.perf_counter()
    province, township_rows, stations = build_regions(townships)
    FundingPolicy.objects.create(region=province, year=year)
    spent = copy_expenditures(stations, year=year, rows=rows, rng=rng)
    spent += copy_expenditures(stations, year=year - 1, rows=rows // 10, rng=rng)
    grades = publish_results(stations, year=year, rng=rng)
    paid = pay_a_third(township_rows, year=year)
    official = User.objects.create(username="province", role=Role.CITY_OFFICIAL, region=province, full_name="省厅")
    analyze()
    print(
        f"Built in {time.perf_counter() - started:.0f} s: {len(township_rows)} townships, {len(stations)} stations, "
        f"{spent:,} expenditures ({rows:,} in {year}), grades {grades}, {paid} instalments."
    )
    return province, township_rows, official


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--townships", type=int, default=1360)
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    setup_django()
    year = date.today().year - 1
    province, townships, official = build(townships=args.townships, rows=args.rows, year=year)

    from django.urls import NoReverseMatch, reverse
    from rest_framework.test import APIClient

    from funding.rules.split import township_funding_split, township_funding_splits
    from stations.models import Region

    def every_township():
        return Region.objects.filter(level="township", path__startswith=province.path)

    measures = []
    with stopwatch("township_funding_splits, every township, cold", measures):
        splits = township_funding_splits(townships=every_township(), year=year)
    repeat(
        "township_funding_splits, every township, warm",
        measures,
        lambda: township_funding_splits(townships=every_township(), year=year),
    )
    one = townships[len(townships) // 2]
    repeat("township_funding_split, one township", measures, lambda: township_funding_split(township=one, year=year))

    api = APIClient()
    api.force_authenticate(official)
    pages = page_client(official)

    def get(client, url: str):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    for label, name, kwargs, query, client in [
        ("API funding-splits, first page", "api:funding-splits", {}, f"?region={province.pk}&year={year}", api),
        (
            "API funding-splits, 500 a page (the most)",
            "api:funding-splits",
            {},
            f"?region={province.pk}&year={year}&page_size=500",
            api,
        ),
        ("API township funding-split", "api:township-funding-split", {"pk": one.pk}, f"?year={year}", api),
        ("overview page (province)", "funding:overview", {}, f"?region={province.pk}&year={year}", pages),
        ("overview export (.xlsx)", "funding:overview-export", {}, f"?region={province.pk}&year={year}", pages),
    ]:
        try:
            url = reverse(name, kwargs=kwargs) + query
        except NoReverseMatch:
            print(f"  ({label}: {name} is not there yet; skipped)")
            continue
        repeat(label, measures, lambda url=url, client=client: get(client, url), times=3)

    capped = sum(1 for split in splits.values() if split.capped)
    city = sum((split.city_share for split in splits.values() if split.city_share is not None), Decimal("0"))
    spent = sum((split.spent for split in splits.values()), Decimal("0"))
    report(
        f"Two-level split of {len(splits)} townships, {year}: spent {spent:,}, city {city:,}, {capped} capped",
        measures,
    )


if __name__ == "__main__":
    main()
