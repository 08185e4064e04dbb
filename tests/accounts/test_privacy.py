"""People's data by role (DOMAIN.md section 9): the table, the mask rule, and what each role is shown.

The rule behind the mask: from everything one user is shown of one person (the mask, the birth date or age, the
gender, the community), at least ``MIN_WHOLE_NUMBERS`` whole ID numbers must remain possible.
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from itertools import product

import pytest
from django.test import Client

from accounts.privacy import (
    MIN_WHOLE_NUMBERS,
    Field,
    Kind,
    Show,
    age_on,
    id_numbers_possible,
    mask_name,
    people_fields,
)
from accounts.roles import role_permissions
from services.rules import case_open
from staffing.models import VolunteerHours
from staffing.validators import id_number_check_char, mask_id_number, validate_id_number
from tests.services.helpers import beneficiary, log, staff_member, volunteer

ROLES = ["admin", "city", "county", "township", "manager", "worker", "evaluator"]
TODAY = date.today()
W, M, A, H, OWN = Show.WHOLE, Show.MASKED, Show.AGE, Show.HIDDEN, Show.OWN

# The issue's table, written out by hand: role -> kind -> (name, birth date, phone, address, ID number, salary).
EXPECTED = {
    "admin": {"beneficiary": (W, W, W, W, M), "volunteer": (W, W, M), "staff": (W, W, M, W)},
    "manager": {"beneficiary": (W, W, W, W, M), "volunteer": (W, W, M), "staff": (W, W, M, W)},
    "township": {"beneficiary": (W, W, W, W, M), "volunteer": (W, W, M), "staff": (W, W, M, W)},
    "worker": {"beneficiary": (W, W, W, W, M), "volunteer": (W, W, M), "staff": (W, W, M, OWN)},
    "city": {"beneficiary": (W, A, H, H, M), "volunteer": (W, H, M), "staff": (W, W, M, W)},
    "county": {"beneficiary": (W, A, H, H, M), "volunteer": (W, H, M), "staff": (W, W, M, W)},
    "evaluator": {"beneficiary": (M, A, H, H, H), "volunteer": (M, H, H), "staff": (M, W, H, H)},
}
FIELDS = {
    "beneficiary": ("name", "birth_date", "phone", "address", "id_number"),
    "volunteer": ("name", "phone", "id_number"),
    "staff": ("name", "phone", "id_number", "annual_salary"),
}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the table ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_table_gives_each_role_the_issue_s_fields(world, role):
    table = people_fields(world.users[role].role)
    for kind, shows in EXPECTED[role].items():
        assert {name: table[Kind(kind)][Field(name)] for name in FIELDS[kind]} == dict(
            zip(FIELDS[kind], shows, strict=True)
        )


def test_an_unknown_role_sees_the_least():
    table = people_fields("")
    assert table[Kind.BENEFICIARY][Field.NAME] == Show.MASKED
    assert all(show == Show.HIDDEN for name, show in table[Kind.BENEFICIARY].items() if name != Field.NAME)


@pytest.mark.parametrize("role", ROLES)
def test_whoever_may_edit_a_person_sees_their_birth_date_and_phone_whole(world, role):
    """The edit forms show the birth date and phone: only roles that see them whole may reach them."""
    user = world.users[role]
    table = people_fields(user.role)
    perms = role_permissions(user.role) if not user.is_superuser else {"services.change_beneficiary"}
    for perm, kind in [
        ("services.change_beneficiary", Kind.BENEFICIARY),
        ("staffing.change_volunteer", Kind.VOLUNTEER),
    ]:
        if perm in perms:
            assert table[kind][Field.PHONE] == Show.WHOLE
            assert kind != Kind.BENEFICIARY or table[kind][Field.BIRTH_DATE] == Show.WHOLE


@pytest.mark.parametrize(
    "name, masked", [("刘根林", "刘*林"), ("王芳", "王*"), ("欧阳明华", "欧**华"), ("李", "*"), ("", "")]
)
def test_a_masked_name_keeps_the_first_and_last_character(name, masked):
    assert mask_name(name) == masked


def test_the_mask_shows_the_region_only():
    assert mask_id_number("11010519491231002X") == "110105************"


def test_age_counts_whole_years_turning_on_the_birthday():
    assert age_on(date(1950, 6, 2), date(2026, 6, 1)) == 75
    assert age_on(date(1950, 6, 2), date(2026, 6, 2)) == 76


# --- counting the whole numbers that remain possible -------------------------------------------------------------


def brute_force(*, region: str, mask: str, born: date, gender: str) -> int:
    """Every 18-character number of that region and birth date, checked one by one against what is shown."""
    count = 0
    for seq in product("0123456789", repeat=3):
        if gender and int(seq[2]) % 2 != (1 if gender == "male" else 0):
            continue
        body = f"{region}{born:%Y%m%d}{''.join(seq)}"
        number = body + id_number_check_char(body)
        if all(m in ("*", c) for m, c in zip(mask, number, strict=True)):
            count += 1
    return count


@pytest.mark.parametrize(
    "mask",
    ["330481************", "330481**********3*", "330481***********7", "330481********12**", "330481********1234"],
)
@pytest.mark.parametrize("gender", ["", "male", "female"])
def test_the_count_agrees_with_trying_every_number(mask, gender):
    born = date(1946, 5, 17)
    counted = id_numbers_possible(region="330481", mask=mask, born=born, gender=gender, on=TODAY)
    assert counted == brute_force(region="330481", mask=mask, born=born, gender=gender)


def test_the_old_mask_beside_the_birth_date_leaves_one_number():
    """``330481********1234`` hid exactly the birth date: shown beside it, it is the whole number."""
    number = "330481194605171234"
    body = number[:17]
    number = body + id_number_check_char(body)
    validate_id_number(number)
    old_mask = f"{number[:6]}{'*' * 8}{number[-4:]}"
    assert id_numbers_possible(region="330481", mask=old_mask, born=date(1946, 5, 17), on=TODAY) == 1


def test_an_age_leaves_a_year_of_birth_dates():
    exact = id_numbers_possible(region="330481", mask="330481************", born=date(1946, 5, 17), on=TODAY)
    by_age = id_numbers_possible(region="330481", mask="330481************", age=70, on=TODAY)
    assert exact == 1000
    assert 365 * 1000 <= by_age <= 366 * 1000


# --- what each role is shown, and the rule against it ------------------------------------------------------------


@pytest.fixture
def people(world):
    """One person of each kind at S1, with every personal field filled, and the records that name them."""
    s1 = world.stations["S1"]
    community = world.regions["C1"]
    person = beneficiary(
        s1,
        7,
        name="刘根林",
        gender="male",
        birth_date=date(1940, 1, 1) + timedelta(days=7),  # the date inside valid_id_number(7)
        phone="13800001111",
        address="利民路12号",
        community=community,
    )
    worker = staff_member(s1, 8, name="吴晓婷", phone="13900002222", annual_salary=Decimal("98765.00"))
    helper = volunteer(s1, 9, name="陈志强", phone="13700003333")
    VolunteerHours.objects.create(volunteer=helper, date=TODAY - timedelta(days=1), hours=2, activity="探访")
    log(s1, world.users["manager"], TODAY - timedelta(days=1), people=[person], staff=[worker])
    case_open(station=s1, beneficiary=person, worker=worker, opened_on=TODAY - timedelta(days=1))
    person.refresh_from_db()
    return {"beneficiary": person, "staff": worker, "volunteer": helper}


def shown_api(world, role, url):
    response = signed_in(world.users[role]).get(url)
    assert response.status_code == 200, (role, url, response.status_code)
    return response.json()


def expected_of(role, kind):
    return dict(zip(FIELDS[kind], EXPECTED[role][kind], strict=True))


def expected_value(show, person, name):
    value = getattr(person, name)
    if name == "id_number":
        return mask_id_number(value)
    if name == "name" and show == Show.MASKED:
        return mask_name(value)
    if name == "annual_salary":
        return f"{value:.2f}"
    if name == "birth_date":
        return value.isoformat()
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "kind, path", [("beneficiary", "beneficiaries"), ("staff", "staff"), ("volunteer", "volunteers")]
)
def test_the_api_shows_each_person_as_the_table_says(world, people, role, kind, path):
    person = people[kind]
    detail = shown_api(world, role, f"/api/v1/{path}/{person.pk}/")
    listed = next(row for row in shown_api(world, role, f"/api/v1/{path}/")["results"] if row["id"] == person.pk)
    for row in (detail, listed):
        for name, show in expected_of(role, kind).items():
            if show in (Show.HIDDEN, Show.OWN) or (name == "birth_date" and show == Show.AGE):
                assert name not in row, (role, kind, name)
            else:
                assert row[name] == expected_value(show, person, name), (role, kind, name)
        assert person.id_number not in str(row)
        if kind == "beneficiary":
            assert row["age"] == age_on(person.birth_date, TODAY)
            assert row["gender"] == "male" and row["community"] == world.regions["C1"].pk


@pytest.mark.parametrize("role", ROLES)
def test_names_nested_in_records_cases_and_hours_are_masked_as_the_table_says(world, people, role):
    name = (lambda text: mask_name(text)) if role == "evaluator" else (lambda text: text)
    case = shown_api(world, role, "/api/v1/cases/")["results"][0]
    assert case["beneficiary_name"] == name("刘根林") and case["worker_name"] == name("吴晓婷")
    hours = shown_api(world, role, "/api/v1/volunteer-hours/")["results"][0]
    assert hours["volunteer_name"] == name("陈志强")


def test_a_social_worker_sees_their_own_salary_only(world, people):
    own = staff_member(world.stations["S1"], 11, name="王芳", annual_salary=Decimal("101010.00"))
    own.user = world.users["worker"]
    own.save()
    rows = {row["id"]: row for row in shown_api(world, "worker", "/api/v1/staff/")["results"]}
    assert rows[own.pk]["annual_salary"] == "101010.00"
    assert "annual_salary" not in rows[people["staff"].pk]


def person_row(page: str, name: str) -> str:
    """The table row of the beneficiary list that names ``name``."""
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page, re.S)
    return next(row for row in rows if name in row)


@pytest.mark.parametrize("role", ROLES)
def test_the_beneficiary_list_shows_each_field_as_the_table_says(world, people, role):
    person = people["beneficiary"]
    page = signed_in(world.users[role]).get(f"/services/stations/{person.station_id}/beneficiaries/").content
    expect = expected_of(role, "beneficiary")
    shown_name = mask_name(person.name) if expect["name"] == Show.MASKED else person.name
    row = person_row(page.decode(), shown_name)
    assert (person.name in row) is (expect["name"] == Show.WHOLE)
    assert (mask_id_number(person.id_number) in row) is (expect["id_number"] == Show.MASKED)
    assert (f"{person.birth_date:%Y-%m-%d}" in row) is (expect["birth_date"] == Show.WHOLE)
    assert person.id_number not in page.decode() and person.id_number[6:14] not in row


@pytest.mark.parametrize("role", ROLES)
def test_the_visits_page_shows_phone_and_address_only_to_those_who_see_them(world, people, role):
    waiting = beneficiary(
        world.stations["S1"], 12, name="赵大妈", key_target=True, phone="13600004444", address="利民路8号"
    )
    page = signed_in(world.users[role]).get(f"/services/stations/{waiting.station_id}/visits/").content.decode()
    assert "赵大妈" in page or mask_name("赵大妈") in page
    sees = expected_of(role, "beneficiary")["phone"] == Show.WHOLE
    assert ("13600004444" in page) is sees and ("利民路8号" in page) is sees


@pytest.mark.parametrize("role", ROLES)
def test_the_records_export_writes_names_as_the_table_says(world, people, role):
    from io import BytesIO

    from openpyxl import load_workbook

    url = f"/services/stations/{people['beneficiary'].station_id}/records/export/"
    response = signed_in(world.users[role]).get(url)
    text = str(list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)))
    masked = role == "evaluator"
    assert ("刘根林" in text) is not masked and ("刘*林" in text) is masked
    assert ("吴晓婷" in text) is not masked


def what_is_shown(world, role, person) -> dict:
    """Mask, birth date or age and gender of ``person`` as the API and the list page show them to ``role``."""
    row = shown_api(world, role, f"/api/v1/beneficiaries/{person.pk}/")
    page = signed_in(world.users[role]).get(f"/services/stations/{person.station_id}/beneficiaries/")
    masks = re.findall(r"(?<![\dX*])\d{6}[\dX*]{12}(?![\dX*])", page.content.decode())
    born = re.findall(r"\b(\d{4})-(\d{2})-(\d{2})\b", person_row(page.content.decode(), row["name"]))
    born_dates = {date(*map(int, d)) for d in born} - {person.registered_on}
    return {
        "masks": {row.get("id_number", "")} | set(masks),
        "born": row.get("birth_date") and date.fromisoformat(row["birth_date"]) or next(iter(born_dates), None),
        "age": row["age"],
        "gender": row["gender"],
    }


@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_rebuild_a_whole_id_number_from_what_it_is_shown(world, people, role):
    """Region digits count as known (the community reveals them); everything else as shown by the API and page."""
    person = people["beneficiary"]
    shown = what_is_shown(world, role, person)
    for mask in shown["masks"]:
        possible = id_numbers_possible(
            region=person.id_number[:6],
            mask=mask,
            born=shown["born"],
            age=shown["age"],
            gender=shown["gender"],
            on=TODAY,
        )
        assert possible >= MIN_WHOLE_NUMBERS, (role, mask, possible)


# --- a new page cannot forget it ---------------------------------------------------------------------------------

PERSON_VARIABLES = (
    r"(?:person|volunteer|beneficiary|worker|member|share\.volunteer|(?:case|object)\.(?:beneficiary|worker))"
)
RAW_FIELD = re.compile(
    rf"(?:\{{\{{|with \w+=|as \w+=)\s*{PERSON_VARIABLES}\."
    r"(?:name|birth_date|phone|address|id_number|masked_id_number|annual_salary)\b"
)
# The whole-number page is itself the permitted, logged action; it shows nothing else of the person.
ALLOWED = {"staffing/id_number.html"}


def test_no_template_reads_a_person_s_fields_without_the_people_tags():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in sorted(root.rglob("*.html"))
        if str(path.relative_to(root)) not in ALLOWED and not path.name.endswith("_form.html")
        for match in RAW_FIELD.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
