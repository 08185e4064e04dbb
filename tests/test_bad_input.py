"""Input that answered 500 once: each now a default, a field error or a 400, through ``config/params.py``."""

import json
from datetime import date
from io import BytesIO

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from config.forms import PortalFormMixin
from config.params import (
    AsciiIntegerField,
    RangedDateField,
    parse_date,
    parse_id,
    parse_int,
    parse_month,
    parse_text,
    parse_year,
)
from config.parsers import BoundedJSONParser, json_depth
from stations.models import OperatingContract

TWENTY_THREE_DIGITS = "12345678901234567890123"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the parsing rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["²", "①", "١٢", "１２", "12.0", "1e3", " ", "0x1f", "--1", "12a", TWENTY_THREE_DIGITS]
)
def test_a_number_is_ascii_digits_only(text):
    """``str.isdigit`` says yes to ``²`` and ``①``, ``int`` to Arabic-Indic and full-width digits: neither counts."""
    assert parse_int(text) is None


def test_a_number_in_ascii_digits_is_read_within_its_bounds():
    assert parse_int(" 42 ") == 42
    assert parse_int("-3") == -3
    assert parse_int("7", minimum=1, maximum=7) == 7
    assert parse_int("8", minimum=1, maximum=7) is None
    assert parse_int("0", minimum=1) is None


def test_an_id_fits_a_bigint():
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    assert parse_id(str(2**63)) is None
    assert parse_id(TWENTY_THREE_DIGITS) is None
    assert parse_id("0") is None


def test_a_year_lies_between_2000_and_2100():
    assert parse_year("2026") == 2026
    assert parse_year("1999") is None
    assert parse_year("2101") is None
    assert parse_year("²⁰²⁶") is None


@pytest.mark.parametrize("text", ["0001-01", "9999-12", "2026-13", "2026-00", "2026-1", "٢٠٢٦-٠٣", "2026-03-01"])
def test_a_month_outside_the_portal_years_or_malformed_is_none(text):
    assert parse_month(text) is None


def test_a_month_is_read_as_its_first_day():
    assert parse_month("2026-03") == date(2026, 3, 1)


@pytest.mark.parametrize("text", ["9998-01-01", "0001-01-01", "2026-02-30", "2026-2-3", "２０２６-01-01", "20260101"])
def test_a_date_outside_the_portal_years_or_malformed_is_none(text):
    assert parse_date(text) is None


def test_a_birth_date_may_reach_back_to_1900():
    assert parse_date("1931-05-04") is None
    assert parse_date("1931-05-04", min_year=1900) == date(1931, 5, 4)


def test_text_loses_nul_characters_and_is_cut():
    assert parse_text(" 刘\x00根林 ", max_length=2) == "刘根"


@pytest.fixture
def in_chinese():
    with translation.override("zh-hans"):
        yield


def test_the_integer_field_refuses_other_digits_in_chinese(in_chinese):
    field = AsciiIntegerField()
    assert field.clean("2026") == 2026
    with pytest.raises(ValidationError) as refusal:
        field.clean("２０２６")
    assert refusal.value.messages == ["请输入整数，使用半角数字 0-9。"]


def test_the_date_field_refuses_a_year_out_of_range_in_chinese(in_chinese):
    field = RangedDateField()
    assert field.clean("2026-03-01") == date(2026, 3, 1)
    with pytest.raises(ValidationError) as refusal:
        field.clean("9998-01-01")
    assert refusal.value.messages == ["请输入 2000 年至 2100 年之间的年份。"]


class SampleForm(PortalFormMixin, forms.Form):
    count = forms.IntegerField()
    day = forms.DateField()
    hours = forms.DecimalField(max_digits=6, decimal_places=1)


def test_every_portal_form_refuses_other_digits_and_years_out_of_range(in_chinese):
    """``PortalFormMixin`` bounds every integer and date field, so no form of the portal can forget it."""
    form = SampleForm({"count": "１２", "day": "9998-01-01", "hours": "1.5"})
    assert not form.is_valid()
    assert form.errors["count"] == ["请输入整数，使用半角数字 0-9。"]
    assert form.errors["day"] == ["请输入 1900 年至 2100 年之间的年份。"]
    assert "hours" not in form.errors
    assert SampleForm({"count": "12", "day": "1931-05-04", "hours": "1.5"}).is_valid()


def test_json_depth_skips_brackets_inside_strings():
    assert json_depth('{"a": [1, {"b": "[[[[{{"}]}') == 3
    assert json_depth("12") == 0


# --- the pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["²", "①", "２０２６", TWENTY_THREE_DIGITS])
def test_the_portfolio_reads_a_strange_year_as_this_year(world, year):
    station = world.stations["S1"]
    response = signed_in(world.users["manager"]).get(f"/services/stations/{station.pk}/portfolio/", {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == date.today().year


@pytest.mark.parametrize("year", ["²", TWENTY_THREE_DIGITS])
def test_the_staffing_policies_ignore_a_strange_year(world, year):
    response = signed_in(world.users["city"]).get("/staffing/policies/", {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == ""


@pytest.mark.parametrize("path", ["services/stations/{pk}/log/", "services/stations/{pk}/cases/new/"])
@pytest.mark.parametrize("beneficiary", ["①", "²", TWENTY_THREE_DIGITS])
def test_a_strange_beneficiary_in_the_address_is_ignored(world, path, beneficiary):
    station = world.stations["S1"]
    url = "/" + path.format(pk=station.pk)
    response = signed_in(world.users["manager"]).get(url, {"beneficiary": beneficiary})
    assert response.status_code == 200
    assert not response.context["form"].initial.get("beneficiary")
    assert not response.context["form"].initial.get("beneficiaries")


@pytest.mark.parametrize("params", [{"q": "\x00"}, {"q": "刘\x00"}, {"group": "\x00"}])
def test_a_nul_character_in_a_search_is_dropped(world, params):
    station = world.stations["S1"]
    client = signed_in(world.users["manager"])
    assert client.get(f"/services/stations/{station.pk}/beneficiaries/", params).status_code == 200
    assert client.get(f"/services/stations/{station.pk}/beneficiaries/lookup/", params).status_code == 200


def test_a_23_digit_id_in_the_path_is_not_found(world):
    response = signed_in(world.users["city"]).get(f"/stations/{TWENTY_THREE_DIGITS}/")
    assert response.status_code == 404


@pytest.mark.parametrize("region", [TWENTY_THREE_DIGITS, "²", "0"])
def test_a_strange_region_on_the_dashboard_shows_the_users_own(world, region):
    response = signed_in(world.users["city"]).get("/", {"region": region})
    assert response.status_code == 200


def test_a_23_digit_id_in_a_filter_is_a_field_error(world):
    response = signed_in(world.users["city"]).get("/stations/", {"township": TWENTY_THREE_DIGITS})
    assert response.status_code == 200
    assert "township" in response.context["filter_form"].errors


def test_a_23_digit_id_in_an_api_filter_is_a_400(world):
    client = APIClient()
    client.force_authenticate(world.users["city"])
    assert client.get("/api/v1/stations/", {"township": TWENTY_THREE_DIGITS}).status_code == 400
    assert client.get("/api/v1/stations/", {"township": "①"}).status_code == 400


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "²⁰²⁶-01"])
def test_the_visits_page_shows_this_month_for_a_month_out_of_range(world, month):
    station = world.stations["S1"]
    response = signed_in(world.users["manager"]).get(f"/services/stations/{station.pk}/visits/", {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == date.today().replace(day=1)


@pytest.mark.parametrize("month", ["0001-01", "٢٠٢٦-٠٣", "1999-12"])
def test_the_api_refuses_a_month_out_of_range_with_a_400(world, month):
    """The API reads months through the same rule (``month_start``, on ``parse_month``) as the pages."""
    client = APIClient()
    client.force_authenticate(world.users["manager"])
    response = client.get(f"/api/v1/stations/{world.stations['S1'].pk}/visit-rate/", {"month": month})
    assert response.status_code == 400
    assert "month" in response.json()


@pytest.mark.parametrize("on", ["9999-12-31", "0001-01-01", "²⁰²⁶-01-01"])
def test_the_roster_on_a_date_out_of_range_is_todays(world, on):
    station = world.stations["S1"]
    response = signed_in(world.users["manager"]).get(f"/staffing/stations/{station.pk}/roster/", {"on": on})
    assert response.status_code == 200
    assert response.context["on"] == date.today()


@pytest.mark.parametrize(("start_on", "end_on"), [("9998-01-01", "9998-12-31"), ("2026-01-01", "9999-12-31")])
def test_a_contract_in_year_9998_is_a_field_error(world, start_on, end_on):
    station = world.stations["S2"]
    response = signed_in(world.users["county"]).post(
        f"/stations/{station.pk}/contracts/new/",
        {
            "operator": world.orgs["op"].pk,
            "start_on": start_on,
            "end_on": end_on,
            "amount": "1000",
            "procurement_method": "public_tender",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "请输入 2000 年至 2100 年之间的年份。" in errors.get("start_on", []) + errors.get("end_on", [])
    assert not OperatingContract.objects.filter(station=station).exists()


def test_a_contract_in_year_9998_is_refused_by_the_model(world):
    contract = OperatingContract(
        station=world.stations["S2"],
        operator=world.orgs["op"],
        start_on=date(9998, 1, 1),
        end_on=date(9998, 12, 31),
        amount=1000,
    )
    with pytest.raises(ValidationError) as refusal:
        contract.full_clean()
    assert set(refusal.value.error_dict) == {"start_on", "end_on"}


# --- the API's JSON ---------------------------------------------------------------------------------------


def test_a_json_body_nested_5000_deep_is_a_400_for_anyone(db):
    body = "[" * 5000 + "]" * 5000
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "64" in response.json()["detail"]


def test_a_json_body_64_deep_is_read_and_65_is_refused():
    parser = BoundedJSONParser()
    assert json_depth(json.dumps(parser.parse(BytesIO(b"[" * 64 + b"]" * 64)))) == 64
    with pytest.raises(ParseError):
        parser.parse(BytesIO(b"[" * 65 + b"]" * 65))


def test_a_json_body_in_a_broken_encoding_is_a_400(db):
    response = APIClient().post(
        "/api/v1/auth/token/", b'{"username": "\xff\xfe"}', content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 400
