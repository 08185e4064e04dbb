"""``manage.py seed_demo``: a realistic, idempotent demo (Jiaxing) with staffing and an account for every role.

A load takes about half a minute, so it is stamped (``DemoStamp``: a hash of the demo's code and the day, which
its dates count from): run again the same day at the same version, it says so and skips; ``--again`` loads anyway.
"""

import hashlib
import logging
import random
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from accounts.choices import Role
from accounts.models import DemoStamp, User
from evaluation import demo as evaluation_demo
from funding import demo as funding_demo
from reports.batches import batch_progress, batch_start, scheduled_period
from reports.choices import ReportKind
from reports.models import RollupDirty, StationMonth
from reports.rollups.refresh import rollups_repair
from services import demo as services_demo
from staffing import demo as staffing_demo
from staffing.models import StaffMember
from stations import demo as stations_demo

SEED = 2026
STEPS = 8
# The county whose month the demo produces as the beat does on the 1st (its stations, townships and itself).
BATCH_COUNTY = "海宁市"


def demo_version() -> str:
    """A hash of the code that builds the demo: a change to any of it is a new version, loaded again."""
    digest = hashlib.sha256(str(SEED).encode())
    for module in (
        stations_demo,
        staffing_demo,
        evaluation_demo,
        services_demo,
        funding_demo,
        sys.modules[__name__],
    ):
        for source in module_sources(module):
            digest.update(source.read_bytes())
    return digest.hexdigest()


@contextmanager
def quiet(name: str):
    """The logger ``name`` at warnings only, for the block."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def module_sources(module) -> list[Path]:
    """The source files of ``module``: itself, or every module of a package (``services/demo/``)."""
    path = Path(module.__file__)
    return sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path]


class Command(BaseCommand):
    help = (
        "Load the Jiaxing demo: regions, organisations, stations, contracts, staffing, services "
        "(beneficiaries, projects, a year of service records, cases), evaluation, funding "
        "(budgets, a year of expenditures, last year's split) and demo accounts. "
        "Skipped when this version is already loaded today (--again loads it anyway)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument(
            "--again", action="store_true", help="Load the demo even if this version was already loaded today."
        )

    def handle(self, *args, force=False, again=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to load demo data with DEBUG off; pass --force if you really mean it.")
        today, version = date.today(), demo_version()
        stamp = DemoStamp.objects.filter(version=version, seeded_on=today).first()
        if stamp is not None and not again:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo already loaded (version {version[:12]}, {timezone.localtime(stamp.seeded_at):%Y-%m-%d %H:%M}): "
                    "skipped. "
                    "Pass --again to load it again."
                )
            )
            self.stdout.write(stamp.summary)
            self.write_accounts(User.objects.filter(username__in=DEMO_USERNAMES).select_related("region"))
            return
        started = time.monotonic()
        with transaction.atomic():
            rng = random.Random(SEED)
            with self.step(1, "Regions, organisations, stations and contracts") as done:
                demo = stations_demo.seed(rng, today)
                done(f"{len(demo.counties)} counties, {len(demo.stations)} stations")
            with self.step(2, "Staffing: rosters, volunteers and their hours, training, supervision") as done:
                staffing = staffing_demo.seed(rng, demo, today)
                done(f"{staffing.staff} staff records, {staffing.volunteers} volunteers")
            with self.step(3, "Demo accounts") as done:
                accounts = seed_accounts(demo)
                done(f"{len(accounts)} accounts")
            # After the accounts: project stages are moved by the station's manager account.
            with self.step(4, "Services: beneficiaries, projects, a year of service records, cases") as done:
                services = services_demo.seed(rng, demo, today)
                done(f"{services.beneficiaries} beneficiaries, {services.records} service records")
            # After the services: evaluators score on the facts the stations' records give.
            with self.step(5, "Evaluation: last year's results, this year's mid-term, surveys, two-way") as done:
                evaluation = evaluation_demo.seed(rng, demo, today)
                done(
                    f"{evaluation.published} published, {evaluation.drafts} drafts, {evaluation.responses} survey answers"
                )
            # After the evaluation: last year's split follows its published results.
            with self.step(6, "Funding: budgets, a year of expenditures, last year's split and instalments") as done:
                funding = funding_demo.seed(rng, demo, today)
                done(f"{funding.budgets} budget versions, {funding.expenditures} expenditures")
            # Last: the dashboards' figures of the year and the month before it, from everything above.
            with self.step(7, "Rollups: the dashboards' figures by month") as done:
                rollups_repair(months=13, today=today, log=False)
                RollupDirty.objects.all().delete()  # the demo's own writes, all counted by the rebuild
                done(f"{StationMonth.objects.count()} station-months")
            summary = self.summary(demo, staffing, services, evaluation) + "\n" + funding_demo.summary(funding)
            DemoStamp.objects.all().delete()
            DemoStamp.objects.create(version=version, seeded_on=today, summary=summary)
        # After the commit, so that its reports are produced now (in the process without a broker, by the worker
        # with one) from the figures just stored.
        period = scheduled_period(ReportKind.MONTHLY, today=today)
        with self.step(8, f"Reports: the monthly reports of {period.key} for {BATCH_COUNTY}, as a batch") as done:
            county = demo.counties[BATCH_COUNTY]
            with quiet("celery.app.trace"):  # a line per task, in the process
                batch, _created = batch_start(
                    ReportKind.MONTHLY, period.key, region=county, trigger="demo", today=today
                )
            progress = batch_progress(batch)
            done(f"{progress.total} reports, {progress.done} done, {progress.failed} failed")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {time.monotonic() - started:.0f} s: {len(demo.counties)} counties, "
                f"{len(demo.stations)} stations."
            )
        )
        self.stdout.write(summary)
        self.write_accounts(accounts)

    @contextmanager
    def step(self, number: int, label: str):
        """Say which long step runs, then what it made and how long it took."""
        self.stdout.write(f"[{number}/{STEPS}] {label}…")
        self.stdout.flush()
        started = time.monotonic()
        made = []
        yield made.append
        detail = f"{made[0]}, " if made and made[0] else ""
        self.stdout.write(f"      {detail}{time.monotonic() - started:.1f} s")
        self.stdout.flush()

    @staticmethod
    def summary(demo, staffing, services, evaluation) -> str:
        short = [name for name, failed in staffing.failures.items() if "certified_staff" in failed]
        lowest = services.lowest_visit_rate
        return (
            f"Staffing: {staffing.staff} staff records, {staffing.volunteers} volunteers, "
            f"{staffing.hour_records} hour records; {len(staffing.compliant)} of {staffing.operating} operating "
            f"stations meet every staffing rule today, {len(short)} are short of certified social workers.\n"
            f"Services: {services.beneficiaries} beneficiaries ({services.key_targets} key targets), "
            f"{services.projects} projects, {services.records} service records "
            f"({services.volunteer_shares} volunteer hour records booked), {services.cases} cases, "
            f"{services.focus_problems} focus problems; {services.operating - len(services.incomplete_portfolios)} of "
            f"{services.operating} operating stations have a valid 123X portfolio this year; "
            f"{len(services.fully_visited)} visited every key target last month"
            + (f", the lowest is {lowest[0]} ({lowest[1]:.0%})." if lowest else ".")
            + f"\nEvaluation: {evaluation.published} stations' results of last year published ("
            + ", ".join(f"{grade} {count}" for grade, count in evaluation.grades.items())
            + f"); this year's mid-term under way; {evaluation.surveys} satisfaction surveys, "
            f"{evaluation.responses} answers."
        )

    def write_accounts(self, accounts) -> None:
        """The demo accounts with their roles as the portal names them (市民政干部, 区县民政干部...)."""
        order = {username: index for index, username in enumerate(DEMO_USERNAMES)}
        self.stdout.write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
        with translation.override(settings.LANGUAGE_CODE):
            for user in sorted(accounts, key=lambda user: order.get(user.username, len(order))):
                self.stdout.write(f"  {user.username:<10} {user.role_label} · {user.full_name}")


DEMO_USERNAMES = ("admin", "city", "county", "township", "manager", "worker", "evaluator")


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
        if user.station_id:  # the manager and the worker are on the station's roster: link their staff records
            StaffMember.objects.filter(station=user.station, name=full_name, user__isnull=True).update(user=user)
        users.append(user)
    return users
