"""Demo data of regions, organisations, stations and contracts, modelled on Jiaxing (嘉兴市, 72 townships).

Deterministic (a seeded random generator) and idempotent (keyed on codes), so ``seed_demo``
can run any number of times and always leaves the same picture.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models

from .choices import OrganizationKind, ProcurementMethod, RegionLevel, RegistrationLevel, StationStatus
from .models import OperatingContract, Organization, Region, StandardItem, Station, StationStandard
from .validators import credit_code_check_char

CITY = ("330400000000", "嘉兴市")
COUNTIES = {
    "330402": (
        "南湖区",
        [
            "建设街道",
            "新嘉街道",
            "解放街道",
            "南湖街道",
            "新兴街道",
            "城南街道",
            "东栅街道",
            "长水街道",
            "七星街道",
            "大桥镇",
            "余新镇",
            "凤桥镇",
        ],
    ),
    "330411": (
        "秀洲区",
        ["新城街道", "嘉北街道", "塘汇街道", "高照街道", "王江泾镇", "油车港镇", "新塍镇", "王店镇", "洪合镇"],
    ),
    "330421": (
        "嘉善县",
        ["魏塘街道", "罗星街道", "惠民街道", "大云镇", "西塘镇", "干窑镇", "陶庄镇", "姚庄镇", "天凝镇"],
    ),
    "330424": (
        "海盐县",
        ["武原街道", "西塘桥街道", "望海街道", "秦山街道", "沈荡镇", "百步镇", "于城镇", "澉浦镇", "通元镇"],
    ),
    "330481": (
        "海宁市",
        [
            "硖石街道",
            "海洲街道",
            "海昌街道",
            "马桥街道",
            "许村镇",
            "长安镇",
            "周王庙镇",
            "盐官镇",
            "斜桥镇",
            "丁桥镇",
            "袁花镇",
            "黄湾镇",
        ],
    ),
    "330482": (
        "平湖市",
        ["当湖街道", "钟埭街道", "曹桥街道", "广陈镇", "林埭镇", "新埭镇", "新仓镇", "独山港镇", "乍浦镇"],
    ),
    "330483": (
        "桐乡市",
        [
            "梧桐街道",
            "凤鸣街道",
            "龙翔街道",
            "高桥街道",
            "濮院镇",
            "屠甸镇",
            "乌镇镇",
            "大麻镇",
            "河山镇",
            "洲泉镇",
            "崇福镇",
            "石门镇",
        ],
    ),
}
COMMUNITY_STEMS = [
    "东湖",
    "新桥",
    "长虹",
    "友谊",
    "文昌",
    "南苑",
    "北门",
    "景湖",
    "金星",
    "双桥",
    "红联",
    "永丰",
    "联合",
    "民主",
    "光明",
    "新华",
    "和平",
    "春晖",
    "朝阳",
    "梅园",
    "荷花",
    "秀水",
    "青阳",
    "运河",
    "凤凰",
    "百花",
]
OPERATOR_STEMS = [
    "春晖",
    "众益",
    "乐仁",
    "善邻",
    "同心",
    "守望",
    "禾城",
    "益家",
    "慧爱",
    "向阳",
    "和美",
    "暖阳",
]
# Townships whose station is not (yet) operating, and the two with none at all: an honest picture.
PLANNING = {"凤桥镇", "洪合镇", "通元镇", "黄湾镇"}
SUSPENDED = {"干窑镇", "林埭镇"}
NO_STATION = {"乌镇镇", "石门镇"}

DEMO_TOWNSHIP = "马桥街道"


@dataclass
class DemoStations:
    city: Region = None
    counties: dict[str, Region] = field(default_factory=dict)
    stations: dict[str, Station] = field(default_factory=dict)
    supervisor: Organization = None
    agency: Organization = None


def credit_code(rng: random.Random, county6: str) -> str:
    """A well-formed unified social credit code of a civil-affairs-registered non-profit (52...)."""
    body = f"52{county6}MJ" + "".join(rng.choice("0123456789") for _ in range(7))
    return body + credit_code_check_char(body)


def upsert(model: type[models.Model], lookup: dict, values: dict) -> tuple[models.Model, bool]:
    """The row matching ``lookup`` with ``values``, created, or saved only when a value differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        return obj, True
    changed = []
    for name, value in values.items():
        current = getattr(obj, f"{name}_id") if isinstance(value, models.Model) else getattr(obj, name)
        if current != (value.pk if isinstance(value, models.Model) else value):
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj.save()  # the whole row: a model's save() may derive other fields (a region's path) from these
    return obj, False


def seed_regions(rng: random.Random, result: DemoStations) -> None:
    result.city, _ = upsert(Region, {"code": CITY[0]}, {"name": CITY[1], "level": RegionLevel.CITY, "parent": None})
    for county6, (county_name, townships) in COUNTIES.items():
        county, _ = upsert(
            Region,
            {"code": f"{county6}000000"},
            {"name": county_name, "level": RegionLevel.COUNTY, "parent": result.city},
        )
        result.counties[county_name] = county
        for index, township_name in enumerate(townships, start=1):
            seq = index if township_name.endswith("街道") else 100 + index
            township, _ = upsert(
                Region,
                {"code": f"{county6}{seq:03d}000"},
                {"name": township_name, "level": RegionLevel.TOWNSHIP, "parent": county},
            )
            suffix = "社区" if township_name.endswith("街道") else "村"
            for n, stem in enumerate(rng.sample(COMMUNITY_STEMS, rng.randint(4, 8)), start=1):
                upsert(
                    Region,
                    {"code": f"{county6}{seq:03d}{n:03d}"},
                    {"name": f"{stem}{suffix}", "level": RegionLevel.COMMUNITY, "parent": township},
                )


def upsert_organization(rng: random.Random, name: str, county6: str, **fields) -> Organization:
    """The organisation called ``name``, created with a fresh credit code or updated in place.

    The code is drawn on every run, so the random sequence (and the rest of the demo) never shifts.
    """
    code = credit_code(rng, county6)
    if not Organization.objects.filter(name=name).exists():
        fields["credit_code"] = code
    return upsert(Organization, {"name": name}, fields)[0]


def seed_organizations(rng: random.Random, result: DemoStations) -> dict[str, list[Organization]]:
    """Two operators per county with mixed ratings, one supervising centre, one evaluation agency."""
    operators: dict[str, list[Organization]] = {}
    for county6, (county_name, _townships) in COUNTIES.items():
        operators[county_name] = [
            upsert_organization(
                rng,
                f"{county_name}{stem}社会工作服务中心",
                county6,
                kind=OrganizationKind.OPERATOR,
                registration_level=RegistrationLevel.COUNTY,
                rating=rng.choice([0, 2, 3, 3, 4, 4, 5]),
                region=result.counties[county_name],
                legal_representative=rng.choice(["王", "李", "张", "陈", "沈", "朱", "徐"])
                + rng.choice(["晓燕", "建华", "丽萍", "国强", "海峰", "静", "伟"]),
            )
            for stem in rng.sample(OPERATOR_STEMS, 2)
        ]
    result.supervisor = upsert_organization(
        rng,
        "嘉兴市社会组织服务中心",
        "330400",
        kind=OrganizationKind.SUPERVISOR,
        registration_level=RegistrationLevel.CITY,
        rating=5,
        region=result.city,
    )
    result.agency = upsert_organization(
        rng,
        "浙江众评社会组织评估中心",
        "330100",
        kind=OrganizationKind.EVALUATION_AGENCY,
        registration_level=RegistrationLevel.PROVINCE,
        rating=4,
    )
    return operators


def seed_stations(rng: random.Random, result: DemoStations, operators, today: date) -> None:
    supervisor = result.supervisor
    items = list(StandardItem.objects.filter(active=True))
    for county_name, county in result.counties.items():
        for township in Region.objects.filter(parent=county).order_by("code"):
            if township.name in NO_STATION:
                continue
            status = (
                StationStatus.PLANNING
                if township.name in PLANNING
                else StationStatus.SUSPENDED
                if township.name in SUSPENDED
                else StationStatus.OPERATING
            )
            area = Decimal(rng.choice([320, 450, 520, 600, 680, 760, 850, 1000, 1200]))
            opened = None if status == StationStatus.PLANNING else date(rng.choice([2020, 2021]), rng.randint(1, 12), 1)
            station, _ = upsert(
                Station,
                {"township": township, "name": f"{township.name}社会工作站"},
                {
                    "address": f"浙江省嘉兴市{county_name}{township.name}{rng.choice(COMMUNITY_STEMS)}路{rng.randint(1, 399)}号",
                    "site_area_m2": area,
                    "opened_on": opened,
                    "status": status,
                    "supervisor": supervisor,
                },
            )
            station.communities.set(Region.objects.filter(parent=township))
            result.stations[township.name] = station
            if status != StationStatus.PLANNING:
                seed_contracts(rng, station, operators[county_name], today)
            seed_standards(rng, station, items, status)


def seed_contracts(rng: random.Random, station: Station, operators: list[Organization], today: date) -> None:
    """A finished first contract and the current two-year one (public tender)."""
    operator = operators[station.pk % len(operators)]
    terms = [
        (date(today.year - 3, 1, 1), date(today.year - 2, 12, 31), rng.choice(operators)),
        (date(today.year - 1, 1, 1), date(today.year, 12, 31), operator),
    ]
    for start_on, end_on, org in terms:
        upsert(
            OperatingContract,
            {"station": station, "start_on": start_on},
            {
                "end_on": end_on,
                "operator": org,
                "amount": Decimal(rng.choice([600_000, 800_000, 1_000_000, 1_200_000, 2_000_000])),
                "procurement_method": rng.choice(
                    [ProcurementMethod.PUBLIC_TENDER] * 4 + [ProcurementMethod.COMPETITIVE_NEGOTIATION]
                ),
            },
        )


def seed_standards(rng: random.Random, station: Station, items: list[StandardItem], status: str) -> None:
    for item in items:
        if item.code == "site_area":
            met = station.site_area_m2 >= 500
        else:
            met = status == StationStatus.OPERATING and rng.random() < 0.85
        upsert(
            StationStandard,
            {"station": station, "item": item},
            {"met": met, "note": "" if met else rng.choice(["整改中", "待补充材料", ""])},
        )


def seed(rng: random.Random, today: date) -> DemoStations:
    result = DemoStations()
    seed_regions(rng, result)
    operators = seed_organizations(rng, result)
    seed_stations(rng, result, operators, today)
    return result
