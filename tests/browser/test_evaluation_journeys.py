"""Evaluation journeys in headless Chromium: the evaluator scores a whole scorecard from the keyboard and submits it."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from evaluation.choices import EvaluationStatus
from evaluation.models import Evaluation

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def test_evaluator_scores_a_whole_scorecard_from_the_keyboard_and_submits_it(page: Page, live_server, live_world):
    """Home -> start S1 -> every indicator scored with the keyboard only (the suggestion accepted with A where there
    is one, one suggestion overridden with a comment, the others typed), each saved as it goes -> submit -> the
    total and grade."""
    station = live_world.stations["S1"]
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server.url, "evaluator")
    page.goto(f"{live_server.url}/evaluation/")
    expect(page.locator(f'[data-station="{station.pk}"] [data-progress]')).to_have_text("0 / 23")
    page.locator(f'[data-start="{station.pk}"]').click()
    expect(page).to_have_url(re.compile(r"/evaluation/\d+/score/$"))

    cards = page.locator("[data-indicator]")
    expect(cards).to_have_count(23)
    page.locator("input[data-score]").first.focus()
    overridden = None
    for index in range(cards.count()):
        card = cards.nth(index)
        score = card.locator("input[data-score]")
        expect(score).to_be_focused()
        suggested = card.get_attribute("data-suggested")
        maximum = Decimal(score.get_attribute("data-max"))
        if suggested and overridden is None:
            overridden = card.get_attribute("data-indicator")
            page.keyboard.type(str(maximum - Decimal("1") if Decimal(suggested) == maximum else maximum))
            page.keyboard.press("Enter")  # an override without a comment: Enter goes to the comment
            expect(card.locator("textarea[data-comment]")).to_be_focused()
            page.keyboard.type("现场查看台账，与系统数据有出入")
            page.keyboard.press("Enter")
        elif suggested:
            page.keyboard.press("a")  # accept the suggestion and go on
        else:
            page.keyboard.type(str(maximum - Decimal("0.5")))
            page.keyboard.press("Enter")
        expect(card.locator("[data-saved]")).to_contain_text("已保存")
        expect(card.locator("[data-error]")).to_have_text("")
        if index == 8:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "evaluation-scorecard.png"))

    expect(page.locator("[data-scored]").first).to_have_text("23")
    expect(page.locator("#all-scored")).to_be_visible()
    submit = page.locator("#submit-button")
    expect(submit).to_be_enabled()
    expect(submit).to_be_focused()  # past the last score, Enter lands on submit
    page.keyboard.press("Enter")

    expect(page.locator("#result")).to_be_visible()
    evaluation = Evaluation.objects.get(station=station)
    assert evaluation.status == EvaluationStatus.SUBMITTED
    assert evaluation.scores.filter(score__isnull=True).count() == 0
    if overridden is not None:
        assert evaluation.scores.get(indicator_id=overridden).comment == "现场查看台账，与系统数据有出入"
    expect(page.locator("[data-result-total]")).to_have_text(str(evaluation.total))
    expect(page.locator("[data-result-grade]")).to_have_text(evaluation.get_grade_display())
    expect(page.locator("input[data-score]")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "evaluation-scorecard-submitted.png"), full_page=False)


def test_evaluator_links_a_record_of_the_year_from_the_evidence_picker(page: Page, live_server, live_world):
    """E on a score opens the picker over the station's records of the evaluated year; arrows and Enter link one."""
    from datetime import date

    from evaluation.models import Assignment, Evidence
    from evaluation.rules.workflow import evaluation_start
    from services.models import ServiceRecord

    station = live_world.stations["S1"]
    year = date.today().year
    linked = ServiceRecord.objects.create(
        station=station, date=date(year, 3, 5), kind="group", duration_minutes=90, summary="长者健康讲座"
    )
    ServiceRecord.objects.create(
        station=station, date=date(year - 1, 3, 5), kind="group", duration_minutes=90, summary="长者健康讲座"
    )
    assignment = Assignment.objects.get(agency=live_world.orgs["agency"])
    evaluation = evaluation_start(assignment=assignment, station=station, user=live_world.users["evaluator"])
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server.url, "evaluator")
    page.goto(f"{live_server.url}/evaluation/{evaluation.pk}/score/")

    page.locator("input[data-score]").first.focus()
    page.keyboard.press("e")
    expect(page.locator("#picker-query")).to_be_focused()
    page.keyboard.type("健康讲座")
    expect(page.locator("#picker-results [data-link]")).to_have_count(1)  # last year's record is not offered
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "evaluation-evidence-picker.png"))
    page.keyboard.press("ArrowDown")
    expect(page.locator("#picker-results [data-link]")).to_be_focused()
    page.keyboard.press("Enter")

    first = page.locator("[data-indicator]").first
    expect(first.locator("[data-evidence]")).to_have_count(1)
    assert Evidence.objects.get().record == linked
    page.keyboard.press("Escape")
    expect(page.locator("input[data-score]").first).to_be_focused()
