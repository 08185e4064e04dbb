"""A month's expenditures from the template: the whole file checked first, every bad row listed, nothing saved
unless all is good; vouchers named in the last column and checked by content; the template and the export."""

import os
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from funding.models import Expenditure
from funding.rules.expenditure_workbook import (
    ExpenditureFileError,
    ExpenditureImportError,
    expenditure_template_xlsx,
    expenditures_import,
    expenditures_xlsx,
)
from tests.funding.helpers import spend

from .test_expenditures import PDF, PNG, TODAY, approved_budget

HEADINGS = ["日期", "预算科目", "资金来源", "金额（元）", "收款方", "摘要", "凭证文件名"]
DAY = TODAY.replace(day=1)  # the first of this month: never in the future


def workbook(rows, headings=HEADINGS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("支出.xlsx", buffer.getvalue())


def row(**changes) -> list:
    values = {
        "date": DAY,
        "line": "活动经费",
        "source": "镇街财政",
        "amount": 800,
        "payee": "嘉兴市某某文化用品有限公司",
        "description": "活动物资",
        "voucher": None,
    }
    values.update(changes)
    return list(values.values())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def s1(world):
    approved_budget(world.stations["S1"])
    return world.stations["S1"]


def run(world, station, rows, vouchers=None, headings=HEADINGS):
    return expenditures_import(
        station=station,
        file=workbook(rows, headings),
        vouchers=vouchers or {},
        user=world.users["manager"],
        today=TODAY,
    )


def test_a_good_file_saves_every_row(world, s1):
    """Labels, codes and typed dates all read; every row saved, for the station, by the importing user."""
    created = run(
        world,
        s1,
        [
            row(),
            row(line="personnel", source="city_fiscal", amount="1000.00", date=DAY.isoformat()),
            row(line="管理经费", amount=12.5),
        ],
    )

    assert len(created) == 3
    saved = Expenditure.objects.order_by("pk")
    assert [(e.line, e.source, e.amount) for e in saved] == [
        ("activities", "township_fiscal", Decimal("800.00")),
        ("personnel", "city_fiscal", Decimal("1000.00")),
        ("management", "township_fiscal", Decimal("12.50")),
    ]
    assert {(e.station_id, e.created_by_id) for e in saved} == {(s1.pk, world.users["manager"].pk)}
    assert saved[0].history.get().history_user == world.users["manager"]


def test_one_bad_row_saves_nothing_and_every_bad_row_is_listed(world, s1):
    """Row 3 has no payee, row 4 a future date and an unknown line: nothing saved, each problem with row and
    column."""
    with pytest.raises(ExpenditureImportError) as refused:
        run(
            world,
            s1,
            [row(), row(payee=""), row(date=TODAY + timedelta(days=1), line="差旅费"), row()],
        )

    assert not Expenditure.objects.exists()
    found = {(error.row, error.column) for error in refused.value.errors}
    assert {(3, "收款方"), (4, "预算科目")} <= found
    assert refused.value.rows == 4
    assert any(error.row == 4 and error.column == "日期" for error in refused.value.errors)


def test_rows_outside_the_files_month_are_named(world, s1):
    """A file is one month: the rows of another month are listed as such."""
    other = DAY - timedelta(days=1) if DAY.month > 1 else None
    if other is None:
        pytest.skip("January: the month before is last year's")
    with pytest.raises(ExpenditureImportError) as refused:
        run(world, s1, [row(), row(), row(date=other)])

    errors = [(error.row, error.column) for error in refused.value.errors]
    assert errors == [(4, "日期")]
    assert f"{DAY:%Y-%m}" in refused.value.errors[0].messages[0]


def test_a_row_above_the_voucher_amount_must_name_an_uploaded_voucher(world, s1, media):
    """1,000.01 with no file named, and one naming a file that was not uploaded, are both refused."""
    with pytest.raises(ExpenditureImportError) as refused:
        run(world, s1, [row(amount="1000.01"), row(amount=1500, voucher="发票2.pdf")])

    assert [(error.row, error.column) for error in refused.value.errors] == [(2, "凭证文件名"), (3, "凭证文件名")]
    assert "发票2.pdf" in refused.value.errors[1].messages[0]
    assert not Expenditure.objects.exists()


def test_named_vouchers_are_stored_with_their_rows(world, s1, media):
    """Each row keeps its own voucher, typed by content; rows at the amount need none."""
    vouchers = {"发票1.pdf": SimpleUploadedFile("发票1.pdf", PDF), "收据.png": SimpleUploadedFile("收据.png", PNG)}

    run(world, s1, [row(amount=1500, voucher="发票1.pdf"), row(amount=2000, voucher="收据.png"), row()], vouchers)

    saved = list(Expenditure.objects.order_by("pk"))
    assert [(e.voucher_name, e.voucher_type) for e in saved] == [
        ("发票1.pdf", "application/pdf"),
        ("收据.png", "image/png"),
        ("", ""),
    ]
    assert saved[0].voucher.read() == PDF


def test_a_fake_voucher_refuses_its_row_and_nothing_is_stored(world, s1, media):
    """Text renamed .pdf is refused by content; no row and no file is left."""
    vouchers = {"发票.pdf": SimpleUploadedFile("发票.pdf", b"plain text pretending")}

    with pytest.raises(ExpenditureImportError) as refused:
        run(world, s1, [row(amount=1500, voucher="发票.pdf")], vouchers)

    assert [(error.row, error.column) for error in refused.value.errors] == [(2, "凭证文件名")]
    assert not Expenditure.objects.exists()
    assert not any(files for _root, _dirs, files in os.walk(media))


def test_an_uploaded_voucher_no_row_names_is_reported(world, s1, media):
    """A file sent with the workbook but named by no row is most likely a typo in a name: said, not ignored."""
    vouchers = {"多余.png": SimpleUploadedFile("多余.png", PNG)}

    with pytest.raises(ExpenditureImportError) as refused:
        run(world, s1, [row()], vouchers)

    assert refused.value.errors[0].row == 0
    assert "多余.png" in refused.value.errors[0].messages[0]


def test_unreadable_dates_and_amounts_say_how_to_write_them(world, s1):
    """Text in the date or amount column is named as such, not as a missing value."""
    with pytest.raises(ExpenditureImportError) as refused:
        run(world, s1, [row(date="三月五日", amount="八百")])

    messages = {error.column: error.messages for error in refused.value.errors}
    assert messages["日期"] == ["日期格式应为 2026-03-05。"]
    assert messages["金额（元）"] == ["金额请填写数字，例如 1000.00。"]


def test_a_year_without_an_approved_budget_refuses_every_row(world):
    """S2 has no approved budget: each row says so on its date."""
    with pytest.raises(ExpenditureImportError) as refused:
        run(world, world.stations["S2"], [row(), row()])

    assert [(error.row, error.column) for error in refused.value.errors] == [(2, "日期"), (3, "日期")]


def test_other_headings_or_no_rows_or_no_workbook_are_file_errors(world, s1):
    """The file as a whole is refused when it is not the template's."""
    with pytest.raises(ExpenditureFileError):
        run(world, s1, [row()], headings=["日期", "金额"])
    with pytest.raises(ExpenditureFileError):
        run(world, s1, [])
    with pytest.raises(ExpenditureFileError):
        expenditures_import(
            station=s1,
            file=SimpleUploadedFile("a.xlsx", b"not a zip"),
            vouchers={},
            user=world.users["manager"],
            today=TODAY,
        )


def test_english_headings_are_read_too(world, s1):
    """A template downloaded in the English interface imports as well."""
    english = ["Date", "Budget line", "Funding source", "Amount (CNY)", "Payee", "Payment summary", "Voucher file name"]

    assert len(run(world, s1, [row(line="Activities", source="Township fiscal funds")], headings=english)) == 1


def test_the_template_reads_back_as_an_empty_import(world, s1):
    """The template's first sheet has exactly the import's headings, lists the lines and sources, and has an
    example sheet."""
    book = load_workbook(BytesIO(expenditure_template_xlsx()))

    assert [cell.value for cell in book.worksheets[0][1]] == HEADINGS
    allowed = [cell.value for cell in book["可选值"]["A"]]
    assert "人员经费" in allowed and "活动经费" in allowed
    assert "社区基金" in [cell.value for cell in book["可选值"]["B"]]
    assert book["示例"]["B2"].value == "活动经费"
    with pytest.raises(ExpenditureFileError):  # headings only: no rows
        expenditures_import(
            station=s1,
            file=BytesIO(expenditure_template_xlsx()),
            vouchers={},
            user=world.users["manager"],
            today=TODAY,
        )


def test_the_export_writes_formula_like_text_as_text_and_a_total(world, s1):
    """A payee typed as a formula leaves as text; the last row is the total."""
    spend(s1, "800.00", on=DAY)
    Expenditure.objects.update(payee='=HYPERLINK("http://evil")')
    spend(s1, "200.50", on=DAY)
    rows = Expenditure.objects.select_related("station", "created_by").order_by("pk")

    sheet = load_workbook(BytesIO(expenditures_xlsx(rows))).worksheets[0]

    assert sheet["E2"].value == '=HYPERLINK("http://evil")'
    assert sheet["E2"].data_type != "f"
    assert sheet.cell(row=sheet.max_row, column=4).value == 1000.5


def test_the_import_page_lists_every_bad_row_and_saves_nothing(world, s1):
    """The page shows the table of problems above the form."""
    client = Client()
    client.force_login(world.users["manager"])

    response = client.post(
        f"/funding/stations/{s1.pk}/expenditures/import/", {"file": workbook([row(payee=""), row(amount=0)])}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-errors"' in page and "收款方" in page and "金额必须大于 0。" in page
    assert not Expenditure.objects.exists()


def test_the_import_page_saves_a_good_month_with_its_vouchers(world, s1, media):
    """All rows saved, the vouchers with them; back to the list of the month."""
    client = Client()
    client.force_login(world.users["manager"])

    response = client.post(
        f"/funding/stations/{s1.pk}/expenditures/import/",
        {
            "file": workbook([row(amount=1500, voucher="a.png"), row()]),
            "vouchers": [SimpleUploadedFile("a.png", PNG)],
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"?month={DAY:%Y-%m}")
    assert Expenditure.objects.filter(station=s1).count() == 2
    assert Expenditure.objects.exclude(voucher="").count() == 1


def test_the_import_page_refuses_a_file_that_is_no_xlsx_on_its_field(world, s1):
    """A .csv is refused on the file field, in Chinese."""
    client = Client()
    client.force_login(world.users["manager"])

    response = client.post(
        f"/funding/stations/{s1.pk}/expenditures/import/", {"file": SimpleUploadedFile("a.csv", b"a,b")}
    )

    assert response.status_code == 200
    assert "请上传按模板填写的 .xlsx 文件。" in response.content.decode()


def test_dates_in_the_past_month_of_a_year_with_a_budget_import(world, s1):
    """Any month of a budgeted year, not only this one, can be imported."""
    if TODAY.month == 1:
        pytest.skip("January: no earlier month this year")
    earlier = date(TODAY.year, 1, 10)

    assert len(run(world, s1, [row(date=earlier), row(date=earlier.replace(day=20))])) == 2
