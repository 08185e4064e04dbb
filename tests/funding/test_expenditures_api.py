"""The expenditures API: statuses and 400s, money as strings, filters, scope (the social worker never sees the
personnel line), the voucher download, the import, the template and the export, and a fixed query count."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from funding.models import Expenditure
from funding.rules.expenditures import expenditure_create
from tests.funding.helpers import spend

from .test_expenditure_import import DAY, row, workbook
from .test_expenditures import PDF, PNG, TODAY, approved_budget

URL = "/api/v1/expenditures/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def s1(world):
    approved_budget(world.stations["S1"])
    return world.stations["S1"]


def body(station, **changes) -> dict:
    values = {
        "station": station.pk,
        "date": TODAY.isoformat(),
        "line": "activities",
        "source": "township_fiscal",
        "amount": "800.00",
        "payee": "嘉兴市某某文化用品有限公司",
        "description": "重阳节活动物资",
    }
    return {**values, **changes}


def test_the_manager_enters_a_payment_and_reads_money_as_a_string(s1, api_client_for):
    """201, with the amount as a decimal string of two places and the station's name."""
    response = api_client_for("manager").post(URL, body(s1, amount="800"), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["amount"], data["station_name"], data["has_voucher"]) == ("800.00", s1.name, False)
    assert data["created_by"] is not None


def test_a_refused_payment_is_a_400_on_its_fields_and_saves_nothing(s1, api_client_for):
    """Tomorrow's date, no payee, and 1,000.01 without a voucher: every field named, in Chinese."""
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = api_client_for("manager").post(
        URL, body(s1, date=tomorrow, payee=" ", amount="1000.01"), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 400
    assert {"date", "payee", "voucher"} <= set(response.json())
    assert not Expenditure.objects.exists()


def test_a_year_without_an_approved_budget_is_a_400_on_the_date(world, api_client_for):
    """S2 has no approved budget for the year."""
    response = api_client_for("admin").post(URL, body(world.stations["S2"]), format="json")

    assert response.status_code == 400
    assert "尚无已批准的预算" in response.json()["date"][0]


def test_a_payment_for_a_station_outside_the_scope_is_a_400(world, api_client_for):
    """The manager of S1 cannot enter S2's spending: the station does not exist for them."""
    approved_budget(world.stations["S2"])

    response = api_client_for("manager").post(URL, body(world.stations["S2"]), format="json")

    assert response.status_code == 400
    assert "station" in response.json()
    assert not Expenditure.objects.exists()


def test_the_social_worker_may_not_enter_spending(s1, api_client_for):
    """Entering spending is the station manager's."""
    assert api_client_for("worker").post(URL, body(s1), format="json").status_code == 403


def test_a_voucher_is_uploaded_with_the_payment_and_downloaded(s1, api_client_for, media):
    """Multipart create with a PDF above the amount; the download is the same bytes, typed by content."""
    client = api_client_for("manager")
    response = client.post(
        URL, body(s1, amount="1500.00", voucher=SimpleUploadedFile("发票.pdf", PDF)), format="multipart"
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["has_voucher"], data["voucher_name"]) == (True, "发票.pdf")
    download = api_client_for("township").get(f"{URL}{data['id']}/voucher/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_a_fake_pdf_voucher_is_a_400_on_the_voucher(s1, api_client_for, media):
    """Text renamed .pdf is refused by its content."""
    fake = SimpleUploadedFile("发票.pdf", b"no pdf at all", content_type="application/pdf")

    response = api_client_for("manager").post(URL, body(s1, amount="1500.00", voucher=fake), format="multipart")

    assert response.status_code == 400
    assert list(response.json()) == ["voucher"]


def test_a_payment_without_a_voucher_has_no_download(s1, api_client_for):
    """404, not an empty file."""
    expenditure = spend(s1, "100.00")

    assert api_client_for("manager").get(f"{URL}{expenditure.pk}/voucher/").status_code == 404


def test_a_correction_through_patch_is_checked_and_kept_in_the_history(world, s1, api_client_for):
    """PATCH the amount: saved, the history holds both; a station change is refused."""
    expenditure = expenditure_create(
        station=s1,
        user=world.users["manager"],
        date=TODAY,
        line="activities",
        source="township_fiscal",
        amount=Decimal("800.00"),
        payee="某公司",
        description="物资",
    )
    client = api_client_for("manager")

    assert client.patch(f"{URL}{expenditure.pk}/", {"amount": "750.00"}, format="json").status_code == 200
    assert expenditure.history.count() == 2
    moved = client.patch(f"{URL}{expenditure.pk}/", {"station": world.stations["S2"].pk}, format="json")
    assert moved.status_code == 400
    too_much = client.patch(f"{URL}{expenditure.pk}/", {"amount": "5000.00"}, format="json")
    assert too_much.status_code == 400 and "voucher" in too_much.json()
    assert Expenditure.objects.get().amount == Decimal("750.00")


def test_only_the_administrator_deletes_a_payment(s1, api_client_for):
    """The manager's DELETE is a 403; the administrator's a 204."""
    expenditure = spend(s1, "100.00")

    assert api_client_for("manager").delete(f"{URL}{expenditure.pk}/").status_code == 403
    assert api_client_for("admin").delete(f"{URL}{expenditure.pk}/").status_code == 204


def test_the_social_worker_never_sees_the_personnel_line(s1, api_client_for):
    """Salaries are colleagues': not in the list, the detail is a 404, the voucher too."""
    salary = spend(s1, "6000.00", line="personnel")
    materials = spend(s1, "300.00")
    worker = api_client_for("worker")

    assert [row["id"] for row in worker.get(URL).json()["results"]] == [materials.pk]
    assert worker.get(f"{URL}{salary.pk}/").status_code == 404
    assert worker.get(f"{URL}{salary.pk}/voucher/").status_code == 404
    assert {row["id"] for row in api_client_for("manager").get(URL).json()["results"]} == {salary.pk, materials.pk}


def test_evaluators_see_no_spending_and_outsiders_none_of_ours(s1, api_client_for):
    """The evaluator has no funding right; city B's official lists nothing of S1."""
    spend(s1, "300.00")

    assert api_client_for("evaluator").get(URL).status_code == 403
    assert api_client_for("outsider").get(URL).json()["results"] == []


def test_the_filters_cut_by_month_line_source_and_dates(world, s1, api_client_for):
    """``month``, ``line``, ``source``, ``year``, ``date_after`` / ``date_before`` and ``station``."""
    january = TODAY.replace(month=1, day=5)
    a = spend(s1, "100.00", on=january)
    b = spend(s1, "200.00", on=TODAY, line="management", source="donations")
    client = api_client_for("city")

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(month=f"{january:%Y-%m}") == ({a.pk, b.pk} if TODAY.month == 1 else {a.pk})
    assert ids(line="management") == {b.pk}
    assert ids(source="donations") == {b.pk}
    assert ids(year=TODAY.year) == {a.pk, b.pk}
    assert ids(year=TODAY.year - 1) == set()
    assert ids(date_after=TODAY.isoformat()) == {b.pk}
    assert ids(station=world.stations["S2"].pk) == set()
    assert client.get(URL, {"month": "2026-13"}).status_code == 400
    assert client.get(URL, {"line": "travel"}).status_code == 400


def test_the_list_orders_by_amount(s1, api_client_for):
    """``ordering=amount`` sorts the rows."""
    spend(s1, "300.00")
    spend(s1, "100.00")

    amounts = [row["amount"] for row in api_client_for("manager").get(URL, {"ordering": "amount"}).json()["results"]]
    assert amounts == ["100.00", "300.00"]


def test_the_list_costs_the_same_few_queries_however_many_rows(
    world, s1, api_client_for, django_assert_max_num_queries
):
    """Thirty rows of two stations in as many queries as one."""
    approved_budget(world.stations["S2"])
    for index in range(15):
        spend(s1, f"{index + 1}.00")
        spend(world.stations["S2"], f"{index + 1}.00")
    client = api_client_for("city")

    with django_assert_max_num_queries(5):
        response = client.get(URL)

    assert response.json()["count"] == 30


def test_the_import_saves_a_month_with_its_vouchers(s1, api_client_for, media):
    """POST multipart ``station``, ``file``, ``vouchers``: 201 with the count."""
    response = api_client_for("manager").post(
        f"{URL}import/",
        {
            "station": s1.pk,
            "file": workbook([row(amount=1500, voucher="a.png"), row(amount=1200, voucher="b.pdf"), row()]),
            "vouchers": [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.pdf", PDF)],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert response.json() == {"created": 3}
    assert Expenditure.objects.exclude(voucher="").count() == 2


def test_the_import_answers_every_bad_row_and_saves_nothing(s1, api_client_for):
    """400 with each row's errors (row, column, messages)."""
    response = api_client_for("manager").post(
        f"{URL}import/",
        {"station": s1.pk, "file": workbook([row(), row(payee=""), row(amount="abc")])},
        format="multipart",
    )

    assert response.status_code == 400
    data = response.json()
    assert data["rows"] == 3
    assert [(error["row"], error["column"]) for error in data["errors"]] == [(3, "收款方"), (4, "金额（元）")]
    assert not Expenditure.objects.exists()


def test_the_import_refuses_a_file_that_is_no_workbook(s1, api_client_for):
    """400 on ``file``."""
    response = api_client_for("manager").post(
        f"{URL}import/", {"station": s1.pk, "file": SimpleUploadedFile("a.xlsx", b"nope")}, format="multipart"
    )

    assert response.status_code == 400
    assert "file" in response.json()


def test_the_template_and_the_export_are_workbooks(s1, api_client_for):
    """The template has the headings; the export holds the filtered rows and their total."""
    spend(s1, "100.00", on=DAY)
    spend(s1, "250.00", on=DAY, line="management")
    client = api_client_for("manager")

    template = client.get(f"{URL}template/")
    export = client.get(f"{URL}export/", {"line": "management"})

    assert template.status_code == 200
    assert load_workbook(BytesIO(template.content)).worksheets[0]["A1"].value == "日期"
    assert export.status_code == 200 and export["Cache-Control"] == "no-store"
    sheet = load_workbook(BytesIO(export.content)).worksheets[0]
    assert sheet.max_row == 3  # headings, one row, the total
    assert sheet["D2"].value == 250 and sheet["D3"].value == 250


def test_the_workers_export_leaves_out_the_personnel_line(s1, api_client_for):
    """The export is the worker's list: no salaries."""
    spend(s1, "6000.00", line="personnel")
    spend(s1, "300.00")

    sheet = load_workbook(BytesIO(api_client_for("worker").get(f"{URL}export/").content)).worksheets[0]

    assert [sheet.cell(row=r, column=4).value for r in range(2, sheet.max_row + 1)] == [300, 300]
