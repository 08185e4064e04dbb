"""``manage.py rollups_rebuild [--months N]``: recompute the rollups of the last N months of every station."""

import time

from django.core.management.base import BaseCommand

from reports.rollups.refresh import rollups_repair


class Command(BaseCommand):
    help = "Recompute the dashboards' rollups of the last N months (today's included) of every station."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=13, help="How many months back (default 13).")

    def handle(self, *args, months: int, **options):
        if not 1 <= months <= 240:
            self.stderr.write("--months takes 1 to 240.")
            raise SystemExit(2)
        started = time.perf_counter()
        differences = rollups_repair(months=months, log=False)
        self.stdout.write(
            f"Rollups of {months} months rebuilt in {time.perf_counter() - started:.1f} s "
            f"({len(differences)} rows or figures changed)."
        )
