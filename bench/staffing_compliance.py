"""Staffing compliance at province scale: 1,360 stations (Zhejiang's townships), 8 staff and 32 volunteers each.

    .venv/bin/python bench/staffing_compliance.py [--stations N]

Measures ``stations_compliance`` over every station, the filling of this month's rollups (the nightly repair of
one month, which the compliance page reads), the officials' compliance page (the counts over every station, 25
shown), the compliance export, and one station's roster page; prints seconds (median of 5) and queries.
"""

import argparse
import random
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import analyze, page_client, repeat, report, setup_django  # noqa: E402


def build(stations: int) -> None:
    from accounts.choices import Role
    from accounts.models import User
    from staffing.models import StaffingPolicy, StaffMember, Volunteer
    from staffing.validators import id_number_check_char
    from stations.models import OperatingContract, Organization, Region, Station
    from tests.factories import valid_credit_code

    rng = random.Random(7)
    province = Region.objects.create(name="浙江省", code="330000000000", level="province")
    city = Region.objects.create(name="嘉兴市", code="330400000000", level="city", parent=province)
    # At most 999 townships a county (the code's three digits): 20 counties up to 19,980 stations, more above.
    county_count = max(20, -(-stations // 999))
    counties = [
        Region.objects.create(name=f"县{n}", code=f"3304{n + 1:02d}000000", level="county", parent=city)
        for n in range(county_count)
    ]
    townships = Region.objects.bulk_create(
        Region(
            name=f"镇{n}",
            code=f"{counties[n % county_count].code[:6]}{n // county_count + 1:03d}000",
            level="township",
            parent=counties[n % county_count],
            path=f"{counties[n % county_count].path}{counties[n % county_count].code[:6]}{n // county_count + 1:03d}000/",
        )
        for n in range(stations)
    )
    operator = Organization.objects.create(name="承接机构", kind="operator", credit_code=valid_credit_code(1), rating=4)
    rows = Station.objects.bulk_create(
        Station(
            township=township,
            name=f"{township.name}社会工作站",
            address="路1号",
            site_area_m2=Decimal(rng.choice([320, 500, 600, 1200])),
            opened_on=date(2021, 3, 1),
            status="operating",
        )
        for township in townships
    )
    OperatingContract.objects.bulk_create(
        OperatingContract(
            station=s, operator=operator, start_on=date(2025, 7, 1), end_on=date(2027, 6, 30), amount=Decimal("800000")
        )
        for s in rows
    )

    def id_number(n: int) -> str:
        body = f"330481{1980 + n % 20}0101{n % 1000:03d}"
        return body + id_number_check_char(body)

    staff, volunteers, n = [], [], 0
    for station in rows:
        for k in range(8):
            n += 1
            staff.append(
                StaffMember(
                    station=station,
                    name=f"社工{n}",
                    gender="female",
                    id_number=id_number(n),
                    role="part_time" if k == 7 else "full_time",
                    certification=rng.choice(["none", "assistant", "intermediate"]),
                    hired_on=date(2022, 1, 1),
                    left_on=date(2025, 6, 30) if k == 6 and rng.random() < 0.3 else None,
                    annual_salary=Decimal(rng.choice([110000, 120000, 130000])),
                )
            )
        volunteers += [
            Volunteer(station=station, name=f"志愿者{k}", id_number=id_number(k), registered_on=date(2023, 1, 1))
            for k in range(32)
        ]
    StaffMember.objects.bulk_create(staff, batch_size=5000)
    Volunteer.objects.bulk_create(volunteers, batch_size=5000)
    StaffingPolicy.objects.create(region=city, year=date.today().year, prior_year_average_wage=Decimal("98000"))
    User.objects.create_user("official", password="x", role=Role.CITY_OFFICIAL, region=province)
    User.objects.create_user("manager", password="x", role=Role.STATION_MANAGER, station=rows[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=1360)
    args = parser.parse_args()
    setup_django()
    build(args.stations)
    analyze()

    from accounts.models import User
    from bench.harness import stopwatch
    from reports.rollups.refresh import rollups_repair
    from staffing.rules import stations_compliance
    from stations.models import Station

    today = date.today()
    official = page_client(User.objects.get(username="official"))
    manager = User.objects.get(username="manager")
    manager_client = page_client(manager)
    rows = []
    with stopwatch("fill the rollups of this month (nightly repair, 1 month)", rows):
        rollups_repair(months=1, log=False)
    analyze()
    repeat(
        f"stations_compliance, {args.stations} stations",
        rows,
        lambda: stations_compliance(stations=Station.objects.all(), on=today),
    )
    repeat("compliance page (all checked, 25 shown)", rows, lambda: official.get("/staffing/compliance/"))
    repeat(
        "compliance page, one rule, sorted",
        rows,
        lambda: official.get("/staffing/compliance/?rule=certified_staff&sort=-failed"),
    )
    repeat(
        "compliance page, all stations, by county, page 3",
        rows,
        lambda: official.get("/staffing/compliance/?show=all&sort=-county&page=3"),
    )
    repeat("compliance export (.xlsx, failing stations)", rows, lambda: official.get("/staffing/compliance/export/"))
    repeat(
        "roster page of one station",
        rows,
        lambda: manager_client.get(f"/staffing/stations/{manager.station_id}/roster/"),
    )
    report(f"Staffing compliance, {args.stations} stations, {Station.objects.count() * 40} people", rows)


if __name__ == "__main__":
    main()
