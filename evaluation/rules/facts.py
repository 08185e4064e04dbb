"""Evidence-backed scoring (issue 9, item 5): the facts the portal's own rules compute for a station and the
evaluated year, one ``SourceFacts`` per ``IndicatorSource``, and the score they suggest for an indicator.

Nothing here re-implements a rule: each source calls the function its app already uses for its own pages
(``station_compliance``, ``portfolio_check``, ``month_visit_rate``, ``record_totals``, ``projects_progress``,
``station_checklist``, ``station_satisfaction``) or counts rows of the year in one aggregate query. Facts are
computed, not scoped: the evaluator sees what the station's staff would see, and every link points at a page the
evaluator of an assigned station can open (records, cases and visits of the evaluated year).

"As of": a year's months count once they have ended (a month is judged on the day after its last, as the visits
page does); ``evaluation_facts`` looks at an evaluation as of the day it was submitted (today while a draft), so
the PDF of a mid-term evaluation shows what the evaluator scored on.

Each source gives a ``ratio`` from 0 to 1, or None when nothing can be suggested; the suggested score of an
indicator is ``ratio x max_points`` rounded half-up to 0.1 (``suggested_score``). The formulas:

- ``staffing``: the share of the year's month-end checks (the months ended) on which every rule of the staffing
  standard (``station_compliance``) was met; None before the first month of the year has ended. The facts list,
  for each rule, the month ends it failed on. (The roster dates who was hired and left, not when a certificate or
  a salary changed, so the checks are at month ends, as the compliance page is read, not at exact dates.)
- ``portfolio``: the share of the "123X" portfolio's required places (1 core, 2 brand and 3 basic projects)
  filled exactly once: 1 when ``portfolio_check`` finds it valid, each problem (a place missing or duplicated)
  taking one place off, floored at 0.
- ``visits``: the mean of the monthly key-target visit rates (``month_visit_rate``) of the months ended that had
  key targets, over the service policy's goal, at most 1 (1 when the goal is 0); None when no month ended with key
  targets. The months under the goal are listed, each linked to its month on the visits page.
- ``cases``: the share of the cases closed in the year whose score after is above the score before; 0 when no case
  was closed (a year without a closed case shows no outcome). The mean scores before and after are shown.
- ``services``: the share of the targets (beneficiaries, sessions, communities) set by the year's projects that
  their records reach (``projects_progress``); None when no project of the year sets a target. The year's records,
  the registered people they name, unregistered attendances and hours (``record_totals``) are shown beside it.
- ``focus_problems``: the focus problems solved in the year over those open at some time in it (reported by its
  end and not solved before it began); None when none was open.
- ``satisfaction``: (mean - 1) / 4 of the year's survey answers on the 1-5 scale (``station_satisfaction``), once
  at least ``EVALUATION_SATISFACTION_MIN_RESPONSES`` responses (default ``MIN_SURVEY_RESPONSES``, 30: fewer is too
  small a sample to suggest a score on) were collected; None below that.
- ``standard``: the share of the active construction-standard items checked as met (``station_checklist``; an
  item never checked counts as not met); None without active items. The checklist holds the current state only.

The facts of a station and year are computed once and cached for ``FACTS_CACHE_SECONDS`` (scores are saved one at
a time while scoring, and each save asks for the suggestion again); the key carries ``FACTS_VERSION``, the day
the facts are as of and the language the labels are in.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from services.choices import BASIC_SUBTYPES, BRAND_SUBTYPES, CaseStatus, FocusProblemStatus, ProjectCategory
from services.models import Case, FocusProblem, Project, ServiceRecord
from services.rules import month_end, month_visit_rate, portfolio_check, projects_progress, service_policy_for
from services.selectors import record_totals
from staffing.rules import station_compliance
from staffing.selectors import CHECK_LABELS, RULE_CODES, check_row
from stations.models import Station
from stations.rules import station_checklist
from stations.templatetags.portal import percent, plain_number

from ..choices import EvaluationStatus, IndicatorSource
from .grading import points
from .surveys import station_satisfaction

FACTS_VERSION = 1  # raise when a formula or the shape of the facts changes, so no cached fact outlives it
FACTS_CACHE_SECONDS = 300
MIN_SURVEY_RESPONSES = 30
ONE = Decimal("1")


@dataclass(frozen=True)
class Fact:
    """One thing the portal knows, worded for people: ``ok`` marks it good or bad (None: neither), ``url`` the page
    that shows it."""

    label: str
    value: str
    ok: bool | None = None
    url: str | None = None


@dataclass(frozen=True)
class SourceFacts:
    """The facts of one source for a station and year, the ratio (0 to 1, None: no suggestion) they suggest of an
    indicator's maximum, and the formula in one line."""

    source: str
    title: str
    facts: list[Fact]
    ratio: Decimal | None
    explanation: str


# --- the public functions --------------------------------------------------------------------------------------


def station_facts(*, station: Station, year: int, on: date | None = None) -> dict[str, SourceFacts]:
    """``IndicatorSource`` value -> the facts of ``station`` in ``year`` as of ``on`` (today), cached a few minutes.

    A fixed number of queries whatever the number of records (about a hundred cold, none cached): each source is
    one or a few aggregates, and the month by month sources twelve of them at most.
    """
    on = on or timezone.localdate()
    key = f"evaluation-facts:v{FACTS_VERSION}:{station.pk}:{year}:{on.isoformat()}:{translation.get_language()}"
    found = cache.get(key)
    if found is not None:
        return found
    station = Station.objects.select_related("township").get(pk=station.pk)
    facts = {source.value: build(station=station, year=year, on=on) for source, build in BUILDERS.items()}
    cache.set(key, facts, FACTS_CACHE_SECONDS)
    return facts


def suggested_score(*, indicator, facts: SourceFacts | None) -> Decimal | None:
    """``facts.ratio`` x ``indicator.max_points``, rounded half-up to 0.1; None when the facts suggest nothing."""
    if facts is None or facts.ratio is None:
        return None
    ratio = min(max(facts.ratio, Decimal("0")), ONE)
    return points(ratio * indicator.max_points)


def evaluation_facts(evaluation) -> dict[int, SourceFacts | None]:
    """Indicator id -> the facts of its source for the evaluation's station and year (None: no source)."""
    return {indicator.pk: facts for indicator, facts in indicator_facts(evaluation)}


def evaluation_suggestions(evaluation) -> dict[int, Decimal | None]:
    """Indicator id -> the suggested score of each indicator of the evaluation's scorecard (None: no suggestion)."""
    return {
        indicator.pk: suggested_score(indicator=indicator, facts=facts)
        for indicator, facts in indicator_facts(evaluation)
    }


def indicator_facts(evaluation) -> list[tuple]:
    """(indicator, its source's facts or None) for each indicator of the evaluation's scorecard, in order; the
    station's facts computed once."""
    indicators = list(evaluation.template.indicators.all())
    facts = {}
    if any(indicator.source for indicator in indicators):
        facts = station_facts(station=evaluation.station, year=evaluation.year, on=facts_date(evaluation))
    return [(indicator, facts.get(indicator.source) if indicator.source else None) for indicator in indicators]


def facts_date(evaluation) -> date:
    """The day an evaluation's facts are as of: the day it was submitted, or today while it is a draft."""
    if evaluation.status != EvaluationStatus.DRAFT and evaluation.submitted_at is not None:
        return timezone.localdate(evaluation.submitted_at)
    return timezone.localdate()


def min_survey_responses() -> int:
    return getattr(settings, "EVALUATION_SATISFACTION_MIN_RESPONSES", MIN_SURVEY_RESPONSES)


# --- helpers ---------------------------------------------------------------------------------------------------


def link(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def ended_months(year: int, on: date) -> list[date]:
    """The first days of the months of ``year`` over by ``on`` (a month counts from the day after its last day)."""
    return [start for start in (date(year, month, 1) for month in range(1, 13)) if month_end(start) < on]


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole)


def out_of(part, whole) -> str:
    return f"{part} / {whole}"


def source_title(source: str) -> str:
    return str(IndicatorSource(source).label)


def source_facts(source: IndicatorSource, facts: list[Fact], ratio: Decimal | None, explanation: str) -> SourceFacts:
    return SourceFacts(source.value, source_title(source), facts, ratio, explanation)


# --- the sources -----------------------------------------------------------------------------------------------


def staffing_source(*, station: Station, year: int, on: date) -> SourceFacts:
    explanation = _("Share of the year's month-end checks on which every rule of the staffing standard was met.")
    days = [month_end(start) for start in ended_months(year, on)]
    if not days:
        fact = Fact(_("Month-end checks"), _("No month of %(year)s has ended yet.") % {"year": year})
        return source_facts(IndicatorSource.STAFFING, [fact], None, explanation)
    checks = [station_compliance(station=station, on=day) for day in days]
    compliant = sum(1 for check in checks if check.compliant)
    last = checks[-1]
    facts = [
        Fact(
            _("Month-end checks with every rule met"),
            out_of(compliant, len(checks)),
            compliant == len(checks),
            link("staffing:compliance", on=last.date.isoformat(), show="all"),
        )
    ]
    for code in RULE_CODES:
        failed = [check for check in checks for rule in check.checks if rule.code == code and not rule.ok]
        label = str(CHECK_LABELS[code])
        if not failed:
            facts.append(Fact(label, _("Met at every month end"), True))
            continue
        row = check_row(next(rule for rule in failed[-1].checks if rule.code == code))
        value = _("Not met on %(dates)s (last: %(actual)s, required %(required)s)") % {
            "dates": ", ".join(check.date.isoformat() for check in failed),
            "actual": row.actual,
            "required": row.required,
        }
        facts.append(Fact(label, value, False, link("staffing:compliance", on=failed[0].date.isoformat(), rule=code)))
    return source_facts(IndicatorSource.STAFFING, facts, share(compliant, len(checks)), explanation)


def portfolio_source(*, station: Station, year: int, on: date) -> SourceFacts:
    places = 1 + len(BRAND_SUBTYPES) + len(BASIC_SUBTYPES)
    explanation = _(
        "Share of the %(places)s required places of “123X” (1 core, 2 brand, 3 basic projects) filled exactly once."
    ) % {"places": places}
    portfolio = portfolio_check(station=station, year=year)
    url = link("services:portfolio", station.pk, year=year)
    facts = [
        Fact(
            _("“123X” portfolio of %(year)s") % {"year": year},
            _("Valid") if portfolio.valid else _("%(n)s problems") % {"n": len(portfolio.problems)},
            portfolio.valid,
            url,
        ),
        *(
            Fact(str(category.label), str(portfolio.counts.get(category.value, 0)), None, url)
            for category in ProjectCategory
        ),
        *(Fact(_("Problem"), problem.message, False, url) for problem in portfolio.problems),
    ]
    ratio = share(max(places - len(portfolio.problems), 0), places)
    return source_facts(IndicatorSource.PORTFOLIO, facts, ratio, explanation)


def visits_source(*, station: Station, year: int, on: date) -> SourceFacts:
    explanation = _(
        "Mean of the monthly key-target visit rates of the months ended, over the policy's goal, at most 1."
    )
    months = [month_visit_rate(station=station, month=start, on=on) for start in ended_months(year, on)]
    counted = [month for month in months if month.rate is not None]
    goal = months[0].goal if months else service_policy_for(station=station, year=year).key_target_visit_goal
    goal_fact = Fact(_("Monthly visit rate goal"), percent(goal))
    if not counted:
        value = _("No month of %(year)s has ended with key targets.") % {"year": year}
        facts = [Fact(_("Months with key targets"), value, None, link("services:visits", station.pk)), goal_fact]
        return source_facts(IndicatorSource.VISITS, facts, None, explanation)
    mean = sum((month.rate for month in counted), Decimal("0")) / len(counted)
    under = [month for month in counted if month.rate < goal]
    last = counted[-1]
    facts = [
        Fact(
            _("Mean monthly visit rate"),
            percent(mean.quantize(Decimal("0.001"))),
            mean >= goal,
            link("services:visits", station.pk, month=f"{last.month:%Y-%m}"),
        ),
        goal_fact,
        Fact(_("Months under the goal"), out_of(len(under), len(counted)), not under),
        *(
            Fact(
                f"{month.month:%Y-%m}",
                f"{percent(month.rate)} ({out_of(month.counts.visited, month.counts.key_targets)})",
                False,
                link("services:visits", station.pk, month=f"{month.month:%Y-%m}"),
            )
            for month in under
        ),
    ]
    if len(counted) < len(months):
        facts.append(Fact(_("Months without key targets"), str(len(months) - len(counted))))
    ratio = ONE if goal == 0 else min(mean / goal, ONE)
    return source_facts(IndicatorSource.VISITS, facts, ratio, explanation)


def cases_source(*, station: Station, year: int, on: date) -> SourceFacts:
    explanation = _(
        "Share of the cases closed in the year whose score after is above the score before; 0 when none was closed."
    )
    start, end = year_bounds(year)
    closed = Q(status=CaseStatus.CLOSED, closed_on__gte=start, closed_on__lte=end)
    scored = closed & Q(before_score__isnull=False, after_score__isnull=False)
    counts = Case.objects.filter(station=station).aggregate(
        opened=Count("pk", filter=Q(opened_on__gte=start, opened_on__lte=end)),
        closed=Count("pk", filter=closed),
        scored=Count("pk", filter=scored),
        improved=Count("pk", filter=scored & Q(after_score__gt=F("before_score"))),
        before=Sum("before_score", filter=scored),
        after=Sum("after_score", filter=scored),
    )
    closed_url = link("services:cases", station.pk, status=CaseStatus.CLOSED)
    facts = [
        Fact(_("Cases opened in the year"), str(counts["opened"]), None, link("services:cases", station.pk)),
        Fact(_("Cases closed in the year"), str(counts["closed"]), counts["closed"] > 0, closed_url),
    ]
    if counts["scored"]:
        before = points(Decimal(counts["before"]) / counts["scored"])
        after = points(Decimal(counts["after"]) / counts["scored"])
        change = after - before
        facts.append(
            Fact(
                _("Mean score before → after"),
                f"{before} → {after} ({'+' if change >= 0 else ''}{change})",
                after > before,
                closed_url,
            )
        )
    ratio = share(counts["improved"], counts["closed"]) if counts["closed"] else Decimal("0")
    if counts["closed"]:
        facts.append(
            Fact(
                _("Closed cases whose score rose"),
                out_of(counts["improved"], counts["closed"]),
                counts["improved"] == counts["closed"],
                closed_url,
            )
        )
    return source_facts(IndicatorSource.CASES, facts, ratio, explanation)


def services_source(*, station: Station, year: int, on: date) -> SourceFacts:
    explanation = _(
        "Share of the targets (beneficiaries, sessions, communities) set by the year's projects that their records reach."
    )
    start, end = year_bounds(year)
    totals = record_totals(ServiceRecord.objects.filter(station=station, date__gte=start, date__lte=end))
    records_url = link("services:records", station.pk, date_after=start.isoformat(), date_before=end.isoformat())
    progress = projects_progress(projects=Project.objects.filter(station=station, year=year).order_by("pk"))
    targets = [check for project in progress.values() for check in project.checks if check.required]
    met = sum(1 for check in targets if check.ok)
    facts = [
        Fact(_("Service records"), str(totals.records), None, records_url),
        Fact(_("Registered beneficiaries served"), str(totals.people), None, records_url),
        Fact(_("Unregistered attendances"), str(totals.unregistered), None, records_url),
        Fact(_("Service hours"), plain_number(totals.hours), None, records_url),
        Fact(
            _("Project targets reached"),
            out_of(met, len(targets)) if targets else _("No project of the year sets a target."),
            met == len(targets) if targets else None,
            link("services:portfolio", station.pk, year=year),
        ),
    ]
    ratio = share(met, len(targets)) if targets else None
    return source_facts(IndicatorSource.SERVICES, facts, ratio, explanation)


def focus_problems_source(*, station: Station, year: int, on: date) -> SourceFacts:
    explanation = _("Focus problems solved in the year over those open at some time in it.")
    start, end = year_bounds(year)
    reported_by_end = Q(reported_on__lte=end)
    counts = FocusProblem.objects.filter(station=station).aggregate(
        reported=Count("pk", filter=Q(reported_on__gte=start, reported_on__lte=end)),
        solved=Count("pk", filter=Q(status=FocusProblemStatus.SOLVED, solved_on__gte=start, solved_on__lte=end)),
        open_in_year=Count("pk", filter=reported_by_end & (Q(solved_on__isnull=True) | Q(solved_on__gte=start))),
        open_at_end=Count("pk", filter=reported_by_end & (Q(solved_on__isnull=True) | Q(solved_on__gt=end))),
    )
    url = link("services:focus_problems", station.pk)
    facts = [
        Fact(_("Focus problems open in the year"), str(counts["open_in_year"]), None, url),
        Fact(_("Reported in the year"), str(counts["reported"]), None, url),
        Fact(
            _("Solved in the year"),
            str(counts["solved"]),
            None,
            link("services:focus_problems", station.pk, status=FocusProblemStatus.SOLVED),
        ),
        Fact(_("Still open at the end of the year"), str(counts["open_at_end"]), counts["open_at_end"] == 0, url),
    ]
    ratio = share(counts["solved"], counts["open_in_year"]) if counts["open_in_year"] else None
    return source_facts(IndicatorSource.FOCUS_PROBLEMS, facts, ratio, explanation)


def satisfaction_source(*, station: Station, year: int, on: date) -> SourceFacts:
    minimum = min_survey_responses()
    explanation = _("(mean − 1) / 4 on the 1–5 scale, once at least %(n)s responses were collected.") % {"n": minimum}
    result = station_satisfaction(station=station, year=year)
    enough = result.responses >= minimum
    url = link("evaluation:survey-list", station.pk)
    facts = [
        Fact(
            _("Responses"),
            _("%(n)s (at least %(minimum)s needed)") % {"n": result.responses, "minimum": minimum},
            enough,
            url,
        ),
        Fact(_("Mean score"), f"{result.mean} / 5" if result.mean is not None else "—", None, url),
        *(
            Fact(question.text, f"{question.mean} / 5 ({question.responses})")
            for question in result.questions
            if question.mean is not None
        ),
    ]
    ratio = (result.mean - ONE) / 4 if enough and result.mean is not None else None
    return source_facts(IndicatorSource.SATISFACTION, facts, ratio, explanation)


def standard_source(*, station: Station, year: int, on: date) -> SourceFacts:
    explanation = _(
        "Share of the active construction-standard items checked as met; an item never checked counts as not met."
    )
    checklist = station_checklist(station)
    url = f"{link('stations:detail', station.pk)}#standard-heading"
    facts = [
        Fact(
            _("Standard items met"),
            out_of(checklist.met, checklist.total),
            checklist.met == checklist.total if checklist.total else None,
            url,
        ),
        *(
            Fact(row.item.name, _("Not met") if row.assessed else _("Not checked"), False, url)
            for row in checklist.rows
            if not row.met
        ),
    ]
    ratio = share(checklist.met, checklist.total) if checklist.total else None
    return source_facts(IndicatorSource.STANDARD, facts, ratio, explanation)


BUILDERS = {
    IndicatorSource.STAFFING: staffing_source,
    IndicatorSource.PORTFOLIO: portfolio_source,
    IndicatorSource.VISITS: visits_source,
    IndicatorSource.CASES: cases_source,
    IndicatorSource.SERVICES: services_source,
    IndicatorSource.FOCUS_PROBLEMS: focus_problems_source,
    IndicatorSource.SATISFACTION: satisfaction_source,
    IndicatorSource.STANDARD: standard_source,
}
