"""The split and disbursement API: shapes, money as strings, statuses, scope and the rule's refusals."""

from datetime import date
from decimal import Decimal

from evaluation.choices import Grade
from funding.models import Disbursement
from tests.factories import RegionFactory, StationFactory

from .helpers import THIS_YEAR, result, spend


def split_url(township, year=THIS_YEAR) -> str:
    return f"/api/v1/townships/{township.pk}/funding-split/?year={year}"


def good_t1(world):
    spend(world.stations["S1"], "500000.00")
    return result(world.stations["S1"], Grade.GOOD)


def instalment(world, amount="1000.00", **extra) -> dict:
    return {
        "township": world.regions["T1"].pk,
        "year": THIS_YEAR,
        "date": date.today().isoformat(),
        "amount": amount,
        "reference": "嘉民〔2026〕12号",
        "approver": "王局长",
        **extra,
    }


def test_split_answers_every_figure_as_strings(world, api_client_for):
    """The split of T1: money as strings with two places, the station's grade, factor and raw share."""
    good_t1(world)

    body = api_client_for("city").get(split_url(world.regions["T1"])).json()

    assert body["township"] == world.regions["T1"].pk
    assert body["township_name"] == "马桥街道"
    assert body["status"] == "due"
    assert body["spent"] == "500000.00"
    assert body["city_rate"] == "0.4000"
    assert body["cap"] == "300000.00"
    assert body["raw_city_share"] == "180000.00"
    assert body["city_share"] == "180000.00"
    assert body["township_share"] == "320000.00"
    assert (body["paid"], body["due"], body["overpaid"], body["capped"]) == ("0.00", "180000.00", "0.00", False)
    assert body["stations"] == [
        {
            "station": world.stations["S1"].pk,
            "station_name": world.stations["S1"].name,
            "spent": "500000.00",
            "grade": "good",
            "factor": "0.9000",
            "raw_share": "180000.00",
        }
    ]


def test_pending_split_answers_null_not_zero(world, api_client_for):
    """While pending, C, T, due and the station's grade, factor and raw share are null."""
    spend(world.stations["S1"], "600000.00")

    body = api_client_for("township").get(split_url(world.regions["T1"])).json()

    assert body["status"] == "pending"
    assert body["city_share"] is None and body["township_share"] is None and body["due"] is None
    assert body["raw_city_share"] is None
    assert body["stations"][0]["grade"] is None and body["stations"][0]["raw_share"] is None


def test_raw_share_is_exact(world, api_client_for):
    """An unrounded product keeps every decimal (1,000.05 x 0.4 x 0.7 = 280.014)."""
    spend(world.stations["S1"], "1000.05")
    result(world.stations["S1"], Grade.PASS)

    body = api_client_for("city").get(split_url(world.regions["T1"])).json()

    assert body["stations"][0]["raw_share"] == "280.014"
    assert body["city_share"] == "280.01"


def test_year_defaults_to_this_year(world, api_client_for):
    """Without ``year`` the split is this year's."""
    body = api_client_for("city").get(f"/api/v1/townships/{world.regions['T1'].pk}/funding-split/").json()
    assert body["year"] == THIS_YEAR


def test_bad_year_is_a_400(world, api_client_for):
    """A year outside 2000-2100, or not in ASCII digits, is a 400 on ``year``."""
    client = api_client_for("city")
    for year in ("1999", "２０２６", "abc"):
        response = client.get(split_url(world.regions["T1"], year))
        assert response.status_code == 400, year
        assert "year" in response.json()


def test_split_outside_scope_or_not_a_township_is_404(world, api_client_for):
    """Another city's township, and a county, are 404; station staff and evaluators get 403."""
    assert api_client_for("outsider").get(split_url(world.regions["T1"])).status_code == 404
    assert api_client_for("city").get(split_url(world.regions["A1"])).status_code == 404
    assert api_client_for("township").get(split_url(world.regions["T2"])).status_code == 404
    assert api_client_for("manager").get(split_url(world.regions["T1"])).status_code == 403
    assert api_client_for("evaluator").get(split_url(world.regions["T1"])).status_code == 403


def test_splits_list_one_row_per_township_in_scope(world, api_client_for):
    """The county official gets T1 and T2 (A1's townships), not T3 or another city's."""
    good_t1(world)

    body = api_client_for("county").get(f"/api/v1/funding-splits/?year={THIS_YEAR}").json()

    assert [row["township"] for row in body["results"]] == [world.regions["T1"].pk, world.regions["T2"].pk]
    assert body["count"] == 2
    assert body["results"][0]["city_share"] == "180000.00"
    assert body["results"][1]["status"] == "paid"  # T2 spent nothing: C = 0.00, nothing to pay


def test_splits_list_under_a_region(world, api_client_for):
    """``region`` narrows to the townships under it; a region outside scope is 404."""
    client = api_client_for("city")
    body = client.get(f"/api/v1/funding-splits/?region={world.regions['A2'].pk}").json()
    assert [row["township"] for row in body["results"]] == [world.regions["T3"].pk]
    assert client.get(f"/api/v1/funding-splits/?region={world.regions['B'].pk}").status_code == 404


def test_splits_list_does_not_show_other_cities(world, api_client_for):
    """The outsider (city B) sees only TB."""
    body = api_client_for("outsider").get("/api/v1/funding-splits/").json()
    assert [row["township"] for row in body["results"]] == [world.regions["TB"].pk]


def test_splits_list_keeps_a_fixed_query_count(world, api_client_for, django_assert_max_num_queries):
    """Ten more townships with spending and results cost no more queries."""
    client = api_client_for("admin")
    for n in range(10):
        township = RegionFactory(
            name=f"新镇{n}", code=f"3304812{n:02d}000", level="township", parent=world.regions["A1"]
        )
        station = StationFactory(township=township)
        spend(station, "1000.00")
        result(station, Grade.GOOD)
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/v1/funding-splits/?year={THIS_YEAR}")
    assert response.json()["count"] == 14


def test_disbursement_created_through_the_api(world, api_client_for):
    """A city official's POST records the instalment: 201, money as a string, the snapshot and the recorder."""
    good_t1(world)

    response = api_client_for("city").post("/api/v1/disbursements/", instalment(world, "60000.00"), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "60000.00"
    assert body["split"]["city_share"] == "180000.00"
    assert body["recorded_by"] == world.users["city"].pk
    assert body["reverses"] is None


def test_disbursement_above_c_is_a_400_naming_c(world, api_client_for):
    """Above what is due: 400 on ``amount`` with C in the message; nothing saved."""
    good_t1(world)

    response = api_client_for("city").post("/api/v1/disbursements/", instalment(world, "180000.01"), format="json")

    assert response.status_code == 400
    assert "180,000.00" in response.json()["amount"][0]
    assert not Disbursement.objects.exists()


def test_disbursement_while_pending_is_a_409(world, api_client_for):
    """A pending split: 409, nothing saved."""
    spend(world.stations["S1"], "600000.00")

    response = api_client_for("city").post("/api/v1/disbursements/", instalment(world), format="json")

    assert response.status_code == 409
    assert not Disbursement.objects.exists()


def test_township_official_reads_but_does_not_record(world, api_client_for):
    """The township official lists T1's instalments and gets 403 on a POST."""
    good_t1(world)
    api_client_for("city").post("/api/v1/disbursements/", instalment(world), format="json")
    client = api_client_for("township")

    assert client.get("/api/v1/disbursements/").json()["count"] == 1
    assert client.post("/api/v1/disbursements/", instalment(world), format="json").status_code == 403
    assert Disbursement.objects.count() == 1


def test_disbursements_are_never_changed_or_deleted(world, api_client_for):
    """No PATCH or DELETE, not even for the administrator (405)."""
    good_t1(world)
    client = api_client_for("admin")
    made = client.post("/api/v1/disbursements/", instalment(world), format="json").json()

    assert client.patch(f"/api/v1/disbursements/{made['id']}/", {"amount": "1.00"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/disbursements/{made['id']}/").status_code == 405
    assert Disbursement.objects.get().amount == Decimal("1000.00")


def test_disbursements_filter_by_township_and_year(world, api_client_for):
    """``township`` and ``year`` filter the list; a bad id is a 400."""
    good_t1(world)
    client = api_client_for("city")
    client.post("/api/v1/disbursements/", instalment(world), format="json")

    assert client.get(f"/api/v1/disbursements/?township={world.regions['T1'].pk}").json()["count"] == 1
    assert client.get(f"/api/v1/disbursements/?township={world.regions['T2'].pk}").json()["count"] == 0
    assert client.get(f"/api/v1/disbursements/?year={THIS_YEAR - 1}").json()["count"] == 0
    assert client.get("/api/v1/disbursements/?township=x").status_code == 400
