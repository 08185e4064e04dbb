"""Key-target visits: the month's rate (final, or in progress until the month ends) and who is still to visit."""

from datetime import timedelta

from django.db.models import F, Prefetch
from django.views.generic import TemplateView

from accounts.mixins import (
    RolePermissionRequiredMixin,
)
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
        on = today()
        this_month = on.replace(day=1)
        month = min(query_month(self.request.GET, "month", this_month), this_month)
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
        return super().get_context_data(
            month=month,
            shown=shown,
            rate=shown.counts,
            goal=shown.goal,
            reached=shown.goal_met,
            last_month=month_visit_rate(station=self.station, month=previous, on=on) if not shown.final else None,
            waiting=waiting,
            previous=previous,
            following=following if following <= this_month else None,
            is_this_month=month == this_month,
            **kwargs,
        )
