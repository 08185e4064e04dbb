"""Community focus problems and their progress."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import (
    FocusProblemStatus,
    next_in,
)
from ..models import (
    FocusProblem,
)
from .cases import dated_step_errors
from .common import refuse
from .records import add_error

# --- community focus problems ------------------------------------------------------------------------


def focus_problem_advance(*, problem: FocusProblem, to_status: str, solved_on: date | None = None) -> FocusProblem:
    """Move a focus problem one step: reported -> in progress -> solved (solved with its date)."""
    with transaction.atomic():
        problem = FocusProblem.objects.select_for_update().get(pk=problem.pk)
        expected = next_in(FocusProblemStatus, problem.status)
        if to_status not in FocusProblemStatus.values:
            raise refuse("to_status", _("Unknown status."))
        if expected is None:
            raise refuse("to_status", _("This problem is already solved."))
        if to_status != expected:
            raise refuse(
                "to_status",
                _("A problem moves one step at a time: after “%(current)s” comes “%(next)s”.")
                % {"current": FocusProblemStatus(problem.status).label, "next": FocusProblemStatus(expected).label},
            )
        if to_status == FocusProblemStatus.SOLVED:
            errors = {}
            if solved_on is None:
                add_error(errors, "solved_on", _("Give the day the problem was solved."))
            else:
                dated_step_errors(
                    errors,
                    "solved_on",
                    solved_on,
                    after=problem.reported_on,
                    after_message=_("A problem cannot be solved before it was reported."),
                )
            if errors:
                raise ValidationError(errors)
            problem.solved_on = solved_on
        problem.status = to_status
        problem.save()
        return problem
