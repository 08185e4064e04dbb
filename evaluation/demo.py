"""Demo evaluation: Haining's 12 stations evaluated for last year (annual, published) and this year's mid-term
under way, with satisfaction surveys and the two-way assessment of 马桥街道.

Everything goes through the rules, by the demo accounts, so the demo shows what users would have made: last
year's results span the four grades (马桥 excellent, one station failing), one was corrected by an amendment and
马桥's township objected to one score; this year's mid-term has drafts, one submitted and one returned evaluation.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F

from accounts.models import User
from stations.demo import DEMO_TOWNSHIP, DemoStations

from .choices import Stage, SurveyChannel, TownshipAnswer, TwoWayDirection
from .models import Amendment, Assignment, Evaluation, Indicator, ScorecardTemplate, Survey
from .rules.surveys import survey_create, survey_response_record
from .rules.twoway import two_way_rate
from .rules.workflow import (
    evaluation_amend,
    evaluation_answer,
    evaluation_publish,
    evaluation_return,
    evaluation_review,
    evaluation_start,
    evaluation_submit,
    scores_write,
)

# Last year's annual totals, one per Haining station in the order of the station list: all four grades.
LAST_YEAR_TOTALS = {
    DEMO_TOWNSHIP: "96.5",
    "硖石街道": "92.0",
    "海洲街道": "90.5",
    "海昌街道": "88.0",
    "许村镇": "85.5",
    "长安镇": "83.0",
    "周王庙镇": "80.5",
    "盐官镇": "78.0",
    "斜桥镇": "72.5",
    "丁桥镇": "66.0",
    "袁花镇": "61.5",
    "黄湾镇": "54.0",
}
COMMENTS = ["台账齐全，现场核实一致", "资料基本齐全", "部分材料待补充", "现场查看与平台记录一致"]
SHORTFALL_COMMENTS = ["个别台账缺失", "佐证材料不足", "服务覆盖面有待扩大", "制度执行不到位"]


@dataclass
class DemoEvaluation:
    published: int = 0
    drafts: int = 0
    surveys: int = 0
    responses: int = 0
    grades: dict = field(default_factory=dict)


def haining_stations(demo: DemoStations) -> list:
    return [station for name, station in demo.stations.items() if station.township.parent.name == "海宁市"]


def scorecard() -> ScorecardTemplate:
    return ScorecardTemplate.objects.get(code="station-evaluation", version=1)


def assignment(demo: DemoStations, *, year: int, stage: str, title: str, starts_on, ends_on, due_on) -> Assignment:
    found, _ = Assignment.objects.update_or_create(
        agency=demo.agency,
        year=year,
        stage=stage,
        defaults={
            "template": scorecard(),
            "region": demo.counties["海宁市"],
            "title": title,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "due_on": due_on,
        },
    )
    found.stations.set(haining_stations(demo))
    return found


def seed_assignments(demo: DemoStations, today: date) -> tuple[Assignment, Assignment]:
    """Last year's annual (its access window still open while the demo scores it) and this year's mid-term."""
    last = assignment(
        demo,
        year=today.year - 1,
        stage=Stage.ANNUAL,
        title=f"{today.year - 1}年度海宁市社工站第三方评估",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        due_on=today,
    )
    midterm = assignment(
        demo,
        year=today.year,
        stage=Stage.MIDTERM,
        title=f"{today.year}年度海宁市社工站中期评估",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        due_on=max(date(today.year, 12, 20), today),
    )
    return last, midterm


def scores_for(rng: random.Random, indicators: list[Indicator], total: Decimal, *, only: int | None = None) -> list:
    """Scores that add up to ``total``: full marks less a shortfall spread over random indicators, each with a
    comment (the demo does not follow the portal's suggestions, so every score explains itself)."""
    short = Decimal("100") - total
    rows = {indicator.pk: indicator.max_points for indicator in indicators}
    order = indicators[:]
    rng.shuffle(order)
    while short > 0:
        for indicator in order:
            take = min(short, rows[indicator.pk], Decimal(rng.choice(["0.5", "1.0", "1.5", "2.0"])))
            rows[indicator.pk] -= take
            short -= take
            if short <= 0:
                break
    chosen = indicators if only is None else indicators[:only]
    return [
        {
            "indicator": indicator.pk,
            "score": rows[indicator.pk],
            "comment": rng.choice(COMMENTS if rows[indicator.pk] == indicator.max_points else SHORTFALL_COMMENTS),
        }
        for indicator in chosen
    ]


def evaluate(rng, *, assignment: Assignment, station, total: str, users: dict, only: int | None = None):
    evaluation = evaluation_start(assignment=assignment, station=station, user=users["evaluator"])
    indicators = list(Indicator.objects.filter(template=assignment.template).order_by("dimension__order", "order"))
    scores = scores_for(rng, indicators, Decimal(total), only=only)
    scores_write(evaluation=evaluation, user=users["evaluator"], scores=scores)
    return evaluation


def seed_last_year(rng, last: Assignment, demo: DemoStations, users: dict, today: date, made: DemoEvaluation):
    for station in haining_stations(demo):
        total = LAST_YEAR_TOTALS.get(station.township.name, "80.0")
        evaluation = evaluate(rng, assignment=last, station=station, total=total, users=users)
        evaluation_submit(evaluation=evaluation, user=users["evaluator"])
        evaluation_review(evaluation=evaluation, user=users["county"], reason="材料核查无误")
        evaluation_publish(evaluation=evaluation, user=users["city"])
        made.published += 1
    # A data error found after publication: 长安镇's case records had been counted short.
    corrected = Evaluation.objects.get(assignment=last, station__township__name="长安镇")
    short = corrected.scores.select_related("indicator").filter(score__lt=F("indicator__max_points"))
    line = (
        short.filter(indicator__code="C3").first()
        or short.order_by("indicator__dimension__order", "indicator__order").first()
    )
    evaluation_amend(
        evaluation=corrected,
        user=users["city"],
        indicator=line.indicator_id,
        new_score=line.indicator.max_points,
        reason=f"复核{line.indicator.code}佐证材料：平台记录漏计，按实际补正",
    )
    # 马桥's township official objects to the satisfaction score; the city has yet to answer.
    maqiao = Evaluation.objects.get(assignment=last, station__township__name=DEMO_TOWNSHIP)
    evaluation_answer(
        evaluation=maqiao,
        user=users["township"],
        answer=TownshipAnswer.OBJECT,
        reason="满意度调查回收问卷数已达要求，E1 评分偏低，请复核",
    )
    for evaluation in Evaluation.objects.filter(assignment=last):
        made.grades[evaluation.get_grade_display()] = made.grades.get(evaluation.get_grade_display(), 0) + 1
    # The evaluation is done: the agency's access to last year's records ended with the first quarter.
    Assignment.objects.filter(pk=last.pk).update(
        starts_on=date(today.year, 1, 5), ends_on=min(date(today.year, 3, 31), today - timedelta(days=1)), due_on=None
    )


def seed_midterm(rng, midterm: Assignment, demo: DemoStations, users: dict, made: DemoEvaluation):
    """A few drafts part-scored, one submitted (马桥: the demo township's), one returned for more evidence."""
    stations = haining_stations(demo)
    maqiao = next(station for station in stations if station.township.name == DEMO_TOWNSHIP)
    others = [station for station in stations if station != maqiao]
    submitted = evaluate(rng, assignment=midterm, station=maqiao, total="91.0", users=users)
    evaluation_submit(evaluation=submitted, user=users["evaluator"])
    returned = evaluate(rng, assignment=midterm, station=others[0], total="76.5", users=users)
    evaluation_submit(evaluation=returned, user=users["evaluator"])
    evaluation_return(
        evaluation=returned, user=users["county"], reason="C2 重点对象探访缺少6月、7月的探访记录佐证，请补充后重新提交"
    )
    for station, scored in zip(others[1:5], (20, 12, 6, 0), strict=True):
        evaluate(rng, assignment=midterm, station=station, total="84.0", users=users, only=scored)
        made.drafts += 1


def seed_surveys(rng, demo: DemoStations, users: dict, today: date, made: DemoEvaluation):
    """Satisfaction surveys of every Haining station last year, and 马桥's this year (paper and online answers)."""
    years = [(today.year - 1, date(today.year - 1, 10, 1), date(today.year - 1, 11, 30))]
    if today >= date(today.year, 3, 1):
        years.append((today.year, date(today.year, 3, 1), max(date(today.year, 3, 1), today)))
    for station in haining_stations(demo):
        for year, opens_on, closes_on in years:
            if year == today.year and station.township.name != DEMO_TOWNSHIP:
                continue
            if Survey.objects.filter(station=station, year=year).exists():
                continue
            survey = survey_create(
                station=station,
                year=year,
                title=f"{year}年度服务对象满意度调查",
                opens_on=opens_on,
                closes_on=closes_on,
                questions=None,
                user=users["admin"],
            )
            made.surveys += 1
            questions = list(survey.questions.values_list("pk", flat=True))
            good = 4.6 if station.township.name == DEMO_TOWNSHIP else rng.uniform(3.6, 4.5)
            for _ in range(rng.randint(32, 48)):
                answers = {pk: max(1, min(5, round(rng.gauss(good, 0.6)))) for pk in questions}
                survey_response_record(survey=survey, answers=answers, channel=SurveyChannel.PAPER, user=users["admin"])
                made.responses += 1


def seed_two_way(demo: DemoStations, users: dict, today: date):
    """马桥's township rates its operator, and the station rates the township's support, last year and this."""
    station = demo.stations[DEMO_TOWNSHIP]
    for year, shift in ((today.year - 1, Decimal("0")), (today.year, Decimal("1.5"))):
        for direction, user in (
            (TwoWayDirection.OPERATOR, users["township"]),
            (TwoWayDirection.SUPPORT, users["manager"]),
        ):
            template = ScorecardTemplate.objects.get(
                code="two-way-operator" if direction == TwoWayDirection.OPERATOR else "two-way-support", version=1
            )
            scores = {
                indicator.pk: max(Decimal("0"), indicator.max_points - Decimal(index % 3) - shift)
                for index, indicator in enumerate(template.indicators.order_by("order"))
            }
            two_way_rate(
                station=station,
                year=year,
                direction=direction,
                scores=scores,
                comment="总体配合良好" if direction == TwoWayDirection.OPERATOR else "镇街支持到位，经费拨付及时",
                user=user,
            )


def seed(rng: random.Random, demo: DemoStations, today: date) -> DemoEvaluation:
    """The demo's evaluations; the demo accounts and a year of services must be there already."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["admin", "city", "county", "township", "manager", "evaluator"])
    }
    made = DemoEvaluation()
    again = Evaluation.objects.filter(station__in=haining_stations(demo))
    Amendment.objects.filter(evaluation__in=again).delete()  # audit rows are protected: only the demo clears them
    again.delete()
    last, midterm = seed_assignments(demo, today)
    # The surveys draw from a generator of their own: a second run, which finds them made, scores as the first did.
    seed_surveys(random.Random(rng.random()), demo, users, today, made)
    seed_last_year(rng, last, demo, users, today, made)
    seed_midterm(rng, midterm, demo, users, made)
    seed_two_way(demo, users, today)
    return made
