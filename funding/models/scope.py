"""Who sees funding records: the administrator, officials of the region, and a station's own staff for its budget
and spending. Evaluators see none (a scorecard needs no money figures)."""

from django.db import models

from accounts.scope import scope_of
from stations.models import Region, Station


class StationMoneyQuerySet(models.QuerySet):
    """Budgets and expenditures: of the stations in scope; never an evaluator's."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.agency_id is not None:
            return self.none()
        return self.filter(station__in=Station.objects.visible_to(user))


def townships_in_funding_scope(user):
    """The townships whose split and disbursements ``user`` sees: the officials' and the administrator's."""
    scope = scope_of(user)
    townships = Region.objects.filter(level="township")
    if scope.everything:
        return townships
    if scope.region is None:
        return townships.none()
    return townships.filter(path__startswith=scope.region.path)


class TownshipMoneyQuerySet(models.QuerySet):
    """Disbursements: of the townships of the official's region."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region is None:
            return self.none()
        return self.filter(township__path__startswith=scope.region.path)
