"""What the services pages share: paging sizes, the station tabs, small reading helpers."""

from datetime import date, timedelta

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.mixins import (
    StationPageMixin,
)
from config.params import query_year

PAGE_SIZE = 25
LOOKUP_LIMIT = 15


def last_choice_key(station_id: int) -> str:
    """The session key of the project and kind this user logged last at a station."""
    return f"services:last:{station_id}"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def asked_year(request) -> int:
    """``?year=`` when it is a plausible year (ASCII digits, 2000–2100), else this year."""
    return query_year(request.GET)


def count_of(model, field: str) -> Coalesce:
    """How many ``model`` rows point at the outer row through ``field``: a subquery, run for the shown rows only."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), 0)


class StationTabMixin(StationPageMixin):
    """A page of one station's services, with the services tabs; ``tab`` names the one shown."""

    tab = ""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("tab", self.tab)
        return super().get_context_data(**kwargs)
