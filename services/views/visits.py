"""Key-target visits: the month's rate (final, or in progress until the month ends) and who is still to visit."""

from datetime import timedelta

from django.db.models import F, Prefetch
from django.views.generic import TemplateView

from accounts.mixins import (
    RolePermissionRequiredMixin,
)
from accounts.scope import day_in_reach, period_in_reach, reach_or_404
from config.params import query_month

from ..models import TargetGroup
from ..rules import (
    month_visit_rate,
    today,
    unvisited_key_targets,
    with_last_visit,
)
from .common import StationTabMixin


class VisitsView(RolePermissionRequiredMixin, StationTabMixin, TemplateView):
    """The month's visit rate of key targets against the goal, and the key targets nobody has visited yet, the
    longest unvisited first, each with the date of their last visit. The month in progress leads with last month's
    final rate, and shows its own as progress so far, never as a failure."""

    permission_required = "services.view_beneficiary"
    template_name = "services/visits.html"
    tab = "visits"

    def get_context_data(self, **kwargs):
        user, on = self.request.user, today()
        this_month = on.replace(day=1)
        # An evaluator's default is the latest month of the evaluated year; another year's is a 404 for them.
        default = day_in_reach(user, station=self.station, today=on).replace(day=1)
        month = min(query_month(self.request.GET, "month", default), this_month)
        reach_or_404(user, station=self.station, start=month)
        shown = month_visit_rate(station=self.station, month=month, on=on)
        previous = (month - timedelta(days=1)).replace(day=1)
        waiting = list(
            with_last_visit(
                unvisited_key_targets(station=self.station, month=month), station=self.station, until=shown.as_of
            )
            .select_related("community")
            .prefetch_related(Prefetch("target_groups", queryset=TargetGroup.objects.order_by("order")))
            .order_by(F("last_visit").asc(nulls_first=True), "community__code", "name", "pk")
        )
        following = (month + timedelta(days=32)).replace(day=1)
        previous_in_reach = period_in_reach(user, station=self.station, start=previous)
        last_month = not shown.final and previous_in_reach
        return super().get_context_data(
            month=month,
            shown=shown,
            rate=shown.counts,
            goal=shown.goal,
            reached=shown.goal_met,
            last_month=month_visit_rate(station=self.station, month=previous, on=on) if last_month else None,
            waiting=waiting,
            previous=previous if previous_in_reach else None,
            following=following
            if following <= this_month and period_in_reach(user, station=self.station, start=following)
            else None,
            is_this_month=month == this_month,
            **kwargs,
        )
