"""The roster in and out of Excel: the template, an all-or-nothing import that lists every error, masked exports."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from reports.rollups.refresh import rollups_repair
from staffing.excel import ROSTER_COLUMNS, roster_template
from staffing.models import StaffMember
from staffing.validators import id_number_check_char

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def id_number(n: int, born: str = "19900101") -> str:
    body = f"330481{born}{n:03d}"
    return body + id_number_check_char(body)


def row(n: int, **cells) -> list:
    """A roster row in the template's column order; ``cells`` by field name."""
    values = {
        "name": f"社工{n}",
        "gender": "女",
        "id_number": id_number(n),
        "role": "full_time",
        "certification": "assistant",
        "hired_on": date(2026, 3, 1),
        "major_social_work": "是",
        **cells,
    }
    return [values.get(column.name) for column in ROSTER_COLUMNS]


def xlsx(rows: list[list], workbook: Workbook | None = None) -> SimpleUploadedFile:
    """The template filled in with ``rows`` from its second row, as typed into Excel."""
    workbook = workbook or roster_template()
    sheet = workbook.worksheets[0]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("花名册.xlsx", buffer.getvalue(), content_type=XLSX)


def upload(world, rows, user="manager", workbook=None):
    url = f"/staffing/stations/{world.stations['S1'].pk}/roster/import/"
    return signed_in(world.users[user]).post(url, {"file": xlsx(rows, workbook)})


def opened(response):
    assert response["Content-Type"] == XLSX
    return load_workbook(BytesIO(response.content))


def all_text(workbook) -> str:
    return " ".join(
        str(cell) for sheet in workbook.worksheets for line in sheet.iter_rows(values_only=True) for cell in line
    )


def test_the_template_has_the_headings_and_lists_of_allowed_values(world):
    response = signed_in(world.users["manager"]).get("/staffing/roster-template/")
    workbook = opened(response)
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == [column.label() for column in ROSTER_COLUMNS]
    assert sheet.max_row == 1 or not any(v for line in sheet.iter_rows(min_row=2, values_only=True) for v in line)
    assert len(sheet.data_validations.dataValidation) == sum(c.kind in ("choice", "bool") for c in ROSTER_COLUMNS)


def test_a_valid_file_is_imported_whole(world):
    response = upload(
        world, [row(1), row(2, gender="male", role="专职社工", certification="none", annual_salary=98000)]
    )
    assert response.status_code == 302
    staff = StaffMember.objects.filter(station=world.stations["S1"]).order_by("name")
    assert [(s.name, s.gender, s.major_social_work) for s in staff] == [
        ("社工1", "female", True),
        ("社工2", "male", True),
    ]
    assert staff[1].annual_salary == Decimal("98000")
    assert staff[0].employer == "operator"  # left empty: the model's default


def test_one_bad_row_imports_nothing_and_every_bad_row_and_field_is_listed(world):
    bad_check_digit = id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")
    rows = [
        row(1),
        row(2, name="", role="站长助理"),
        row(3, id_number=bad_check_digit, hired_on="2026-13-01"),
        row(4, hired_on=date(2026, 3, 1), left_on=date(2025, 1, 1), major_social_work="也许"),
    ]
    response = upload(world, rows)
    assert response.status_code == 200
    assert not StaffMember.objects.exists()
    found = {(error.row, error.column) for error in response.context["result"].errors}
    labels = {column.name: column.label() for column in ROSTER_COLUMNS}
    assert found == {
        (3, labels["name"]),
        (3, labels["role"]),
        (4, labels["id_number"]),
        (4, labels["hired_on"]),
        (5, labels["left_on"]),
        (5, labels["major_social_work"]),
    }
    assert 'id="import-errors"' in response.content.decode()


def test_the_same_person_twice_in_one_file_is_an_error(world):
    response = upload(world, [row(1), row(1)])
    [error] = response.context["result"].errors
    assert error.row == 3 and "2" in error.messages[0]
    assert not StaffMember.objects.exists()


def test_a_person_already_on_the_roster_is_an_error(world):
    StaffMember.objects.create(
        station=world.stations["S1"],
        name="社工1",
        gender="female",
        id_number=id_number(1),
        role="full_time",
        hired_on=date(2026, 3, 1),
    )
    response = upload(world, [row(1), row(2)])
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(2, ROSTER_COLUMNS[2].label())]
    assert StaffMember.objects.count() == 1


def test_a_file_with_other_headings_is_refused_on_the_file_field(world):
    workbook = Workbook()
    workbook.active.append(["姓名", "电话"])
    response = upload(world, [["张三", "123"]], workbook=workbook)
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not StaffMember.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_on_the_file_field(world):
    url = f"/staffing/stations/{world.stations['S1'].pk}/roster/import/"
    fake = SimpleUploadedFile("roster.xlsx", b"not a zip file", content_type=XLSX)
    response = signed_in(world.users["manager"]).post(url, {"file": fake})
    assert "file" in response.context["form"].errors


def test_an_empty_template_is_refused(world):
    response = upload(world, [])
    assert "file" in response.context["form"].errors


def test_importing_into_a_station_outside_the_scope_is_not_found(world):
    url = f"/staffing/stations/{world.stations['S2'].pk}/roster/import/"
    response = signed_in(world.users["manager"]).post(url, {"file": xlsx([row(1)])})
    assert response.status_code == 404
    assert not StaffMember.objects.exists()


def test_the_roster_export_shows_people_as_the_people_table_says(world):
    """Masked ID numbers and salaries for the manager and officials; the evaluator: masked names, no ID, no pay."""
    station = world.stations["S1"]
    person = StaffMember.objects.create(
        station=station,
        name="张晓燕",
        gender="female",
        id_number=id_number(1),
        role="full_time",
        hired_on=date(2024, 3, 1),
        annual_salary=Decimal("98765.00"),
    )
    url = f"/staffing/stations/{station.pk}/roster/export/"
    for_manager = opened(signed_in(world.users["manager"]).get(url))
    text = all_text(for_manager)
    assert person.masked_id_number in text and person.id_number not in text
    assert "98765" in text
    for_official = all_text(opened(signed_in(world.users["city"]).get(url)))
    assert "98765" in for_official and person.id_number not in for_official and "张晓燕" in for_official
    for_evaluator = all_text(opened(signed_in(world.users["evaluator"]).get(url)))
    assert "98765" not in for_evaluator and "330481" not in for_evaluator
    assert "张*燕" in for_evaluator and "张晓燕" not in for_evaluator


def test_the_compliance_export_has_each_rule_required_and_actual_per_station(world):
    rollups_repair(months=1, log=False)
    response = signed_in(world.users["county"]).get("/staffing/compliance/export/", {"rule": "full_time_staff"})
    sheet = opened(response).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    stations = {line[0] for line in lines[1:] if line and line[0]}
    assert {world.stations["S1"].name, world.stations["S2"].name} <= stations
    assert world.stations["SB"].name not in stations
    heading = lines[0]
    assert len(heading) == 4 + 2 * 7
    assert lines[1][4:6] == ("≥ 6", "0")
    assert sheet.cell(row=2, column=6).fill.fgColor.rgb.endswith("F8D7DA")  # red: not met
