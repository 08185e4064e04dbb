"""The whole services demo: the city's policies, each operating station, and the summary printed after it."""

import random
from datetime import date
from decimal import Decimal

from accounts.choices import Role
from accounts.models import User
from staffing.models import StaffMember, Volunteer
from stations.choices import StationStatus
from stations.demo import DEMO_TOWNSHIP, DemoStations, upsert
from stations.models import Station

from ..models import (
    Beneficiary,
    Case,
    CatalogItem,
    FocusProblem,
    Project,
    ServicePolicy,
    ServiceRecord,
    ServiceVolunteer,
    TargetGroup,
)
from ..rules import (
    portfolio_check,
    visit_rate,
)
from .beneficiaries import seed_beneficiaries
from .cases import draw_cases, draw_focus_problems, write_cases, write_focus_problems
from .common import DemoServices, Place
from .data import BUSY, LOW_VISITS
from .log import LogPlanner, month_starts, other_services, write_log
from .projects import project_specs, seed_projects, set_targets


def seed_policies(demo: DemoStations, today: date) -> None:
    """The city's service targets (Suzhou's 4 communities, Jiaxing's 100 % visits) for last year and this one."""
    for year in (today.year - 1, today.year):
        upsert(
            ServicePolicy,
            {"region": demo.city, "year": year},
            {"empowerment_governance_communities_min": 4, "key_target_visit_goal": Decimal("1.00")},
        )


def seed_station(rng: random.Random, place: Place, today: date, reference: dict) -> None:
    """One station's services: four numbers from ``rng``, whatever the database already holds."""
    station = place.station
    brng = random.Random(rng.getrandbits(64))  # who the beneficiaries are: the natural keys
    prng = random.Random(rng.getrandbits(64))  # projects: names, tags, communities, stages, targets
    lrng = random.Random(rng.getrandbits(64))  # the service log of the 12 months up to today
    crng = random.Random(rng.getrandbits(64))  # cases and focus problems

    size = 150 if place.demo else brng.randint(110, 150) if place.busy else brng.randint(60, 110)
    people = seed_beneficiaries(brng, place, size, reference["groups"], today)
    staff = list(StaffMember.objects.filter(station=station).order_by("hired_on", "id_number"))
    volunteers = list(Volunteer.objects.filter(station=station).order_by("registered_on", "id_number"))
    users = list(User.objects.filter(station=station, is_active=True).order_by("username"))
    manager = next((u for u in users if u.role == Role.STATION_MANAGER), None) or reference["admin"]

    specs = project_specs(prng, place, today)
    planner = LogPlanner(lrng, place, people, staff, volunteers, specs, users, today)
    planned = planner.plan(other_services(lrng, place))
    projects = seed_projects(place, specs, set_targets(specs, planned, today), reference["items"], manager, today)
    if not ServiceRecord.objects.filter(station=station).exists():
        write_log(station, planned, projects)

    cases = draw_cases(crng, place, today)
    problems = draw_focus_problems(crng, place, manager if place.demo else None, today)
    if not Case.objects.filter(station=station).exists():
        write_cases(place, cases, people, staff, today)
    if not FocusProblem.objects.filter(station=station).exists():
        write_focus_problems(station, problems)


def seed(rng: random.Random, demo: DemoStations, today: date) -> DemoServices:
    """Services of every operating station; needs the staffing demo and the demo accounts first."""
    seed_policies(demo, today)
    reference = {
        "groups": {group.code: group for group in TargetGroup.objects.all()},
        "items": {item.name: item for item in CatalogItem.objects.all()},
        "admin": User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first(),
    }
    operating = []
    for township, station in demo.stations.items():
        if station.status != StationStatus.OPERATING:
            continue
        place = Place(
            station=station,
            township=township,
            county=station.township.parent.name,
            communities=list(station.communities.order_by("code")),
            busy=township in BUSY,
            demo=township == DEMO_TOWNSHIP,
            low_visits=township == LOW_VISITS,
        )
        seed_station(rng, place, today, reference)
        operating.append(station)
    return summary(operating, today)


def summary(stations: list[Station], today: date) -> DemoServices:
    result = DemoServices(operating=len(stations))
    beneficiaries = Beneficiary.objects.filter(station__in=stations)
    result.beneficiaries = beneficiaries.count()
    result.key_targets = beneficiaries.filter(key_target=True).count()
    result.projects = Project.objects.filter(station__in=stations).count()
    result.records = ServiceRecord.objects.filter(station__in=stations).count()
    result.volunteer_shares = ServiceVolunteer.objects.filter(record__station__in=stations).count()
    result.cases = Case.objects.filter(station__in=stations).count()
    result.focus_problems = FocusProblem.objects.filter(station__in=stations).count()
    last_month = month_starts(today, 1)[0]
    for station in stations:
        if not portfolio_check(station=station, year=today.year).valid:
            result.incomplete_portfolios.append(station.name)
        result.last_month_rates[station.name] = visit_rate(station=station, month=last_month).rate
    return result
