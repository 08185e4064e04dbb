"""A scorecard as the ``.xlsx`` officials draft it in: exported, and imported after the whole file is checked."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from openpyxl import Workbook, load_workbook

from reports.spreadsheets import cell_text, normal_text, set_widths, style_header, workbook_bytes
from stations.models import Region

from ...choices import IndicatorSource, TemplatePurpose
from ...models import ScorecardTemplate
from .versions import (
    LANGUAGES,
    MAX_ROWS,
    ROW_FIELDS,
    ROW_LABELS,
    TemplateRow,
    template_create,
    template_header_check,
    template_region_editable,
    template_rows,
    template_rows_check,
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
