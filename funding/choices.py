"""The fixed vocabularies of funding: budget lines, funding sources, budget statuses, split statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BudgetLine(models.TextChoices):
    """What a station's project money is spent on; personnel is capped by the policy's share."""

    PERSONNEL = "personnel", _("Personnel")
    ACTIVITIES = "activities", _("Activities")
    MANAGEMENT = "management", _("Management")
    OTHER = "other", _("Other")


class FundingSource(models.TextChoices):
    """Where a station's money comes from (DOMAIN.md section 5)."""

    CITY_FISCAL = "city_fiscal", _("City fiscal funds")
    TOWNSHIP_FISCAL = "township_fiscal", _("Township fiscal funds")
    WELFARE_LOTTERY = "welfare_lottery", _("Welfare-lottery fund")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social-assistance funds")
    PAIRED_ASSISTANCE = "paired_assistance", _("Paired-assistance funds")
    FEDERATIONS = "federations", _("Federations' funds")
    DONATIONS = "donations", _("Social donations")
    COMMUNITY_FOUNDATION = "community_foundation", _("Community foundation")


class BudgetStatus(models.TextChoices):
    """draft -> submitted (station manager) -> approved (township official), or back to returned with a reason.

    An approved budget is frozen; a revision is a new version, and once that is approved the one before it is
    superseded (kept, and shown, never changed)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


# The versions still being worked on: at most one of them per station and year.
OPEN_BUDGET_STATUSES = (BudgetStatus.DRAFT, BudgetStatus.SUBMITTED, BudgetStatus.RETURNED)
# The versions a station manager may still edit.
EDITABLE_BUDGET_STATUSES = (BudgetStatus.DRAFT, BudgetStatus.RETURNED)
# The versions that were approved (the one in force, and those it replaced).
APPROVED_BUDGET_STATUSES = (BudgetStatus.APPROVED, BudgetStatus.SUPERSEDED)


class SplitStatus(models.TextChoices):
    """Where a township's two-level split for a year stands."""

    PENDING = "pending", _("Pending evaluation")
    DUE = "due", _("Payment due")
    # Nothing left to pay: the instalments reached C (also when C is 0.00 and nothing was paid: a fail grade).
    PAID = "paid", _("Settled")
    OVERPAID = "overpaid", _("Overpaid")
