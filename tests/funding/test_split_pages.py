"""The officials' funding pages: the overview (table, totals, chart, export), a township's split, recording an
instalment; and the split agreeing on the page, in the API and in the export."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from evaluation.choices import Grade
from funding.models import Disbursement
from tests.factories import RegionFactory, StationFactory

from .helpers import THIS_YEAR, result, spend

OVERVIEW = "/funding/"
EXPORT = "/funding/overview.xlsx"


def signed_in(client, world, role="city"):
    client.force_login(world.users[role])
    return client


def split_page(world, key="T1", year=THIS_YEAR) -> str:
    return f"/funding/townships/{world.regions[key].pk}/split/?year={year}"


def new_instalment(world, key="T1", year=THIS_YEAR, extra="") -> str:
    return f"/funding/townships/{world.regions[key].pk}/disbursements/new/?year={year}{extra}"


@pytest.fixture
def good_t1(world):
    spend(world.stations["S1"], "500000.00")
    return result(world.stations["S1"], Grade.GOOD)


def sheet_rows(response) -> list[tuple]:
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return list(workbook.active.iter_rows(values_only=True))


def test_overview_lists_the_townships_of_the_region(world, client, good_t1):
    """The city official sees T1, T2, T3 (not TB), with C in 万元 and the exact figure in the title."""
    page = signed_in(client, world).get(f"{OVERVIEW}?year={THIS_YEAR}").content.decode()

    for key in ("T1", "T2", "T3"):
        assert f'data-township="{world.regions[key].pk}"' in page
    assert f'data-township="{world.regions["TB"].pk}"' not in page
    assert 'title="180,000.00 元" data-exact="180000.00">18.00<' in page
    assert "funding-tabs" in page


def test_overview_defaults_to_last_year_and_says_so(world, client):
    """Without ``year`` the overview shows last year's splits and explains why."""
    response = signed_in(client, world).get(OVERVIEW)
    assert response.context["year"] == THIS_YEAR - 1
    assert 'id="year-note"' in response.content.decode()


def test_township_official_sees_their_own_township(world, client, good_t1):
    """The township official's overview has T1 only."""
    response = signed_in(client, world, "township").get(f"{OVERVIEW}?year={THIS_YEAR}")
    assert [row.split.township_id for row in response.context["object_list"]] == [world.regions["T1"].pk]


def test_overview_drills_down_by_region(world, client, good_t1):
    """``?region=`` of county A2 keeps T3 only; the totals follow."""
    response = signed_in(client, world).get(f"{OVERVIEW}?year={THIS_YEAR}&region={world.regions['A2'].pk}")
    assert [row.split.township_id for row in response.context["object_list"]] == [world.regions["T3"].pk]
    assert response.context["totals"]["spent"] == Decimal("0.00")


def test_overview_sorts_by_city_subsidy(world, client, good_t1):
    """``?sort=-city`` puts the largest C first."""
    spend(world.stations["S3"], "900000.00")
    result(world.stations["S3"], Grade.EXCELLENT)
    response = signed_in(client, world).get(f"{OVERVIEW}?year={THIS_YEAR}&sort=-city")
    order = [row.split.township_id for row in response.context["object_list"]]
    assert order[:2] == [world.regions["T3"].pk, world.regions["T1"].pk]


def test_overview_totals_and_chart(world, client, good_t1):
    """Totals add up every township; the chart draws a city and a township part for T1."""
    response = signed_in(client, world).get(f"{OVERVIEW}?year={THIS_YEAR}")
    totals = response.context["totals"]
    assert (totals["spent"], totals["city"], totals["township_share"]) == (
        Decimal("500000.00"),
        Decimal("180000.00"),
        Decimal("320000.00"),
    )
    page = response.content.decode()
    assert '<svg class="w-100 d-block"' in page and 'data-part="city"' in page and 'data-part="township"' in page


def test_overview_keeps_a_fixed_query_count(world, client, good_t1, django_assert_max_num_queries):
    """Twenty more townships cost the overview no more queries."""
    signed_in(client, world)
    for n in range(20):
        township = RegionFactory(
            name=f"新镇{n}", code=f"3304812{n:02d}000", level="township", parent=world.regions["A1"]
        )
        station = StationFactory(township=township)
        spend(station, "1000.00")
        result(station, Grade.PASS)
    with django_assert_max_num_queries(20):
        response = client.get(f"{OVERVIEW}?year={THIS_YEAR}")
    assert len(response.context["object_list"]) == 23


def test_overview_export_has_exact_yuan(world, client, good_t1):
    """The export has a row per township with the exact figures and a totals row."""
    response = signed_in(client, world).get(f"{EXPORT}?year={THIS_YEAR}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response)
    t1 = next(row for row in rows if row[0] == "马桥街道")
    assert Decimal(str(t1[2])) == Decimal("500000.00")
    assert Decimal(str(t1[5])) == Decimal("180000.00")
    assert len(rows) == 1 + 3 + 1  # header, T1-T3, totals


def test_station_staff_and_evaluators_get_403(world, client):
    """The overview is the officials': a station's staff and evaluators are refused."""
    for role in ("manager", "worker", "evaluator"):
        client.force_login(world.users[role])
        assert client.get(OVERVIEW).status_code == 403, role


def test_split_page_prints_the_formula_with_the_numbers(world, client, good_t1):
    """500,000.00 × 40% × 0.9 = 180,000.00, the cap not reached, C and T."""
    page = signed_in(client, world).get(split_page(world)).content.decode()

    assert "500,000.00 × 40% × 0.9 = 180,000.00" in page
    assert 'data-capped="no"' in page
    assert 'data-figure="city">180,000.00<' in page
    assert 'data-figure="township">320,000.00<' in page


def test_split_page_names_the_stations_holding_it(world, client):
    """A pending split lists the stations still without a published result, and offers no instalment."""
    spend(world.stations["S1"], "600000.00")
    page = signed_in(client, world).get(split_page(world)).content.decode()
    assert f'data-pending-station="{world.stations["S1"].pk}"' in page
    assert 'id="record-instalment"' not in page


def test_split_page_shows_the_overpayment_and_the_recovery_link(world, client, good_t1):
    """After an amendment lowers C under what was paid, the page shows it and links to a recovery."""
    Disbursement.objects.create(
        township=world.regions["T1"],
        year=THIS_YEAR,
        date=date.today(),
        amount=Decimal("180000.00"),
        reference="嘉民〔2026〕1号",
        approver="王局长",
        split={"city_share": "180000.00"},
        recorded_by=world.users["city"],
    )
    good_t1.grade = Grade.PASS
    good_t1.save()

    page = signed_in(client, world).get(split_page(world)).content.decode()

    assert 'id="overpaid-note"' in page and "40,000.00" in page
    assert 'id="record-recovery"' in page
    assert "嘉民〔2026〕1号" in page


def test_split_page_outside_scope_is_404(world, client, good_t1):
    """Another city's official gets 404 for T1's split."""
    assert signed_in(client, world, "outsider").get(split_page(world)).status_code == 404


def test_instalment_form_is_prefilled_with_what_is_due(world, client, good_t1):
    """The form's amount starts at C less what is paid."""
    response = signed_in(client, world).get(new_instalment(world))
    assert response.context["form"].initial["amount"] == Decimal("180000.00")


def test_recovery_form_is_prefilled_with_minus_the_overpayment(world, client, good_t1):
    """With ``?recovery=1`` after an overpayment, the amount starts at minus the overpayment."""
    Disbursement.objects.create(
        township=world.regions["T1"],
        year=THIS_YEAR,
        date=date.today(),
        amount=Decimal("180000.00"),
        reference="R1",
        approver="王局长",
        split={},
        recorded_by=world.users["city"],
    )
    good_t1.grade = Grade.PASS
    good_t1.save()
    response = signed_in(client, world).get(new_instalment(world, extra="&recovery=1"))
    assert response.context["form"].initial["amount"] == Decimal("-40000.00")


def instalment_post(amount="50000.00", **extra) -> dict:
    return {
        "date": date.today().isoformat(),
        "amount": amount,
        "reference": "嘉民〔2026〕3号",
        "approver": "王局长",
        "note": "",
        **extra,
    }


def test_recording_an_instalment_goes_back_to_the_split(world, client, good_t1):
    """A valid instalment is saved and the official is sent back to the split page."""
    response = signed_in(client, world).post(new_instalment(world), instalment_post())
    assert response.status_code == 302
    assert response["Location"] == split_page(world)
    assert Disbursement.objects.get().amount == Decimal("50000.00")


def test_instalment_above_c_shows_the_error_next_to_the_amount(world, client, good_t1):
    """Above C: the form again, the Chinese refusal on the amount field, nothing saved."""
    response = signed_in(client, world).post(new_instalment(world), instalment_post("180000.01"))
    assert response.status_code == 200
    errors = response.context["form"].errors["amount"]
    assert "180,000.00" in errors[0] and "超过" in errors[0]
    assert not Disbursement.objects.exists()


def test_instalment_while_pending_is_refused_on_the_page(world, client):
    """A pending split: the form again with the refusal above it, nothing saved."""
    spend(world.stations["S1"], "600000.00")
    response = signed_in(client, world).post(new_instalment(world), instalment_post())
    assert response.status_code == 200
    assert "尚未" in " ".join(response.context["form"].non_field_errors())
    assert not Disbursement.objects.exists()


def test_township_official_may_not_record(world, client, good_t1):
    """The township official reads the split but the form is 403."""
    signed_in(client, world, "township")
    assert client.get(split_page(world)).status_code == 200
    assert client.post(new_instalment(world), instalment_post()).status_code == 403
    assert not Disbursement.objects.exists()


def test_page_api_and_export_agree(world, client, good_t1):
    """T1's split (two stations, one capped year) reads the same on its page, in the API and in the export."""
    second = StationFactory(township=world.regions["T1"])
    spend(second, "333333.33")
    result(second, Grade.EXCELLENT)
    signed_in(client, world)
    api = APIClient()
    api.force_authenticate(world.users["city"])

    body = api.get(f"/api/v1/townships/{world.regions['T1'].pk}/funding-split/?year={THIS_YEAR}").json()
    page = client.get(split_page(world)).content.decode()
    rows = sheet_rows(client.get(f"{EXPORT}?year={THIS_YEAR}"))
    t1 = next(row for row in rows if row[0] == "马桥街道")

    assert body["city_share"] == "300000.00" and body["capped"] is True
    for figure, key in (("spent", "spent"), ("city", "city_share"), ("township", "township_share")):
        assert f'data-figure="{figure}">{Decimal(body[key]):,}<' in page
    assert (Decimal(str(t1[2])), Decimal(str(t1[5])), Decimal(str(t1[6]))) == (
        Decimal(body["spent"]),
        Decimal(body["city_share"]),
        Decimal(body["township_share"]),
    )
