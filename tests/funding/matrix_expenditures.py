"""Funding expenditures in the permission matrix (tests/matrix.py).

The targets: S1's approved budget of this year, a payment of S1 on the activities line with a voucher, and one on
the personnel line. The station manager (and the administrator) enters, corrects and imports; the social worker
reads the spending but not the personnel line; the township and the officials above read; evaluators have no
funding right (403); city B's official reaches nothing of S1 (404, or an empty list); only the administrator
deletes.
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from funding.choices import APPROVED_BUDGET_STATUSES, BudgetStatus
from funding.models import Budget, Expenditure
from tests.matrix import Endpoint, only, register_api, register_pages, s1, statuses

WATCHED: list = [Expenditure]

KEEPERS = ["admin", "manager"]
NO_FUNDING = {"evaluator": 403}
TODAY = date.today()
PDF = b"%PDF-1.4\n%%EOF\n"


def build(world) -> None:
    """An approved budget of S1 for this year (unless the budgets' targets made one), and two payments of S1."""
    station = world.stations["S1"]
    budgets = Budget.objects.filter(station=station, year=TODAY.year)
    if not budgets.filter(status__in=APPROVED_BUDGET_STATUSES).exists():
        version = max(budgets.values_list("version", flat=True), default=0) + 1
        Budget.objects.create(station=station, year=TODAY.year, version=version, status=BudgetStatus.APPROVED)
    common = {
        "station": station,
        "date": TODAY,
        "source": "township_fiscal",
        "payee": "某某公司",
        "description": "物资",
    }
    expenditure = Expenditure(line="activities", amount=Decimal("1500.00"), **common)
    expenditure.voucher_name, expenditure.voucher_type, expenditure.voucher_size = "发票.pdf", "application/pdf", 15
    expenditure.voucher.save("voucher.pdf", ContentFile(PDF), save=False)
    expenditure.save()
    salary = Expenditure.objects.create(line="personnel", amount=Decimal("6000.00"), **common)
    world.extra.update(expenditure=expenditure, salary=salary)


def target(w) -> int:
    return w.extra["expenditure"].pk


def salary(w) -> int:
    return w.extra["salary"].pk


def payment(w) -> dict:
    return {
        "date": TODAY.isoformat(),
        "line": "activities",
        "source": "township_fiscal",
        "amount": "300.00",
        "payee": "嘉兴市某某文化用品有限公司",
        "description": "活动物资",
    }


def month_file(w) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(["日期", "预算科目", "资金来源", "金额（元）", "收款方", "摘要", "凭证文件名"])
    book.active.append([TODAY, "活动经费", "镇街财政", 200, "某某公司", "活动物资", None])
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("支出.xlsx", buffer.getvalue())


API = "/api/v1/expenditures/"

register_api(
    Endpoint(
        "expenditure-list",
        "get",
        lambda w: API,
        statuses(200, **NO_FUNDING),
        covers="api:expenditure-list",
        listed=target,
    ),
    Endpoint(
        "expenditure-detail",
        "get",
        lambda w: f"{API}{target(w)}/",
        statuses(200, outsider=404, **NO_FUNDING),
        covers="api:expenditure-detail",
    ),
    Endpoint(
        "expenditure-detail-personnel",
        "get",
        lambda w: f"{API}{salary(w)}/",
        statuses(200, outsider=404, worker=404, **NO_FUNDING),  # a colleague's salary
        covers="api:expenditure-detail",
    ),
    Endpoint(
        "expenditure-create",
        "post",
        lambda w: API,
        only(KEEPERS, 201, 403),
        covers="api:expenditure-list",
        data=lambda w: {"station": s1(w), **payment(w)},
    ),
    Endpoint(
        "expenditure-update",
        "patch",
        lambda w: f"{API}{target(w)}/",
        only(KEEPERS, 200, 403),
        covers="api:expenditure-detail",
        data=lambda w: {"payee": "嘉兴市另一家公司"},
    ),
    Endpoint(
        "expenditure-delete",
        "delete",
        lambda w: f"{API}{target(w)}/",
        only(["admin"], 204, 403),
        covers="api:expenditure-detail",
    ),
    Endpoint(
        "expenditure-voucher",
        "get",
        lambda w: f"{API}{target(w)}/voucher/",
        statuses(200, outsider=404, **NO_FUNDING),
        covers="api:expenditure-voucher",
    ),
    Endpoint(
        "expenditure-import",
        "post",
        lambda w: f"{API}import/",
        only(KEEPERS, 201, 403),
        covers="api:expenditure-import",
        data=lambda w: {"station": s1(w), "file": month_file(w)},
        multipart=True,
    ),
    Endpoint(
        "expenditure-template",
        "get",
        lambda w: f"{API}template/",
        only(KEEPERS, 200, 403),
        covers="api:expenditure-template",
    ),
    Endpoint(
        "expenditure-export",
        "get",
        lambda w: f"{API}export/",
        statuses(200, **NO_FUNDING),
        covers="api:expenditure-export",
    ),
)

PAGE_NO_FUNDING = {"evaluator": 403, "anonymous": 302}


def station_page(suffix: str = ""):
    return lambda w: f"/funding/stations/{s1(w)}/expenditures/{suffix}"


register_pages(
    Endpoint(
        "expenditure-list",
        "get",
        station_page(),
        statuses(200, outsider=404, **PAGE_NO_FUNDING),
        covers="funding:expenditure-list",
    ),
    Endpoint(
        "expenditure-create-form",
        "get",
        station_page("new/"),
        only(KEEPERS, 200, 403, anonymous=302),
        covers="funding:expenditure-create",
    ),
    Endpoint(
        "expenditure-create",
        "post",
        station_page("new/"),
        only(KEEPERS, 302, 403, anonymous=302),
        covers="funding:expenditure-create",
        data=payment,
    ),
    Endpoint(
        "expenditure-edit-form",
        "get",
        lambda w: f"/funding/expenditures/{target(w)}/edit/",
        only(KEEPERS, 200, 403, anonymous=302),
        covers="funding:expenditure-edit",
    ),
    Endpoint(
        "expenditure-edit",
        "post",
        lambda w: f"/funding/expenditures/{target(w)}/edit/",
        only(KEEPERS, 302, 403, anonymous=302),
        covers="funding:expenditure-edit",
        data=lambda w: {**payment(w), "amount": "1400.00"},  # the voucher on record covers it
    ),
    Endpoint(
        "expenditure-voucher",
        "get",
        lambda w: f"/funding/expenditures/{target(w)}/voucher/",
        statuses(200, outsider=404, **PAGE_NO_FUNDING),
        covers="funding:expenditure-voucher",
    ),
    Endpoint(
        "expenditure-voucher-personnel",
        "get",
        lambda w: f"/funding/expenditures/{salary(w)}/voucher/",
        statuses(404, **PAGE_NO_FUNDING),  # none on record; and the worker does not reach the row at all
        covers="funding:expenditure-voucher",
    ),
    Endpoint(
        "expenditure-import-form",
        "get",
        station_page("import/"),
        only(KEEPERS, 200, 403, anonymous=302),
        covers="funding:expenditure-import",
    ),
    Endpoint(
        "expenditure-import",
        "post",
        station_page("import/"),
        only(KEEPERS, 302, 403, anonymous=302),
        covers="funding:expenditure-import",
        data=lambda w: {"file": month_file(w)},
    ),
    Endpoint(
        "expenditure-template",
        "get",
        lambda w: "/funding/expenditures/template.xlsx",
        only(KEEPERS, 200, 403, anonymous=302),
        covers="funding:expenditure-template",
    ),
    Endpoint(
        "expenditure-export",
        "get",
        station_page("export.xlsx"),
        statuses(200, outsider=404, **PAGE_NO_FUNDING),
        covers="funding:expenditure-export",
    ),
)
