"""Satisfaction surveys: a few questions scored 1-5, answered on paper (entered by staff) or through a public link.

The public link carries an unguessable token per survey and asks no personal data; one response per device.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import YearOf
from staffing.models import StationScopedQuerySet
from stations.models import Station

from ..choices import SurveyChannel


def new_survey_token() -> str:
    return secrets.token_urlsafe(24)


class Survey(models.Model):
    """A station's satisfaction survey for a period; its results feed the satisfaction indicator of that year."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="surveys")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("title"), max_length=100)
    opens_on = models.DateField(_("open from"))
    closes_on = models.DateField(_("open until"))
    token = models.CharField(_("link token"), max_length=64, unique=True, default=new_survey_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StationScopedQuerySet.as_manager()
    year_of = YearOf(year="year")  # an evaluator reaches only the evaluated years

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="survey_dates_ordered"),
        ]
        indexes = [models.Index(fields=["station", "year"], name="survey_station_year")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The survey must close on or after the day it opens.")})
        if self.opens_on and self.year and self.opens_on.year != self.year:
            raise ValidationError({"opens_on": _("The survey must open in the year it is for.")})


class SurveyQuestion(models.Model):
    """One question of a survey, answered 1 (very dissatisfied) to 5 (very satisfied)."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=200)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class SurveyResponseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(survey__in=Survey.objects.visible_to(user))


class SurveyResponse(models.Model):
    """One respondent's answers. ``device`` is a keyed hash of the respondent's device cookie (online only)."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(_("channel"), max_length=10, choices=SurveyChannel.choices)
    device = models.CharField(max_length=64, blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "device"], condition=~Q(device=""), name="survey_response_once_per_device"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once_per_question"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="survey_answer_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score}"
