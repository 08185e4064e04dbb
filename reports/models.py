"""Report jobs: one row per report asked for, its state, and the archived PDF (DOMAIN.md section 7)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations.models import Region, Station

from .choices import ReportKind, ReportStatus


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """Reports whose subject lies in the user's scope, whoever asked for them; an evaluation's report only for
        those who see the evaluation (another agency's evaluator of the same station does not)."""
        from evaluation.models import Evaluation

        return self.filter(
            Q(station__in=Station.objects.visible_to(user)) | Q(region__in=Region.objects.visible_to(user))
        ).filter(Q(evaluation__isnull=True) | Q(evaluation__in=Evaluation.objects.visible_to(user)))


def report_file_path(report: "Report", filename: str) -> str:
    # Derived from the report alone, so a retry or a rebuild overwrites the same file.
    return f"reports/{report.kind}/{report.scope_key.replace(':', '-')}/{report.period or 'current'}/{report.pk}.pdf"


class Report(models.Model):
    """A report job: what (kind), about what (station or region), for when (period), and how it went.

    ``scope_key`` names the subject ("station:12", "region:330402000000") so that one unique
    constraint makes "the same report is produced once" hold even under concurrent requests.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=ReportKind.choices)
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    evaluation = models.ForeignKey(
        "evaluation.Evaluation",
        verbose_name=_("evaluation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
        help_text=_("The evaluation an evaluation result report is of (its station is the report's station)."),
    )
    scope_key = models.CharField(max_length=40, editable=False)
    period = models.CharField(_("period"), max_length=10, blank=True, help_text=_("e.g. 2026-10 or 2026-Q3"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.PENDING,
        db_index=True,
    )
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=report_file_path, blank=True, max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    sent_at = models.DateTimeField(
        _("sent at"), null=True, blank=True, help_text=_("When the job was handed to the task queue.")
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "scope_key", "period"], name="report_once_per_scope_period"),
            models.CheckConstraint(
                name="report_has_one_subject",
                condition=Q(station__isnull=False, region__isnull=True) | Q(station__isnull=True, region__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "started_at"], name="report_status_started")]

    def __str__(self) -> str:
        subject = self.station or self.region
        return f"{self.get_kind_display()} · {subject} {self.period}".strip()

    def save(self, *args, **kwargs) -> None:
        if self.evaluation_id:
            self.scope_key = f"evaluation:{self.evaluation_id}"
        else:
            self.scope_key = f"station:{self.station_id}" if self.station_id else f"region:{self.region_id}"
        super().save(*args, **kwargs)
