"""``manage.py seed_demo``: a realistic, idempotent demo (Jiaxing) with staffing and an account for every role."""

import random
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.choices import Role
from accounts.models import User
from evaluation import demo as evaluation_demo
from services import demo as services_demo
from staffing import demo as staffing_demo
from stations import demo as stations_demo

SEED = 2026


class Command(BaseCommand):
    help = (
        "Load the Jiaxing demo: regions, organisations, stations, contracts, staffing, services "
        "(beneficiaries, projects, a year of service records, cases) and demo accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to load demo data with DEBUG off; pass --force if you really mean it.")
        today = date.today()
        with transaction.atomic():
            rng = random.Random(SEED)
            demo = stations_demo.seed(rng, today)
            staffing = staffing_demo.seed(rng, demo, today)
            evaluation_demo.seed(demo, today)
            accounts = seed_accounts(demo)
            # After the accounts: project stages are moved by the station's manager account.
            services = services_demo.seed(rng, demo, today)
        self.stdout.write(
            self.style.SUCCESS(f"Demo loaded: {len(demo.counties)} counties, {len(demo.stations)} stations.")
        )
        short = [name for name, failed in staffing.failures.items() if "certified_staff" in failed]
        self.stdout.write(
            f"Staffing: {staffing.staff} staff records, {staffing.volunteers} volunteers, {staffing.hour_records} hour records; "
            f"{len(staffing.compliant)} of {staffing.operating} operating stations meet every staffing rule today, "
            f"{len(short)} are short of certified social workers."
        )
        lowest = services.lowest_visit_rate
        self.stdout.write(
            f"Services: {services.beneficiaries} beneficiaries ({services.key_targets} key targets), "
            f"{services.projects} projects, {services.records} service records "
            f"({services.volunteer_shares} volunteer hour records booked), {services.cases} cases, "
            f"{services.focus_problems} focus problems; {services.operating - len(services.incomplete_portfolios)} of "
            f"{services.operating} operating stations have a valid 123X portfolio this year; "
            f"{len(services.fully_visited)} visited every key target last month"
            + (f", the lowest is {lowest[0]} ({lowest[1]:.0%})." if lowest else ".")
        )
        self.stdout.write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
        for user in accounts:
            self.stdout.write(f"  {user.username:<10} {user.get_role_display()} · {user.full_name}")


def seed_accounts(demo) -> list[User]:
    township_station = demo.stations[stations_demo.DEMO_TOWNSHIP]
    specs = [
        ("admin", Role.ADMIN, "平台管理员", {}),
        ("city", Role.CITY_OFFICIAL, "周敏", {"region": demo.city}),
        ("county", Role.CITY_OFFICIAL, "钱立新", {"region": demo.counties["海宁市"]}),
        ("township", Role.TOWNSHIP_OFFICIAL, "沈雅", {"region": township_station.township}),
        ("manager", Role.STATION_MANAGER, "陆佳", {"station": township_station}),
        ("worker", Role.SOCIAL_WORKER, "吴晓婷", {"station": township_station}),
        ("evaluator", Role.EVALUATOR, "杨帆", {"organization": demo.agency}),
    ]
    users = []
    for username, role, full_name, scope in specs:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.full_name = role, full_name
        user.region = scope.get("region")
        user.station = scope.get("station")
        user.organization = scope.get("organization")
        user.is_superuser = role == Role.ADMIN
        user.set_password(settings.DEMO_PASSWORD)
        user.full_clean()
        user.save()
        users.append(user)
    return users
