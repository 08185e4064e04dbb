"""Demo staffing of the Jiaxing stations (DOMAIN.md section 3): staff, volunteers and their hours, the city's
staffing policy, the named supervisor of every station, supervision visits and training sessions.

The mix is honest: 马桥街道 meets every rule, several stations are short of certified social workers, some pay
below the salary floor, some have fewer than 30 volunteers, and 澉浦镇 is run by two people (like Linzhi's).

Deterministic and idempotent. Each operating station takes exactly three numbers from ``rng`` and seeds its own
generators: one for who people are (names, ID numbers, hire dates: the natural keys), one for the volunteers' hours
and time bank (dates in the two years before ``today``), one for supervision visits and training (dates in this
year and the last). Every value is drawn whether or not its row already exists, so no key depends on ``today`` or on
what the database holds. Rows are keyed on natural keys and saved only when something changed (staff, supervisors
and policies keep a history); hour records and time-bank entries are written only for a volunteer who has none yet.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from stations.choices import StationStatus
from stations.demo import DEMO_TOWNSHIP, DemoStations, upsert
from stations.models import Station

from .choices import FULL_TIME_ROLES, Certification, Education, Employer, Gender, StaffRole
from .models import (
    StaffingPolicy,
    StaffMember,
    StationSupervisor,
    SupervisionVisit,
    TimeBankEntry,
    TrainingSession,
    Volunteer,
    VolunteerHours,
    default_star_hours,
)
from .rules import salary_floor, station_compliance
from .validators import id_number_check_char

# A remote town run by two people, like Linzhi's stations; stations short of certified social workers; stations
# paying someone below the salary floor. The rest draw their figures, so some of them fail a rule or two as well.
TWO_STAFF_TOWNSHIP = "澉浦镇"
SHORT_OF_CERTIFIED = {"新嘉街道", "七星街道", "王江泾镇", "姚庄镇", "长安镇", "广陈镇", "濮院镇"}
LOW_SALARY = {"余新镇", "塘汇街道", "大云镇", "盐官镇", "曹桥街道", "梧桐街道"}

# Prior-year average wage entered in the city's policy, by how many years before this one.
# Jiaxing-like figures; the floor is 1.2 x this (DOMAIN.md section 3).
AVERAGE_WAGES = {0: Decimal("98000"), 1: Decimal("94000")}

FAMILY_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高沈陆钱"
GIVEN_FEMALE = [
    "晓燕",
    "丽萍",
    "婷婷",
    "佳怡",
    "雅琴",
    "静",
    "敏",
    "慧",
    "秀英",
    "玉兰",
    "文静",
    "思雨",
    "梦瑶",
    "欣怡",
    "雪梅",
    "红霞",
    "丹",
    "颖",
    "倩",
    "美玲",
    "春燕",
    "晓雯",
    "嘉怡",
    "月华",
]
GIVEN_MALE = [
    "建华",
    "国强",
    "海峰",
    "伟",
    "强",
    "磊",
    "俊杰",
    "志明",
    "浩然",
    "宇航",
    "建军",
    "明",
    "涛",
    "晨",
    "子豪",
    "文斌",
    "立新",
    "永康",
    "家豪",
    "卫东",
]
SKILLS = [
    "助老陪伴",
    "心理疏导",
    "法律咨询",
    "课业辅导",
    "文艺演出",
    "义务理发",
    "家电维修",
    "健康义诊",
    "反诈宣传",
    "垃圾分类宣传",
    "手工编织",
    "摄影",
    "书法",
    "应急救护",
    "交通劝导",
]
ACTIVITIES = [
    "独居老人上门探访",
    "社区助餐配送",
    "四点半课堂",
    "义务理发进社区",
    "反诈宣传进村",
    "垃圾分类督导",
    "重阳节敬老活动",
    "困境儿童陪伴",
    "助残康复陪护",
    "应急救护培训协助",
    "文明交通劝导",
    "社区义诊协助",
    "防汛值守",
    "暑期托管班",
    "邻里节活动",
]
REDEMPTIONS = ["兑换助浴服务", "兑换上门理发", "兑换家电维修", "兑换助餐服务", "兑换陪同就医"]
TRAINING_TOPICS = [
    "个案管理实务",
    "社会工作伦理",
    "困境儿童保护",
    "老年人能力评估",
    "社会救助政策解读",
    "小组工作设计与带领",
    "社区需求评估方法",
    "心理危机干预",
    "项目设计与成效评估",
    "服务档案规范",
    "社工站服务标准化",
]
TRAINERS = ["嘉兴大学社会工作系", "浙江省社会工作联合会", "嘉兴市社会组织服务中心", "浙江工业大学社会工作系"]
FINDINGS = [
    "个案记录较规范，需求评估部分需补充家庭支持系统分析。",
    "小组活动有计划有总结，建议增加成效测量工具。",
    "台账基本齐全，志愿者服务时长登记不够及时。",
    "社工专业反思不足，建议每月开展一次内部个案研讨。",
    "困境儿童走访覆盖率达标，部分档案未及时更新。",
    "服务对象满意度较高，社区资源链接仍较单一。",
    "社会救助对象探访到位，转介流程需进一步规范。",
]
FOLLOW_UPS = [
    "下次督导时复查档案整改情况。",
    "两周内补齐需求评估表。",
    "由副站长牵头制定志愿者时长登记制度。",
    "推荐参加市级个案管理培训。",
    "",
]

# Hours of one service record (one day each, so a day never nears 24 h): short visits, and the long days of the
# volunteers who serve most.
SHORT_SHIFTS = [Decimal(h) for h in ("2", "2.5", "3", "3.5", "4", "4", "5", "6", "8")]
LONG_SHIFTS = [Decimal(h) for h in ("5", "6", "6.5", "7", "7.5", "8")]
# How many of a station's volunteers reach 0, 1, ... 5 stars: most serve a little, a few a great deal.
STAR_WEIGHTS = [74, 18, 5, 1.8, 0.7, 0.6]
HOURS_WINDOW = 730  # hour records cover the past two years
# Registered by then, by stars (0, 1, 2 or more): time enough to serve the hours.
REGISTERED_BY = [date(2026, 6, 30), date(2025, 6, 30), date(2024, 6, 30)]
LEFT_BY = date(2026, 9, 30)  # those who left did so by then


@dataclass
class Profile:
    """What a station's staffing looks like: full-time staff (deputy included), how many are certified, etc."""

    full_time: int
    certified: int
    part_time: int
    leavers: int
    volunteers: int
    volunteer_leavers: int
    low_salary: bool
    head: bool = True


@dataclass
class DemoStaffing:
    staff: int = 0
    volunteers: int = 0
    hour_records: int = 0
    operating: int = 0
    # Station name -> codes of the rules it fails today (empty: compliant).
    failures: dict[str, list[str]] = field(default_factory=dict)

    @property
    def compliant(self) -> list[str]:
        return [name for name, failed in self.failures.items() if not failed]


def profile_for(irng: random.Random, township: str) -> Profile:
    """The drawn profile of a station, bent where the demo needs a particular picture (same draws either way)."""
    profile = Profile(
        full_time=irng.choice([5, 6, 6, 7, 7, 8, 9]),
        certified=irng.randint(3, 6),
        part_time=irng.randint(0, 3),
        leavers=irng.randint(0, 2),
        volunteers=irng.randint(25, 45),
        volunteer_leavers=irng.randint(0, 2),
        low_salary=irng.random() < 0.06,
    )
    if township == DEMO_TOWNSHIP:
        profile.full_time, profile.certified, profile.part_time, profile.leavers = 8, 5, 2, 2
        profile.volunteers, profile.volunteer_leavers, profile.low_salary = 42, 2, False
    elif township == TWO_STAFF_TOWNSHIP:
        profile.full_time, profile.certified, profile.part_time, profile.leavers = 2, 1, 0, 0
        profile.volunteers, profile.volunteer_leavers, profile.low_salary, profile.head = 9, 0, True, False
    elif township in SHORT_OF_CERTIFIED:
        profile.full_time = max(profile.full_time, 6)
        profile.certified = 2 + profile.certified % 2
    if township in LOW_SALARY:
        profile.low_salary = True
    profile.certified = min(profile.certified, profile.full_time)
    return profile


def day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def person(rng: random.Random, female_share: float) -> tuple[str, str]:
    gender = Gender.FEMALE if rng.random() < female_share else Gender.MALE
    given = rng.choice(GIVEN_FEMALE if gender == Gender.FEMALE else GIVEN_MALE)
    return rng.choice(FAMILY_NAMES) + given, gender


def phone(rng: random.Random) -> str:
    return rng.choice(["13", "13", "15", "18"]) + str(rng.randint(0, 9)) + f"{rng.randint(0, 99_999_999):08d}"


def id_number(rng: random.Random, county6: str, born_from: int, born_to: int, gender: str, used: set[str]) -> str:
    """A valid GB 11643 number: county code, birth date, sequence (odd for men, even for women), check char."""
    born = day_between(rng, date(born_from, 1, 1), date(born_to, 12, 31))
    seq = rng.randint(0, 499) * 2 + (1 if gender == Gender.MALE else 0)
    while True:
        body = f"{county6}{born:%Y%m%d}{seq:03d}"
        number = body + id_number_check_char(body)
        if number not in used:
            used.add(number)
            return number
        seq = (seq + 2) % 1000


def seed_policies(demo: DemoStations, today: date) -> None:
    for years_back, wage in AVERAGE_WAGES.items():
        upsert(
            StaffingPolicy,
            {"region": demo.city, "year": today.year - years_back},
            {"prior_year_average_wage": wage, "volunteer_star_hours": default_star_hours()},
        )


def seed_staff(irng: random.Random, station: Station, profile: Profile, floor: Decimal) -> list[StaffMember]:
    """The station's head (a township official), deputy, full-time and part-time workers, and those who left."""
    county6 = station.township.code[:6]
    opened = station.opened_on
    used: set[str] = set()
    salary_from = int(floor // 1000) + 1  # thousands of CNY at or above the floor
    rows = []

    def draw(role: str, *, certified: bool, left: bool = False, fixed_name: tuple[str, str] | None = None) -> dict:
        name, gender = person(irng, 0.7)
        hired = day_between(irng, opened, date(2024, 6, 30) if left else date(2025, 12, 31))
        if fixed_name:
            name, gender, hired = *fixed_name, opened
        left_on = min(hired + timedelta(days=irng.randint(180, 900)), LEFT_BY)
        if role in (StaffRole.HEAD, StaffRole.DEPUTY):
            education = irng.choice([Education.BACHELOR, Education.BACHELOR, Education.MASTER])
        elif role == StaffRole.PART_TIME:
            education = irng.choice([Education.SECONDARY, Education.JUNIOR_COLLEGE, Education.JUNIOR_COLLEGE])
        else:
            education = irng.choice(
                [Education.JUNIOR_COLLEGE, Education.BACHELOR, Education.BACHELOR, Education.BACHELOR, Education.MASTER]
            )
        level = irng.choice(
            [Certification.ASSISTANT] * 5 + [Certification.INTERMEDIATE] * 3 + [Certification.SENIOR]
            if role == StaffRole.DEPUTY
            else [Certification.ASSISTANT] * 7 + [Certification.INTERMEDIATE] * 2
        )
        major = role != StaffRole.HEAD and irng.random() < (0.6 if certified else 0.35)
        salary = Decimal(irng.randint(salary_from, salary_from + (30 if role == StaffRole.DEPUTY else 18)) * 1000)
        part_salary = Decimal(irng.randint(30, 48) * 1000)
        contract = irng.random() < 0.92
        return {
            "station": station,
            "id_number": id_number(irng, county6, 1972 if role == StaffRole.HEAD else 1978, 2001, gender, used),
            "hired_on": hired,
            "values": {
                "name": name,
                "gender": gender,
                "phone": phone(irng),
                "role": role,
                "employer": Employer.GOVERNMENT if role == StaffRole.HEAD else Employer.OPERATOR,
                "education": education,
                "major_social_work": major,
                "certification": level if certified else Certification.NONE,
                "left_on": left_on if left else None,
                "labour_contract": role != StaffRole.HEAD and (contract or role == StaffRole.DEPUTY),
                "annual_salary": None
                if role == StaffRole.HEAD
                else part_salary
                if role == StaffRole.PART_TIME
                else salary,
            },
        }

    demo = station.township.name == DEMO_TOWNSHIP
    # The demo accounts "manager" and "worker" are the deputy (there since the station opened) and a social worker.
    fixed = {0: ("陆佳", Gender.FEMALE), 1: ("吴晓婷", Gender.FEMALE)} if demo else {}
    head = draw(StaffRole.HEAD, certified=False)
    if profile.head:
        rows.append(head)
    for n in range(profile.full_time):
        role = StaffRole.DEPUTY if n == 0 else StaffRole.FULL_TIME
        rows.append(draw(role, certified=n < profile.certified, fixed_name=fixed.get(n)))
    for _ in range(profile.part_time):
        rows.append(draw(StaffRole.PART_TIME, certified=False))
    for _ in range(profile.leavers):
        rows.append(draw(StaffRole.FULL_TIME, certified=irng.random() < 0.5, left=True))
    # One or two full-time workers paid below the floor (drawn for every station, applied to some).
    below = [floor - Decimal(irng.randint(3, 18) * 1000) for _ in range(2)]
    if profile.low_salary:
        current = [r for r in rows if r["values"]["role"] in FULL_TIME_ROLES and r["values"]["left_on"] is None]
        paid_below = current[-2:]
        for row, salary in zip(paid_below, below[: len(paid_below)], strict=True):
            row["values"]["annual_salary"] = salary.quantize(Decimal("1"))

    staff = []
    for row in rows:
        member, _ = upsert(
            StaffMember,
            {"station": row["station"], "id_number": row["id_number"], "hired_on": row["hired_on"]},
            row["values"],
        )
        staff.append(member)
    return staff


def star_target(irng: random.Random, stars: int, thresholds: list[int]) -> int:
    """Total hours that land on ``stars``: at least its threshold, safely below the next one."""
    low = 2 if stars == 0 else thresholds[stars - 1]
    high = thresholds[stars] - 10 if stars < 5 else thresholds[4] + 300
    return irng.randint(low, high)


def seed_volunteers(
    irng: random.Random, arng: random.Random, station: Station, profile: Profile, today: date
) -> tuple[int, int]:
    """Volunteers with two years of hour records and a few time-bank entries; returns (volunteers, new hours)."""
    county6 = station.township.code[:6]
    thresholds = default_star_hours()
    used: set[str] = set()
    demo = station.township.name == DEMO_TOWNSHIP
    existing = {v.id_number: v for v in Volunteer.objects.filter(station=station)}
    with_hours = set(VolunteerHours.objects.filter(volunteer__station=station).values_list("volunteer_id", flat=True))
    with_bank = set(TimeBankEntry.objects.filter(volunteer__station=station).values_list("volunteer_id", flat=True))
    window_start = today - timedelta(days=HOURS_WINDOW)

    plans = []
    for n in range(profile.volunteers):
        name, gender = person(irng, 0.6)
        stars = irng.choices(range(6), weights=STAR_WEIGHTS)[0]
        leaves = n >= profile.volunteers - profile.volunteer_leavers
        if demo and n < 6:
            stars = 5 - n  # the demo station shows every star level
        if leaves:
            stars = 0
        target = star_target(irng, stars, thresholds)
        # The keenest volunteers have served since before the two-year window opened.
        registered = day_between(irng, station.opened_on, REGISTERED_BY[min(stars, 2)])
        left_on = min(registered + timedelta(days=irng.randint(120, 500)), LEFT_BY)
        values = {
            "name": name,
            "phone": phone(irng),
            "skills": "、".join(irng.sample(SKILLS, irng.randint(1, 3))),
            "registered_on": registered,
            "left_on": left_on if leaves else None,
        }
        number = id_number(irng, county6, 1955, 2006, gender, used)
        # A few of the more active volunteers bank hours and later redeem part of them for a service.
        bank = {
            "banks": stars >= 1 and irng.random() < 0.25,
            "deposit": Decimal(irng.randint(20, 60)),
            "redeem": Decimal(irng.randint(4, 16)),
            "after": timedelta(days=irng.randint(20, 200)),
            "for": irng.choice(REDEMPTIONS),
        }
        plans.append((number, values, stars, target, bank))

    volunteers = []
    new = []
    for number, values, stars, target, bank in plans:
        volunteer = existing.get(number)
        if volunteer is None:
            volunteer = Volunteer(station=station, id_number=number, **values)
            new.append(volunteer)
        else:
            changed = [k for k, v in values.items() if getattr(volunteer, k) != v]
            for k in changed:
                setattr(volunteer, k, values[k])
            if changed:
                volunteer.save(update_fields=changed)
        volunteers.append((volunteer, stars, target, bank))
    Volunteer.objects.bulk_create(new)

    hours, entries = [], []
    for volunteer, stars, target, bank in volunteers:
        first = max(volunteer.registered_on, window_start)
        last = min(volunteer.left_on or today, today)
        days = (last - first).days
        shifts = LONG_SHIFTS if stars >= 2 else SHORT_SHIFTS
        amounts, total = [], Decimal(0)
        while total < target:
            amounts.append(arng.choice(shifts))
            total += amounts[-1]
        offsets = sorted(arng.sample(range(max(days, 1)), min(len(amounts), max(days, 1))))
        records = [
            VolunteerHours(
                volunteer=volunteer,
                date=first + timedelta(days=offset),
                hours=amount,
                activity=arng.choice(ACTIVITIES),
            )
            for offset, amount in zip(offsets, amounts[: len(offsets)], strict=True)
        ]
        if days > 0 and volunteer.pk not in with_hours:
            hours.extend(records)
        if bank["banks"] and days > 0 and records and volunteer.pk not in with_bank:
            # Deposited from the hours served, then part redeemed: the balance stays positive.
            deposit_on = records[len(records) // 2].date
            entries.append(
                TimeBankEntry(volunteer=volunteer, date=deposit_on, hours=bank["deposit"], note="服务时长存入时间银行")
            )
            if deposit_on + bank["after"] <= today:
                entries.append(
                    TimeBankEntry(
                        volunteer=volunteer, date=deposit_on + bank["after"], hours=-bank["redeem"], note=bank["for"]
                    )
                )
    VolunteerHours.objects.bulk_create(hours, batch_size=2000)
    TimeBankEntry.objects.bulk_create(entries)
    return len(volunteers), len(hours)


def seed_supervision(
    irng: random.Random, srng: random.Random, station: Station, staff: list[StaffMember], today: date
) -> None:
    """The station's named supervisor ("1+1"), quarterly supervision visits and a few training sessions."""
    name, _gender = person(irng, 0.6)
    since = day_between(irng, station.opened_on, date(station.opened_on.year + 1, 6, 30))
    supervisor, _ = upsert(
        StationSupervisor,
        {"station": station},
        {"name": name, "organization": station.supervisor, "phone": phone(irng), "since": since},
    )
    for year in (today.year - 1, today.year):
        for quarter in range(4):
            on = date(year, quarter * 3 + srng.randint(1, 3), srng.randint(1, 28))
            findings, follow_up = srng.choice(FINDINGS), srng.choice(FOLLOW_UPS)
            if on <= today:
                upsert(
                    SupervisionVisit,
                    {"station": station, "date": on, "supervisor": supervisor.name},
                    {"findings": findings, "follow_up": follow_up},
                )
        for topic in srng.sample(TRAINING_TOPICS, 2):
            on = date(year, srng.randint(1, 12), srng.randint(1, 28))
            trainer = srng.choice(TRAINERS) + srng.choice(FAMILY_NAMES) + "老师"
            hours = srng.choice([Decimal("2"), Decimal("3"), Decimal("3.5"), Decimal("6")])
            share = srng.uniform(0.6, 1.0)
            if on > today:
                continue
            session, _ = upsert(
                TrainingSession, {"station": station, "date": on, "topic": topic}, {"hours": hours, "trainer": trainer}
            )
            present = [
                s
                for s in staff
                if s.role != StaffRole.HEAD and s.hired_on <= on and (s.left_on is None or s.left_on > on)
            ]
            session.attendees.set(present[: max(1, round(len(present) * share))] if present else [])


def seed(rng: random.Random, demo: DemoStations, today: date) -> DemoStaffing:
    result = DemoStaffing()
    seed_policies(demo, today)
    floor = salary_floor(StaffingPolicy.objects.get(region=demo.city, year=today.year))
    for township, station in demo.stations.items():
        if station.status != StationStatus.OPERATING:
            continue
        irng = random.Random(rng.getrandbits(64))  # who: the natural keys
        arng = random.Random(rng.getrandbits(64))  # what volunteers did: hours in the two years before today
        srng = random.Random(rng.getrandbits(64))  # supervision and training: dates in this year and the last
        profile = profile_for(irng, township)
        staff = seed_staff(irng, station, profile, floor)
        volunteers, _new_hours = seed_volunteers(irng, arng, station, profile, today)
        seed_supervision(irng, srng, station, staff, today)
        result.operating += 1
        result.staff += len(staff)
        result.volunteers += volunteers
        checks = station_compliance(station=station, on=today).checks
        result.failures[station.name] = [check.code for check in checks if not check.ok]
    result.hour_records = VolunteerHours.objects.filter(volunteer__station__in=demo.stations.values()).count()
    return result
