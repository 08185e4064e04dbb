"""What changed between two versions of a scorecard: indicators added, removed and changed, dimensions renamed."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...choices import IndicatorSource
from ...models import Dimension, Indicator, ScorecardTemplate

# --- differences between two versions --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class IndicatorChange:
    code: str
    name: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class DimensionRename:
    code: str
    old: str
    new: str


@dataclass(frozen=True)
class DiffLine:
    """An indicator only one side has."""

    code: str
    name: str
    dimension: str
    max_points: Decimal


@dataclass(frozen=True)
class TemplateDiff:
    """What changed from ``old`` to ``new``: indicators (matched by code) added, removed and changed; dimensions
    (matched by code) renamed, added and removed; and the totals."""

    old_id: int
    new_id: int
    added: list[DiffLine]
    removed: list[DiffLine]
    changed: list[IndicatorChange]
    dimensions_renamed: list[DimensionRename]
    dimensions_added: list[str]
    dimensions_removed: list[str]
    old_total: Decimal
    new_total: Decimal

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.dimensions_renamed
            or self.dimensions_added
            or self.dimensions_removed
        )


COMPARED = [
    ("name", gettext_lazy("Name")),
    ("max_points", gettext_lazy("Maximum points")),
    ("guidance", gettext_lazy("Guidance for the evaluator")),
    ("evidence_expected", gettext_lazy("Evidence expected")),
    ("source", gettext_lazy("Portal fact")),
]


def shown(indicator: Indicator, name: str) -> str:
    if name == "source":
        return str(IndicatorSource(indicator.source).label) if indicator.source else "—"
    return str(getattr(indicator, name))


def template_diff(old: ScorecardTemplate, new: ScorecardTemplate) -> TemplateDiff:
    """The differences between two templates (usually two versions of one code), in two queries."""
    sides = {}
    for template in (old, new):
        indicators = list(
            Indicator.objects.filter(template=template)
            .select_related("dimension")
            .order_by("dimension__order", "order")
        )
        dimensions = {d.code: d for d in Dimension.objects.filter(template=template).order_by("order")}
        sides[template.pk] = ({i.code: i for i in indicators}, dimensions)
    (old_indicators, old_dimensions), (new_indicators, new_dimensions) = sides[old.pk], sides[new.pk]

    def line(indicator):
        return DiffLine(indicator.code, indicator.name, indicator.dimension.name, indicator.max_points)

    changed = []
    for code, after in new_indicators.items():
        before = old_indicators.get(code)
        if before is None:
            continue
        changes = [
            FieldChange(name, str(label), shown(before, name), shown(after, name))
            for name, label in COMPARED
            if getattr(before, name) != getattr(after, name)
        ]
        if before.dimension.code != after.dimension.code:
            changes.append(
                FieldChange("dimension", capfirst(str(_("dimension"))), before.dimension.name, after.dimension.name)
            )
        if changes:
            changed.append(IndicatorChange(code, after.name, changes))
    return TemplateDiff(
        old_id=old.pk,
        new_id=new.pk,
        added=[line(i) for code, i in new_indicators.items() if code not in old_indicators],
        removed=[line(i) for code, i in old_indicators.items() if code not in new_indicators],
        changed=changed,
        dimensions_renamed=[
            DimensionRename(code, old_dimensions[code].name, d.name)
            for code, d in new_dimensions.items()
            if code in old_dimensions and old_dimensions[code].name != d.name
        ],
        dimensions_added=[d.name for code, d in new_dimensions.items() if code not in old_dimensions],
        dimensions_removed=[d.name for code, d in old_dimensions.items() if code not in new_dimensions],
        old_total=sum((i.max_points for i in old_indicators.values()), Decimal("0.0")),
        new_total=sum((i.max_points for i in new_indicators.values()), Decimal("0.0")),
    )
