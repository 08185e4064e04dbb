"""The officials' evaluation pages: the list with its filters and chart, an evaluation's page and its steps (who
sees which, each step done, refused and out of order), assignments, and the navigation.

The world's evaluations are ``matrix_officials.build``'s: S1 submitted (opening), reviewed (mid-term) and published
with the township's objection (final), scored by the "officials" agency's evaluator.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from evaluation.choices import EvaluationStatus, Stage
from evaluation.models import Amendment, Assignment, Transition
from evaluation.rules.workflow import evaluation_return, evaluation_start
from tests.factories import StationFactory

from .matrix_officials import YEAR, assignment_data, build, shipped_template


@pytest.fixture
def officials(world):
    build(world)
    return world


def client_of(world, role: str) -> Client:
    client = Client()
    user = world.extra["officials_evaluator"] if role == "agency_evaluator" else world.users[role]
    client.force_login(user)
    return client


def detail(world, key: str) -> str:
    return f"/evaluation/{world.extra[key].pk}/"


def page_html(world, role: str, key: str) -> str:
    response = client_of(world, role).get(detail(world, key))
    assert response.status_code == 200
    return response.content.decode()


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- who sees which step -----------------------------------------------------------------------------------


def test_the_county_official_may_review_or_return_a_submitted_evaluation(officials):
    html = page_html(officials, "county", "submitted_evaluation")

    assert 'id="step-review"' in html
    assert 'id="step-return"' in html
    assert 'id="step-publish"' not in html


def test_the_county_official_is_not_offered_publishing_a_reviewed_evaluation(officials):
    html = page_html(officials, "county", "reviewed_evaluation")

    assert 'id="step-publish"' not in html
    assert 'id="step-return"' not in html  # a reviewed one is returned by who may publish it


def test_the_city_official_may_publish_or_return_a_reviewed_evaluation(officials):
    html = page_html(officials, "city", "reviewed_evaluation")

    assert 'id="step-publish"' in html
    assert 'id="step-return"' in html
    assert 'id="step-review"' not in html


def test_the_township_official_may_confirm_or_object_to_a_published_result_and_nothing_else(officials):
    html = page_html(officials, "township", "published_for_officials")

    assert 'id="step-confirm"' in html
    assert 'id="step-object"' in html
    for step in ("review", "return", "publish", "amend"):
        assert f'id="step-{step}"' not in html


def test_the_city_official_sees_the_objection_prominently_and_may_answer_it_with_an_amendment(officials):
    html = page_html(officials, "city", "published_for_officials")

    assert 'id="open-objections"' in html
    assert "服务台账已补齐" in html
    assert f"?objection={officials.extra['objection'].pk}#step-amend" in html
    assert 'id="step-amend"' in html


def test_the_answer_link_preselects_the_objection_in_the_amendment_form(officials):
    objection = officials.extra["objection"]

    response = client_of(officials, "city").get(
        f"{detail(officials, 'published_for_officials')}?objection={objection.pk}"
    )

    assert response.context["step_forms"]["amend"].initial == {"objection": objection.pk}


def test_the_county_official_sees_no_amendment_form_on_a_published_result(officials):
    html = page_html(officials, "county", "published_for_officials")

    assert 'id="step-amend"' not in html
    assert 'id="open-objections"' not in html


def test_station_staff_read_an_evaluation_without_any_step(officials):
    html = page_html(officials, "manager", "published_for_officials")

    assert 'id="step-' not in html  # no form at all
    assert 'id="scores"' in html


def test_the_evaluator_of_a_returned_draft_is_offered_the_scorecard(officials):
    evaluation = officials.extra["submitted_evaluation"]
    evaluation_return(evaluation=evaluation, user=officials.users["county"], reason="缺少证据")

    html = page_html(officials, "agency_evaluator", "submitted_evaluation")

    assert f'href="/evaluation/{evaluation.pk}/score/"' in html
    assert 'id="step-review"' not in html


def test_the_page_shows_header_scores_by_dimension_steps_and_answers(officials):
    evaluation = officials.extra["published_for_officials"]

    html = page_html(officials, "city", "published_for_officials")

    assert f'id="evaluation-total">{evaluation.total}' in html
    assert 'data-grade="excellent"' in html
    assert html.count('data-dimension="') == shipped_template().dimensions.count()
    assert html.count('data-indicator="') == shipped_template().indicators.count()
    assert html.count('data-step="') == 3  # submitted, reviewed, published
    assert 'data-answer="object"' in html
    assert "现场核实" in html  # the evaluator's comments


def test_a_published_evaluation_offers_its_result_pdf_and_then_links_to_it(officials, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_of(officials, "city")
    page = client.get(detail(officials, "published_for_officials")).content.decode()
    assert 'id="evaluation-pdf-request"' in page and 'id="evaluation-pdf"' not in page

    asked = client.post(reverse("reports:evaluation", args=[officials.extra["published_for_officials"].pk]))

    assert asked.status_code == 302
    page = client.get(detail(officials, "published_for_officials")).content.decode()
    assert 'id="evaluation-pdf"' in page
    draft = client.get(detail(officials, "submitted_evaluation")).content.decode()
    assert "evaluation-pdf" not in draft


# --- the steps ----------------------------------------------------------------------------------------------


def test_reviewing_moves_the_evaluation_on_and_goes_back_to_its_page(officials):
    evaluation = officials.extra["submitted_evaluation"]

    response = client_of(officials, "county").post(
        f"{detail(officials, 'submitted_evaluation')}review/", {"review-reason": "材料齐全"}
    )

    assert response.status_code == 302
    assert response["Location"] == detail(officials, "submitted_evaluation")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REVIEWED
    assert Transition.objects.filter(evaluation=evaluation, to_status="reviewed", reason="材料齐全").exists()
    assert message_texts(response) == ["评估已审核，可由市级民政干部发布。"]


def test_the_county_official_cannot_publish(officials):
    evaluation = officials.extra["reviewed_evaluation"]

    response = client_of(officials, "county").post(f"{detail(officials, 'reviewed_evaluation')}publish/", {})

    assert response.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REVIEWED


def test_publishing_by_the_city_official_makes_the_result_the_station_s(officials):
    evaluation = officials.extra["reviewed_evaluation"]

    response = client_of(officials, "city").post(f"{detail(officials, 'reviewed_evaluation')}publish/", {})

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLISHED
    assert evaluation.published_at is not None


def test_a_step_out_of_order_shows_the_rule_s_message_and_changes_nothing(officials):
    evaluation = officials.extra["submitted_evaluation"]
    steps = Transition.objects.count()

    response = client_of(officials, "city").post(
        f"{detail(officials, 'submitted_evaluation')}publish/", {}, follow=True
    )

    assert response.status_code == 200
    assert escape(_("Only a reviewed evaluation can be published.")) in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SUBMITTED
    assert Transition.objects.count() == steps


def test_reviewing_twice_is_refused_with_a_message(officials):
    client = client_of(officials, "county")
    client.post(f"{detail(officials, 'submitted_evaluation')}review/", {})

    response = client.post(f"{detail(officials, 'submitted_evaluation')}review/", {})

    assert response.status_code == 302
    assert message_texts(response)[-1] == _("Only a submitted evaluation can be reviewed.")


def test_returning_without_a_reason_shows_the_error_on_the_reason_and_changes_nothing(officials):
    evaluation = officials.extra["submitted_evaluation"]

    response = client_of(officials, "county").post(
        f"{detail(officials, 'submitted_evaluation')}return/", {"return-reason": "  "}
    )

    assert response.status_code == 200
    form = response.context["step_forms"]["return"]
    assert form.errors["reason"] == [_("Say why the evaluation goes back to the evaluator.")]
    assert 'id="id_return-reason_errors"' in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SUBMITTED


def test_returning_with_a_reason_sends_it_back_to_draft(officials):
    evaluation = officials.extra["submitted_evaluation"]

    client_of(officials, "county").post(
        f"{detail(officials, 'submitted_evaluation')}return/", {"return-reason": "A2 缺少证据"}
    )

    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT
    assert evaluation.total is None


def test_the_evaluator_cannot_review(officials):
    response = client_of(officials, "agency_evaluator").post(f"{detail(officials, 'submitted_evaluation')}review/", {})

    assert response.status_code == 403


def amend(world, **data):
    evaluation = world.extra["published_for_officials"]
    first = evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")[0]
    post = {
        "amend-indicator": str(first.indicator_id),
        "amend-new_score": str(first.indicator.max_points),
        "amend-reason": "复核台账后更正",
        "amend-objection": str(world.extra["objection"].pk),
    }
    post.update({f"amend-{key}": value for key, value in data.items()})
    return client_of(world, "city").post(f"{detail(world, 'published_for_officials')}amend/", post), first


def test_an_amendment_answers_the_objection_and_recomputes_the_total(officials):
    evaluation = officials.extra["published_for_officials"]
    before = evaluation.total

    response, score = amend(officials)

    assert response.status_code == 302
    amendment = Amendment.objects.get(evaluation=evaluation)
    assert amendment.objection == officials.extra["objection"]
    evaluation.refresh_from_db()
    assert evaluation.total == before + (score.indicator.max_points - score.score)
    html = page_html(officials, "city", "published_for_officials")
    assert 'id="open-objections"' not in html  # answered
    assert f'data-amendment="{amendment.pk}"' in html


def test_an_amendment_above_the_maximum_shows_the_error_on_the_score_and_changes_nothing(officials):
    evaluation = officials.extra["published_for_officials"]
    first = evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")[0]

    response, _score = amend(officials, new_score=str(first.indicator.max_points + Decimal("1")))

    assert response.status_code == 200
    assert "new_score" in response.context["step_forms"]["amend"].errors
    assert 'id="id_amend-new_score_errors"' in response.content.decode()
    assert not Amendment.objects.exists()


def test_an_amendment_without_a_reason_is_refused_on_the_reason(officials):
    response, _score = amend(officials, reason="")

    assert response.context["step_forms"]["amend"].errors["reason"] == [_("Say why the score is corrected.")]
    assert not Amendment.objects.exists()


def test_an_amendment_of_an_unpublished_evaluation_is_a_conflict_message(officials):
    evaluation = officials.extra["reviewed_evaluation"]
    first = evaluation.scores.order_by("indicator__dimension__order", "indicator__order")[0]

    response = client_of(officials, "city").post(
        f"{detail(officials, 'reviewed_evaluation')}amend/",
        {"amend-indicator": str(first.indicator_id), "amend-new_score": "1", "amend-reason": "更正"},
    )

    assert response.status_code == 302
    assert message_texts(response) == [
        _("Only a published evaluation is amended; before that, return it to the evaluator.")
    ]
    assert not Amendment.objects.exists()


def test_the_township_official_confirms_the_result(officials):
    evaluation = officials.extra["published_for_officials"]

    response = client_of(officials, "township").post(f"{detail(officials, 'published_for_officials')}confirm/", {})

    assert response.status_code == 302
    assert evaluation.responses.order_by("-at", "-pk").first().answer == "confirm"
    assert message_texts(response) == ["结果已确认。"]


def test_an_objection_without_a_reason_shows_the_error_on_the_reason(officials):
    evaluation = officials.extra["published_for_officials"]
    answers = evaluation.responses.count()

    response = client_of(officials, "township").post(
        f"{detail(officials, 'published_for_officials')}object/", {"object-reason": ""}
    )

    assert response.status_code == 200
    assert response.context["step_forms"]["object"].errors["reason"] == [_("Say what you object to.")]
    assert evaluation.responses.count() == answers


def test_the_city_official_cannot_answer_for_the_township(officials):
    response = client_of(officials, "city").post(f"{detail(officials, 'published_for_officials')}confirm/", {})

    assert response.status_code == 403


# --- the list ----------------------------------------------------------------------------------------------


def list_page(world, role: str = "city", query: str = ""):
    return client_of(world, role).get(f"/evaluation/evaluations/{query}")


def test_the_list_filters_by_status(officials):
    response = list_page(officials, query="?status=reviewed")

    assert [e.pk for e in response.context["object_list"]] == [officials.extra["reviewed_evaluation"].pk]


def test_the_list_filters_evaluations_not_graded_yet(officials):
    evaluation_return(
        evaluation=officials.extra["submitted_evaluation"], user=officials.users["county"], reason="补证据"
    )

    response = list_page(officials, query="?grade=none")

    assert [e.pk for e in response.context["object_list"]] == [officials.extra["submitted_evaluation"].pk]


def test_the_list_filters_by_township(officials):
    response = list_page(officials, query=f"?region={officials.regions['T2'].pk}")

    assert list(response.context["object_list"]) == []


def test_the_chart_counts_the_filtered_evaluations_by_grade_including_those_not_graded(officials):
    evaluation_return(
        evaluation=officials.extra["submitted_evaluation"], user=officials.users["county"], reason="补证据"
    )

    distribution = list_page(officials).context["distribution"]

    grades = {grade: n for grade, _label, n in distribution["grades"]}
    assert grades == {"excellent": 2, "good": 0, "pass": 0, "fail": 0, "none": 1}
    statuses = {status: n for status, _label, n, _colour in distribution["statuses"]}
    assert statuses == {"draft": 1, "submitted": 0, "reviewed": 1, "published": 1}


def test_the_chart_follows_the_filters(officials):
    distribution = list_page(officials, query="?stage=final").context["distribution"]

    assert distribution["total"] == 1
    assert {grade: n for grade, _label, n in distribution["grades"]}["excellent"] == 1


def test_the_outsider_lists_none_of_them(officials):
    response = list_page(officials, role="outsider")

    assert list(response.context["object_list"]) == []
    assert response.context["distribution"]["total"] == 0


def test_the_export_is_a_spreadsheet_of_the_filtered_evaluations(officials):
    response = list_page(officials, query="?status=published&export=xlsx")

    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the published one
    assert rows[1][0] == officials.stations["S1"].name


def more_evaluations(world, n: int) -> None:
    """``n`` more stations of T1 evaluated under a fresh assignment (submitted), to see the query count hold."""
    agency, evaluator = world.extra["officials_agency"], world.extra["officials_evaluator"]
    assignment = Assignment.objects.create(
        agency=agency,
        year=YEAR,
        stage=Stage.ANNUAL,
        template=shipped_template(),
        starts_on=date(YEAR, 1, 1),
        ends_on=date(YEAR, 12, 31),
    )
    stations = [StationFactory(township=world.regions["T1"]) for _ in range(n)]
    assignment.stations.set(stations)
    for station in stations:
        evaluation_start(assignment=assignment, station=station, user=evaluator)


def test_the_list_runs_a_fixed_number_of_queries(officials, django_assert_max_num_queries):
    client = client_of(officials, "city")
    with django_assert_max_num_queries(14) as few:
        client.get("/evaluation/evaluations/")
    queries = len(few.captured_queries)  # read now: the next request clears the log it is a slice of
    more_evaluations(officials, 6)

    with django_assert_max_num_queries(queries):
        response = client.get("/evaluation/evaluations/")

    assert len(response.context["object_list"]) == 9


def test_the_evaluation_page_runs_a_fixed_number_of_queries(officials, django_assert_max_num_queries):
    client = client_of(officials, "city")
    with django_assert_max_num_queries(60) as first:
        client.get(detail(officials, "published_for_officials"))
    queries = len(first.captured_queries)  # read now: the next request clears the log it is a slice of
    amend(officials)

    with django_assert_max_num_queries(queries):
        client.get(detail(officials, "published_for_officials"))


# --- assignments ------------------------------------------------------------------------------------------


def test_an_official_creates_an_assignment_for_stations_of_their_region(officials):
    response = client_of(officials, "county").post(
        "/evaluation/assignments/new/", {**assignment_data(officials), "title": "县级年度评估"}
    )

    assert response.status_code == 302
    created = Assignment.objects.get(title="县级年度评估")
    assert created.region == officials.regions["A1"]
    assert list(created.stations.all()) == [officials.stations["S1"]]


def test_a_station_outside_the_region_is_refused(officials):
    data = {**assignment_data(officials), "title": "越界任务", "stations": [str(officials.stations["S3"].pk)]}

    response = client_of(officials, "county").post("/evaluation/assignments/new/", data)

    assert response.status_code == 200
    assert "stations" in response.context["form"].errors
    assert not Assignment.objects.filter(title="越界任务").exists()


def test_the_due_date_must_lie_within_the_access_period(officials):
    data = {**assignment_data(officials), "title": "逾期任务", "due_on": f"{YEAR}-12-20"}

    response = client_of(officials, "county").post("/evaluation/assignments/new/", data)

    assert response.context["form"].errors["due_on"] == [_("The due day must lie within the access period.")]
    assert not Assignment.objects.filter(title="逾期任务").exists()


def test_the_form_offers_only_the_region_s_stations_grouped_by_township(officials):
    response = client_of(officials, "county").get("/evaluation/assignments/new/")

    groups = dict(response.context["form"].station_groups())
    assert set(groups) == {"马桥街道", "许村镇"}
    assert "大桥镇" not in response.content.decode()


def test_once_evaluations_exist_the_scorecard_year_and_stage_are_locked(officials):
    assignment = officials.extra["submitted_evaluation"].assignment
    data = {**assignment_data(officials), "year": str(YEAR - 1), "stage": "annual", "title": "改名"}

    response = client_of(officials, "city").post(f"/evaluation/assignments/{assignment.pk}/edit/", data)

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.title, assignment.year, assignment.stage) == ("改名", YEAR, Stage.OPENING)
    html = client_of(officials, "city").get(f"/evaluation/assignments/{assignment.pk}/edit/").content.decode()
    assert 'id="assignment-locked"' in html


def test_a_station_being_evaluated_cannot_be_taken_out_of_the_assignment(officials):
    assignment = officials.extra["submitted_evaluation"].assignment
    data = {**assignment_data(officials), "stations": [str(officials.stations["S2"].pk)]}

    response = client_of(officials, "city").post(f"/evaluation/assignments/{assignment.pk}/edit/", data)

    assert response.status_code == 200
    assert "stations" in response.context["form"].errors
    assert list(assignment.stations.all()) == [officials.stations["S1"]]


def test_a_county_cannot_edit_an_assignment_the_city_commissioned(officials):
    assignment = officials.extra["submitted_evaluation"].assignment  # commissioned by city A

    response = client_of(officials, "county").get(f"/evaluation/assignments/{assignment.pk}/edit/")

    assert response.status_code == 404


def test_the_assignment_list_counts_stations_and_evaluations(officials, django_assert_max_num_queries):
    client = client_of(officials, "city")
    with django_assert_max_num_queries(12):
        response = client.get("/evaluation/assignments/?stage=final")

    (row,) = response.context["object_list"]
    assert (row.station_count, row.evaluation_count, row.published_count) == (1, 1, 1)


# --- navigation -------------------------------------------------------------------------------------------


def nav(response) -> list[tuple[str, str, bool]]:
    return [(str(item.label), item.url, item.active) for item in response.context["nav_items"]]


def test_officials_have_evaluation_in_the_menu_highlighted_on_every_evaluation_page(officials):
    client = client_of(officials, "city")
    for url in ("/evaluation/evaluations/", detail(officials, "submitted_evaluation"), "/evaluation/assignments/new/"):
        entries = nav(client.get(url))
        assert ("评估", "/evaluation/evaluations/", True) in entries, url


def test_the_evaluation_tabs_lead_to_the_four_pages(officials):
    html = client_of(officials, "city").get("/evaluation/assignments/").content.decode()

    for url in (
        "/evaluation/evaluations/",
        "/evaluation/assignments/",
        "/evaluation/templates/",
        "/evaluation/policies/",
    ):
        assert f'href="{url}"' in html


def test_evaluators_have_my_evaluations_and_the_evaluation_records(officials):
    entries = nav(client_of(officials, "evaluator").get("/evaluation/evaluations/"))

    assert ("我的评估", "/evaluation/", False) in entries
    assert ("评估记录", "/evaluation/evaluations/", True) in entries


def test_station_staff_have_their_station_s_evaluation_results(officials):
    entries = nav(client_of(officials, "manager").get("/"))

    station = officials.stations["S1"].pk
    assert ("评估", f"/evaluation/stations/{station}/results/", False) in entries


def test_the_assignment_list_links_to_the_edit_page_only_where_the_official_may_edit(officials):
    html = client_of(officials, "county").get("/evaluation/assignments/").content.decode()

    assert f"/evaluation/assignments/{officials.extra['open_assignment'].pk}/edit/" in html  # commissioned by A1
    city_commissioned = officials.extra["submitted_evaluation"].assignment_id
    assert f"/evaluation/assignments/{city_commissioned}/edit/" not in html
