"""Satisfaction surveys (DOMAIN.md section 6, issue 9 item 6): a station's surveys of a period, the responses
entered from paper or given online through the public link, and the results that feed the satisfaction indicator.
"""

import hashlib
import hmac
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stations.models import Station

from ..choices import SurveyChannel
from ..models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

SCORES = range(1, 6)
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class QuestionResult:
    """One question's results: how many answered it, the mean (1-5, two decimals) and the count of each score."""

    text: str
    responses: int
    mean: Decimal | None
    counts: tuple[int, ...] = field(default=(0, 0, 0, 0, 0))


@dataclass(frozen=True)
class Satisfaction:
    """A station's satisfaction for a year, over every survey of that year: the mean is over every answer given."""

    responses: int
    mean: Decimal | None
    questions: list[QuestionResult]
    surveys: list[Survey]


@dataclass(frozen=True)
class SurveyResults:
    """One survey's results: responses, the mean over every answer, and each question's results in order."""

    responses: int
    mean: Decimal | None
    questions: list[QuestionResult]


def mean_of(total: int, count: int) -> Decimal | None:
    """The mean of integer scores in Decimal, rounded half-up to two decimals once; None when nothing was answered."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _question_rows(questions):
    """Per question: the answer count, the score sum and the count of each score, in one query."""
    per_score = {f"n{s}": Count("answers", filter=Q(answers__score=s)) for s in SCORES}
    return questions.order_by("survey__opens_on", "survey_id", "order", "pk").annotate(
        answered=Count("answers"),
        score_sum=Coalesce(Sum("answers__score"), 0, output_field=IntegerField()),
        **per_score,
    )


def _merge(rows, *, key) -> tuple[list[QuestionResult], int, int]:
    """Question results grouped by ``key`` in first-seen order, and the answer count and sum over all of them."""
    groups: dict = {}
    for row in rows:
        group = groups.setdefault(key(row), {"text": row.text, "n": 0, "sum": 0, "counts": [0] * len(SCORES)})
        group["n"] += row.answered
        group["sum"] += row.score_sum
        for i, s in enumerate(SCORES):
            group["counts"][i] += getattr(row, f"n{s}")
    results = [
        QuestionResult(text=g["text"], responses=g["n"], mean=mean_of(g["sum"], g["n"]), counts=tuple(g["counts"]))
        for g in groups.values()
    ]
    return results, sum(g["n"] for g in groups.values()), sum(g["sum"] for g in groups.values())


def station_satisfaction(*, station: Station, year: int) -> Satisfaction:
    """The satisfaction of ``station`` in ``year`` over every one of its surveys of that year, in two queries.

    Questions of the same text (the default questions, repeated from survey to survey) are merged into one result;
    the overall mean is over every answer given, so a survey with more responses weighs more.
    """
    surveys = list(
        Survey.objects.filter(station=station, year=year)
        .annotate(response_count=Count("responses", distinct=True))
        .order_by("opens_on", "pk")
    )
    if not surveys:
        return Satisfaction(responses=0, mean=None, questions=[], surveys=[])
    rows = _question_rows(SurveyQuestion.objects.filter(survey__station=station, survey__year=year))
    questions, answered, total = _merge(rows, key=lambda row: row.text.strip())
    return Satisfaction(
        responses=sum(s.response_count for s in surveys),
        mean=mean_of(total, answered),
        questions=questions,
        surveys=surveys,
    )


def survey_results(*, survey: Survey) -> SurveyResults:
    """One survey's responses, mean over every answer and per-question results (in the survey's order): 2 queries."""
    rows = _question_rows(SurveyQuestion.objects.filter(survey=survey))
    questions, answered, total = _merge(rows, key=lambda row: row.pk)
    return SurveyResults(responses=survey.responses.count(), mean=mean_of(total, answered), questions=questions)


# --- creating and changing surveys ----------------------------------------------------------------------------

MIN_QUESTIONS, MAX_QUESTIONS = 3, 10
DUPLICATE = "duplicate"  # the code of the refusal of a second answer from one device


def default_questions() -> list[str]:
    """The five questions a survey asks when its author gives none (service attitude, timeliness, professionalism,
    results, overall), in the portal's language: they are for the respondents, whatever the author's UI language."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            str(_("How satisfied are you with the staff's attitude?")),
            str(_("How satisfied are you with how promptly you were served?")),
            str(_("How satisfied are you with the staff's professional skill?")),
            str(_("How satisfied are you with what the service achieved for you?")),
            str(_("Overall, how satisfied are you with the station?")),
        ]


def _require(user, perm: str, station: Station) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(_("You may not do this."))
    if not Station.objects.visible_to(user).filter(pk=station.pk).exists():
        raise PermissionDenied(_("This station is outside your scope."))


def _clean_questions(questions: list[str] | None) -> list[str]:
    texts = [" ".join(str(text).split()) for text in (questions or [])]
    texts = [text for text in texts if text]
    if questions is None or not texts:
        return default_questions()
    limit = SurveyQuestion._meta.get_field("text").max_length
    if not MIN_QUESTIONS <= len(texts) <= MAX_QUESTIONS:
        raise ValidationError(
            {
                "questions": _("A survey asks %(min)d to %(max)d questions.")
                % {"min": MIN_QUESTIONS, "max": MAX_QUESTIONS}
            }
        )
    if any(len(text) > limit for text in texts):
        raise ValidationError({"questions": _("A question is at most %(n)d characters.") % {"n": limit}})
    if len(set(texts)) != len(texts):
        raise ValidationError({"questions": _("Each question is asked once.")})
    return texts


def _set_questions(survey: Survey, texts: list[str]) -> None:
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, order=order, text=text) for order, text in enumerate(texts, start=1)
    )


def survey_create(
    *, station: Station, year: int, title: str, opens_on: date, closes_on: date, questions: list[str] | None, user
) -> Survey:
    """A new survey of ``station`` for ``year`` with its questions (the five default ones when none are given;
    otherwise 3 to 10), by a user of the station's staff holding ``evaluation.add_survey``."""
    _require(user, "evaluation.add_survey", station)
    texts = _clean_questions(questions)
    survey = Survey(station=station, year=year, title=title, opens_on=opens_on, closes_on=closes_on, created_by=user)
    survey.full_clean(exclude=["created_by"])  # kept when its author leaves (SET_NULL)
    with transaction.atomic():
        survey.save()
        _set_questions(survey, texts)
    return survey


def survey_update(
    *,
    survey: Survey,
    user,
    title: str | None = None,
    opens_on: date | None = None,
    closes_on: date | None = None,
    questions: list[str] | None = None,
) -> Survey:
    """Change a survey's title, dates or questions. Questions are fixed once anyone has answered: the answers given
    were to those questions. The year follows the survey (it is the year its results count for)."""
    _require(user, "evaluation.change_survey", survey.station)
    if title is not None:
        survey.title = title
    if opens_on is not None:
        survey.opens_on = opens_on
    if closes_on is not None:
        survey.closes_on = closes_on
    texts = None
    if questions is not None:
        texts = _clean_questions(questions)
        current = list(survey.questions.order_by("order", "pk").values_list("text", flat=True))
        if texts == current:
            texts = None
        elif survey.responses.exists():
            raise ValidationError({"questions": _("The questions cannot change once responses have been recorded.")})
    survey.full_clean(exclude=["created_by"])  # kept when its author leaves (SET_NULL)
    with transaction.atomic():
        survey.save()
        if texts is not None:
            survey.questions.all().delete()
            _set_questions(survey, texts)
    return survey


def survey_is_open(survey: Survey, on: date | None = None) -> bool:
    """Whether the public link takes answers on ``on`` (today): from ``opens_on`` to ``closes_on``, both included."""
    on = on or timezone.localdate()
    return survey.opens_on <= on <= survey.closes_on


# --- responses ------------------------------------------------------------------------------------------------


def survey_device_key(*, survey: Survey, device_id: str) -> str:
    """The device as stored: a keyed hash (HMAC-SHA256 with SECRET_KEY) of the random id kept in the respondent's
    cookie, salted with the survey so the same phone cannot be followed from one survey to the next."""
    message = f"survey-device:{survey.token}:{device_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _integer(value) -> int | None:
    """``value`` as an integer, or None: ``True``, ``4.5``, ``"4.5"`` and ``"²"`` are not integers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return None


def _score(value) -> int | None:
    score = _integer(value)
    return score if score is not None and 1 <= score <= 5 else None


def _clean_answers(survey: Survey, answers: dict) -> dict[int, int]:
    """``{question_id: score}`` checked against the survey's questions: every one answered, each 1 to 5."""
    questions = {q.pk for q in survey.questions.all()}
    errors, clean = set(), {}
    for key, value in (answers or {}).items():
        question, score = _integer(key), _score(value)
        if question not in questions:
            errors.add(_("An answer is to a question this survey does not ask."))
        elif score is None:
            errors.add(_("Each answer is a score from 1 to 5."))
        else:
            clean[question] = score
    if not errors and set(clean) != questions:
        errors.add(_("Every question must be answered."))
    if errors:
        raise ValidationError({"answers": sorted(str(e) for e in errors)})
    return clean


def survey_response_record(
    *, survey: Survey, answers: dict, channel: str, user=None, device: str = "", comment: str = ""
) -> SurveyResponse:
    """Record one respondent's answers (``{question_id: score}``, every question answered 1 to 5).

    Paper: entered by station staff holding ``evaluation.add_surveyresponse``, any day from the survey's opening
    (forms handed out in the period are keyed in later). Online: given by the respondent on a day the survey is
    open, once per ``device`` (``survey_device_key``); no user and nothing personal is kept.
    """
    if channel == SurveyChannel.PAPER:
        _require(user, "evaluation.add_surveyresponse", survey.station)
        if timezone.localdate() < survey.opens_on:
            raise ValidationError({"survey": _("This survey has not opened yet.")})
        device = ""
    elif channel == SurveyChannel.ONLINE:
        if not survey_is_open(survey):
            raise ValidationError({"survey": _("This survey is not open.")})
        if not device:
            raise ValidationError({"device": _("This device could not be recognised.")})
        user = None
    else:
        raise ValidationError({"channel": _("Unknown channel.")})
    clean = _clean_answers(survey, answers)
    comment = " ".join(str(comment or "").split())
    limit = SurveyResponse._meta.get_field("comment").max_length
    if len(comment) > limit:
        raise ValidationError({"comment": _("At most %(n)d characters.") % {"n": limit}})
    already = ValidationError(
        {"device": ValidationError(_("This survey has already been answered on this device."), code=DUPLICATE)}
    )
    if device and survey.responses.filter(device=device).exists():
        raise already
    try:
        with transaction.atomic():
            response = SurveyResponse(survey=survey, channel=channel, entered_by=user, comment=comment)
            response.device = device
            response.save()
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, question_id=question, score=score) for question, score in clean.items()
            )
    except IntegrityError as error:  # the same device twice at once: the constraint decides
        raise already from error
    return response


def survey_qr_svg(*, url: str, title: str = "") -> str:
    """The QR code of a survey's public link as an SVG document that scales to its box (a viewBox and no size),
    with error correction M: a poster stays readable with a smudge or a fold."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=1, border=4, xmldecl=False, omitsize=True, title=title or None, dark="#000"
    )
    return buffer.getvalue().decode()
