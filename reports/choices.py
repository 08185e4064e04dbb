from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    STATION_PROFILE = "station_profile", _("Station profile")
    EVALUATION = "evaluation", _("Evaluation result")


# Kinds asked for from their own subject's page (an evaluation's), not from the reports list.
SUBJECT_KINDS = (ReportKind.EVALUATION,)


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
