"""The expenditure workbook: the template, a month's import checked whole (every bad row listed, nothing saved
unless all is good; each row through ``expenditure_problems``, vouchers named in the last column and uploaded with
the workbook), and the export."""

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.mixins import OutOfScope, save_in_scope
from config.params import parse_date
from reports.rollups.dirty import SPENDING, rollup_mark
from reports.spreadsheets import (
    cell_text,
    header_cells,
    normal_text,
    set_widths,
    style_header,
    workbook_bytes,
)
from stations.models import Station

from ..choices import BudgetLine, FundingSource
from ..models import Expenditure
from .expenditures import (
    StationFunding,
    expenditure_problems,
    voucher_store,
    voucher_type,
)

MAX_ROWS = 2000
LANGUAGES = ("zh-hans", "en")
COLUMNS = [  # (field, heading, width): the template's, the import's and the export's first columns
    ("date", gettext_lazy("Date"), 12),
    ("line", gettext_lazy("Budget line"), 12),
    ("source", gettext_lazy("Funding source"), 16),
    ("amount", gettext_lazy("Amount (CNY)"), 14),
    ("payee", gettext_lazy("Payee"), 28),
    ("description", gettext_lazy("Payment summary"), 36),
    ("voucher", gettext_lazy("Voucher file name"), 24),
]
HEADING = {name: heading for name, heading, _width in COLUMNS}


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell of the file (row 0: with the file as a whole)."""

    row: int
    column: str
    messages: list[str]


class ExpenditureFileError(Exception):
    """The file cannot be read as an expenditure workbook at all (not an .xlsx, other headings, no rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ExpenditureImportError(Exception):
    """Some rows are wrong, so nothing was saved: ``errors`` lists every one of them, ``rows`` the rows read."""

    def __init__(self, errors: list[RowError], rows: int):
        super().__init__(f"{len(errors)} problems in {rows} rows")
        self.errors, self.rows = errors, rows

    ok = False


def choice_codes(choices) -> dict[str, str]:
    """Every way a sheet may write a choice (its code, its label in each language) -> its code."""
    codes = {}
    for value, label in choices.choices:
        codes[normal_text(value)] = value
        for language in LANGUAGES:
            with override(language):
                codes[normal_text(str(label))] = value
    return codes


def headings_in_every_language() -> list[set[str]]:
    found = []
    for _name, heading, _width in COLUMNS:
        labels = set()
        for language in LANGUAGES:
            with override(language):
                labels.add(normal_text(str(heading)))
        found.append(labels)
    return found


def expenditure_template_xlsx() -> bytes:
    """The import template: the headings with drop-down lists for line and source, an example sheet, the allowed
    values and the instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Expenditures")
    headings = [str(heading) for _name, heading, _width in COLUMNS]
    widths = [width for _name, _heading, width in COLUMNS]
    sheet.append(headings)
    style_header(sheet)
    set_widths(sheet, widths)
    for (cell,) in sheet[f"A2:A{MAX_ROWS + 1}"]:
        cell.number_format = "yyyy-mm-dd"
    for (cell,) in sheet[f"D2:D{MAX_ROWS + 1}"]:
        cell.number_format = "#,##0.00"
    lists = workbook.create_sheet(_("Allowed values"))
    lists.append([headings[1], headings[2]])
    lines, sources = [str(label) for label in BudgetLine.labels], [str(label) for label in FundingSource.labels]
    for index in range(max(len(lines), len(sources))):
        lists.append([lines[index] if index < len(lines) else None, sources[index] if index < len(sources) else None])
    style_header(lists)
    set_widths(lists, [14, 18])
    for column, values in ((2, lines), (3, sources)):
        letter, source_letter = get_column_letter(column), get_column_letter(column - 1)
        rule = DataValidation(
            type="list", formula1=f"'{lists.title}'!${source_letter}$2:${source_letter}${len(values) + 1}"
        )
        rule.error = _("Choose one of the listed values.")
        rule.showErrorMessage = True
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)
    example = workbook.create_sheet(_("Example"))
    example.append(headings)
    example.append(
        [
            date(timezone.localdate().year, 3, 5),
            str(BudgetLine.ACTIVITIES.label),
            str(FundingSource.TOWNSHIP_FISCAL.label),
            Decimal("1280.00"),
            _("Jiaxing stationery supplies Co., Ltd."),
            _("Materials for the elderly birthday party"),
            "fapiao-0305.pdf",
        ]
    )
    example["A2"].number_format = "yyyy-mm-dd"
    example["D2"].number_format = "#,##0.00"
    style_header(example)
    set_widths(example, widths)
    notes = workbook.create_sheet(_("Instructions"))
    for text in [
        _("One payment per row, from the second row of the first sheet; keep the headings as they are."),
        _("A file holds the payments of one month. Dates as 2026-03-05; amounts in yuan with at most two decimals."),
        _("Budget line and funding source: one of the values on the sheet of allowed values."),
        _(
            "A payment above the policy's amount (1,000.00 yuan unless set otherwise) names its voucher file, which you upload with the workbook (a photo or a PDF)."
        ),
        _("The whole file is checked first: if any row is wrong, nothing is imported and every error is listed."),
    ]:
        notes.append([text])
    notes.column_dimensions["A"].width = 110
    return workbook_bytes(workbook)


def read_rows(file) -> list[tuple[int, tuple]]:
    """The non-empty rows under the headings of the first sheet, with their row numbers in the file."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ExpenditureFileError(_("This file cannot be read as an .xlsx workbook.")) from error
    try:
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        expected = headings_in_every_language()
        found = [normal_text(value) for value in next(lines, ())[: len(expected)]]
        if len(found) < len(expected) or any(f not in e for f, e in zip(found, expected, strict=True)):
            raise ExpenditureFileError(
                _("The headings of the first sheet do not match the template: download the template and fill it in.")
            )
        rows = []
        for number, cells in enumerate(lines, start=2):
            cells = tuple(cells[: len(expected)]) + (None,) * (len(expected) - len(cells))
            if any(cell_text(value) for value in cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS:
                    raise ExpenditureFileError(_("A file holds %(max)s payments at most.") % {"max": MAX_ROWS})
    finally:
        workbook.close()
    if not rows:
        raise ExpenditureFileError(_("The file has no payments: fill them in under the headings of the first sheet."))
    return rows


def cell_date(value) -> date | None | str:
    """A date cell as a date; None when empty; the text when it is no date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    return parse_date(text) or (text or None)


def cell_amount(value) -> Decimal | None | str:
    text = cell_text(value).replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


@dataclass
class ImportRow:
    number: int
    values: dict
    voucher_name: str


def import_row(number: int, cells: tuple, codes: dict) -> tuple[ImportRow, dict[str, list[str]]]:
    """One row of the sheet as an expenditure's fields, and what cannot even be read in it."""
    raw = dict(zip([name for name, _heading, _width in COLUMNS], cells, strict=True))
    unreadable: dict[str, list[str]] = {}
    day = cell_date(raw["date"])
    if isinstance(day, str):
        unreadable["date"] = [_("Write the date as 2026-03-05.")]
        day = None
    amount = cell_amount(raw["amount"])
    if isinstance(amount, str):
        unreadable["amount"] = [_("Write the amount as a number, such as 1000.00.")]
        amount = None
    values = {"date": day, "amount": amount}
    for name in ("line", "source"):
        text = cell_text(raw[name])
        values[name] = codes[name].get(normal_text(text), text)
    values["payee"], values["description"] = cell_text(raw["payee"]), cell_text(raw["description"])
    return ImportRow(number, values, os.path.basename(cell_text(raw["voucher"]))), unreadable


def import_month(rows: list[ImportRow]) -> tuple[int, int] | None:
    """The month of the import: that of most of its dated rows (of the first such row on a tie)."""
    months = Counter((row.values["date"].year, row.values["date"].month) for row in rows if row.values["date"])
    if not months:
        return None
    top = max(months.values())
    return next(
        (row.values["date"].year, row.values["date"].month)
        for row in rows
        if row.values["date"] and months[(row.values["date"].year, row.values["date"].month)] == top
    )


def expenditures_import(*, station: Station, file, vouchers: dict, user, today: date) -> list[Expenditure]:
    """Enter the payments of one month listed in the .xlsx ``file`` (the template's columns) for ``station``: all of
    them, or, if any row is wrong, none.

    ``vouchers`` maps file names to the uploads sent with the workbook; a row above the voucher amount names one of
    them in its last column, and each named file is checked by content. Raises ``ExpenditureFileError`` when the
    file is no such workbook, ``ExpenditureImportError`` with every bad row (row, column, messages) otherwise.
    """
    lines = read_rows(file)
    codes = {"line": choice_codes(BudgetLine), "source": choice_codes(FundingSource)}
    funding = StationFunding(station)
    uploads = {os.path.basename(name): upload for name, upload in vouchers.items()}
    checked: dict[str, str | list[str]] = {}
    for name, upload in uploads.items():
        try:
            checked[name] = voucher_type(upload)
        except ValidationError as error:
            checked[name] = error.messages
    rows, errors = [], []
    for number, cells in lines:
        row, unreadable = import_row(number, cells, codes)
        rows.append(row)
        problems = expenditure_problems(
            station=station, **row.values, has_voucher=bool(row.voucher_name), today=today, funding=funding
        )
        problems.update(unreadable)  # "not a date" says more than "give the date"
        if row.voucher_name:
            found = checked.get(row.voucher_name)
            if found is None:
                problems.setdefault("voucher", []).append(
                    _("No voucher file named %(name)s was uploaded with the workbook.") % {"name": row.voucher_name}
                )
            elif isinstance(found, list):
                problems.setdefault("voucher", []).extend(f"{row.voucher_name}: {message}" for message in found)
        row.problems = problems
    month = import_month(rows)
    for row in rows:
        day = row.values["date"]
        if month and day and (day.year, day.month) != month and not row.problems.get("date"):
            row.problems["date"] = [
                _("Not in %(month)s, the month of this file: a file holds the payments of one month.")
                % {"month": f"{month[0]}-{month[1]:02d}"}
            ]
        for name, _heading, _width in COLUMNS:
            if row.problems.get(name):
                errors.append(RowError(row.number, str(HEADING[name]), row.problems[name]))
    unused = sorted(set(uploads) - {row.voucher_name for row in rows})
    if unused:
        errors.append(
            RowError(
                0,
                str(HEADING["voucher"]),
                [_("Uploaded but named on no row: %(names)s") % {"names": "、".join(unused)}],
            )
        )
    if errors:
        raise ExpenditureImportError(errors, rows=len(rows))
    return import_save(
        station=station, rows=rows, uploads=uploads, checked=checked, user=user, funding=funding, today=today
    )


def import_save(*, station, rows, uploads, checked, user, funding, today) -> list[Expenditure]:
    """Save the checked rows in one transaction; on any failure no row stays and no stored voucher file either."""
    saved: list[Expenditure] = []

    def save_all() -> list[Expenditure]:
        for row in rows:
            expenditure = Expenditure(station=station, created_by=user, **row.values)
            expenditure._history_user = user
            rollup_mark(station_id=station.pk, day=expenditure.date, part=SPENDING)
            if row.voucher_name:
                voucher_store(expenditure, uploads[row.voucher_name], checked[row.voucher_name])
            else:
                expenditure.save()
            saved.append(expenditure)
        return saved

    try:
        return save_in_scope(user, save_all)
    except Exception as error:
        for expenditure in saved:
            if expenditure.voucher:
                expenditure.voucher.storage.delete(expenditure.voucher.name)
        if isinstance(error, OutOfScope):
            raise ExpenditureImportError([RowError(0, "", [error.message])], rows=len(rows)) from error
        raise


def expenditures_xlsx(rows) -> bytes:
    """Expenditures as .xlsx: the template's columns first (an export reads back as a month's import, vouchers
    aside), then the station and who entered it, and a totals row. ``rows`` with ``station`` and ``created_by``
    selected."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Expenditures"))
    headings = [str(heading) for _name, heading, _width in COLUMNS] + [_("Station"), _("Entered by")]
    set_widths(sheet, [width for _name, _heading, width in COLUMNS] + [24, 12])
    sheet.append(header_cells(sheet, headings))
    total = Decimal("0.00")
    for expenditure in rows:
        total += expenditure.amount
        sheet.append(
            [
                expenditure.date,
                expenditure.get_line_display(),
                expenditure.get_source_display(),
                expenditure.amount,
                expenditure.payee,
                expenditure.description,
                expenditure.voucher_name,
                expenditure.station.name,
                str(expenditure.created_by) if expenditure.created_by else "",
            ]
        )
    sheet.append([_("Total"), "", "", total])
    return workbook_bytes(workbook)
