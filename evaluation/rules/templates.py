"""Scorecard templates: who may change them, the tree of dimensions and indicators, activation, versions, the
differences between two versions, and the ``.xlsx`` a template is drafted in (DOMAIN.md section 6, issue 9 item 2).

A template's content changes only while it is a draft that nothing uses: an evaluation, a two-way assessment or an
assignment that pins it freezes it (``Frozen``, a ``Conflict``: the API answers 409), and "new version" copies it
into a draft. A draft activates only when its indicators' maximum points add up to exactly 100.0; activating it
retires the active version of the same code and region. Status changes (activate, retire) are not content changes:
a frozen template is retired when its successor is activated.

The sheet and the edit page share one row shape (``TemplateRow``: a dimension and one of its indicators) and one
check (``template_rows_check``), which lists every bad row and field before anything is saved.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from openpyxl import Workbook, load_workbook

from accounts.scope import scope_of
from reports.spreadsheets import cell_text, normal_text, set_widths, style_header, workbook_bytes
from stations.models import Region

from ..choices import IndicatorSource, TemplatePurpose, TemplateStatus
from ..models import Assignment, Dimension, Evaluation, Indicator, ScorecardTemplate, TwoWayAssessment
from .workflow import Conflict

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


# --- the spreadsheet -------------------------------------------------------------------------------------------

# The first sheet holds the template's own fields, one a row: label in column A, value in column B.
HEADER_FIELDS = [
    ("code", gettext_lazy("Code")),
    ("name", gettext_lazy("Name")),
    ("purpose", gettext_lazy("Purpose")),
    ("description", gettext_lazy("Description")),
]
HEADER_LABELS = dict(HEADER_FIELDS)


def sheet_titles() -> tuple[str, str]:
    return _("Scorecard"), _("Indicators")


def template_workbook(template: ScorecardTemplate) -> Workbook:
    """The template as a workbook: its fields on the first sheet, one indicator a row on the second."""
    workbook = Workbook()
    about_title, rows_title = sheet_titles()
    about = workbook.active
    about.title = about_title
    about.append([_("Field"), _("Value")])
    values = {
        "code": template.code,
        "name": template.name,
        "purpose": template.get_purpose_display(),
        "description": template.description,
    }
    for name, label in HEADER_FIELDS:
        about.append([str(label), values[name]])
    about.append([str(_("Version (for reference: an import makes the next version)")), template.version])
    style_header(about)
    set_widths(about, [24, 80])
    sheet = workbook.create_sheet(rows_title)
    sheet.append([str(label) for _name, label, _width in ROW_FIELDS])
    for row in template_rows(template):
        values = [getattr(row, name) for name, _label, _width in ROW_FIELDS]
        values[ROW_INDEX["max_points"]] = Decimal(row.max_points)
        values[ROW_INDEX["source"]] = str(IndicatorSource(row.source).label) if row.source else ""
        sheet.append(values)
    style_header(sheet)
    set_widths(sheet, [width for _name, _label, width in ROW_FIELDS])
    notes = workbook.create_sheet(_("Instructions"))
    for line in [
        _("Edit the indicators on the second sheet, one indicator per row; keep the headings as they are."),
        _("Rows of one dimension share its code and name; indicator codes appear once."),
        _("Maximum points have one decimal at most; a scorecard activates only when they add up to 100."),
        _("Portal fact: empty, or one of %(labels)s.")
        % {"labels": "、".join(str(label) for _value, label in IndicatorSource.choices)},
        _("The whole file is checked first: if any row is wrong, nothing is imported and every error is listed."),
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    return workbook


ROW_INDEX = {name: index for index, (name, _label, _width) in enumerate(ROW_FIELDS)}


def template_export_xlsx(template: ScorecardTemplate) -> bytes:
    """The template as ``.xlsx`` bytes, every cell as text or number (never a formula)."""
    return workbook_bytes(template_workbook(template))


class TemplateFileError(Exception):
    """The file cannot be read as a scorecard at all (not an .xlsx, missing sheets or headings)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell (or one row, when ``column`` is empty) of one sheet of the file."""

    sheet: str
    row: int
    column: str
    messages: list[str]


@dataclass
class ImportResult:
    created: ScorecardTemplate | None = None
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    total: Decimal = Decimal("0.0")

    @property
    def ok(self) -> bool:
        return not self.errors


def in_every_language(label) -> set[str]:
    texts = set()
    for language in LANGUAGES:
        with override(language):
            texts.add(normal_text(str(label)))
    return texts


def purpose_codes() -> dict[str, str]:
    codes = {}
    for value, label in TemplatePurpose.choices:
        codes[normal_text(value)] = value
        for language in LANGUAGES:
            with override(language):
                codes[normal_text(label)] = value
    return codes


def read_workbook(file):
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise TemplateFileError(_("This file cannot be read as an .xlsx workbook.")) from error


def read_header(sheet, result: ImportResult) -> dict[str, str]:
    """The template's fields from the first sheet (label in column A, value in column B), bad ones listed."""
    wanted = {name: in_every_language(label) for name, label in HEADER_FIELDS}
    found: dict[str, tuple[int, str]] = {}
    for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=2, values_only=True), start=2):
        label = normal_text(cell_text(cells[0] if cells else None))
        for name, labels in wanted.items():
            if label in labels and name not in found:
                found[name] = (number, cell_text(cells[1] if len(cells) > 1 else None))
        if number > 50:
            break
    values = {name: value for name, (_number, value) in found.items()}
    purpose = purpose_codes().get(normal_text(values.get("purpose", "")), "")
    problems = template_header_check(
        code=values.get("code", ""), name=values.get("name", ""), purpose=purpose or TemplatePurpose.EVALUATION
    )
    if values.get("purpose") and not purpose:
        problems["purpose"] = [
            _("Write one of: %(labels)s.") % {"labels": "、".join(str(label) for _v, label in TemplatePurpose.choices)}
        ]
    for name, messages in problems.items():
        number = found.get(name, (0, ""))[0]
        result.errors.append(RowError(sheet.title, number, str(HEADER_LABELS[name]), messages))
    values["purpose"] = purpose or TemplatePurpose.EVALUATION
    return values


def read_indicator_rows(sheet) -> list[tuple[int, TemplateRow]]:
    lines = sheet.iter_rows(values_only=True)
    headings = next(lines, ())
    expected = [in_every_language(label) for _name, label, _width in ROW_FIELDS]
    found = [normal_text(cell_text(value)) for value in headings[: len(expected)]]
    if len(found) < len(expected) or any(f not in e for f, e in zip(found, expected, strict=True)):
        raise TemplateFileError(
            _("The headings of the indicators sheet do not match: export a scorecard and edit that file.")
        )
    rows = []
    for number, cells in enumerate(lines, start=2):
        texts = [cell_text(value) for value in cells[: len(ROW_FIELDS)]]
        if any(texts):
            texts += [""] * (len(ROW_FIELDS) - len(texts))
            rows.append((number, TemplateRow(**dict(zip(ROW_INDEX, texts, strict=True)))))
            if len(rows) > MAX_ROWS:
                raise TemplateFileError(_("A scorecard file holds %(max)s indicators at most.") % {"max": MAX_ROWS})
    return rows


def template_import_xlsx(*, file, user, region: Region | None) -> ImportResult:
    """A draft template of ``region`` from a scorecard file (as ``template_export_xlsx`` writes it): the whole
    file is checked first; if any row is wrong nothing is created and every bad row is listed. A code already
    used makes the next version of it. Raises ``TemplateFileError`` when the file is not a scorecard at all."""
    if not template_region_editable(user=user, region=region):
        raise PermissionDenied(_("You may keep the scorecards of your own region and those below it only."))
    workbook = read_workbook(file)
    result = ImportResult()
    try:
        if len(workbook.worksheets) < 2:
            raise TemplateFileError(_("The file needs the scorecard sheet and the indicators sheet."))
        about, sheet = workbook.worksheets[0], workbook.worksheets[1]
        header = read_header(about, result)
        numbered = read_indicator_rows(sheet)
        title = sheet.title
    finally:
        workbook.close()
    result.rows = len(numbered)
    checked = template_rows_check([row for _number, row in numbered])
    for problem in checked.problems:
        number = numbered[problem.index][0] if numbered else 0
        result.errors.append(RowError(title, number, str(ROW_LABELS.get(problem.field, "")), problem.messages))
    result.total = checked.total
    if result.errors:
        return result
    result.created = template_create(
        user=user,
        code=header["code"],
        name=header["name"],
        purpose=header["purpose"],
        region=region,
        description=header.get("description", ""),
        rows=[row for _number, row in numbered],
    )
    return result


def template_versions(template: ScorecardTemplate):
    """Every version of the template's code, newest first."""
    return ScorecardTemplate.objects.filter(code=template.code).select_related("region").order_by("-version")
