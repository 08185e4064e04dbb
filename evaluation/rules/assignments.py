"""Changing an assignment once its evaluations have begun, and whose stations an official's change keeps.

The API and the assignment form apply these same rules: the scorecard, year and stage of an assignment with
evaluations are fixed (``LOCKED``); a station already being evaluated stays in it; stations the official cannot
see are kept as they were (a city's assignment edited by a county official, say).
"""

from django.utils.translation import gettext as _

from stations.models import Station

from ..models import Assignment

# What an assignment's evaluations are pinned to: fixed once one has begun.
LOCKED = ("template", "year", "stage")


def assignment_evaluated(assignment: Assignment | None) -> frozenset[int]:
    """Ids of the stations whose evaluation has begun under ``assignment`` (none for a new one)."""
    if assignment is None or assignment.pk is None:
        return frozenset()
    return frozenset(assignment.evaluations.values_list("station_id", flat=True))


def assignment_locked_changes(assignment: Assignment | None, data: dict) -> list[str]:
    """The fixed fields (``LOCKED``) that ``data`` would change on an assignment whose evaluations have begun."""
    if not assignment_evaluated(assignment):
        return []
    return [name for name in LOCKED if name in data and data[name] != getattr(assignment, name)]


def assignment_dropped(assignment: Assignment | None, chosen, *, user) -> list[str]:
    """Names of the stations being evaluated that ``user``'s choice of stations ``chosen`` would drop (those the
    user cannot see are kept anyway, so they are never dropped)."""
    evaluated = assignment_evaluated(assignment)
    dropped = evaluated - {station.pk for station in chosen}
    visible = Station.objects.visible_to(user).filter(pk__in=dropped)
    return sorted(visible.values_list("name", flat=True))


def dropped_message(names: list[str]) -> str:
    return _("Already being evaluated, so it stays in the assignment: %(names)s.") % {"names": "、".join(names)}


def locked_message() -> str:
    return _("Evaluations have begun on this assignment: its scorecard, year and stage are fixed.")


def assignment_stations(assignment: Assignment | None, chosen, *, user) -> list[Station]:
    """The stations an assignment gets from ``user``'s choice: ``chosen``, plus those it has that ``user`` cannot see."""
    if assignment is None or assignment.pk is None:
        return list(chosen)
    hidden = assignment.stations.exclude(pk__in=Station.objects.visible_to(user).values("pk"))
    return [*chosen, *hidden]
