"""The sign-in lockout (django-axes) with two limits: per user name and address, and per address.

Axes counts failures for each entry of ``AXES_LOCKOUT_PARAMETERS`` but compares them all with one
``AXES_FAILURE_LIMIT``. Guessing one user's password and trying one password on many user names
(password spraying) need different limits: a few failures for one user name from one address, and a
higher number from one address across all user names (an office behind one address has many users).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PortalAxesHandler(AxesDatabaseHandler):
    """``AXES_LOCKOUT_PARAMETERS`` is ``[["username", "ip_address"], "ip_address"]``, in that order:
    the pair locks after ``AXES_FAILURE_LIMIT`` failures, the address after ``AXES_ADDRESS_FAILURE_LIMIT``."""

    def get_failures(self, request, credentials=None) -> int:
        by_pair, by_address = (_failures(attempts) for attempts in self.get_user_attempts(request, credentials))
        if by_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Reported as at least the limit, so axes treats the address as locked for every user name.
            return max(by_pair, get_failure_limit(request, credentials))
        return by_pair

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears that user name's failures only: signing in to one's own account
        between guesses must not reset the address's count of failures on other user names."""
        by_pair, _by_address = self.filter_user_attempts(request, credentials)
        count, _by_model = by_pair.delete()
        return count
