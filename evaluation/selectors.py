"""Reading an evaluation as a scorecard: dimensions with their indicators' scores, evidence, facts and subtotals.

One reader for the scorecard page, the evaluation page, the API and the PDF, in a fixed number of queries.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from .models import Amendment, Evaluation, Evidence, Indicator, Score, TownshipResponse, Transition
from .rules.facts import evaluation_facts, evaluation_suggestions
from .rules.grading import points


@dataclass
class Line:
    """One indicator of the sheet: its score row, the portal's facts (``rules.facts.SourceFacts``, if it has a source)
    and the suggested score."""

    indicator: Indicator
    score: Score
    facts: object | None = None
    suggested: Decimal | None = None


@dataclass
class Section:
    """A dimension of the sheet with its lines, the points given so far and the points it can give."""

    dimension: object
    lines: list[Line] = field(default_factory=list)

    @property
    def maximum(self) -> Decimal:
        return points(sum((line.indicator.max_points for line in self.lines), Decimal("0")))

    @property
    def subtotal(self) -> Decimal:
        return points(sum((line.score.score for line in self.lines if line.score.score is not None), Decimal("0")))

    @property
    def scored(self) -> int:
        return sum(1 for line in self.lines if line.score.score is not None)


@dataclass
class Sheet:
    evaluation: Evaluation
    sections: list[Section]

    @property
    def lines(self) -> list[Line]:
        return [line for section in self.sections for line in section.lines]

    @property
    def scored(self) -> int:
        return sum(section.scored for section in self.sections)

    @property
    def indicators(self) -> int:
        return len(self.lines)

    @property
    def points(self) -> Decimal:
        return points(sum((section.subtotal for section in self.sections), Decimal("0")))

    @property
    def missing(self) -> list[Indicator]:
        return [line.indicator for line in self.lines if line.score.score is None]


def evaluation_with_history(queryset):
    """``queryset`` of evaluations with what an evaluation's page shows loaded: station, assignment, template,
    steps, township answers and amendments (with their people)."""
    return queryset.select_related("station__township", "assignment__agency", "template").prefetch_related(
        Prefetch("transitions", queryset=Transition.objects.select_related("by")),
        Prefetch("responses", queryset=TownshipResponse.objects.select_related("by")),
        Prefetch("amendments", queryset=Amendment.objects.select_related("by", "indicator", "objection")),
    )


def evaluation_sheet(evaluation: Evaluation, *, with_facts: bool = True) -> Sheet:
    """The evaluation as a scorecard: sections in dimension order, lines in indicator order, with evidence loaded.

    ``with_facts`` adds the portal's facts for each indicator that has a source (``rules.facts``).
    """
    scores = (
        Score.objects.filter(evaluation=evaluation)
        .select_related("indicator__dimension", "updated_by")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("record", "case", "attachment__record", "file"),
            )
        )
        .order_by("indicator__dimension__order", "indicator__order", "indicator_id")
    )
    facts = evaluation_facts(evaluation) if with_facts else {}
    suggestions = evaluation_suggestions(evaluation) if with_facts else {}
    sections: dict[int, Section] = {}
    for row in scores:
        dimension = row.indicator.dimension
        section = sections.setdefault(dimension.pk, Section(dimension=dimension))
        section.lines.append(
            Line(
                indicator=row.indicator,
                score=row,
                facts=facts.get(row.indicator_id),
                suggested=suggestions.get(row.indicator_id, row.suggested),
            )
        )
    return Sheet(evaluation=evaluation, sections=list(sections.values()))
