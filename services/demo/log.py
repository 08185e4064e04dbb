"""The service log of the 12 months up to today: visits, groups, community activities and the rest, with volunteers."""

import calendar
import random
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from staffing.choices import StaffRole
from staffing.demo import (
    TRAINING_TOPICS,
    day_between,
)
from staffing.models import StaffMember, Volunteer
from stations.models import Station

from ..choices import ServiceKind
from ..models import (
    Beneficiary,
    ServiceRecord,
)
from ..rules import (
    service_record_create,
)
from .common import Place, Planned
from .data import (
    CASE_SUMMARIES,
    COMMUNITY_ACTIVITIES,
    COMMUNITY_SUMMARIES,
    CONSULTATIONS,
    GROUP_SLOT,
    GROUP_SUMMARIES,
    GROUP_WORK,
    ISSUES,
    MINUTES,
    MONTHS,
    OTHER_KINDS,
    OTHER_SERVICES,
    REFERRALS,
    SEASONAL,
    THEMES,
    VISITS,
    VOLUNTEER_HOURS,
)


def month_starts(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months before today's and of today's, oldest first."""
    starts, year, month = [], today.year, today.month
    for _ in range(count + 1):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def theme_of(person: Beneficiary, codes: dict[str, list[str]]) -> str:
    return THEMES.get(codes[person.id_number][0], "other")


class LogPlanner:
    """Draws a station's service log of the 12 months up to today, in memory."""

    def __init__(self, lrng, place, people, staff, volunteers, specs, users, today):
        self.rng, self.place, self.today = lrng, place, today
        self.people = [person for person, _codes in people]
        self.codes = {person.id_number: codes for person, codes in people}
        self.staff = [s for s in staff if s.role != StaffRole.HEAD]
        self.volunteers = volunteers
        self.users = users
        # (year, slot) of the projects services can be logged against, and the optional projects' groups.
        self.active = {(spec.year, spec.slot) for spec in specs if spec.active and spec.slot != "optional"}
        self.optional = [
            (spec.year, spec.name, spec.groups) for spec in specs if spec.active and spec.slot == "optional"
        ]
        self.group_sessions = Counter()

    # who and what

    def staff_on(self, on: date, count: int) -> list[StaffMember]:
        present = [s for s in self.staff if s.hired_on <= on and (s.left_on is None or s.left_on > on)]
        return self.rng.sample(present, min(count, len(present)))

    def volunteers_on(self, on: date, count: int) -> list[tuple[Volunteer, Decimal]]:
        present = [v for v in self.volunteers if v.registered_on <= on and (v.left_on is None or v.left_on > on)]
        chosen = self.rng.sample(present, min(count, len(present)))
        return [(volunteer, self.rng.choice(VOLUNTEER_HOURS)) for volunteer in chosen]

    def registered(self, on: date, people=None) -> list[Beneficiary]:
        return [p for p in (self.people if people is None else people) if p.registered_on <= on]

    def key_for(self, on: date, slot: str | None, group: str | None = None) -> tuple[int, str] | None:
        """The project a service belongs to: the basic/brand one of ``slot``, or an optional one for ``group``."""
        for year, name, groups in self.optional:
            if year == on.year and group in groups:
                return (year, name)
        if slot == "optional":
            names = [name for year, name, _groups in self.optional if year == on.year]
            return (on.year, self.rng.choice(names)) if names else None
        return (on.year, slot) if (on.year, slot) in self.active else None

    def slot_of(self, person: Beneficiary) -> str | None:
        return next((GROUP_SLOT[c] for c in self.codes[person.id_number] if c in GROUP_SLOT), None)

    def minutes(self, kind: str) -> int:
        low, high = MINUTES[kind]
        return self.rng.randint(low // 5, high // 5) * 5

    def record(self, on, kind, *, key, people=(), headcount=0, staff=1, volunteers=0, place="", summary=""):
        return Planned(
            date=on,
            kind=kind,
            minutes=self.minutes(kind),
            key=key,
            people=list(people),
            headcount=headcount,
            staff=self.staff_on(on, staff),
            volunteers=self.volunteers_on(on, volunteers) if volunteers else [],
            place=place,
            summary=summary,
            user=self.rng.choice(self.users) if self.users else None,
        )

    # the log

    def plan(self, others: int) -> list[Planned]:
        """The monthly key-target visits, and ``others`` services of every kind spread over the 12 months."""
        planned = self.key_target_visits()
        first = month_starts(self.today, MONTHS)[0]
        for _ in range(others):
            on = day_between(self.rng, first, self.today)
            kind = self.rng.choices(list(OTHER_KINDS), weights=list(OTHER_KINDS.values()))[0]
            planned.append(getattr(self, f"plan_{kind}")(on))
        return sorted(planned, key=lambda record: record.date)

    def visit_share(self, start: date) -> float:
        """Share of the key targets visited in the month beginning ``start``."""
        rng = self.rng
        drawn = (
            rng.uniform(0.55, 0.75) if self.place.low_visits else 1.0 if rng.random() < 0.55 else rng.uniform(0.8, 0.97)
        )
        if self.place.demo:
            drawn = 1.0
        if start.year == self.today.year and start.month == self.today.month:
            progress = self.today.day / calendar.monthrange(start.year, start.month)[1]
            drawn *= min(0.9, 0.25 + 0.65 * progress)  # the month is under way
        return drawn

    def key_target_visits(self) -> list[Planned]:
        """Every month, a share of the key targets visited (all of them at 马桥).

        A busy station logs a visit per household or two, by community and project; the others log a round of
        a few neighbours at a time, by community.
        """
        planned = []
        keys = [p for p in self.people if p.key_target]
        per_record = [1, 2, 2] if self.place.busy else [2, 3, 4]
        for start in month_starts(self.today, MONTHS):
            end = min(start.replace(day=calendar.monthrange(start.year, start.month)[1]), self.today)
            due = [p for p in keys if p.registered_on <= end]
            visited = self.rng.sample(due, round(len(due) * self.visit_share(start)))
            batches = defaultdict(list)
            for person in sorted(visited, key=lambda p: p.id_number):
                slot = (self.slot_of(person) or "") if self.place.busy else ""
                batches[(person.community.code if person.community else "", slot)].append(person)
            for (_community, slot), group in sorted(batches.items()):
                while group:
                    size = self.rng.choice(per_record)
                    batch, group = group[:size], group[size:]
                    first = max([start, *(p.registered_on for p in batch)])
                    on = day_between(self.rng, first, end)
                    planned.append(self.visit(on, batch, slot or self.slot_of(batch[0])))
        return planned

    def visit(self, on: date, people: list[Beneficiary], slot: str | None) -> Planned:
        theme = theme_of(people[0], self.codes)
        theme = theme if theme in VISITS else "other"
        summary = self.rng.choice(VISITS[theme]).format(
            names="、".join(p.name for p in people), first=people[0].name, issue=self.rng.choice(ISSUES[theme])
        )
        group = self.codes[people[0].id_number][0]
        where = "服务对象家中" if self.rng.random() < 0.85 else f"{people[0].community.name}居家养老服务照料中心"
        record = self.record(
            on,
            ServiceKind.VISIT,
            key=self.key_for(on, slot, group),
            people=people,
            staff=self.rng.choice([1, 2, 2]),
            volunteers=1 if self.rng.random() < 0.04 else 0,
            place=where,
            summary=summary,
        )
        record.minutes = min(record.minutes * len(people), 240)
        return record

    def plan_visit(self, on: date) -> Planned:
        present = self.registered(on)
        if not present:
            return self.plan_other(on)
        first = self.rng.choice(present)
        neighbours = [p for p in present if p.community_id == first.community_id and p is not first]
        people = [first] + self.rng.sample(neighbours, min(len(neighbours), self.rng.choice([0, 0, 1])))
        return self.visit(on, people, self.slot_of(first))

    def plan_group(self, on: date) -> Planned:
        theme = self.rng.choice(list(GROUP_WORK))
        title, topics = self.rng.choice(GROUP_WORK[theme])
        members = [p for p in self.registered(on) if theme_of(p, self.codes) == theme]
        people = self.rng.sample(members, min(len(members), self.rng.randint(4, 10)))
        headcount = self.rng.randint(0, 3) if people else self.rng.randint(6, 12)
        self.group_sessions[title] += 1
        k = (self.group_sessions[title] - 1) % 8 + 1
        slot = {"child": "children", "elderly": "professional", "family": "difficult_families"}.get(theme, "optional")
        group = {"child": "left_behind_child", "disabled": "disabled"}.get(theme)
        where = self.rng.choice(
            ["社工站多功能活动室", f"{self.rng.choice(self.place.communities).name}党群服务中心活动室"]
        )
        return self.record(
            on,
            ServiceKind.GROUP,
            key=self.key_for(on, slot, group),
            people=people,
            headcount=headcount,
            staff=self.rng.choice([1, 2]),
            volunteers=self.rng.choice([0, 0, 0, 1, 2]),
            place=where,
            summary=self.rng.choice(GROUP_SUMMARIES).format(
                title=title, k=k, n=len(people) + headcount, topic=topics[(k - 1) % len(topics)]
            ),
        )

    def plan_community(self, on: date) -> Planned:
        rng = self.rng
        community = rng.choice(self.place.communities)
        activity = (
            SEASONAL[on.month] if on.month in SEASONAL and rng.random() < 0.4 else rng.choice(COMMUNITY_ACTIVITIES)
        )
        village = community.name.endswith("村")
        where = f"{community.name}{'文化礼堂' if village else rng.choice(['党群服务中心', '小广场'])}"
        local = [p for p in self.registered(on) if p.community_id == community.pk]
        people = rng.sample(local, min(len(local), rng.randint(0, 4)))
        headcount = rng.randint(30, 180)
        volunteers = rng.choice([0, 0, 2, 3, 4, 5])
        slot = rng.choices(["governance", "core", "optional", "professional", None], weights=[45, 10, 20, 10, 15])[0]
        record = self.record(
            on,
            ServiceKind.COMMUNITY,
            key=self.key_for(on, slot) if slot else None,
            people=people,
            headcount=headcount,
            staff=rng.choice([2, 2, 3]),
            volunteers=volunteers,
            place=where,
        )
        helpers = f"，{len(record.volunteers)}名志愿者协助" if record.volunteers else ""
        record.summary = rng.choice(COMMUNITY_SUMMARIES).format(
            place=where,
            community=community.name,
            activity=activity,
            n=headcount + len(people),
            helpers=helpers,
            k=rng.randint(2, 12),
        )
        return record

    def plan_case(self, on: date) -> Planned:
        present = self.registered(on)
        if not present:
            return self.plan_other(on)
        weights = [3 if p.key_target else 1 for p in present]
        person = self.rng.choices(present, weights=weights)[0]
        theme = theme_of(person, self.codes)
        issue = self.rng.choice(ISSUES[theme if theme in ISSUES else "other"])
        return self.record(
            on,
            ServiceKind.CASE,
            key=self.key_for(on, self.slot_of(person) or "professional", self.codes[person.id_number][0]),
            people=[person],
            place=self.rng.choice(["社工站个案工作室", "服务对象家中"]),
            summary=self.rng.choice(CASE_SUMMARIES).format(first=person.name, issue=issue),
        )

    def plan_consultation(self, on: date) -> Planned:
        present = self.registered(on)
        person = self.rng.choice(present) if present and self.rng.random() < 0.5 else None
        topic = self.rng.choice(CONSULTATIONS)
        return self.record(
            on,
            ServiceKind.CONSULTATION,
            key=None,
            people=[person] if person else [],
            headcount=0 if person else self.rng.randint(1, 3),
            place="社工站接待大厅",
            summary=f"接待{person.name if person else '居民'}来站咨询{topic}，解答政策要点并告知所需材料，已发放一次性告知单。",
        )

    def plan_training(self, on: date) -> Planned:
        topic = self.rng.choice(TRAINING_TOPICS)
        n = self.rng.randint(12, 40)
        return self.record(
            on,
            ServiceKind.TRAINING,
            key=self.key_for(on, "core"),
            headcount=n,
            staff=self.rng.choice([1, 2, 3]),
            place=self.rng.choice(["社工站培训室", f"{self.place.township}便民服务中心会议室"]),
            summary=f"组织开展“{topic}”专题培训，站内社工、村（社区）干部及志愿者{n}人参加，会后进行培训测评。",
        )

    def plan_referral(self, on: date) -> Planned:
        present = self.registered(on)
        if not present:
            return self.plan_other(on)
        person = self.rng.choice(present)
        need, agency = REFERRALS.get(theme_of(person, self.codes), REFERRALS["other"])
        agency = agency.format(township=self.place.township, county=self.place.county)
        return self.record(
            on,
            ServiceKind.REFERRAL,
            key=self.key_for(on, self.slot_of(person), self.codes[person.id_number][0]),
            people=[person],
            place="社工站",
            summary=f"经评估{person.name}存在{need}需求，转介至{agency}，已电话跟进对接情况。",
        )

    def plan_other(self, on: date) -> Planned:
        return self.record(
            on,
            ServiceKind.OTHER,
            key=None,
            headcount=self.rng.randint(5, 40),
            staff=self.rng.choice([1, 2]),
            place=self.place.township,
            summary=self.rng.choice(OTHER_SERVICES).format(township=self.place.township),
        )


def other_services(lrng: random.Random, place: Place) -> int:
    """How many services besides the key-target visits a station logs in the year."""
    if place.demo:
        return 190
    if place.busy:
        return lrng.randint(130, 180)
    if place.low_visits:
        return lrng.randint(25, 35)
    return lrng.randint(35, 75)


def write_log(station: Station, planned: list[Planned], projects: dict) -> tuple[int, int]:
    """Write the planned records (see the module docstring); returns (records, volunteer shares)."""
    plain, shares = [], 0
    for item in planned:
        project = projects.get(item.key) if item.key else None
        if item.volunteers:
            try:
                record = service_record_create(
                    station=station,
                    user=item.user,
                    date=item.date,
                    kind=item.kind,
                    duration_minutes=item.minutes,
                    project=project,
                    beneficiaries=item.people,
                    headcount=item.headcount,
                    staff=item.staff,
                    volunteers=[{"volunteer": v, "hours": hours} for v, hours in item.volunteers],
                    place=item.place,
                    summary=item.summary,
                )
            except ValidationError as error:
                if set(error.message_dict) != {"volunteers"}:
                    raise
            else:
                shares += len(item.volunteers)
                continue
        record = ServiceRecord(
            station=station,
            project=project,
            created_by=item.user,
            date=item.date,
            kind=item.kind,
            headcount=item.headcount,
            duration_minutes=item.minutes,
            place=item.place,
            summary=item.summary,
        )
        checked(record, item)
        plain.append((record, item))
    ServiceRecord.objects.bulk_create([record for record, _item in plain], batch_size=1000)
    people, staff = ServiceRecord.beneficiaries.through, ServiceRecord.staff.through
    people.objects.bulk_create(
        [people(servicerecord_id=r.pk, beneficiary_id=p.pk) for r, item in plain for p in item.people], batch_size=2000
    )
    staff.objects.bulk_create(
        [staff(servicerecord_id=r.pk, staffmember_id=s.pk) for r, item in plain for s in item.staff], batch_size=2000
    )
    return len(planned), shares


def checked(record: ServiceRecord, item: Planned) -> None:
    """The checks ``service_record_create`` makes, in memory: the model's own and the people's station."""
    record.clean_fields(exclude=["station", "project", "created_by"])
    record.clean()
    station_id = record.station_id
    strangers = [p for p in [*item.people, *item.staff] if p.station_id != station_id]
    if strangers or not (item.people or item.headcount):
        raise ValidationError(f"demo record of {record.date} names strangers or nobody served")
