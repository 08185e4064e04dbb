"""The evaluations API: what an evaluation shows, its filters and ordering, the summary, evidence, files and facts,
the evaluator's reach (404 outside it) and fixed query counts."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation.models import Assignment, Evaluation, EvaluationFile, Evidence
from evaluation.rules.workflow import evaluation_file_add, evaluation_start, evidence_add
from services.models import ServiceRecord
from stations.choices import OrganizationKind
from tests.evaluation.helpers import published, started, submitted
from tests.factories import AssignmentFactory, OrganizationFactory, StationFactory, UserFactory
from tests.services.matrix_api import PNG

TODAY = date.today()
THIS = TODAY.year


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def url(evaluation, step=""):
    return f"/api/v1/evaluations/{evaluation.pk}/" + (f"{step}/" if step else "")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def first_row(evaluation):
    return evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")[0]


def record_of(station, on=None) -> ServiceRecord:
    return ServiceRecord.objects.create(station=station, date=on or date(THIS, 1, 1), kind="visit", duration_minutes=60)


def other_agency_evaluation(world) -> Evaluation:
    """An evaluation of S1 by another agency, under its own current assignment."""
    agency = OrganizationFactory(name="另一评估机构", kind=OrganizationKind.EVALUATION_AGENCY)
    assignment = AssignmentFactory(agency=agency, stage="midterm", stations=[world.stations["S1"]])
    colleague = UserFactory(username="other-evaluator", role="evaluator", organization=agency)
    return evaluation_start(assignment=assignment, station=world.stations["S1"], user=colleague)


# --- what it shows ---------------------------------------------------------------------------------------------


def test_the_detail_gives_what_the_issue_asks_for(world, api_client_for):
    evaluation = published(world, total="88.0")

    body = api_client_for("city").get(url(evaluation)).json()

    for name in ("station", "assignment", "template", "status", "total", "grade", "stars", "scores", "amendments"):
        assert name in body
    for name in ("year", "stage", "progress", "transitions", "responses", "files"):
        assert name in body
    assert (body["station"], body["assignment"], body["template"]) == (
        evaluation.station_id,
        evaluation.assignment_id,
        evaluation.template_id,
    )
    assert (body["status"], body["total"], body["grade"], body["stars"]) == ("published", "88.0", "good", 3)
    assert body["progress"] == {"scored": 23, "indicators": 23, "points": "88.0"}
    line = body["scores"][0]
    assert set(line) >= {"indicator", "score", "comment", "evidence"}


def test_scores_come_in_the_sheets_order_with_their_evidence(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)
    record = record_of(world.stations["S1"])
    evidence_add(score=row, user=world.users["evaluator"], kind="record", target_id=record.pk, note="探访记录")

    scores = api_client_for("evaluator").get(url(evaluation, "scores")).json()

    assert scores[0]["indicator"] == row.indicator_id
    assert scores[0]["evidence"] == [
        {
            "id": Evidence.objects.get().pk,
            "score": row.pk,
            "indicator": row.indicator_id,
            "kind": "record",
            "target": record.pk,
            "date": record.date.isoformat(),
            "station": world.stations["S1"].pk,
            "detail": record.get_kind_display(),
            "note": "探访记录",
        }
    ]
    codes = [line["code"] for line in scores]
    assert len(codes) == 23 and codes == [line.indicator.code for line in _sheet_lines(evaluation)]


def _sheet_lines(evaluation):
    from evaluation.selectors import evaluation_sheet

    return evaluation_sheet(evaluation, with_facts=False).lines


def test_the_facts_give_every_indicator_with_its_suggestion(world, api_client_for):
    evaluation = started(world)

    response = api_client_for("evaluator").get(url(evaluation, "facts"))

    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 23
    assert {"indicator", "code", "facts", "suggested", "score"} <= set(rows[0])
    sourced = [row for row in rows if row["facts"] is not None]
    for row in sourced:
        assert {"source", "title", "facts", "explanation"} <= set(row["facts"])


# --- the list --------------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_grade_stage_and_region(world, api_client_for):
    draft = started(world)
    done = other_agency_evaluation(world)
    Evaluation.objects.filter(pk=done.pk).update(status="published", total="95.0", grade="excellent", stars=5)
    city = api_client_for("city")

    assert ids(city.get("/api/v1/evaluations/", {"status": "draft"})) == [draft.pk]
    assert ids(city.get("/api/v1/evaluations/", {"grade": "excellent"})) == [done.pk]
    assert ids(city.get("/api/v1/evaluations/", {"grade": "none"})) == [draft.pk]
    assert ids(city.get("/api/v1/evaluations/", {"stage": "midterm"})) == [done.pk]
    assert set(ids(city.get("/api/v1/evaluations/", {"region": world.regions["T1"].code}))) == {draft.pk, done.pk}
    assert ids(city.get("/api/v1/evaluations/", {"region": world.regions["T2"].code})) == []
    assert ids(city.get("/api/v1/evaluations/", {"agency": world.orgs["agency"].pk})) == [draft.pk]
    assert ids(city.get("/api/v1/evaluations/", {"assignment": done.assignment_id})) == [done.pk]


def test_the_list_orders_by_total(world, api_client_for):
    low = submitted(world, total="70.0")
    high = submitted(world, total="95.0", station_key="S2")

    response = api_client_for("city").get("/api/v1/evaluations/", {"ordering": "-total"})

    assert ids(response) == [high.pk, low.pk]


def test_a_bad_filter_is_a_400(world, api_client_for):
    response = api_client_for("city").get("/api/v1/evaluations/", {"year": "²⁰²⁶"})

    assert response.status_code == 400


@pytest.mark.parametrize("code", ["3304", "33048100400\x00", "abcdefghijkl"])
def test_a_region_that_is_not_a_division_code_is_a_400(world, api_client_for, code):
    response = api_client_for("city").get("/api/v1/evaluations/", {"region": code})

    assert response.status_code == 400


def test_the_list_shows_progress_from_the_scores(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)
    api_client_for("evaluator").patch(
        url(evaluation, "scores"), [{"indicator": row.indicator_id, "score": "1.0", "comment": "少"}], format="json"
    )

    listed = api_client_for("city").get("/api/v1/evaluations/").json()["results"][0]

    assert listed["progress"] == {"scored": 1, "indicators": 23, "points": "1.0"}
    assert listed["grade"] is None


def more_evaluations(world, count: int) -> None:
    for _ in range(count):
        station = StationFactory(township=world.regions["T1"])
        assignment = Assignment.objects.get(agency=world.orgs["agency"])
        assignment.stations.add(station)
        evaluation_start(assignment=assignment, station=station, user=world.users["evaluator"])


@pytest.mark.parametrize("role", ["city", "evaluator"])
def test_the_list_query_count_does_not_grow_with_rows(world, api_client_for, django_assert_max_num_queries, role):
    client = api_client_for(role)
    more_evaluations(world, 2)
    with django_assert_max_num_queries(15) as few:
        assert client.get("/api/v1/evaluations/").status_code == 200
    more_evaluations(world, 8)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/evaluations/")

    assert response.json()["count"] == 10


def test_the_detail_query_count_does_not_grow_with_evidence(world, api_client_for, django_assert_max_num_queries):
    evaluation = started(world)
    rows = list(evaluation.scores.all()[:6])
    client = api_client_for("evaluator")
    evidence_add(
        score=rows[0], user=world.users["evaluator"], kind="record", target_id=record_of(world.stations["S1"]).pk
    )
    with django_assert_max_num_queries(30) as few:
        assert client.get(url(evaluation)).status_code == 200
    for row in rows[1:]:
        evidence_add(
            score=row, user=world.users["evaluator"], kind="record", target_id=record_of(world.stations["S1"]).pk
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(evaluation)).status_code == 200


# --- no create, no delete but the administrator's ----------------------------------------------------------


def test_evaluations_are_not_posted_to_the_list(world, api_client_for):
    assert api_client_for("admin").post("/api/v1/evaluations/", {}).status_code == 405
    assert api_client_for("evaluator").post("/api/v1/evaluations/", {}).status_code == 403


def test_only_the_administrator_deletes_a_draft(world, api_client_for):
    evaluation = started(world)

    assert api_client_for("evaluator").delete(url(evaluation)).status_code == 403
    assert api_client_for("city").delete(url(evaluation)).status_code == 403
    assert api_client_for("admin").delete(url(evaluation)).status_code == 204
    assert not Evaluation.objects.exists()


# --- the summary -----------------------------------------------------------------------------------------------


def test_the_evaluator_writes_the_summary_of_a_draft(world, api_client_for):
    evaluation = started(world)

    response = api_client_for("evaluator").patch(url(evaluation), {"summary": " 服务记录翔实 "}, format="json")

    assert response.status_code == 200
    assert response.json()["summary"] == "服务记录翔实"


def test_only_the_summary_is_written_by_a_patch(world, api_client_for):
    evaluation = started(world)

    api_client_for("evaluator").patch(url(evaluation), {"summary": "好", "status": "published", "total": "100"})

    evaluation.refresh_from_db()
    assert (evaluation.summary, evaluation.status, evaluation.total) == ("好", "draft", None)


def test_the_summary_of_a_submitted_evaluation_is_a_field_error(world, api_client_for):
    evaluation = submitted(world)

    response = api_client_for("evaluator").patch(url(evaluation), {"summary": "改"}, format="json")

    assert response.status_code == 400
    assert "summary" in response.json()


def test_an_official_does_not_write_the_summary(world, api_client_for):
    evaluation = started(world)

    assert api_client_for("city").patch(url(evaluation), {"summary": "改"}, format="json").status_code == 403


# --- evidence and files ----------------------------------------------------------------------------------------


def test_evidence_is_added_by_indicator_and_removed(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)
    record = record_of(world.stations["S1"])
    client = api_client_for("evaluator")

    added = client.post(
        url(evaluation, "evidence"), {"indicator": row.indicator_id, "kind": "record", "target": record.pk}
    )
    listed = client.get(url(evaluation, "evidence"))
    removed = client.delete(f"{url(evaluation)}evidence/{added.json()['id']}/")

    assert added.status_code == 201, added.content
    assert [item["target"] for item in listed.json()] == [record.pk]
    assert removed.status_code == 204
    assert not Evidence.objects.exists()


def test_evidence_by_score_row(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)
    record = record_of(world.stations["S1"])

    response = api_client_for("evaluator").post(
        url(evaluation, "evidence"), {"score": row.pk, "kind": "record", "target": record.pk}
    )

    assert response.status_code == 201
    assert Evidence.objects.get().score == row


def test_evidence_of_another_year_is_a_field_error(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)
    old = record_of(world.stations["S1"], on=date(THIS - 1, 6, 1))

    response = api_client_for("admin").post(
        url(evaluation, "evidence"), {"indicator": row.indicator_id, "kind": "record", "target": old.pk}
    )

    assert response.status_code == 400
    assert "target" in response.json()
    assert not Evidence.objects.exists()


def test_evidence_of_another_station_is_a_field_error(world, api_client_for):
    evaluation = started(world)
    row = first_row(evaluation)
    elsewhere = record_of(world.stations["S2"])

    response = api_client_for("evaluator").post(
        url(evaluation, "evidence"), {"indicator": row.indicator_id, "kind": "record", "target": elsewhere.pk}
    )

    assert response.status_code == 400
    assert "target" in response.json()


def test_evidence_for_an_indicator_not_on_the_scorecard_is_a_field_error(world, api_client_for):
    evaluation = started(world)
    record = record_of(world.stations["S1"])

    response = api_client_for("evaluator").post(
        url(evaluation, "evidence"), {"indicator": 999999, "kind": "record", "target": record.pk}
    )

    assert response.status_code == 400
    assert "indicator" in response.json()


def test_evidence_of_another_evaluation_is_not_found(world, api_client_for):
    evaluation = started(world)
    other = started(world, "S2")
    record = record_of(world.stations["S2"])
    evidence = evidence_add(score=first_row(other), user=world.users["evaluator"], kind="record", target_id=record.pk)

    response = api_client_for("evaluator").delete(f"{url(evaluation)}evidence/{evidence.pk}/")

    assert response.status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_a_file_is_uploaded_and_downloaded_in_scope(world, api_client_for, media):
    evaluation = started(world)

    uploaded = api_client_for("evaluator").post(url(evaluation, "files"), {"file": png()}, format="multipart")
    file_id = uploaded.json()["id"]
    download = api_client_for("township").get(f"{url(evaluation)}files/{file_id}/")
    outside = api_client_for("outsider").get(f"{url(evaluation)}files/{file_id}/")

    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["original_name"] == "现场.png"
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Cache-Control"].startswith("no-store") or "no-store" in download["Cache-Control"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert outside.status_code == 404


def test_a_file_that_is_not_an_image_or_pdf_is_a_field_error(world, api_client_for, media):
    evaluation = started(world)
    script = SimpleUploadedFile("评估.png", b"#!/bin/sh\necho hi\n", "image/png")

    response = api_client_for("evaluator").post(url(evaluation, "files"), {"file": script}, format="multipart")

    assert response.status_code == 400
    assert not EvaluationFile.objects.exists()


def test_an_uploaded_file_backs_a_score(world, api_client_for, media):
    evaluation = started(world)
    row = first_row(evaluation)
    uploaded = evaluation_file_add(evaluation=evaluation, user=world.users["evaluator"], upload=png())

    response = api_client_for("evaluator").post(
        url(evaluation, "evidence"), {"indicator": row.indicator_id, "kind": "file", "target": uploaded.pk}
    )

    assert response.status_code == 201
    assert response.json()["detail"] == "现场.png"


# --- the evaluator's reach -------------------------------------------------------------------------------------


def test_another_agencys_evaluation_is_not_found_by_the_evaluator(world, api_client_for):
    theirs = other_agency_evaluation(world)
    client = api_client_for("evaluator")

    assert client.get(url(theirs)).status_code == 404
    assert theirs.pk not in ids(client.get("/api/v1/evaluations/"))


def test_an_evaluation_of_a_station_no_longer_assigned_is_not_found(world, api_client_for):
    evaluation = started(world, "S2")
    Assignment.objects.get(agency=world.orgs["agency"]).stations.remove(world.stations["S2"])

    assert api_client_for("evaluator").get(url(evaluation)).status_code == 404


def test_an_evaluation_of_an_ended_assignment_is_not_found(world, api_client_for):
    evaluation = started(world)
    Assignment.objects.filter(pk=evaluation.assignment_id).update(
        starts_on=TODAY - timedelta(days=60), ends_on=TODAY - timedelta(days=1)
    )

    assert api_client_for("evaluator").get(url(evaluation)).status_code == 404
    assert api_client_for("evaluator").post(url(evaluation, "submit"), {}).status_code == 404
    assert api_client_for("city").get(url(evaluation)).status_code == 200


def test_an_unassigned_station_cannot_be_started(world, api_client_for):
    assignment = Assignment.objects.get(agency=world.orgs["agency"])

    response = api_client_for("evaluator").post(
        f"/api/v1/assignments/{assignment.pk}/start/", {"station": world.stations["S3"].pk}
    )

    assert response.status_code == 400
    assert "station" in response.json()
    assert not Evaluation.objects.exists()


def test_the_people_behind_evidence_are_not_shown(world, api_client_for):
    """Evidence shows a record's date, kind and station: not the beneficiaries served."""
    from tests.factories import BeneficiaryFactory

    evaluation = started(world)
    person = BeneficiaryFactory(station=world.stations["S1"], name="陆阿婆")
    record = record_of(world.stations["S1"])
    record.beneficiaries.add(person)
    evidence_add(score=first_row(evaluation), user=world.users["evaluator"], kind="record", target_id=record.pk)

    response = api_client_for("evaluator").get(url(evaluation))

    assert "陆阿婆" not in response.content.decode()
