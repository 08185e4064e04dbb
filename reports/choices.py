from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    STATION_PROFILE = "station_profile", _("Station profile")
    EVALUATION = "evaluation", _("Evaluation result")
    MONTHLY = "monthly", _("Monthly report")
    QUARTERLY = "quarterly", _("Quarterly report")


# Kinds asked for from their own subject's page (an evaluation's), not from the reports list.
SUBJECT_KINDS = (ReportKind.EVALUATION,)

# The periodic reports (DOMAIN.md section 7) and the kind of period each is of (``config.periods``).
PERIOD_KINDS = {ReportKind.MONTHLY: "month", ReportKind.QUARTERLY: "quarter"}


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
