"""The evaluation result PDF: scores by dimension, the amendments and the signature lines, as the page shows them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from evaluation.rules.workflow import evaluation_amend
from reports.choices import ReportKind, ReportStatus
from reports.models import Report
from reports.rendering import render_report_pdf
from reports.services import report_request
from tests.evaluation.helpers import published, submitted

from .pdftools import pdf_text


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def first_line(evaluation):
    return evaluation.scores.select_related("indicator").order_by("indicator__dimension__order", "indicator__order")[0]


def test_the_pdf_shows_scores_by_dimension_amendments_and_signature_lines(world, tmp_path):
    evaluation = published(world, "89.9")
    line = first_line(evaluation)
    evaluation_amend(
        evaluation=evaluation,
        user=world.users["city"],
        indicator=line.indicator_id,
        new_score="0.1",
        reason="复核场地面积",
    )
    report = Report.objects.create(kind=ReportKind.EVALUATION, station=evaluation.station, evaluation=evaluation)
    with translation.override("zh-hans"):
        text = pdf_text(render_report_pdf(report), tmp_path)
    for expected in (
        "90.0",
        "优秀",
        "服务设施",
        "人员配备",
        "服务内容",
        "运行管理",
        "评价监督",
        "复核场地面积",
        "评估人员",
    ):
        assert expected in text, expected
    assert evaluation.station.name in text


def test_only_a_published_evaluation_has_a_result_report(world):
    evaluation = submitted(world)
    with pytest.raises(PermissionDenied):
        report_request(user=world.users["city"], kind=ReportKind.EVALUATION, evaluation=evaluation)


def test_an_evaluation_report_is_one_job_per_evaluation_and_another_agency_does_not_see_it(world, settings_media):
    evaluation = published(world)
    report, queued = report_request(user=world.users["city"], kind=ReportKind.EVALUATION, evaluation=evaluation)
    again, queued_again = report_request(
        user=world.users["township"], kind=ReportKind.EVALUATION, evaluation=evaluation
    )
    assert queued and not queued_again and again == report
    assert report.scope_key == f"evaluation:{evaluation.pk}" and report.station == evaluation.station
    assert Report.objects.visible_to(world.users["evaluator"]).filter(pk=report.pk).exists()
    world.users["evaluator"].organization = world.orgs["op"]
    assert not Report.objects.visible_to(world.users["evaluator"]).filter(pk=report.pk).exists()


def test_an_amendment_queues_the_result_pdf_again(world, settings_media, django_capture_on_commit_callbacks):
    evaluation = published(world)
    with django_capture_on_commit_callbacks(execute=True):
        report, _queued = report_request(user=world.users["city"], kind=ReportKind.EVALUATION, evaluation=evaluation)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    line = first_line(evaluation)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        evaluation_amend(
            evaluation=evaluation,
            user=world.users["city"],
            indicator=line.indicator_id,
            new_score=line.indicator.max_points - Decimal("0.5"),
            reason="复核",
        )
    assert callbacks
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 2
