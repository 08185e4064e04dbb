"""Key-target visits: the month's rate against the goal and the key targets not visited yet."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.views.generic import TemplateView

from accounts.mixins import (
    RolePermissionRequiredMixin,
)

from ..models import TargetGroup
from ..rules import (
    month_start,
    service_policy_for,
    unvisited_key_targets,
    visit_goal_met,
    visit_rate,
)
from .common import StationTabMixin


class VisitsView(RolePermissionRequiredMixin, StationTabMixin, TemplateView):
    """The month's visit rate of key targets against the goal, and the key targets nobody has visited yet."""

    permission_required = "services.view_beneficiary"
    template_name = "services/visits.html"
    tab = "visits"

    def get_context_data(self, **kwargs):
        this_month = date.today().replace(day=1)
        try:
            month = month_start(self.request.GET.get("month", "")) if self.request.GET.get("month") else this_month
        except ValidationError:
            month = this_month
        month = min(month, this_month)
        rate = visit_rate(station=self.station, month=month)
        goal = service_policy_for(station=self.station, year=month.year).key_target_visit_goal
        waiting = list(
            unvisited_key_targets(station=self.station, month=month)
            .select_related("community")
            .prefetch_related(Prefetch("target_groups", queryset=TargetGroup.objects.order_by("order")))
            .order_by("community__code", "name", "pk")
        )
        previous = (month - timedelta(days=1)).replace(day=1)
        following = (month + timedelta(days=32)).replace(day=1)
        return super().get_context_data(
            month=month,
            rate=rate,
            goal=goal,
            reached=visit_goal_met(rate=rate, station=self.station, month=month),
            waiting=waiting,
            previous=previous,
            following=following if following <= this_month else None,
            is_this_month=month == this_month,
            **kwargs,
        )
