"""The report archive's filters, one set for the list page and the API (DOMAIN.md section 7, issue 11 item 6).

Officials find reports by kind, status, period and place. A period is written as everywhere else (``2026-10``,
``2026-Q3``, ``2026``, read by ``config.periods.parse_period``) and finds the reports within it: a year its own
report and those of its quarters and months. A place is picked in a search box (``static/js/place_lookup.js``):
a station (``station``) or a region (``within``: its own reports and every report below it); without JavaScript the
typed text (``place``) finds reports whose station or any region above it has that text in its name, or whose
division code starts with it. The queryset is already the user's scope: a filter only ever narrows it.
"""

from datetime import date

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import StrIndex
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.filters import IdFilter
from config.params import parse_text
from config.periods import QUARTER, YEAR, Period, PeriodError, parse_period, period_of
from stations.models import Region

from .choices import ReportKind, ReportStatus
from .models import Report
from .places import REPORT_LEVELS

PERIOD_PLACEHOLDER = "2026-Q3"


class PeriodField(forms.CharField):
    """A month, quarter or year as written (``2026-10``, ``2026-Q3``, ``2026``), cleaned to a ``Period``; one that
    does not exist or has not begun is a field error with ``parse_period``'s message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 10, "inputmode": "text"}))
        super().__init__(**kwargs)

    def to_python(self, value) -> Period | None:
        text = parse_text(super().to_python(value), max_length=20)
        if not text:
            return None
        try:
            return parse_period(text, today=timezone.localdate())
        except PeriodError as error:
            raise ValidationError(error.message, code="period") from error

    def prepare_value(self, value):
        return value.key if isinstance(value, Period) else value


class PeriodFilter(django_filters.Filter):
    field_class = PeriodField

    def filter(self, queryset, value: Period | None):
        return queryset if value is None else queryset.filter(period__in=period_keys_within(value))


def period_keys_within(period: Period) -> list[str]:
    """The periods a report may be of that lie within ``period``: itself, and for a year its quarters and months,
    for a quarter its months."""
    keys = [period.key]
    if period.kind == YEAR:
        keys += [period_of(date(period.year, month, 1), QUARTER).key for month in (1, 4, 7, 10)]
    if period.kind in (YEAR, QUARTER):
        keys += [f"{month:%Y-%m}" for month in period.months()]
    return keys


def subject_within(region_id: int) -> Q:
    """Reports of the region ``region_id`` or of anything below it (a region or a station), in one query."""
    path = Subquery(Region.objects.filter(pk=region_id).values("path")[:1])
    return Q(region__path__startswith=path) | Q(station__township__path__startswith=path)


def subject_named(text: str) -> Q:
    """Reports whose station, or any region above their subject (its own included), has ``text`` in its name; or,
    for digits, whose division code starts with them (codes nest: a township's starts with its county's)."""
    named = Region.objects.filter(name__icontains=text, level__in=REPORT_LEVELS)
    condition = Q(station__name__icontains=text)
    for subject_path in ("region__path", "station__township__path"):
        # The subject's path starts with the named region's: it lies in it (or is it).
        below = named.annotate(at=StrIndex(OuterRef(subject_path), F("path"))).filter(at=1)
        condition |= Exists(below)
    if text.isdigit():
        condition |= Q(region__code__startswith=text) | Q(station__township__code__startswith=text)
    return condition


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label=_("Kind"), empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("Status"), empty_label=_("Any status"))
    period = PeriodFilter(
        label=_("Period"),
        help_text=_("A month (2026-10), a quarter (2026-Q3) or a year (2026): the reports within it."),
    )
    station = IdFilter(field_name="station_id", label=_("Station"))
    region = IdFilter(field_name="region_id", label=_("Region"), help_text=_("Reports of this region only."))
    within = IdFilter(
        method="filter_within", label=_("Region"), help_text=_("Reports of this region and of everything below it.")
    )
    place = django_filters.CharFilter(
        method="filter_place",
        max_length=100,
        label=_("Place"),
        help_text=_(
            "Part of the name of a station or of a region above it, or the start of a division code; "
            "ignored when a station or region is given."
        ),
    )

    class Meta:
        model = Report
        fields = ["kind", "status", "period", "station", "region", "within", "place"]

    def filter_within(self, queryset, name, value):
        return queryset if value is None else queryset.filter(subject_within(value))

    def filter_place(self, queryset, name, value):
        text = parse_text(value)
        # A place picked in the search box (an id) wins over the text still shown in it.
        if not text or self.form.cleaned_data.get("station") or self.form.cleaned_data.get("within"):
            return queryset
        return queryset.filter(subject_named(text))
