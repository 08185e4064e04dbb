"""The evaluator's pages: home (assignments with each station's progress) and the scorecard (autosave, the page
without JavaScript, evidence picker, files, submission)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.choices import EvaluationStatus, EvidenceKind
from evaluation.models import Assignment, Evaluation, EvaluationFile, Evidence, Score
from evaluation.rules.workflow import evaluation_return, evaluation_start
from services.models import Attachment, Case, ServiceRecord
from tests.evaluation.helpers import submitted
from tests.factories import AssignmentFactory, BeneficiaryFactory, StationFactory
from tests.services.helpers import staff_member
from tests.services.matrix_api import PNG

JSON = {"HTTP_ACCEPT": "application/json"}
# The scorecard's own reads (about 15) and the facts (``rules.facts``), whose staffing checks run at each month end.
QUERIES_AT_MOST = 120
YEAR = date.today().year


def signed_in(world, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def assignment_of(world) -> Assignment:
    return Assignment.objects.get(agency=world.orgs["agency"])


def started(world, station_key: str = "S1") -> Evaluation:
    return evaluation_start(
        assignment=assignment_of(world), station=world.stations[station_key], user=world.users["evaluator"]
    )


def score_rows(evaluation) -> list[Score]:
    return list(
        evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")
    )


def unsourced(evaluation) -> list[Score]:
    """The scores of indicators without a portal fact: no suggestion, so any score needs no comment."""
    return [row for row in score_rows(evaluation) if not row.indicator.source]


def score_everything(evaluation, value=None) -> None:
    """Every indicator at its maximum (or ``value``), written straight to the rows."""
    rows = score_rows(evaluation)
    for row in rows:
        row.score = row.indicator.max_points if value is None else min(value, row.indicator.max_points)
    Score.objects.bulk_update(rows, ["score"])


def record(station, on, summary="入户探访", **fields) -> ServiceRecord:
    return ServiceRecord.objects.create(
        station=station, date=on, kind="visit", duration_minutes=60, summary=summary, **fields
    )


# --- home ------------------------------------------------------------------------------------------------------


def test_home_lists_the_agencys_assignment_with_each_station_not_started(world):
    response = signed_in(world, "evaluator").get(reverse("evaluation:home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert world.stations["S1"].name in content and world.stations["S2"].name in content
    assert f'data-start="{world.stations["S1"].pk}"' in content
    assert "0 / 23" in content


def test_home_shows_progress_as_indicators_scored_of_all(world):
    evaluation = started(world)
    rows = score_rows(evaluation)[:3]
    for row in rows:
        row.score = Decimal("1.0")
    Score.objects.bulk_update(rows, ["score"])

    response = signed_in(world, "evaluator").get(reverse("evaluation:home"))

    content = response.content.decode()
    assert "3 / 23" in content
    assert f'data-continue="{world.stations["S1"].pk}"' in content


def test_home_says_why_an_evaluation_came_back(world):
    evaluation_return(evaluation=submitted(world), user=world.users["county"], reason="缺少探访记录佐证")

    content = signed_in(world, "evaluator").get(reverse("evaluation:home")).content.decode()

    assert "data-returned" in content and "缺少探访记录佐证" in content


def test_home_marks_a_passed_deadline_as_overdue(world):
    assignment = assignment_of(world)
    assignment.starts_on = date.today() - timedelta(days=30)
    assignment.due_on = date.today() - timedelta(days=2)
    assignment.ends_on = date.today() + timedelta(days=30)
    assignment.save()

    response = signed_in(world, "evaluator").get(reverse("evaluation:home"))

    assert 'data-deadline="overdue"' in response.content.decode()


def test_home_reads_a_fixed_number_of_queries_whatever_the_stations(world, django_assert_max_num_queries):
    assignment = assignment_of(world)
    extra = [StationFactory(township=world.regions["T1"]) for _ in range(8)]
    assignment.stations.add(*extra)
    for station in extra[:4]:
        evaluation_start(assignment=assignment, station=station, user=world.users["evaluator"])
    client = signed_in(world, "evaluator")

    with django_assert_max_num_queries(8):
        response = client.get(reverse("evaluation:home"))

    assert response.content.decode().count("data-station=") == 10


def test_an_official_sees_the_assignments_of_the_region_without_start_buttons(world):
    started(world)

    response = signed_in(world, "county").get(reverse("evaluation:home"))

    content = response.content.decode()
    assert world.stations["S1"].name in content
    assert "data-start=" not in content and "data-continue=" not in content


def test_the_township_sees_only_its_own_station_of_the_assignment(world):
    response = signed_in(world, "township").get(reverse("evaluation:home"))

    content = response.content.decode()
    assert world.stations["S1"].name in content
    assert world.stations["S2"].name not in content


# --- start -----------------------------------------------------------------------------------------------------


def test_start_begins_a_draft_with_every_indicator_and_opens_its_scorecard(world):
    url = reverse("evaluation:start", args=[assignment_of(world).pk, world.stations["S1"].pk])

    response = signed_in(world, "evaluator").post(url)

    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:scorecard", args=[evaluation.pk])
    assert (evaluation.status, evaluation.scores.count()) == (EvaluationStatus.DRAFT, 23)


def test_starting_twice_continues_the_same_evaluation(world):
    url = reverse("evaluation:start", args=[assignment_of(world).pk, world.stations["S1"].pk])
    client = signed_in(world, "evaluator")
    client.post(url)

    client.post(url)

    assert Evaluation.objects.count() == 1


def test_start_refuses_a_station_outside_the_assignment_and_says_why(world):
    other = AssignmentFactory(agency=world.orgs["agency"], stations=[world.stations["S2"]])
    url = reverse("evaluation:start", args=[other.pk, world.stations["S1"].pk])

    response = signed_in(world, "evaluator").post(url, follow=True)

    assert not Evaluation.objects.exists()
    assert list(response.context["messages"])


# --- the scorecard ---------------------------------------------------------------------------------------------


def test_scorecard_shows_dimensions_with_subtotals_and_every_indicator(world):
    evaluation = started(world)
    first = score_rows(evaluation)[0]
    first.score = Decimal("3.5")
    first.save()

    response = signed_in(world, "evaluator").get(reverse("evaluation:scorecard", args=[evaluation.pk]))

    content = response.content.decode()
    assert content.count("data-subtotal=") == 5
    assert content.count('data-score="') == 23
    assert f'data-subtotal="{first.indicator.dimension_id}">3.5<' in content
    assert "data-total>3.5<" in content


def test_scorecard_opens_in_a_fixed_number_of_queries_with_a_year_of_records_as_evidence(
    world, django_assert_max_num_queries
):
    """As many queries with 60 records linked as with one: only the facts' month-end checks grow, with the months
    of the year ended (at most 12), never with the records."""
    evaluation = started(world)
    station = world.stations["S1"]
    rows = score_rows(evaluation)
    Evidence.objects.create(score=rows[0], kind=EvidenceKind.RECORD, record=record(station, date(YEAR, 1, 1)))
    client = signed_in(world, "evaluator")
    url = reverse("evaluation:scorecard", args=[evaluation.pk])
    with CaptureQueriesContext(connection) as one_record:
        client.get(url)
    records = [record(station, date(YEAR, 1, 1) + timedelta(days=n)) for n in range(1, 60)]
    Evidence.objects.bulk_create(
        Evidence(score=rows[n % len(rows)], kind=EvidenceKind.RECORD, record=item) for n, item in enumerate(records)
    )

    with django_assert_max_num_queries(min(len(one_record), QUERIES_AT_MOST)):
        response = client.get(url)

    assert response.content.decode().count("data-evidence=") == 60


def test_scorecard_sends_whoever_does_not_score_to_the_evaluation_page(world):
    evaluation = started(world)

    response = signed_in(world, "county").get(reverse("evaluation:scorecard", args=[evaluation.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:evaluation-detail", args=[evaluation.pk])


def test_scorecard_of_another_agencys_evaluation_is_404(world):
    other = AssignmentFactory(stations=[world.stations["S1"]])
    evaluation = Evaluation.objects.create(
        assignment=other, station=world.stations["S1"], template=other.template, year=other.year, stage=other.stage
    )

    response = signed_in(world, "evaluator").get(reverse("evaluation:scorecard", args=[evaluation.pk]))

    assert response.status_code == 404


def test_a_submitted_scorecard_is_read_only_and_shows_the_result(world):
    evaluation = started(world)
    score_everything(evaluation)
    signed_in(world, "evaluator").post(reverse("evaluation:scorecard-submit", args=[evaluation.pk]))

    response = signed_in(world, "evaluator").get(reverse("evaluation:scorecard", args=[evaluation.pk]))

    content = response.content.decode()
    assert 'data-score="' not in content
    assert "data-result-total>100.0<" in content
    assert 'data-result-stars="5"' in content


# --- autosave --------------------------------------------------------------------------------------------------


def test_autosave_stores_one_score_and_answers_the_new_subtotals(world):
    evaluation = started(world)
    row = unsourced(evaluation)[0]
    url = reverse("evaluation:scorecard-save", args=[evaluation.pk])

    response = signed_in(world, "evaluator").post(
        url, {"indicator": row.indicator_id, "score": "2", "comment": ""}, **JSON
    )

    body = response.json()
    row.refresh_from_db()
    assert response.status_code == 200 and body["ok"]
    assert row.score == Decimal("2.0")
    assert (body["score"], body["total"], body["scored"]) == ("2.0", "2.0", 1)
    assert body["subtotals"][str(row.indicator.dimension_id)] == "2.0"
    assert len(body["missing"]) == 22 and body["saved_at"]


def test_autosave_refuses_a_score_above_the_maximum_with_the_indicators_error(world):
    evaluation = started(world)
    row = score_rows(evaluation)[0]
    url = reverse("evaluation:scorecard-save", args=[evaluation.pk])
    above = row.indicator.max_points + Decimal("0.1")

    response = signed_in(world, "evaluator").post(url, {"indicator": row.indicator_id, "score": str(above)}, **JSON)

    row.refresh_from_db()
    assert response.status_code == 400
    assert str(row.indicator.max_points) in " ".join(response.json()["errors"])
    assert row.score is None


def test_autosave_refuses_an_override_of_the_suggestion_without_a_comment(world, monkeypatch):
    evaluation = started(world)
    row = score_rows(evaluation)[0]
    monkeypatch.setattr(
        "evaluation.rules.workflow.evaluation_suggestions", lambda evaluation: {row.indicator_id: Decimal("1.0")}
    )
    url = reverse("evaluation:scorecard-save", args=[evaluation.pk])
    client = signed_in(world, "evaluator")

    refused = client.post(url, {"indicator": row.indicator_id, "score": "2.0", "comment": ""}, **JSON)
    explained = client.post(url, {"indicator": row.indicator_id, "score": "2.0", "comment": "台账齐全"}, **JSON)

    assert refused.status_code == 400 and "1.0" in " ".join(refused.json()["errors"])
    assert explained.status_code == 200


def test_autosave_after_submission_is_refused(world):
    evaluation = started(world)
    score_everything(evaluation)
    client = signed_in(world, "evaluator")
    client.post(reverse("evaluation:scorecard-submit", args=[evaluation.pk]))
    row = score_rows(evaluation)[0]

    response = client.post(
        reverse("evaluation:scorecard-save", args=[evaluation.pk]),
        {"indicator": row.indicator_id, "score": "0"},
        **JSON,
    )

    row.refresh_from_db()
    assert response.status_code == 400
    assert row.score == row.indicator.max_points


# --- the page without JavaScript -------------------------------------------------------------------------------


def test_the_whole_form_saves_every_changed_score(world):
    evaluation = started(world)
    rows = unsourced(evaluation)[:2]
    data = {
        f"score-{rows[0].indicator_id}": "1.5",
        f"score-{rows[1].indicator_id}": "0",
        f"comment-{rows[1].indicator_id}": "无",
    }

    response = signed_in(world, "evaluator").post(reverse("evaluation:scorecard", args=[evaluation.pk]), data)

    assert response.status_code == 302
    assert [row.score for row in unsourced(evaluation)[:2]] == [Decimal("1.5"), Decimal("0.0")]


def test_the_whole_form_shows_an_error_beside_its_field_and_saves_nothing(world):
    evaluation = started(world)
    rows = score_rows(evaluation)[:2]
    data = {f"score-{rows[0].indicator_id}": "1.5", f"score-{rows[1].indicator_id}": "99"}

    response = signed_in(world, "evaluator").post(reverse("evaluation:scorecard", args=[evaluation.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors[f"score-{rows[1].indicator_id}"]
    assert all(row.score is None for row in score_rows(evaluation))


# --- submit ----------------------------------------------------------------------------------------------------


def test_submitting_with_unscored_indicators_is_refused_and_lists_them(world):
    evaluation = started(world)
    score_everything(evaluation)
    last = score_rows(evaluation)[-1]
    last.score = None
    last.save()

    response = signed_in(world, "evaluator").post(
        reverse("evaluation:scorecard-submit", args=[evaluation.pk]), follow=True
    )

    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT
    assert last.indicator.code in " ".join(str(message) for message in response.context["messages"])
    assert f'data-jump="{last.indicator_id}"' in response.content.decode()


def test_submitting_sets_total_grade_and_stars(world):
    evaluation = started(world)
    score_everything(evaluation, Decimal("3.0"))

    signed_in(world, "evaluator").post(reverse("evaluation:scorecard-submit", args=[evaluation.pk]))

    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SUBMITTED
    assert evaluation.total is not None and evaluation.grade


# --- evidence --------------------------------------------------------------------------------------------------


def test_the_picker_finds_the_stations_records_of_the_evaluated_year_only(world):
    evaluation = started(world)
    station = world.stations["S1"]
    this_year = record(station, date(YEAR, 3, 1), summary="助老探访")
    record(station, date(YEAR - 1, 3, 1), summary="助老探访")
    record(world.stations["S2"], date(YEAR, 3, 1), summary="助老探访")
    record(station, date(YEAR, 3, 2), summary="政策宣讲")

    response = signed_in(world, "evaluator").get(
        reverse("evaluation:scorecard-evidence-search", args=[evaluation.pk]), {"kind": "record", "q": "助老"}
    )

    body = response.json()
    assert [row["id"] for row in body["results"]] == [this_year.pk]
    assert body["count"] == 1


def test_the_picker_pages_twenty_at_a_time_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    evaluation = started(world)
    station = world.stations["S1"]
    for n in range(45):
        record(station, date(YEAR, 1, 1) + timedelta(days=n))
    client = signed_in(world, "evaluator")
    url = reverse("evaluation:scorecard-evidence-search", args=[evaluation.pk])

    with django_assert_max_num_queries(8):
        body = client.get(url, {"kind": "record", "page": "3"}).json()

    assert (len(body["results"]), body["page"], body["pages"], body["count"]) == (5, 3, 3, 45)


def test_the_picker_names_a_cases_person_masked_for_the_evaluator(world):
    evaluation = started(world)
    person = BeneficiaryFactory(station=world.stations["S1"], name="刘根林")
    worker = staff_member(world.stations["S1"], 7)
    Case.objects.create(station=world.stations["S1"], beneficiary=person, worker=worker, opened_on=date(YEAR, 2, 1))

    body = (
        signed_in(world, "evaluator")
        .get(reverse("evaluation:scorecard-evidence-search", args=[evaluation.pk]), {"kind": "case"})
        .json()
    )

    assert "刘*林" in body["results"][0]["title"]
    assert "刘根林" not in str(body)


def test_evidence_is_linked_to_a_score_and_removed_again(world):
    evaluation = started(world)
    row = score_rows(evaluation)[0]
    item = record(world.stations["S1"], date(YEAR, 4, 1))
    client = signed_in(world, "evaluator")

    added = client.post(
        reverse("evaluation:scorecard-evidence-add", args=[evaluation.pk]),
        {"score": row.pk, "kind": "record", "target": item.pk},
        **JSON,
    )
    evidence = Evidence.objects.get()
    removed = client.post(added.json()["evidence"]["remove_url"], **JSON)

    assert added.status_code == 201 and evidence.record == item and evidence.score == row
    assert removed.status_code == 200 and not Evidence.objects.exists()


def test_evidence_from_another_year_is_refused(world):
    evaluation = started(world)
    row = score_rows(evaluation)[0]
    old = record(world.stations["S1"], date(YEAR - 1, 4, 1))

    response = signed_in(world, "evaluator").post(
        reverse("evaluation:scorecard-evidence-add", args=[evaluation.pk]),
        {"score": row.pk, "kind": "record", "target": old.pk},
        **JSON,
    )

    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_an_attachment_of_the_year_can_back_a_score(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evaluation = started(world)
    row = score_rows(evaluation)[0]
    attachment = Attachment.objects.create(
        record=record(world.stations["S1"], date(YEAR, 5, 1)),
        file=SimpleUploadedFile("台账.png", PNG),
        original_name="台账.png",
        content_type="image/png",
        size=len(PNG),
        uploaded_by=world.users["worker"],
    )

    response = signed_in(world, "evaluator").post(
        reverse("evaluation:scorecard-evidence-add", args=[evaluation.pk]),
        {"score": row.pk, "kind": "attachment", "target": attachment.pk},
    )

    assert response.status_code == 302
    assert Evidence.objects.get().attachment == attachment


def test_an_uploaded_file_is_kept_and_linked_to_its_indicator(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evaluation = started(world)
    row = score_rows(evaluation)[0]
    client = signed_in(world, "evaluator")

    response = client.post(
        reverse("evaluation:scorecard-file-add", args=[evaluation.pk]),
        {"score": row.pk, "upload": SimpleUploadedFile("现场.png", PNG, "image/png")},
        **JSON,
    )

    upload = EvaluationFile.objects.get()
    assert response.status_code == 201
    assert Evidence.objects.get().file == upload
    assert client.get(reverse("evaluation:file", args=[evaluation.pk, upload.pk])).status_code == 200


def test_an_upload_that_is_not_an_image_or_pdf_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evaluation = started(world)

    response = signed_in(world, "evaluator").post(
        reverse("evaluation:scorecard-file-add", args=[evaluation.pk]),
        {"upload": SimpleUploadedFile("x.png", b"MZ not an image", "image/png")},
        **JSON,
    )

    assert response.status_code == 400
    assert not EvaluationFile.objects.exists()


@pytest.mark.parametrize("role", ["outsider"])
def test_an_evaluation_file_is_404_outside_the_scope(world, settings, tmp_path, role):
    settings.MEDIA_ROOT = tmp_path
    evaluation = started(world)
    signed_in(world, "evaluator").post(
        reverse("evaluation:scorecard-file-add", args=[evaluation.pk]),
        {"upload": SimpleUploadedFile("现场.png", PNG, "image/png")},
    )
    upload = EvaluationFile.objects.get()

    response = signed_in(world, role).get(reverse("evaluation:file", args=[evaluation.pk, upload.pk]))

    assert response.status_code == 404
