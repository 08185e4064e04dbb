"""The expenditure pages: the list (filters, sorting, paging, the filtered total, voucher links, buttons by right),
the form with its errors beside the fields, the correction with its history, the voucher, the template, the export."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from funding.models import Expenditure
from funding.rules.expenditures import expenditure_create, expenditure_update
from tests.funding.helpers import spend

from .test_expenditure_import import DAY
from .test_expenditures import PNG, TODAY, approved_budget


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def s1(world):
    approved_budget(world.stations["S1"])
    return world.stations["S1"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def list_url(station) -> str:
    return f"/funding/stations/{station.pk}/expenditures/"


def form(**changes) -> dict:
    values = {
        "date": TODAY.isoformat(),
        "line": "activities",
        "source": "township_fiscal",
        "amount": "800.00",
        "payee": "嘉兴市某某文化用品有限公司",
        "description": "重阳节活动物资",
    }
    return {**values, **changes}


def test_the_list_shows_the_filtered_total_not_the_pages(world, s1):
    """30 payments of 10.00, 25 a page: the total is 300.00 on the first page."""
    for _ in range(30):
        spend(s1, "10.00", on=DAY)

    page = signed_in(world.users["manager"]).get(list_url(s1)).content.decode()

    assert page.count('href="/funding/expenditures/') == 25  # one "correct" link a row
    totals = re.search(r"data-totals>(.*?)</tfoot>", page, re.S).group(1)
    assert "300.00" in totals


def test_the_filters_cut_the_rows_and_the_total(world, s1):
    """``line`` keeps its rows only, and the total follows."""
    spend(s1, "100.00", on=DAY)
    spend(s1, "250.00", on=DAY, line="management")

    page = signed_in(world.users["manager"]).get(list_url(s1), {"line": "management"}).content.decode()

    totals = re.search(r"data-totals>(.*?)</tfoot>", page, re.S).group(1)
    assert "250.00" in totals and "350.00" not in totals


def test_a_bad_month_filter_is_an_error_beside_the_field(world, s1):
    """``?month=2026-13`` is said next to the month filter, in Chinese; the page still answers."""
    response = signed_in(world.users["manager"]).get(list_url(s1), {"month": "2026-13"})

    assert response.status_code == 200
    assert "月份格式应为 2026-03。" in response.content.decode()


def test_the_list_sorts_by_amount(world, s1):
    """``?sort=amount`` puts the smallest first, ``-amount`` the largest."""
    spend(s1, "300.00", on=DAY)
    spend(s1, "100.00", on=DAY)
    client = signed_in(world.users["manager"])

    ascending = client.get(list_url(s1), {"sort": "amount"}).content.decode()
    descending = client.get(list_url(s1), {"sort": "-amount"}).content.decode()

    assert ascending.index("100.00") < ascending.index("300.00")
    assert descending.index("300.00") < descending.index("100.00")


def test_the_list_page_costs_the_same_queries_however_many_rows(world, s1, django_assert_max_num_queries):
    """Five rows or twenty-five: the same few queries."""
    client = signed_in(world.users["manager"])
    for _ in range(5):
        spend(s1, "10.00", on=DAY)
    client.get(list_url(s1))  # warm the session and the permission cache alike for both counts

    with django_assert_max_num_queries(10) as few:
        client.get(list_url(s1))
    for _ in range(20):
        spend(s1, "10.00", on=DAY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(list_url(s1))


def test_the_worker_reads_the_list_without_the_personnel_line_nor_buttons(world, s1):
    """No salaries, no add or import button for the social worker."""
    spend(s1, "6000.00", on=DAY, line="personnel", source="city_fiscal")
    spend(s1, "300.00", on=DAY)

    page = signed_in(world.users["worker"]).get(list_url(s1)).content.decode()

    assert "300.00" in page and "6,000.00" not in page and "人员经费</td>" not in page
    assert "/expenditures/new/" not in page and "/expenditures/import/" not in page


def test_the_manager_has_the_add_import_and_export_buttons(world, s1):
    """Buttons by right; the export link carries the filters."""
    spend(s1, "300.00", on=DAY)

    page = signed_in(world.users["manager"]).get(list_url(s1), {"line": "activities"}).content.decode()

    assert "/expenditures/new/" in page and "/expenditures/import/" in page
    assert f"/funding/stations/{s1.pk}/expenditures/export.xlsx?line=activities" in page
    assert f"/funding/stations/{s1.pk}/budget/" in page


def test_an_official_reads_the_same_page_and_an_outsider_gets_a_404(world, s1):
    """The county's official sees S1's list; city B's official does not reach it."""
    spend(s1, "300.00", on=DAY)

    assert "300.00" in signed_in(world.users["county"]).get(list_url(s1)).content.decode()
    assert signed_in(world.users["outsider"]).get(list_url(s1)).status_code == 404
    assert signed_in(world.users["evaluator"]).get(list_url(s1)).status_code == 403


def test_a_voucher_link_opens_the_voucher(world, s1, media):
    """The paperclip links to the voucher, served with its sniffed type."""
    expenditure = expenditure_create(
        station=s1,
        user=world.users["manager"],
        voucher=SimpleUploadedFile("收据.png", PNG),
        date=DAY,
        line="activities",
        source="township_fiscal",
        amount=Decimal("1500.00"),
        payee="某公司",
        description="物资",
    )
    url = f"/funding/expenditures/{expenditure.pk}/voucher/"

    assert url in signed_in(world.users["manager"]).get(list_url(s1)).content.decode()
    response = signed_in(world.users["township"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert signed_in(world.users["outsider"]).get(url).status_code == 404


def test_a_payment_without_a_voucher_has_no_voucher_page(world, s1):
    """404."""
    expenditure = spend(s1, "10.00", on=DAY)

    assert signed_in(world.users["manager"]).get(f"/funding/expenditures/{expenditure.pk}/voucher/").status_code == 404


def test_a_payment_is_entered_through_the_form(world, s1):
    """The form saves and goes back to the list with a message."""
    response = signed_in(world.users["manager"]).post(f"{list_url(s1)}new/", form())

    assert response.status_code == 302 and response["Location"] == list_url(s1)
    assert Expenditure.objects.get().payee == "嘉兴市某某文化用品有限公司"


def test_save_and_add_another_comes_back_to_the_form(world, s1):
    """The second button opens a fresh form."""
    response = signed_in(world.users["manager"]).post(f"{list_url(s1)}new/", {**form(), "another": "1"})

    assert response["Location"] == f"{list_url(s1)}new/"


def test_the_forms_errors_stand_beside_their_fields_in_chinese(world, s1):
    """Tomorrow's date and 1,000.01 without a voucher: each error under its field; nothing saved."""
    tomorrow = (TODAY + timedelta(days=1)).isoformat()

    response = signed_in(world.users["manager"]).post(f"{list_url(s1)}new/", form(date=tomorrow, amount="1000.01"))

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="id_date_errors">\s*<div>日期不能晚于今天', page)
    assert re.search(r'id="id_voucher_errors">\s*<div>超过 1,000.00 元的支出须上传凭证', page)
    assert not Expenditure.objects.exists()


def test_a_fake_pdf_is_refused_on_the_voucher_field(world, s1, media):
    """Text renamed .pdf: the content check's refusal stands under the voucher field."""
    fake = SimpleUploadedFile("发票.pdf", b"hello", content_type="application/pdf")

    response = signed_in(world.users["manager"]).post(f"{list_url(s1)}new/", form(amount="1500.00", voucher=fake))

    assert response.status_code == 200
    assert 'id="id_voucher_errors"' in response.content.decode()
    assert not Expenditure.objects.exists()


def test_a_year_without_an_approved_budget_is_refused_on_the_date(world):
    """S2 has no approved budget: the refusal names the year."""
    station = world.stations["S2"]
    manager = world.users["manager"]
    manager.station = station
    manager.save()

    response = signed_in(manager).post(f"{list_url(station)}new/", form())

    assert f"{TODAY.year} 年尚无已批准的预算" in response.content.decode()


def test_the_correction_page_shows_the_change_history(world, s1):
    """Both states with who saved them; a correction through the page adds a third."""
    expenditure = spend(s1, "800.00", on=DAY)
    expenditure_update(expenditure=expenditure, user=world.users["manager"], amount=Decimal("750.00"))
    client = signed_in(world.users["manager"])
    url = f"/funding/expenditures/{expenditure.pk}/edit/"

    page = client.get(url).content.decode()
    history = re.search(r'id="expenditure-history">(.*?)</table>', page, re.S).group(1)
    assert "800.00" in history and "750.00" in history

    response = client.post(url, form(date=DAY.isoformat(), amount="700.00"))
    assert response.status_code == 302
    assert expenditure.history.count() == 3


def test_the_worker_may_not_open_the_forms(world, s1):
    """Entering and correcting are the manager's: 403."""
    expenditure = spend(s1, "10.00", on=DAY)
    worker = signed_in(world.users["worker"])

    assert worker.get(f"{list_url(s1)}new/").status_code == 403
    assert worker.get(f"/funding/expenditures/{expenditure.pk}/edit/").status_code == 403


def test_the_export_honours_the_lists_filters(world, s1):
    """The export link of a filtered list has its rows only, every page, with the total."""
    spend(s1, "100.00", on=DAY)
    for _ in range(30):
        spend(s1, "10.00", on=DAY, line="management")

    response = signed_in(world.users["manager"]).get(f"{list_url(s1)}export.xlsx", {"line": "management"})

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    assert sheet.max_row == 32  # headings, 30 rows, the total
    assert sheet.cell(row=32, column=4).value == 300


def test_the_template_downloads(world, s1):
    """The page's template link is the .xlsx template."""
    response = signed_in(world.users["manager"]).get("/funding/expenditures/template.xlsx")

    assert response.status_code == 200
    assert load_workbook(BytesIO(response.content)).worksheets[0]["G1"].value == "凭证文件名"
