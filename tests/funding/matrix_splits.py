"""Funding splits and disbursements in the permission matrix (tests/matrix.py): the split of a township, the splits
of the townships in scope, the city's instalments (API), and the overview, its export, a township's split page and
the instalment form (pages).

Targets (``build``), of last year so that no other module's spending or results of this year touch them: S1 spent
500,000.00 and was graded good (C of T1 = 180,000.00), and one instalment of 50,000.00 was paid. Splits and
disbursements are the officials': city and county officials read and record for their region, the township official
reads T1's, station staff and evaluators are refused (403), the outsider (city B) gets 404 or does not see them.
"""

from datetime import date
from decimal import Decimal

from evaluation.choices import Grade
from funding.models import Disbursement
from tests.matrix import Endpoint, only, register_api, register_pages

from .helpers import result, spend

WATCHED = [Disbursement]
YEAR = date.today().year - 1
READERS = ["admin", "city", "county", "township"]
RECORDERS = ["admin", "city", "county"]


def build(world) -> None:
    station = world.stations["S1"]
    spend(station, "500000.00", on=date(YEAR, 3, 15))
    result(station, Grade.GOOD, year=YEAR)
    world.extra["disbursement"] = Disbursement.objects.create(
        township=world.regions["T1"],
        year=YEAR,
        date=date(YEAR, 12, 1),
        amount=Decimal("50000.00"),
        reference="嘉民〔测试〕1号",
        approver="王局长",
        split={"city_share": "180000.00"},
        recorded_by=world.users["city"],
    )


def t1(w) -> int:
    return w.regions["T1"].pk


def disbursement(w) -> int:
    return w.extra["disbursement"].pk


def instalment(w) -> dict:
    return {
        "township": t1(w),
        "year": YEAR,
        "date": f"{YEAR}-12-20",
        "amount": "1000.00",
        "reference": "嘉民〔测试〕2号",
        "approver": "王局长",
    }


def page_instalment(w) -> dict:
    return {k: v for k, v in instalment(w).items() if k not in ("township", "year")} | {"note": ""}


register_api(
    Endpoint(
        "township-funding-split",
        "get",
        lambda w: f"/api/v1/townships/{t1(w)}/funding-split/?year={YEAR}",
        only(READERS, 200, 403, outsider=404),
        covers="api:township-funding-split",
    ),
    Endpoint(
        "funding-splits",
        "get",
        lambda w: f"/api/v1/funding-splits/?year={YEAR}",
        only([*READERS, "outsider"], 200, 403),
        covers="api:funding-splits",
    ),
    Endpoint(
        "disbursement-list",
        "get",
        lambda w: f"/api/v1/disbursements/?year={YEAR}",
        only([*READERS, "outsider"], 200, 403),
        covers="api:disbursement-list",
        listed=disbursement,
    ),
    Endpoint(
        "disbursement-detail",
        "get",
        lambda w: f"/api/v1/disbursements/{disbursement(w)}/",
        only(READERS, 200, 403, outsider=404),
        covers="api:disbursement-detail",
    ),
    Endpoint(
        "disbursement-create",
        "post",
        lambda w: "/api/v1/disbursements/",
        only(RECORDERS, 201, 403, outsider=400),  # T1 is not among the outsider's townships
        covers="api:disbursement-list",
        data=instalment,
    ),
    Endpoint(
        "disbursement-update",
        "patch",
        lambda w: f"/api/v1/disbursements/{disbursement(w)}/",
        only(["admin"], 405, 403),  # never changed: nobody holds the right, and the administrator finds no route
        covers="api:disbursement-detail",
        data=lambda w: {"amount": "60000.00"},
    ),
    Endpoint(
        "disbursement-delete",
        "delete",
        lambda w: f"/api/v1/disbursements/{disbursement(w)}/",
        only(["admin"], 405, 403),
        covers="api:disbursement-detail",
    ),
)

register_pages(
    Endpoint(
        "funding-overview",
        "get",
        lambda w: f"/funding/?year={YEAR}",
        only([*READERS, "outsider"], 200, 403, anonymous=302),
        covers="funding:overview",
    ),
    Endpoint(
        "funding-overview-sorted",
        "get",
        lambda w: f"/funding/?year={YEAR}&sort=-city&region={w.regions['A1'].pk}",
        only([*READERS, "outsider"], 200, 403, anonymous=302),
        covers="funding:overview",
    ),
    Endpoint(
        "funding-overview-export",
        "get",
        lambda w: f"/funding/overview.xlsx?year={YEAR}",
        only([*READERS, "outsider"], 200, 403, anonymous=302),
        covers="funding:overview-export",
    ),
    Endpoint(
        "funding-split",
        "get",
        lambda w: f"/funding/townships/{t1(w)}/split/?year={YEAR}",
        only(READERS, 200, 403, anonymous=302, outsider=404),
        covers="funding:split",
    ),
    Endpoint(
        "disbursement-create-form",
        "get",
        lambda w: f"/funding/townships/{t1(w)}/disbursements/new/?year={YEAR}",
        only(RECORDERS, 200, 403, anonymous=302, outsider=404),
        covers="funding:disbursement-create",
    ),
    Endpoint(
        "disbursement-create-page",
        "post",
        lambda w: f"/funding/townships/{t1(w)}/disbursements/new/?year={YEAR}",
        only(RECORDERS, 302, 403, anonymous=302, outsider=404),
        covers="funding:disbursement-create",
        data=page_instalment,
    ),
)
