"""A station's evaluation results in the permission matrix (tests/matrix.py): the results page, and the grade and
stars the stations API and the station page show.

Target (``build``): a published annual evaluation of S1 last year (made directly with the models: its workflow
is tested elsewhere), commissioned from an agency of its own, so the matrix evaluator's current assignment stays
as the world made it. Everyone in scope reads the page; the outsider's is a 404.
"""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from evaluation.choices import EvaluationStatus, Grade, Stage
from evaluation.models import Assignment, Evaluation, ScorecardTemplate
from stations.choices import OrganizationKind
from tests.factories import OrganizationFactory
from tests.matrix import Endpoint, register_pages, s1, statuses

WATCHED: list = []

LAST_YEAR = date.today().year - 1


def build(world) -> None:
    """S1's published annual evaluation of last year: 91.5 points, excellent, four stars."""
    agency = OrganizationFactory(name="往年评估中心", kind=OrganizationKind.EVALUATION_AGENCY)
    template = ScorecardTemplate.objects.get(code="station-evaluation", version=1)
    assignment = Assignment.objects.create(
        agency=agency,
        year=LAST_YEAR,
        stage=Stage.ANNUAL,
        template=template,
        region=world.regions["A"],
        starts_on=date(LAST_YEAR, 11, 1),
        ends_on=date(LAST_YEAR, 12, 31),
    )
    assignment.stations.set([world.stations["S1"]])
    world.extra["published_evaluation"] = Evaluation.objects.create(
        assignment=assignment,
        station=world.stations["S1"],
        template=template,
        year=LAST_YEAR,
        stage=Stage.ANNUAL,
        status=EvaluationStatus.PUBLISHED,
        total=Decimal("91.5"),
        grade=Grade.EXCELLENT,
        stars=4,
        submitted_at=timezone.now(),
        published_at=timezone.now(),
    )


register_pages(
    Endpoint(
        "station-results",
        "get",
        lambda w: f"/evaluation/stations/{s1(w)}/results/",
        statuses(200, anonymous=302, outsider=404),
        covers="evaluation:station-results",
    ),
)
