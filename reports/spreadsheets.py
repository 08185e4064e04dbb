"""Spreadsheet exports shared by every app: the house look of a sheet and the download response.

Officials take tables to Excel (rosters, compliance, service records, later the dashboards); every export
looks the same (a blue header row that stays in view) and leaves with ``Cache-Control: no-store``, since
most of them hold personal data.
"""

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


def workbook_response(workbook: Workbook, filename: str) -> HttpResponse:
    """The workbook as a download; never cached, since it holds personal data."""
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response
