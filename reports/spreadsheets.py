"""Spreadsheet exports shared by every app: the house look of a sheet and the download response.

Officials take tables to Excel (rosters, compliance, service records, later the dashboards); every export
looks the same (a blue header row that stays in view) and leaves with ``Cache-Control: no-store``, since
most of them hold personal data. Every cell leaves as the value it holds, never as a formula: text that a
spreadsheet would run (``=HYPERLINK(...)`` typed as a service record's place) is written as text.
"""

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0A4A9A")
OK_FILL = PatternFill("solid", fgColor="D1E7DD")
FAIL_FILL = PatternFill("solid", fgColor="F8D7DA")

# What a spreadsheet may read as the start of a formula (OWASP "CSV injection"), tab and carriage return included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A formula cell as openpyxl writes it: ``<c r="B2" s="1"><f>HYPERLINK(...)</f><v /></c>``.
FORMULA_CELL = re.compile(rb"<c ([^>]*)><f>([^<]*)</f>(?:<v\s*/>|<v>[^<]*</v>)?</c>")


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def style_header(sheet, row: int = 1) -> None:
    """The header row in the house colours, kept in view while scrolling."""
    for cell in sheet[row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def header_cells(sheet, headings: list[str]) -> list[WriteOnlyCell]:
    """A header row for a write-only sheet (large exports), in the house colours; the rows below scroll under it."""
    sheet.freeze_panes = "A2"
    cells = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cells.append(cell)
    return cells


def set_widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def cells_as_text(workbook: Workbook) -> None:
    """Text that would start a formula stays text: a string cell with Excel's quote prefix, shown as typed.

    Only for workbooks held in memory; a write-only workbook has already written its rows (see
    ``formulas_as_text``).
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def formulas_as_text(content: bytes) -> bytes:
    """The saved ``.xlsx`` with every formula cell rewritten as the text it was given (``=`` included).

    Exports hold data, never formulas; a write-only sheet streams its rows as they are appended, so a
    value such as ``=HYPERLINK(...)`` can only be caught in the file. ``+``, ``-``, ``@``, tab and carriage
    return already leave as text cells; ``=`` is the one openpyxl turns into a formula.
    """
    with zipfile.ZipFile(BytesIO(content)) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    if not any(info.filename.startswith("xl/worksheets/") and FORMULA_CELL.search(data) for info, data in parts):
        return content
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename.startswith("xl/worksheets/"):
                data = FORMULA_CELL.sub(rb'<c \1 t="inlineStr"><is><t xml:space="preserve">=\2</t></is></c>', data)
            target.writestr(info, data)
    return buffer.getvalue()


def workbook_bytes(workbook: Workbook) -> bytes:
    """The saved ``.xlsx``, every cell as text or number, never a formula."""
    if not workbook.write_only:
        cells_as_text(workbook)
    buffer = BytesIO()
    workbook.save(buffer)
    return formulas_as_text(buffer.getvalue())


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A saved ``.xlsx`` (``workbook_bytes``) as a download; never cached."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def workbook_response(workbook: Workbook, filename: str) -> HttpResponse:
    """The workbook as a download, every cell as text or number, never a formula; never cached."""
    return xlsx_response(workbook_bytes(workbook), filename)


def cell_text(value) -> str:
    """A cell read from an uploaded workbook as the text a form field or a rule expects."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return str(Decimal(str(value)))
    return str(value).strip()


def normal_text(text) -> str:
    """Text compared the way a heading or a choice typed in a sheet is: stripped, case-folded."""
    return str(text or "").strip().casefold()
