"""The roster and the compliance table as .xlsx (openpyxl): the import template, the import, the exports.

The import checks the whole file first, every row through ``StaffMemberForm`` (the page's own form, so the same
validators and rules), and saves it in one transaction only when no row is wrong; otherwise it saves nothing and
reports every bad row and field. People leave the platform as ``accounts.privacy`` shows them to the user:
ID numbers masked to their region at most, salaries and phones only where the table says.
"""

from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.mixins import OutOfScope, save_in_scope
from accounts.privacy import FIELDS_OF, Field, Kind, PeopleView, Show
from reports.spreadsheets import (
    FAIL_FILL,
    OK_FILL,
    cell_text,
    header_cells,
    normal_text,
    set_widths,
    style_header,
    yes_no,
)
from stations.models import Station

from .forms import StaffMemberForm
from .models import StaffMember
from .selectors import CHECK_LABELS, RULE_CODES

MAX_ROWS = 2000
LANGUAGES = ("zh-hans", "en")


@dataclass(frozen=True)
class Column:
    """A column of the roster sheet: a ``StaffMember`` field and how its cells are read and written."""

    name: str
    kind: str  # text, id, choice, bool, date, decimal
    width: int = 14

    @property
    def model_field(self) -> models.Field:
        return StaffMember._meta.get_field(self.name)

    def label(self) -> str:
        return capfirst(str(self.model_field.verbose_name))


ROSTER_COLUMNS = [
    Column("name", "text", 12),
    Column("gender", "choice", 8),
    Column("id_number", "id", 22),
    Column("phone", "text", 15),
    Column("role", "choice", 18),
    Column("employer", "choice", 16),
    Column("education", "choice", 18),
    Column("major_social_work", "bool", 12),
    Column("certification", "choice", 20),
    Column("hired_on", "date", 12),
    Column("left_on", "date", 12),
    Column("labour_contract", "bool", 12),
    Column("annual_salary", "decimal", 14),
]
COLUMN_BY_NAME = {column.name: column for column in ROSTER_COLUMNS}


# --- template ----------------------------------------------------------------------------------------------------


def roster_template() -> Workbook:
    """The import template: the headings, drop-down lists of the allowed values, and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    sheet.append([column.label() for column in ROSTER_COLUMNS])
    style_header(sheet)
    set_widths(sheet, [column.width for column in ROSTER_COLUMNS])
    lists = workbook.create_sheet(_("Allowed values"))
    for index, column in enumerate(ROSTER_COLUMNS, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}2:{letter}{MAX_ROWS + 1}"
        if column.kind == "id":
            for (cell,) in sheet[cells]:
                cell.number_format = "@"  # as text: 18 digits do not survive as a number
        elif column.kind == "date":
            for (cell,) in sheet[cells]:
                cell.number_format = "yyyy-mm-dd"
        values = allowed_values(column)
        if values:
            lists.cell(row=1, column=index, value=column.label())
            for row, value in enumerate(values, start=2):
                lists.cell(row=row, column=index, value=value)
            rule = DataValidation(type="list", formula1=f"'{lists.title}'!${letter}$2:${letter}${len(values) + 1}")
            rule.error = _("Choose one of the listed values.")
            rule.showErrorMessage = True
            rule.add(cells)
            sheet.add_data_validation(rule)
    style_header(lists)
    set_widths(lists, [column.width for column in ROSTER_COLUMNS])
    notes = workbook.create_sheet(_("Instructions"))
    for line in [
        _("One staff member per row, from the second row of the first sheet; keep the headings as they are."),
        _("The resident ID number is typed whole, 18 characters; the platform shows it masked."),
        _("Dates as 2026-03-01. Yes/no columns: Yes or No. Choices: one of the values on the second sheet."),
        _("The whole file is checked first: if any row is wrong, nothing is imported and every error is listed."),
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    return workbook


def allowed_values(column: Column) -> list[str]:
    if column.kind == "choice":
        return [str(label) for _value, label in column.model_field.choices]
    if column.kind == "bool":
        return [yes_no(True), yes_no(False)]
    return []


# --- import ------------------------------------------------------------------------------------------------------


class RosterFileError(Exception):
    """The file cannot be read as a roster at all (not an .xlsx, wrong headings, no rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell (or one row, when ``column`` is empty) of the file."""

    row: int
    column: str
    messages: list[str]


@dataclass
class ImportResult:
    created: list[StaffMember] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def labels_in_every_language(column: Column) -> set[str]:
    labels = set()
    for language in LANGUAGES:
        with override(language):
            labels.add(normal_text(column.label()))
    return labels


def choice_codes(column: Column) -> dict[str, str]:
    """Every way of writing a choice (its code, its label in each language) -> its code."""
    codes = {}
    for value, label in column.model_field.choices:
        codes[normal_text(value)] = value
        for language in LANGUAGES:
            with override(language):
                codes[normal_text(label)] = value
    return codes


TRUE_WORDS = {"1", "y", "yes", "true", "是", "有", "√", "✓"}
FALSE_WORDS = {"", "0", "n", "no", "false", "否", "无", "×", "✗"}


def boolean_words() -> tuple[set[str], set[str]]:
    yes, no = set(TRUE_WORDS), set(FALSE_WORDS)
    for language in LANGUAGES:
        with override(language):
            yes.add(normal_text(yes_no(True)))
            no.add(normal_text(yes_no(False)))
    return yes, no


def roster_import(*, station: Station, user, file) -> ImportResult:
    """Add the staff listed in ``file`` to ``station``: all of them, or, if any row is wrong, none.

    Raises ``RosterFileError`` when the file is not a roster at all.
    """
    rows = read_rows(file)
    result = ImportResult()
    codes = {column.name: choice_codes(column) for column in ROSTER_COLUMNS if column.kind == "choice"}
    yes, no = boolean_words()
    forms, seen = [], {}
    for number, cells in rows:
        result.rows += 1
        data, wrong = {}, {}
        for column, value in zip(ROSTER_COLUMNS, cells, strict=False):
            text = cell_text(value)
            if not text and column.model_field.has_default():
                text = str(column.model_field.get_default())  # e.g. the employer: the operator unless stated
            if column.kind == "choice":
                data[column.name] = codes[column.name].get(normal_text(text), text)
            elif column.kind == "bool":
                if normal_text(text) in yes:
                    data[column.name] = "on"
                elif normal_text(text) not in no:
                    wrong[column.name] = [_("Write %(yes)s or %(no)s.") % {"yes": yes_no(True), "no": yes_no(False)}]
            else:
                data[column.name] = text
        form = StaffMemberForm(data=data, station=station, user=user)
        errors = {name: list(messages) for name, messages in form.errors.items()} if not form.is_valid() else {}
        for name, messages in wrong.items():
            errors.setdefault(name, []).extend(messages)
        key = (normal_text(data.get("id_number")), data.get("hired_on"))
        if key[0] and "id_number" not in errors:
            if key in seen:
                errors["id_number"] = [
                    _("The same person and hiring date are on row %(row)s too.") % {"row": seen[key]}
                ]
            seen.setdefault(key, number)
        for name, messages in errors.items():
            column = COLUMN_BY_NAME.get(name)
            result.errors.append(RowError(number, column.label() if column else "", messages))
        forms.append(form)
    if not result.rows:
        raise RosterFileError(_("The file has no staff rows: fill them in under the headings of the first sheet."))
    if result.errors:
        return result
    try:
        result.created = save_in_scope(user, lambda: [form.save() for form in forms])
    except OutOfScope as refusal:
        result.errors.append(RowError(0, "", [refusal.message]))
    return result


def read_rows(file) -> list[tuple[int, tuple]]:
    """The non-empty rows under the headings of the first sheet, with their row numbers in the file."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise RosterFileError(_("This file cannot be read as an .xlsx workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        headings = next(lines, ())
        expected = [labels_in_every_language(column) for column in ROSTER_COLUMNS]
        found = [normal_text(value) for value in headings[: len(expected)]]
        if len(found) < len(expected) or any(f not in e for f, e in zip(found, expected, strict=True)):
            raise RosterFileError(
                _("The headings of the first sheet do not match the template: download the template and fill it in.")
            )
        rows = []
        for number, cells in enumerate(lines, start=2):
            if any(cell_text(value) for value in cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS:
                    raise RosterFileError(_("A roster file holds %(max)s rows at most.") % {"max": MAX_ROWS})
        return rows
    finally:
        workbook.close()


# --- exports -----------------------------------------------------------------------------------------------------


PERSONAL = {name.value for name in FIELDS_OF[Kind.STAFF]}


def roster_workbook(*, station: Station, staff, on: date, people: PeopleView) -> Workbook:
    """The roster of ``station`` on ``on``, each personal field as ``people`` shows it (or no column at all)."""
    columns = [c for c in ROSTER_COLUMNS if c.name not in PERSONAL or people.shows(Kind.STAFF, c.name) != Show.HIDDEN]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    sheet.append([column.label() for column in columns])
    for person in staff:
        sheet.append([roster_cell(person, column, people) for column in columns])
    style_header(sheet)
    set_widths(sheet, [column.width for column in columns])
    for column in columns:
        letter = get_column_letter(columns.index(column) + 1)
        if column.kind == "date":
            for (cell,) in sheet[f"{letter}2:{letter}{sheet.max_row}"]:
                cell.number_format = "yyyy-mm-dd"
        elif column.kind == "decimal":
            for (cell,) in sheet[f"{letter}2:{letter}{sheet.max_row}"]:
                cell.number_format = "#,##0.00"
    sheet.append([])
    sheet.append([_("%(station)s, staff on the roster on %(date)s") % {"station": station.name, "date": on}])
    return workbook


def roster_cell(person: StaffMember, column: Column, people: PeopleView):
    if column.name in PERSONAL:
        return people.value(person, Field(column.name))
    value = getattr(person, column.name)
    if column.kind == "choice":
        return getattr(person, f"get_{column.name}_display")() if value else ""
    if column.kind == "bool":
        return yes_no(value)
    return value


def compliance_workbook(*, results: Iterable, month: date, on: date) -> Workbook:
    """One row per station of ``results`` (``reports.rollups.compliance.compliance_results``, read as it is
    written): each rule's required and actual figures, green when met and red when not. A write-only workbook,
    so its time grows with the rows and its memory does not."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Staffing compliance"))
    set_widths(sheet, [22, 12, 12, 8] + [14] * (2 * len(RULE_CODES)))
    heading = [_("Station"), _("County"), _("Township"), _("Compliant")]
    for code in RULE_CODES:
        label = str(CHECK_LABELS[code])
        heading += [f"{label} · {_('required')}", f"{label} · {_('actual')}"]
    sheet.append(header_cells(sheet, heading))
    fills = {ok: styled(sheet, OK_FILL if ok else FAIL_FILL) for ok in (True, False)}
    for result in results:
        rows = {row.code: row for row in result.rows}
        line = [
            result.station.name,
            result.county.name if result.county else "",
            result.township.name,
            filled(sheet, yes_no(not result.failed), fills[not result.failed]),
        ]
        for code in RULE_CODES:
            row = rows.get(code)
            line += [row.required, filled(sheet, row.actual, fills[row.ok])] if row else ["", ""]
        sheet.append(line)
    sheet.append([])
    sheet.append([_("Staffing compliance of %(month)s, as of %(date)s") % {"month": f"{month:%Y-%m}", "date": on}])
    return workbook


def styled(sheet, fill) -> WriteOnlyCell:
    """A cell of ``sheet`` with ``fill``, whose style the cells of ``filled`` copy."""
    cell = WriteOnlyCell(sheet)
    cell.fill = fill
    return cell


def filled(sheet, value, like: WriteOnlyCell) -> WriteOnlyCell:
    """A cell of a write-only sheet styled as ``like`` (``styled``). The style's ids are copied: assigning the
    fill again would hash it into the workbook's style lists for every cell, a third of a large export's time."""
    cell = WriteOnlyCell(sheet, value=value)
    cell._style = copy(like._style)
    return cell
