"""Demo evaluation assignment: the agency evaluates Haining's stations for the current year."""

from datetime import date

from stations.demo import DemoStations

from .choices import Stage
from .models import Assignment, ScorecardTemplate


def seed(demo: DemoStations, today: date) -> Assignment:
    assignment, _ = Assignment.objects.update_or_create(
        agency=demo.agency,
        year=today.year,
        stage=Stage.MIDTERM,
        defaults={
            "template": ScorecardTemplate.objects.get(code="station-evaluation", version=1),
            "title": f"{today.year}年度海宁市社工站第三方评估",
            "starts_on": date(today.year, 1, 1),
            "ends_on": date(today.year, 12, 31),
        },
    )
    assignment.stations.set(
        demo.stations[name] for name in demo.stations if demo.stations[name].township.parent.name == "海宁市"
    )
    return assignment
