"""Evaluations: one station scored on its assignment's scorecard, through draft, submitted, reviewed, published.

Every write goes through ``evaluation.rules``: scores are checked against their indicator's maximum, transitions
are recorded (who, when, why), and a published evaluation changes only by amendments, which recompute its total,
grade and stars.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from stations.models import Station

from ..choices import EvaluationStatus, EvidenceKind, Grade, Stage, TownshipAnswer
from .assignments import Assignment
from .scorecards import Indicator, ScorecardTemplate


class EvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EvaluationQuerySet":
        """An agency's evaluators see the evaluations of its current assignments; a station's own staff its published
        results (a score is not argued over while it is in review); officials every evaluation of their region."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.agency_id is not None:
            return self.filter(
                assignment__in=Assignment.objects.visible_to(user), station__in=Station.objects.visible_to(user)
            )
        if scope.station_id is not None:
            return self.published().filter(station_id=scope.station_id)
        return self.filter(station__in=Station.objects.visible_to(user))

    def published(self) -> "EvaluationQuerySet":
        return self.filter(status=EvaluationStatus.PUBLISHED)

    def results(self) -> "EvaluationQuerySet":
        """Published evaluations whose result sets the station's grade and stars (annual and final stages)."""
        return self.published().filter(stage__in=[Stage.ANNUAL, Stage.FINAL])


class Evaluation(models.Model):
    """A station's evaluation under an assignment, pinned to the assignment's scorecard version.

    ``total``, ``grade`` and ``stars`` are written by the rules only: on submission (from the scores) and on each
    amendment; ``year`` and ``stage`` are the assignment's, kept here for filters and the dashboards.
    """

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="evaluations"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="evaluations"
    )
    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("year evaluated"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    total = models.DecimalField(_("total"), max_digits=4, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    summary = models.TextField(_("overall comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-year", "station__name"]
        permissions = [
            ("score_evaluation", _("Can score and submit evaluations")),
            ("review_evaluation", _("Can review or return submitted evaluations")),
            ("publish_evaluation", _("Can publish reviewed evaluations")),
            ("amend_evaluation", _("Can amend published evaluations")),
            ("answer_evaluation", _("Can confirm or object to published results")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "station"], name="evaluation_once_per_assignment_station"),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__gte=0, stars__lte=5), name="evaluation_stars_0_5"
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100), name="evaluation_total_0_100"
            ),
        ]
        indexes = [
            models.Index(fields=["station", "status", "year"], name="evaluation_station_status_year"),
            models.Index(fields=["year", "stage", "status"], name="evaluation_year_stage_status"),
            models.Index(fields=["status", "grade"], name="evaluation_status_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.year} {self.get_stage_display()}"

    @property
    def is_published(self) -> bool:
        return self.status == EvaluationStatus.PUBLISHED


class Score(models.Model):
    """The evaluator's score of one indicator: 0 up to its maximum, one decimal, with a comment and evidence.

    ``suggested`` is the portal's suggestion when the score was written; a score that differs from it needs a
    comment (an override is explained).
    """

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.DecimalField(
        _("score"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    suggested = models.DecimalField(_("suggested score"), max_digits=4, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("scored by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("scored at"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["indicator__dimension__order", "indicator__order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "indicator"], name="score_once_per_indicator"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.score}"


def evaluation_file_path(instance: "EvaluationFile", filename: str) -> str:
    """A path of our own making, its extension from the sniffed type: the uploader's name is only data."""
    from services.models import EXTENSIONS

    extension = EXTENSIONS.get(instance.content_type, "")
    return f"evaluation/{instance.evaluation.station_id}/{instance.evaluation_id}/{uuid.uuid4().hex}{extension}"


class EvaluationFile(models.Model):
    """A file the evaluator uploaded as evidence (a photo of the site, a scanned register): checked like attachments."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=evaluation_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation file")
        verbose_name_plural = _("evaluation files")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Evidence(models.Model):
    """One piece of evidence behind a score: a service record, a case, a service attachment or an uploaded file."""

    score = models.ForeignKey(Score, verbose_name=_("score"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    record = models.ForeignKey(
        "services.ServiceRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey("services.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attachment = models.ForeignKey(
        "services.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.ForeignKey(EvaluationFile, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="evidence_points_at_one_thing",
                condition=(
                    Q(
                        kind=EvidenceKind.RECORD,
                        record__isnull=False,
                        case__isnull=True,
                        attachment__isnull=True,
                        file__isnull=True,
                    )
                    | Q(
                        kind=EvidenceKind.CASE,
                        record__isnull=True,
                        case__isnull=False,
                        attachment__isnull=True,
                        file__isnull=True,
                    )
                    | Q(
                        kind=EvidenceKind.ATTACHMENT,
                        record__isnull=True,
                        case__isnull=True,
                        attachment__isnull=False,
                        file__isnull=True,
                    )
                    | Q(
                        kind=EvidenceKind.FILE,
                        record__isnull=True,
                        case__isnull=True,
                        attachment__isnull=True,
                        file__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.record_id or self.case_id or self.attachment_id or self.file_id}"


class Transition(models.Model):
    """One step of an evaluation's workflow: from which status to which, who, when and why."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=EvaluationStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=EvaluationStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("evaluation step")
        verbose_name_plural = _("evaluation steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class TownshipResponse(models.Model):
    """The township official's answer to a published result: confirmed, or an objection with its reason."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="responses"
    )
    answer = models.CharField(_("answer"), max_length=10, choices=TownshipAnswer.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("township's answer")
        verbose_name_plural = _("township's answers")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(answer=TownshipAnswer.OBJECT) | ~Q(reason=""), name="objection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.get_answer_display()


class Amendment(models.Model):
    """A correction of a published evaluation's score by a city official: audited, never edited."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="amendments"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    old_score = models.DecimalField(_("old score"), max_digits=4, decimal_places=1)
    new_score = models.DecimalField(_("new score"), max_digits=4, decimal_places=1)
    reason = models.TextField(_("reason"))
    objection = models.ForeignKey(
        TownshipResponse,
        verbose_name=_("answers the objection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    old_total = models.DecimalField(_("total before"), max_digits=4, decimal_places=1)
    new_total = models.DecimalField(_("total after"), max_digits=4, decimal_places=1)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_has_reason"),
            models.CheckConstraint(condition=Q(new_score__gte=0), name="amendment_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.old_score} → {self.new_score}"
