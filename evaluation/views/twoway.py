"""Evaluation pages: the two-way assessment (双向考核) of a station, both sides side by side, and each side's form.

The figures and the rules come from ``rules.twoway``: who rates which side (``two_way_may_rate``), the years still
open, the scorecard of a side, and the rating itself (``two_way_rate``), as in the API.
"""

from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from accounts.mixins import RolePermissionRequiredMixin
from config.params import query_year
from stations.models import Station

from ..choices import TwoWayDirection
from ..forms.twoway import TwoWayRateForm
from ..models import Indicator
from ..rules.twoway import (
    two_way_may_rate,
    two_way_open_years,
    two_way_pair,
    two_way_rate,
    two_way_template,
    two_way_years,
)


class StationInAddressMixin:
    """The station of ``<station_pk>`` in the address, within the user's scope (else 404)."""

    @cached_property
    def station(self) -> Station:
        stations = Station.objects.visible_to(self.request.user).select_related("township__parent")
        return get_object_or_404(stations, pk=self.kwargs["station_pk"])


def two_way_url(station: Station, year: int) -> str:
    return f"{reverse('evaluation:two-way', args=[station.pk])}?year={year}"


def rating_directions(user, station: Station) -> list[str]:
    """The sides ``user`` rates for ``station`` (at most one)."""
    return [
        direction
        for direction in TwoWayDirection.values
        if two_way_may_rate(user=user, station=station, direction=direction)
    ]


class TwoWayView(RolePermissionRequiredMixin, StationInAddressMixin, TemplateView):
    """A station's two-way assessments of a year (``?year=``; the latest rated year by default), both sides side by
    side, each with its scores, total and comment, and the way to rate for the side the user is."""

    permission_required = "evaluation.view_twowayassessment"
    template_name = "evaluation/twoway/pair.html"

    def get_context_data(self, **kwargs):
        station = self.station
        rated_years = two_way_years(station=station)
        open_years = two_way_open_years()
        default = rated_years[0] if rated_years else open_years[-1]
        year = query_year(self.request.GET, default=default)
        years = sorted(set(rated_years) | set(open_years) | {year}, reverse=True)
        return super().get_context_data(
            station=station,
            pair=two_way_pair(station=station, year=year),
            year=year,
            years=years,
            year_open=year in open_years,
            rating_directions=rating_directions(self.request.user, station),
            **kwargs,
        )


class TwoWayRateView(RolePermissionRequiredMixin, StationInAddressMixin, FormView):
    """One side's rating of a year: a score for each indicator of its scorecard (maximum shown, total kept live by
    ``static/js/two_way.js``), and a comment. Only the side that rates in the direction reaches it (else 403); a
    year no longer open is not found."""

    permission_required = "evaluation.add_twowayassessment"
    template_name = "evaluation/twoway/rate.html"
    form_class = TwoWayRateForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.direction = kwargs["direction"]
        self.year = kwargs["year"]

    def check_reach(self):
        """The station in scope (404), a real direction and an open year (404), the user its rating side (403)."""
        station = self.station
        if self.direction not in TwoWayDirection.values or self.year not in two_way_open_years():
            raise Http404
        if not two_way_may_rate(user=self.request.user, station=station, direction=self.direction):
            raise PermissionDenied(_("Only the side that rates in this direction can rate it."))

    def get(self, request, *args, **kwargs):
        self.check_reach()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_reach()
        return super().post(request, *args, **kwargs)

    @cached_property
    def existing(self):
        return getattr(two_way_pair(station=self.station, year=self.year), self.direction)

    @cached_property
    def template(self):
        """The scorecard of the existing assessment, else the side's active one (None when there is none)."""
        if self.existing is not None:
            return self.existing.template
        try:
            return two_way_template(station=self.station, direction=self.direction)
        except ValidationError:
            return None

    @cached_property
    def indicators(self) -> list[Indicator]:
        return list(Indicator.objects.filter(template=self.template)) if self.template else []

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        indicators = self.indicators
        scores = {score.indicator_id: score.score for score in self.existing.scores.all()} if self.existing else {}
        if self.existing is not None and "data" not in kwargs:
            kwargs["initial"] = {**kwargs.get("initial", {}), "comment": self.existing.comment}
        return {**kwargs, "indicators": indicators, "scores": scores}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            station=self.station,
            direction=self.direction,
            direction_label=TwoWayDirection(self.direction).label,
            year=self.year,
            scorecard=self.template,
            existing=self.existing,
            max_points=sum((indicator.max_points for indicator in self.indicators), Decimal("0")),
            **kwargs,
        )

    def form_valid(self, form):
        if self.template is None:
            form.add_error(None, _("No active scorecard exists for this side of the two-way assessment."))
            return self.form_invalid(form)
        try:
            two_way_rate(
                station=self.station,
                year=self.year,
                direction=self.direction,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                user=self.request.user,
            )
        except ValidationError as error:
            form.add_rule_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your two-way assessment of %(year)s is saved.") % {"year": self.year})
        return HttpResponseRedirect(two_way_url(self.station, self.year))


urlpatterns = [
    path("stations/<id:station_pk>/two-way/", TwoWayView.as_view(), name="two-way"),
    path(
        "stations/<id:station_pk>/two-way/<slug:direction>/<int:year>/",
        TwoWayRateView.as_view(),
        name="two-way-rate",
    ),
]
