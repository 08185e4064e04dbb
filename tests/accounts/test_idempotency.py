"""Writes that survive faults: answered before they commit, and sent twice under one Idempotency-Key, made once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import idempotency
from accounts.models import IdempotentRequest
from accounts.tasks import purge_idempotency_keys
from services.models import Beneficiary, CaseFollowUp, ServiceRecord
from staffing.models import TimeBankEntry, VolunteerHours
from tests.conftest import build_world
from tests.factories import valid_id_number
from tests.services.matrix_api import build_services, pk, record_form, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    build_services(world)
    return world


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client, url, data, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, data, format="json", headers=headers)


# --- the answer is built before the commit -------------------------------------------------------------------------


class QueryDepths:
    """For every query a request runs: its SQL and whether it ran inside a transaction the view opened."""

    def __init__(self):
        self.baseline = len(connection.savepoint_ids)  # the test's own transaction(s)
        self.queries: list[tuple[str, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        if not sql.startswith("RELEASE SAVEPOINT"):  # the commit of the view's transaction itself
            self.queries.append((sql, len(connection.savepoint_ids) > self.baseline))
        return execute(sql, params, many, context)

    def from_first_write_to(self, table: str) -> list[tuple[str, bool]]:
        first = next(
            i
            for i, (sql, _inside) in enumerate(self.queries)
            if sql.startswith(("INSERT", "UPDATE")) and f'"{table}"' in sql.split(" SET ")[0].split(" (")[0]
        )
        return self.queries[first:]


@pytest.mark.parametrize(
    "url, data, table",
    [
        (lambda w: "/api/v1/service-records/", record_form, "services_servicerecord"),
        (
            lambda w: f"/api/v1/cases/{pk('case_intake')(w)}/assess/",
            lambda w: {"assessed_on": today(), "assessment": "独居", "before_score": 50},
            "services_case",
        ),
        (
            lambda w: f"/api/v1/volunteers/{pk('svc_volunteer')(w)}/deposit/",
            lambda w: {"date": today(), "hours": "2", "note": "助老"},
            "staffing_timebankentry",
        ),
    ],
    ids=["create", "case-step", "time-bank"],
)
def test_a_write_builds_its_answer_before_it_commits(w, url, data, table):
    """Given a write, when it is answered, then no query runs after its transaction ends (the answer's data
    included): a connection lost after the commit cannot turn a saved write into a 500."""
    depths = QueryDepths()
    with connection.execute_wrapper(depths):
        response = post(client_of(w.users["manager"]), url(w), data(w))

    assert response.status_code in (200, 201), response.content
    after_write = depths.from_first_write_to(table)
    assert len(after_write) > 1  # the write, then at least the reads of its answer
    assert all(inside for _sql, inside in after_write), [sql for sql, inside in after_write if not inside]


# --- the same key twice --------------------------------------------------------------------------------------------


def test_a_replay_returns_the_first_answer_and_creates_nothing(w):
    client = client_of(w.users["worker"])
    first = post(client, "/api/v1/service-records/", record_form(w), key="rec-1")
    again = post(client, "/api/v1/service-records/", record_form(w), key="rec-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert ServiceRecord.objects.filter(summary="手工小组").count() == 1
    assert VolunteerHours.objects.filter(service__record_id=first.json()["id"]).count() == 1


def test_the_same_key_with_another_body_is_refused_and_creates_nothing(w):
    client = client_of(w.users["worker"])
    post(client, "/api/v1/service-records/", record_form(w), key="rec-2")
    other = post(client, "/api/v1/service-records/", {**record_form(w), "summary": "另一次活动"}, key="rec-2")

    assert other.status_code == 422
    assert "/api/v1/service-records/" in other.json()["detail"]
    assert not ServiceRecord.objects.filter(summary="另一次活动").exists()


def test_the_same_key_on_another_endpoint_is_refused(w):
    client = client_of(w.users["manager"])
    post(client, "/api/v1/service-records/", record_form(w), key="shared")
    hours = {"volunteer": pk("svc_volunteer")(w), "date": today(), "hours": "1", "activity": "助老"}

    assert post(client, "/api/v1/volunteer-hours/", hours, key="shared").status_code == 422
    assert not VolunteerHours.objects.filter(activity="助老").exists()


def test_a_crash_after_the_write_leaves_neither_the_record_nor_the_key(w, monkeypatch):
    """The answer is stored in the write's own transaction: a crash between them rolls both back."""

    def crash(response):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(idempotency, "api_answer", crash)
    with pytest.raises(RuntimeError):
        post(client_of(w.users["worker"]), "/api/v1/service-records/", record_form(w), key="crash")

    assert not ServiceRecord.objects.filter(summary="手工小组").exists()
    assert not IdempotentRequest.objects.filter(key="crash").exists()


def test_another_user_with_the_same_key_creates_their_own(w):
    for role in ("manager", "worker"):
        assert post(client_of(w.users[role]), "/api/v1/service-records/", record_form(w), key="k").status_code == 201

    assert ServiceRecord.objects.filter(summary="手工小组").count() == 2


def test_a_refused_request_keeps_nothing_and_its_key_can_be_used_for_the_corrected_one(w):
    client = client_of(w.users["worker"])
    refused = post(client, "/api/v1/service-records/", {**record_form(w), "duration_minutes": 0}, key="fix-me")
    corrected = post(client, "/api/v1/service-records/", record_form(w), key="fix-me")

    assert (refused.status_code, corrected.status_code) == (400, 201)
    assert IdempotentRequest.objects.get(key="fix-me").status_code == 201


def test_after_the_retention_period_the_key_is_free_and_old_answers_are_purged(w, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    client = client_of(w.users["worker"])
    post(client, "/api/v1/service-records/", record_form(w), key="day-old")
    IdempotentRequest.objects.filter(key="day-old").update(created_at=timezone.now() - timedelta(hours=25))

    assert post(client, "/api/v1/service-records/", record_form(w), key="day-old").status_code == 201
    assert ServiceRecord.objects.filter(summary="手工小组").count() == 2

    post(client, "/api/v1/service-records/", record_form(w), key="fresh")
    IdempotentRequest.objects.filter(key="day-old").update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotency_keys() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.parametrize(
    "url, data, model",
    [
        (
            lambda w: "/api/v1/beneficiaries/",
            lambda w: {
                "station": w.stations["S1"].pk,
                "name": "周阿公",
                "id_number": valid_id_number(9100),
                "registered_on": today(),
            },
            Beneficiary,
        ),
        (
            lambda w: "/api/v1/volunteer-hours/",
            lambda w: {"volunteer": pk("svc_volunteer")(w), "date": today(), "hours": "3.5", "activity": "助老"},
            VolunteerHours,
        ),
        (
            lambda w: f"/api/v1/cases/{pk('case_planned')(w)}/follow-ups/",
            lambda w: {"date": today(), "worker": pk("svc_staff")(w), "content": "上门探访", "next_step": "复访"},
            CaseFollowUp,
        ),
        (
            lambda w: f"/api/v1/volunteers/{pk('svc_volunteer')(w)}/deposit/",
            lambda w: {"date": today(), "hours": "2", "note": "助老"},
            TimeBankEntry,
        ),
    ],
    ids=["beneficiary", "volunteer-hours", "case-follow-up", "time-bank-deposit"],
)
def test_each_idempotent_post_made_twice_creates_once(w, url, data, model):
    client = client_of(w.users["manager"])
    before = model.objects.count()
    first = post(client, url(w), data(w), key="twice")
    again = post(client, url(w), data(w), key="twice")

    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()) == (201, first.json())
    assert model.objects.count() == before + 1


def test_a_case_step_sent_twice_answers_the_first_result(w):
    client = client_of(w.users["worker"])
    url = f"/api/v1/cases/{pk('case_intake')(w)}/assess/"
    data = {"assessed_on": today(), "assessment": "独居，需要助餐", "before_score": 35}
    first = post(client, url, data, key="assess-1")
    again = post(client, url, data, key="assess-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json() and first.json()["before_score"] == 35


@pytest.mark.parametrize("key", ["", "x" * 256, "带中文", "two words"])
def test_a_malformed_key_is_refused(w, key):
    response = client_of(w.users["worker"]).post(
        "/api/v1/service-records/", record_form(w), format="json", headers={"Idempotency-Key": key}
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not ServiceRecord.objects.filter(summary="手工小组").exists()


# --- the logging page ----------------------------------------------------------------------------------------------


def page_post(w, **fields) -> dict:
    return {
        "date": today(),
        "kind": "visit",
        "headcount": "0",
        "duration_minutes": "45",
        "beneficiaries": [pk("beneficiary")(w)],
        "summary": "双击保存",
        "volunteers-TOTAL_FORMS": "1",
        "volunteers-INITIAL_FORMS": "0",
        **fields,
    }


def test_the_logging_form_carries_a_fresh_key_each_time_it_is_shown(w):
    client = Client()
    client.force_login(w.users["worker"])
    url = f"/services/stations/{w.stations['S1'].pk}/log/"
    pages = [client.get(url) for _ in range(2)]
    keys = [page.context["idempotency_key"] for page in pages]

    assert keys[0] != keys[1] and all(idempotency.key_is_valid(key) for key in keys)
    assert all(
        f'name="idempotency_key" value="{key}"' in p.content.decode() for key, p in zip(keys, pages, strict=True)
    )


def test_a_double_submitted_logging_form_makes_one_record(w):
    client = Client()
    client.force_login(w.users["worker"])
    url = f"/services/stations/{w.stations['S1'].pk}/log/"
    shown = client.get(url)
    key = shown.context["idempotency_key"]
    assert f'name="idempotency_key" value="{key}"' in shown.content.decode()

    first = client.post(url, page_post(w, idempotency_key=key))
    again = client.post(url, page_post(w, idempotency_key=key))

    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"]
    record = ServiceRecord.objects.get(summary="双击保存")
    assert first["Location"].endswith(f"?saved={record.pk}")


def test_a_logging_form_changed_after_it_was_saved_is_shown_again_not_saved(w):
    client = Client()
    client.force_login(w.users["worker"])
    url = f"/services/stations/{w.stations['S1'].pk}/log/"
    client.post(url, page_post(w, idempotency_key="form-1"))
    changed = client.post(url, page_post(w, idempotency_key="form-1", summary="改过的内容"))

    assert changed.status_code == 200
    assert changed.context["form"].non_field_errors()
    assert changed.context["idempotency_key"] != "form-1"
    assert not ServiceRecord.objects.filter(summary="改过的内容").exists()


# --- concurrency ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_the_same_key_make_one_record(monkeypatch):
    """Given five requests with one key at the same moment (the first holding its transaction open a while),
    then one record is made and every request gets its answer."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that runs concurrent transactions")
    world = build_world()
    build_services(world)
    keep = idempotency.api_answer

    def slow_answer(response):
        threading.Event().wait(0.3)  # the first request holds the key while the others arrive
        return keep(response)

    monkeypatch.setattr(idempotency, "api_answer", slow_answer)
    start, answers = threading.Barrier(5), []

    def send():
        try:
            start.wait()
            response = post(client_of(world.users["worker"]), "/api/v1/service-records/", record_form(world), "c-1")
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(answers) == 5
    assert {status for status, _body in answers} == {201}
    assert len({body["id"] for _status, body in answers}) == 1
    assert ServiceRecord.objects.filter(summary="手工小组").count() == 1


def test_the_purge_is_scheduled_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]
    assert entry == {"task": "accounts.tasks.purge_idempotency_keys", "schedule": timedelta(hours=1)}


def test_the_same_json_in_another_key_order_is_the_same_request():
    assert idempotency.content_hash({"a": 1, "b": [1, 2]}) == idempotency.content_hash({"b": [1, 2], "a": 1})
    assert idempotency.content_hash({"a": 1}) != idempotency.content_hash({"a": 2})
