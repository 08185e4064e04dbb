"""Finding people (accounts/people.py): by name and pinyin, by the whole ID number only (logged), and the
"already registered" answers, each logged and at most ``DUPLICATE_ANSWERS_PER_HOUR`` an hour."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.choices import IdNumberDisclosure
from accounts.people import TooManyDuplicateAnswers, name_keys, people_search
from services.models import Beneficiary, BeneficiaryIdNumberView
from staffing.models import IdNumberView, StaffMember, Volunteer
from tests.factories import valid_id_number
from tests.services.helpers import beneficiary, staff_member, volunteer


def lookup(client, station, text):
    response = client.get(reverse("services:beneficiary_lookup", args=[station.pk]), {"q": text})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def signed_in(client, world, role):
    client.force_login(world.users[role])
    return client


# --- name keys -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("刘根林", ("lgl", "liugenlin")),
        ("吕芳", ("lf", "lvfang")),
        ("阿依古丽·买买提", ("aygl" + "mmt", "ayiguli" + "maimaiti")),
        ("Anna李", ("al", "annali")),
        ("", ("", "")),
    ],
)
def test_a_name_gives_its_pinyin_initials_and_whole_pinyin(name, keys):
    assert name_keys(name) == keys


def test_the_search_columns_follow_the_name_on_save_and_in_bulk(world):
    person = beneficiary(world.stations["S1"], 1, name="刘根林")
    assert (person.name_initials, person.name_pinyin) == ("lgl", "liugenlin")

    person.name = "王芳"
    person.save(update_fields=["name"])
    person.refresh_from_db()
    assert (person.name_initials, person.name_pinyin) == ("wf", "wangfang")

    Volunteer.objects.bulk_create(
        [Volunteer(station=world.stations["S1"], name="张三", id_number=valid_id_number(2), registered_on="2024-01-01")]
    )
    assert Volunteer.objects.get().name_initials == "zs"


# --- by name and pinyin ----------------------------------------------------------------------------------


def test_the_lookup_finds_people_by_pinyin_initials_and_pinyin_prefix(world, client):
    station = world.stations["S1"]
    liu = beneficiary(station, 1, name="刘根林")
    lu = beneficiary(station, 2, name="陆国良")
    beneficiary(station, 3, name="王芳")
    signed_in(client, world, "worker")

    assert sorted(lookup(client, station, "lgl")) == sorted([liu.pk, lu.pk])
    assert lookup(client, station, "LiuGen") == [liu.pk]
    assert lookup(client, station, "根林") == [liu.pk]


def test_the_beneficiary_list_search_finds_by_pinyin_initials(world, client):
    station = world.stations["S1"]
    beneficiary(station, 1, name="刘根林")
    beneficiary(station, 2, name="王芳")
    signed_in(client, world, "worker")

    response = client.get(reverse("services:beneficiaries", args=[station.pk]), {"q": "wf"})

    assert [person.name for person in response.context["object_list"]] == ["王芳"]


def test_the_evaluator_who_sees_names_masked_cannot_search_by_name(world):
    station = world.stations["S1"]
    beneficiary(station, 1, name="刘根林")
    people = Beneficiary.objects.visible_to(world.users["evaluator"])

    for text in ("刘根林", "根", "lgl", "liugenlin"):
        assert not people_search(people, text, user=world.users["evaluator"]).exists()


# --- by ID number: the whole number only, logged -------------------------------------------------------


def test_part_of_an_id_number_never_narrows_beyond_what_the_mask_shows(world, client):
    """Every suffix, prefix and middle part of a number finds nobody, so hidden digits cannot be guessed."""
    station = world.stations["S1"]
    person = beneficiary(station, 7, name="钱阿姨")
    beneficiary(station, 8, name="孙伯伯")
    number = person.id_number
    signed_in(client, world, "worker")
    parts = {number[-k:] for k in range(1, 18)} | {number[:k] for k in range(1, 18)} | {number[6:14]}

    for part in parts:
        assert lookup(client, station, part) == [], part
        listed = client.get(reverse("services:beneficiaries", args=[station.pk]), {"q": part})
        assert list(listed.context["object_list"]) == [], part
    assert not BeneficiaryIdNumberView.objects.exists()


def test_the_whole_id_number_finds_the_person_and_is_logged_as_a_search(world, client):
    station = world.stations["S1"]
    person = beneficiary(station, 7, name="钱阿姨")
    beneficiary(station, 8, name="孙伯伯")
    signed_in(client, world, "worker")

    assert lookup(client, station, person.id_number.lower()) == [person.pk]

    log = BeneficiaryIdNumberView.objects.get()
    assert (log.viewer, log.beneficiary, log.reason) == (world.users["worker"], person, IdNumberDisclosure.SEARCHED)


def test_a_whole_number_nobody_has_finds_nobody_and_logs_nothing(world, client):
    station = world.stations["S1"]
    beneficiary(station, 7)
    signed_in(client, world, "worker")

    assert lookup(client, station, valid_id_number(99)) == []
    assert not BeneficiaryIdNumberView.objects.exists()


def test_the_evaluator_who_is_shown_no_id_number_cannot_search_by_one(world):
    person = beneficiary(world.stations["S1"], 7)
    people = Beneficiary.objects.visible_to(world.users["evaluator"])

    assert not people_search(people, person.id_number, user=world.users["evaluator"]).exists()
    assert not BeneficiaryIdNumberView.objects.exists()


@pytest.mark.parametrize(
    ("url", "make", "log_field"),
    [
        ("/api/v1/beneficiaries/", beneficiary, "beneficiary"),
        ("/api/v1/volunteers/", volunteer, "volunteer"),
        ("/api/v1/staff/", staff_member, "staff_member"),
    ],
)
def test_the_api_search_matches_the_whole_number_logged_and_never_a_part(world, api_client_for, url, make, log_field):
    station = world.stations["S1"]
    person = make(station, 7, name="刘根林")
    make(station, 8, name="王芳")
    client = api_client_for("county")

    def found(text):
        response = client.get(url, {"search": text})
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert found(person.id_number[-4:]) == []
    assert found(person.id_number[-8:]) == []
    assert found("lgl") == [person.pk]
    assert found(person.id_number) == [person.pk]
    log_model = BeneficiaryIdNumberView if log_field == "beneficiary" else IdNumberView
    log = log_model.objects.get()
    assert (getattr(log, log_field), log.reason) == (person, IdNumberDisclosure.SEARCHED)


def test_the_api_search_of_volunteer_hours_goes_by_the_volunteer(world, api_client_for):
    station = world.stations["S1"]
    person = volunteer(station, 7, name="刘根林")
    person.hour_records.create(date="2025-03-01", hours=2, activity="助老")
    volunteer(station, 8, name="王芳").hour_records.create(date="2025-03-01", hours=1, activity="助老")

    response = api_client_for("manager").get("/api/v1/volunteer-hours/", {"search": "lgl"})

    assert [row["volunteer"] for row in response.json()["results"]] == [person.pk]


# --- "already registered" answers ----------------------------------------------------------------------


def test_a_duplicate_answer_on_the_page_is_logged_with_who_asked(world, client):
    station = world.stations["S1"]
    first = beneficiary(station, 1, name="钱阿姨")
    signed_in(client, world, "worker")

    response = client.post(
        reverse("services:beneficiary_create", args=[station.pk]),
        {"name": "钱某", "id_number": first.id_number, "registered_on": "2025-01-01", "active": "on"},
    )

    assert response.status_code == 200
    assert "钱阿姨" in str(response.context["form"].errors["id_number"])
    log = BeneficiaryIdNumberView.objects.get()
    assert (log.viewer, log.beneficiary, log.reason) == (world.users["worker"], first, IdNumberDisclosure.DUPLICATE)
    assert Beneficiary.objects.count() == 1


def test_a_duplicate_answer_in_the_api_is_logged_and_names_the_person(world, api_client_for):
    first = beneficiary(world.stations["S1"], 1, name="钱阿姨")

    response = api_client_for("worker").post(
        "/api/v1/beneficiaries/",
        {"station": world.stations["S1"].pk, "name": "钱某", "id_number": first.id_number},
        format="json",
    )

    assert response.status_code == 400
    assert "钱阿姨" in response.json()["id_number"][0]
    assert BeneficiaryIdNumberView.objects.get().reason == IdNumberDisclosure.DUPLICATE


def test_a_record_that_keeps_its_own_number_is_no_duplicate_answer(world, api_client_for):
    person = beneficiary(world.stations["S1"], 1, name="钱阿姨")

    response = api_client_for("worker").patch(
        f"/api/v1/beneficiaries/{person.pk}/", {"name": "钱阿姨", "id_number": person.id_number}, format="json"
    )

    assert response.status_code == 200
    assert not BeneficiaryIdNumberView.objects.exists()


def test_the_eleventh_duplicate_answer_within_an_hour_is_refused_in_the_api(world, api_client_for, settings):
    """Ten answers are given (and logged); the eleventh attempt is a 429 whether or not the number is taken."""
    settings.DUPLICATE_ANSWERS_PER_HOUR = 10
    station = world.stations["S1"]
    taken = [volunteer(station, n) for n in range(1, 12)]
    client = api_client_for("manager")

    def register(number):
        body = {"station": station.pk, "name": "某某", "id_number": number, "registered_on": "2025-01-01"}
        return client.post("/api/v1/volunteers/", body, format="json")

    for person in taken[:10]:
        assert register(person.id_number).status_code == 400
    refused = register(taken[10].id_number)
    free = register(valid_id_number(500))

    assert refused.status_code == 429
    assert free.status_code == 429  # the refusal says nothing about whether the number is taken
    assert "10" in refused.json()["detail"]
    assert IdNumberView.objects.filter(reason=IdNumberDisclosure.DUPLICATE).count() == 10
    assert Volunteer.objects.count() == 11


def test_the_hourly_limit_counts_every_kind_of_person_and_refuses_on_the_page(world, client, settings):
    settings.DUPLICATE_ANSWERS_PER_HOUR = 2
    station = world.stations["S1"]
    first_staff = staff_member(station, 1)
    first_volunteer = volunteer(station, 2)
    first_beneficiary = beneficiary(station, 3)
    signed_in(client, world, "manager")

    staff = client.post(
        reverse("staffing:staff_create", args=[station.pk]),
        {
            "name": "某某",
            "gender": "female",
            "id_number": first_staff.id_number,
            "role": "full_time",
            "employer": "operator",
            "certification": "none",
            "hired_on": "2024-01-01",
        },
    )
    volunteers = client.post(
        reverse("staffing:volunteer_create", args=[station.pk]),
        {"name": "某某", "id_number": first_volunteer.id_number, "registered_on": "2024-01-01"},
    )
    refused = client.post(
        reverse("services:beneficiary_create", args=[station.pk]),
        {"name": "某某", "id_number": first_beneficiary.id_number, "registered_on": "2025-01-01", "active": "on"},
    )

    with translation.override(settings.LANGUAGE_CODE):
        assert staff.context["form"].errors["id_number"] == [
            _("This person is already on the roster with the same hiring date.")
        ]
        assert volunteers.context["form"].errors["id_number"] == [
            _("This person is already registered as a volunteer of this station.")
        ]
        assert refused.context["form"].errors["id_number"] == [TooManyDuplicateAnswers(2).message]
    assert IdNumberView.objects.filter(reason=IdNumberDisclosure.DUPLICATE).count() == 2
    assert not BeneficiaryIdNumberView.objects.exists()
    assert StaffMember.objects.count() == Volunteer.objects.count() == Beneficiary.objects.count() == 1


def test_answers_older_than_an_hour_no_longer_count(world, api_client_for, settings):
    settings.DUPLICATE_ANSWERS_PER_HOUR = 1
    station = world.stations["S1"]
    first, second = volunteer(station, 1), volunteer(station, 2)
    client = api_client_for("manager")
    body = {"station": station.pk, "name": "某某", "registered_on": "2025-01-01"}
    assert client.post("/api/v1/volunteers/", {**body, "id_number": first.id_number}, format="json").status_code == 400

    IdNumberView.objects.update(viewed_at=timezone.now() - timedelta(minutes=61))

    response = client.post("/api/v1/volunteers/", {**body, "id_number": second.id_number}, format="json")
    assert response.status_code == 400


def test_the_volunteer_list_page_searches_by_pinyin_and_skills_never_by_part_of_a_number(world, client):
    station = world.stations["S1"]
    liu = volunteer(station, 1, name="刘根林", skills="助老")
    wang = volunteer(station, 2, name="王芳", skills="法律咨询")
    signed_in(client, world, "manager")

    def listed(text):
        response = client.get(reverse("staffing:volunteers", args=[station.pk]), {"q": text})
        return [person.pk for person in response.context["object_list"]]

    assert listed("lgl") == [liu.pk]
    assert listed("法律") == [wang.pk]
    assert listed(liu.id_number[-6:]) == []
    assert listed(liu.id_number) == [liu.pk]
    assert IdNumberView.objects.get().reason == IdNumberDisclosure.SEARCHED


# --- sorting -------------------------------------------------------------------------------------------------


def api_order(api_client_for, role, url, ordering=""):
    response = api_client_for(role).get(url, {"ordering": ordering} if ordering else {})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("role", "sorted_by_salary"),
    [("manager", True), ("township", True), ("city", True), ("worker", False), ("evaluator", False)],
)
def test_staff_sort_by_salary_only_for_those_shown_every_salary(world, api_client_for, role, sorted_by_salary):
    """Sorting by a salary one may not see would reveal its rank: the term is dropped, the default order stays."""
    station = world.stations["S1"]
    low = staff_member(station, 1, name="乙", annual_salary=50000)  # first by name, the default order
    high = staff_member(station, 2, name="甲", annual_salary=90000)
    url = "/api/v1/staff/"
    assert api_order(api_client_for, role, url) == [low.pk, high.pk]
    expected = [high.pk, low.pk] if sorted_by_salary else [low.pk, high.pk]
    assert api_order(api_client_for, role, url, "-annual_salary") == expected


@pytest.mark.parametrize(("role", "sorted_by_birth"), [("worker", True), ("county", False), ("evaluator", False)])
def test_beneficiaries_sort_by_birth_date_only_for_those_shown_it(world, api_client_for, role, sorted_by_birth):
    station = world.stations["S1"]
    younger = beneficiary(station, 20000, name="乙")  # first by name, the default order
    older = beneficiary(station, 1, name="甲")
    url = "/api/v1/beneficiaries/"
    assert api_order(api_client_for, role, url) == [younger.pk, older.pk]
    expected = [older.pk, younger.pk] if sorted_by_birth else [younger.pk, older.pk]
    assert api_order(api_client_for, role, url, "birth_date") == expected
