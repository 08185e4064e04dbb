"""Builders shared by the funding tests: spending and published results written straight to the tables (the rules
that write them have tests of their own), so the split's arithmetic is tested on exact inputs."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from evaluation.choices import EvaluationStatus, Stage
from evaluation.models import Assignment, Evaluation, ScorecardTemplate
from funding.models import Expenditure

THIS_YEAR = date.today().year


def spend(station, amount, *, on: date | None = None, line="activities", source="township_fiscal") -> Expenditure:
    """An expenditure of ``amount`` by ``station`` (this year's 15 January unless ``on``)."""
    return Expenditure.objects.create(
        station=station,
        date=on or date(THIS_YEAR, 1, 15),
        line=line,
        source=source,
        amount=Decimal(str(amount)),
        payee="嘉兴市某某文化用品有限公司",
        description="活动物资",
    )


def result(station, grade: str, *, year: int = THIS_YEAR, total="85.0", stage=Stage.ANNUAL) -> Evaluation:
    """A published ``stage`` evaluation of ``station`` for ``year`` with ``grade``, under an assignment of its own."""
    template = ScorecardTemplate.objects.get(code="station-evaluation", version=1)
    assignment = Assignment.objects.create(
        agency=Assignment.objects.first().agency,
        year=year,
        stage=stage,
        template=template,
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
    )
    return Evaluation.objects.create(
        assignment=assignment,
        station=station,
        template=template,
        year=year,
        stage=stage,
        status=EvaluationStatus.PUBLISHED,
        total=Decimal(total),
        grade=grade,
        stars=3,
        published_at=timezone.now(),
    )
