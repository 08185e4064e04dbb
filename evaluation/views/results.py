"""Evaluation pages: a station's results, every evaluation of the station over the years.

Published evaluations are its results: the latest published annual or final one sets the station's grade and stars
(``rules.grading.station_results``). Evaluations still in progress are listed only to those who follow them: the
officials, the evaluator whose agency scores them and the administrator; the station's own staff see results only,
so a score being drafted cannot be argued over before it is published.
"""

from django.db.models import F
from django.urls import path
from django.views.generic import TemplateView

from accounts.choices import OFFICIAL_ROLES, Role
from accounts.mixins import RolePermissionRequiredMixin
from stations.models import Station

from ..models import Evaluation
from ..rules.grading import station_results
from .twoway import StationInAddressMixin

# Who sees evaluations before they are published (within their scope: ``Evaluation.objects.visible_to``).
FOLLOWERS = (*OFFICIAL_ROLES, Role.ADMIN, Role.EVALUATOR)


def sees_unpublished(user) -> bool:
    return user.is_authenticated and user.role in FOLLOWERS


def station_evaluations(*, station: Station, user, published_only: bool = False):
    """The evaluations of ``station`` that ``user`` may see, latest first: published ones only unless the user
    follows evaluations in progress (``sees_unpublished``) and ``published_only`` is not asked."""
    evaluations = Evaluation.objects.visible_to(user).filter(station=station)
    if published_only or not sees_unpublished(user):
        evaluations = evaluations.published()
    return evaluations.select_related("assignment__agency", "template").order_by(
        "-year", F("published_at").desc(nulls_first=True), "-created_at", "-pk"
    )


class StationResultsView(RolePermissionRequiredMixin, StationInAddressMixin, TemplateView):
    """Every evaluation of a station the user may see, by year and stage, the published ones as its results, and
    the one that sets its grade and stars marked."""

    permission_required = "evaluation.view_evaluation"
    template_name = "evaluation/results/station.html"

    def get_context_data(self, **kwargs):
        station = self.station
        current = station_results([station]).get(station.pk)
        return super().get_context_data(
            station=station,
            evaluations=list(station_evaluations(station=station, user=self.request.user)),
            current=current,
            sees_unpublished=sees_unpublished(self.request.user),
            **kwargs,
        )


urlpatterns = [
    path("stations/<id:station_pk>/results/", StationResultsView.as_view(), name="station-results"),
]
