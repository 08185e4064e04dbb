"""Who may change a scorecard, its tree of dimensions and indicators (the rows the edit page and the sheet share),
and its life: created, changed while an unused draft, activated at exactly 100 points, retired, copied to a new version."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from accounts.scope import scope_of
from reports.spreadsheets import normal_text
from stations.models import Region

from ...choices import IndicatorSource, TemplatePurpose, TemplateStatus
from ...models import Assignment, Dimension, Evaluation, Indicator, ScorecardTemplate, TwoWayAssessment
from ..workflow import Conflict

FULL_MARKS = Decimal("100.0")
POINT = Decimal("0.1")
MAX_ROWS = 500
LANGUAGES = ("zh-hans", "en")


class Frozen(Conflict):
    """A change to a template that an evaluation, an assessment or an assignment uses."""


# --- who may change what ---------------------------------------------------------------------------------------


def in_use_condition():
    """An expression true for a template any evaluation, two-way assessment or assignment uses (for annotations)."""
    return (
        Exists(Evaluation.objects.filter(template=OuterRef("pk")))
        | Exists(TwoWayAssessment.objects.filter(template=OuterRef("pk")))
        | Exists(Assignment.objects.filter(template=OuterRef("pk")))
    )


def template_in_use(template: ScorecardTemplate) -> bool:
    """Whether any evaluation or two-way assessment uses ``template``, or any assignment pins it."""
    return ScorecardTemplate.objects.filter(pk=template.pk).filter(in_use_condition()).exists()


def template_region_editable(*, user, region: Region | None) -> bool:
    """Whether ``user`` may keep templates of ``region``: the administrator any (a national one, ``None``,
    only them); an official holding ``evaluation.change_scorecardtemplate`` those of their region and below."""
    scope = scope_of(user)
    if scope.everything:
        return True
    if region is None or scope.region is None or not user.has_perm("evaluation.change_scorecardtemplate"):
        return False
    return region.path.startswith(scope.region.path)


def template_assert_editable_by(*, template: ScorecardTemplate, user) -> None:
    """Refuse (403) a user who may not keep ``template`` (``ScorecardTemplate.objects.editable_by``)."""
    if not ScorecardTemplate.objects.editable_by(user).filter(pk=template.pk).exists():
        raise PermissionDenied(_("Only officials of this scorecard's region, or above it, can change it."))


def template_assert_changeable(template: ScorecardTemplate) -> None:
    """Refuse (409) a change to the content of a template that is not an unused draft."""
    if template_in_use(template):
        raise Frozen(_("This scorecard is in use and cannot change: make a new version of it instead."))
    if template.status != TemplateStatus.DRAFT:
        raise Frozen(_("Only a draft scorecard can change: make a new version of it instead."))


# --- the tree --------------------------------------------------------------------------------------------------


@dataclass
class TemplateRow:
    """One indicator with its dimension, as the sheet and the edit page hold it (all text until checked)."""

    dimension_code: str = ""
    dimension_name: str = ""
    code: str = ""
    name: str = ""
    max_points: str = ""
    source: str = ""
    guidance: str = ""
    evidence_expected: str = ""


# The row's fields, in the sheet's column order, with their labels (the model's verbose names where they exist).
ROW_FIELDS = [
    ("dimension_code", gettext_lazy("Dimension code"), 10),
    ("dimension_name", gettext_lazy("Dimension"), 16),
    ("code", gettext_lazy("Indicator code"), 10),
    ("name", gettext_lazy("Indicator"), 40),
    ("max_points", gettext_lazy("Maximum points"), 10),
    ("source", gettext_lazy("Portal fact"), 18),
    ("guidance", gettext_lazy("Guidance for the evaluator"), 50),
    ("evidence_expected", gettext_lazy("Evidence expected"), 36),
]
ROW_LABELS = {name: label for name, label, _width in ROW_FIELDS}
LENGTHS = {
    "dimension_code": Dimension._meta.get_field("code").max_length,
    "dimension_name": Dimension._meta.get_field("name").max_length,
    "code": Indicator._meta.get_field("code").max_length,
    "name": Indicator._meta.get_field("name").max_length,
    "guidance": 2000,
    "evidence_expected": 2000,
}
REQUIRED = ("dimension_code", "dimension_name", "code", "name", "max_points")


@dataclass
class CheckedIndicator:
    code: str
    name: str
    max_points: Decimal
    source: str
    guidance: str
    evidence_expected: str


@dataclass
class CheckedDimension:
    code: str
    name: str
    indicators: list[CheckedIndicator] = field(default_factory=list)


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one field of one row (``index`` counts the rows given, from 0)."""

    index: int
    field: str
    messages: list[str]


@dataclass
class RowsCheck:
    dimensions: list[CheckedDimension] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> Decimal:
        return sum((i.max_points for d in self.dimensions for i in d.indicators), Decimal("0.0"))


def source_codes() -> dict[str, str]:
    """Every way of writing a portal fact (its code, its label in each language) -> its code."""
    codes = {"": ""}
    for value, label in IndicatorSource.choices:
        codes[normal_text(value)] = value
        for language in LANGUAGES:
            with override(language):
                codes[normal_text(label)] = value
    return codes


def parse_points(text: str) -> Decimal:
    """Maximum points: a number above 0, at most 100, with one decimal at most; else ``ValueError``."""
    try:
        points = Decimal(text.replace("，", ",").replace(",", ".").strip())
    except InvalidOperation as error:
        raise ValueError(_("Write the maximum points as a number, such as 5 or 2.5.")) from error
    if not points.is_finite() or points <= 0 or points > FULL_MARKS:
        raise ValueError(_("Maximum points lie above 0 and at most 100."))
    if points != points.quantize(POINT):
        raise ValueError(_("Maximum points have one decimal at most."))
    return points.quantize(POINT)


def template_rows_check(rows: list[TemplateRow]) -> RowsCheck:
    """Check every row and every field, and build the tree from rows in order: a dimension is opened by the first
    row of its code, every row of the same dimension code names it alike, indicator codes appear once."""
    result = RowsCheck()
    sources = source_codes()
    dimensions: dict[str, tuple[int, CheckedDimension]] = {}
    indicator_rows: dict[str, int] = {}
    for index, row in enumerate(rows):
        wrong: dict[str, list[str]] = {}
        values = {name: str(getattr(row, name) or "").replace("\x00", "").strip() for name in ROW_LABELS}
        for name in REQUIRED:
            if not values[name]:
                wrong.setdefault(name, []).append(_("This field is required."))
        for name, length in LENGTHS.items():
            if len(values[name]) > length:
                wrong.setdefault(name, []).append(_("At most %(n)s characters.") % {"n": length})
        points = None
        if values["max_points"]:
            try:
                points = parse_points(values["max_points"])
            except ValueError as error:
                wrong.setdefault("max_points", []).append(str(error))
        source = sources.get(normal_text(values["source"]))
        if source is None:
            labels = "、".join(str(label) for _value, label in IndicatorSource.choices)
            wrong.setdefault("source", []).append(_("Leave it empty or write one of: %(labels)s.") % {"labels": labels})
        code, dimension_code = values["code"], values["dimension_code"]
        if code and "code" not in wrong:
            if normal_text(code) in indicator_rows:
                wrong["code"] = [
                    _("The indicator code %(code)s is on row %(row)s too.")
                    % {"code": code, "row": indicator_rows[normal_text(code)] + 1}
                ]
            indicator_rows.setdefault(normal_text(code), index)
        opened = dimensions.get(normal_text(dimension_code)) if dimension_code else None
        if opened and values["dimension_name"] and values["dimension_name"] != opened[1].name:
            wrong.setdefault("dimension_name", []).append(
                _("Dimension %(code)s is named %(name)s on row %(row)s: name it alike on every row.")
                % {"code": dimension_code, "name": opened[1].name, "row": opened[0] + 1}
            )
        for name, messages in wrong.items():
            result.problems.append(RowProblem(index, name, messages))
        dimension_ok = not ({"dimension_code", "dimension_name"} & wrong.keys())
        if opened is None and dimension_ok:
            # The first row naming a dimension opens it, even if the row is wrong elsewhere: the rows after it are
            # checked against that name, not against the next row's.
            opened = (index, CheckedDimension(dimension_code, values["dimension_name"]))
            dimensions[normal_text(dimension_code)] = opened
            result.dimensions.append(opened[1])
        if wrong:
            continue
        opened[1].indicators.append(
            CheckedIndicator(code, values["name"], points, source, values["guidance"], values["evidence_expected"])
        )
    if not rows:
        result.problems.append(RowProblem(0, "", [_("A scorecard needs at least one indicator.")]))
    return result


def template_rows(template: ScorecardTemplate) -> list[TemplateRow]:
    """The template's tree as rows, dimension by dimension, in order."""
    rows = []
    for dimension in template.dimensions.order_by("order", "pk").prefetch_related("indicators"):
        for indicator in sorted(dimension.indicators.all(), key=lambda i: (i.order, i.pk)):
            rows.append(
                TemplateRow(
                    dimension_code=dimension.code,
                    dimension_name=dimension.name,
                    code=indicator.code,
                    name=indicator.name,
                    max_points=str(indicator.max_points),
                    source=indicator.source,
                    guidance=indicator.guidance,
                    evidence_expected=indicator.evidence_expected,
                )
            )
    return rows


def write_tree(template: ScorecardTemplate, dimensions: list[CheckedDimension]) -> None:
    """Replace the template's dimensions and indicators by ``dimensions`` (only a draft nothing uses gets here)."""
    template.dimensions.all().delete()  # cascades to the indicators
    for dimension_order, checked in enumerate(dimensions, start=1):
        dimension = Dimension.objects.create(
            template=template, order=dimension_order, code=checked.code, name=checked.name
        )
        Indicator.objects.bulk_create(
            Indicator(
                template=template,
                dimension=dimension,
                order=order,
                code=indicator.code,
                name=indicator.name,
                max_points=indicator.max_points,
                source=indicator.source,
                guidance=indicator.guidance,
                evidence_expected=indicator.evidence_expected,
            )
            for order, indicator in enumerate(checked.indicators, start=1)
        )


def rows_or_error(rows: list[TemplateRow]) -> RowsCheck:
    """The checked rows, or a ``ValidationError`` naming each bad row (for callers without a row-by-row page)."""
    checked = template_rows_check(rows)
    if not checked.ok:
        messages = [
            _("Row %(row)s, %(field)s: %(message)s")
            % {"row": p.index + 1, "field": ROW_LABELS.get(p.field, "—"), "message": " ".join(p.messages)}
            for p in checked.problems
        ]
        raise ValidationError({"dimensions": messages})
    return checked


def template_header_check(*, code: str, name: str, purpose: str) -> dict[str, list[str]]:
    """Field errors of a template's own fields (code, name, purpose)."""
    errors: dict[str, list[str]] = {}
    code_field = ScorecardTemplate._meta.get_field("code")
    try:
        code_field.clean(code, None)
    except ValidationError as error:
        errors["code"] = list(error.messages)
    if not name.strip():
        errors["name"] = [_("This field is required.")]
    elif len(name) > ScorecardTemplate._meta.get_field("name").max_length:
        errors["name"] = [_("At most %(n)s characters.") % {"n": ScorecardTemplate._meta.get_field("name").max_length}]
    if purpose not in TemplatePurpose.values:
        errors["purpose"] = [_("Choose one of the listed purposes.")]
    return errors


def next_version(code: str) -> tuple[int, ScorecardTemplate | None]:
    """The version number a new template of ``code`` takes, and the latest version it follows (if any)."""
    latest = ScorecardTemplate.objects.filter(code=code).order_by("-version").first()
    return (latest.version + 1, latest) if latest else (1, None)


def template_create(
    *, user, code: str, name: str, purpose: str, region: Region | None, description: str, rows: list[TemplateRow]
) -> ScorecardTemplate:
    """A draft template of ``region`` holding ``rows``; a code already used makes the next version of it."""
    if not template_region_editable(user=user, region=region):
        raise PermissionDenied(_("You may keep the scorecards of your own region and those below it only."))
    errors = template_header_check(code=code, name=name, purpose=purpose)
    if errors:
        raise ValidationError(errors)
    checked = rows_or_error(rows)
    with transaction.atomic():
        # Serialise the versions of one code: two drafts made at once must not both take the same number.
        list(ScorecardTemplate.objects.select_for_update().filter(code=code).values_list("pk", flat=True))
        version, latest = next_version(code)
        template = ScorecardTemplate.objects.create(
            code=code,
            version=version,
            name=name.strip(),
            purpose=purpose,
            region=region,
            description=description.strip(),
            previous=latest,
            created_by=user,
            status=TemplateStatus.DRAFT,
        )
        write_tree(template, checked.dimensions)
    return template


_UNSET = object()


def template_update(
    *, template: ScorecardTemplate, user, name=None, description=None, purpose=None, region=_UNSET, rows=None
) -> ScorecardTemplate:
    """Change a draft nothing uses: its fields given, and its whole tree when ``rows`` are given."""
    template_assert_editable_by(template=template, user=user)
    with transaction.atomic():
        template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
        template_assert_changeable(template)
        if region is not _UNSET and region != template.region:
            if not template_region_editable(user=user, region=region):
                raise PermissionDenied(_("You may keep the scorecards of your own region and those below it only."))
            template.region = region
        errors = template_header_check(
            code=template.code,
            name=template.name if name is None else name,
            purpose=template.purpose if purpose is None else purpose,
        )
        if errors:
            raise ValidationError(errors)
        template.name = template.name if name is None else name.strip()
        template.purpose = template.purpose if purpose is None else purpose
        template.description = template.description if description is None else description.strip()
        template.save(update_fields=["name", "purpose", "description", "region"])
        if rows is not None:
            write_tree(template, rows_or_error(rows).dimensions)
    return template


def template_total(template: ScorecardTemplate) -> Decimal:
    """The sum of the template's indicators' maximum points."""
    return sum((i.max_points for i in template.indicators.all()), Decimal("0.0"))


def template_activate(*, template: ScorecardTemplate, user) -> ScorecardTemplate:
    """Make a draft the version in force, once its maximum points add up to exactly 100.0; the active version of
    the same code and region (if any) is retired."""
    template_assert_editable_by(template=template, user=user)
    with transaction.atomic():
        template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
        if template.status != TemplateStatus.DRAFT:
            raise Conflict(
                _("Only a draft can be activated; this scorecard is %(status)s.")
                % {"status": template.get_status_display()}
            )
        total = template_total(template)
        if total != FULL_MARKS:
            raise ValidationError(
                {
                    "max_points": _(
                        "The maximum points of the indicators add up to %(total)s: a scorecard activates only "
                        "at exactly 100."
                    )
                    % {"total": total}
                }
            )
        same = Q(region=template.region) if template.region_id else Q(region__isnull=True)
        ScorecardTemplate.objects.filter(same, code=template.code, status=TemplateStatus.ACTIVE).exclude(
            pk=template.pk
        ).update(status=TemplateStatus.RETIRED)
        template.status = TemplateStatus.ACTIVE
        template.activated_at = timezone.now()
        template.save(update_fields=["status", "activated_at"])
    return template


def template_retire(*, template: ScorecardTemplate, user) -> ScorecardTemplate:
    """Take an active version out of use: new assignments cannot pick it; evaluations scored on it keep it."""
    template_assert_editable_by(template=template, user=user)
    with transaction.atomic():
        template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
        if template.status != TemplateStatus.ACTIVE:
            raise Conflict(
                _("Only an active scorecard can be retired; this one is %(status)s.")
                % {"status": template.get_status_display()}
            )
        template.status = TemplateStatus.RETIRED
        template.save(update_fields=["status"])
    return template


def template_delete(*, template: ScorecardTemplate, user) -> None:
    """Delete a draft nothing uses (a discarded attempt); anything else is kept for the record."""
    template_assert_editable_by(template=template, user=user)
    with transaction.atomic():
        template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
        template_assert_changeable(template)
        template.delete()


def template_new_version(*, template: ScorecardTemplate, user, region=_UNSET) -> ScorecardTemplate:
    """A draft copy of ``template`` (any status, frozen or not): the next version of its code, ``previous`` set,
    every dimension and indicator copied. ``region``: the region the copy is for (default the template's), so a
    city can base its own version on the national scorecard."""
    region = template.region if region is _UNSET else region
    if not template_region_editable(user=user, region=region):
        raise PermissionDenied(_("You may keep the scorecards of your own region and those below it only."))
    rows = template_rows(template)
    with transaction.atomic():
        list(ScorecardTemplate.objects.select_for_update().filter(code=template.code).values_list("pk", flat=True))
        version, _latest = next_version(template.code)
        copy = ScorecardTemplate.objects.create(
            code=template.code,
            version=version,
            name=template.name,
            purpose=template.purpose,
            region=region,
            description=template.description,
            previous=template,
            created_by=user,
            status=TemplateStatus.DRAFT,
        )
        write_tree(copy, template_rows_check(rows).dimensions)
    return copy


def template_versions(template: ScorecardTemplate):
    """Every version of the template's code, newest first."""
    return ScorecardTemplate.objects.filter(code=template.code).select_related("region").order_by("-version")
