"""Grades and stars from an evaluation's total, by the evaluation policy of the station and the evaluated year.

A total reaches a threshold when it is at or above it: with the defaults 90.0 is excellent and 89.9 good,
95.0 five stars and 94.9 four (DOMAIN.md section 6). Totals are Decimals of one decimal place.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery

from stations.models import Station
from stations.policies import nearest_policies

from ..choices import RESULT_STAGES, EvaluationStatus, Grade
from ..models import Evaluation, EvaluationPolicy

POINT = Decimal("0.1")


def points(value) -> Decimal:
    """``value`` as points: a Decimal with one decimal place, rounded half-up."""
    return Decimal(value).quantize(POINT, rounding=ROUND_HALF_UP)


def policy_for(*, station: Station, year: int) -> EvaluationPolicy:
    """The evaluation policy of the nearest region above ``station`` that has one for ``year``, else the defaults."""
    return nearest_policies(EvaluationPolicy, stations=[station], year=year)[station.pk]


def evaluation_grade(total: Decimal, policy: EvaluationPolicy) -> str:
    """The grade (``Grade`` value) a total reaches under ``policy``."""
    if total >= policy.excellent_min:
        return Grade.EXCELLENT
    if total >= policy.good_min:
        return Grade.GOOD
    if total >= policy.pass_min:
        return Grade.PASS
    return Grade.FAIL


def evaluation_stars(total: Decimal, policy: EvaluationPolicy) -> int:
    """The stars (0 to 5) a total reaches under ``policy``."""
    for stars, minimum in policy.star_thresholds:
        if total >= minimum:
            return stars
    return 0


def station_results(stations, *, year: int | None = None) -> dict[int, Evaluation]:
    """Station id -> its latest published annual or final evaluation (the one that sets its grade and stars); with
    ``year``, its latest of that evaluated year (the one that sets the year's funding factor).

    One query for all ``stations`` (a queryset or a list of stations or ids); stations without one are left out.
    An amendment changes the evaluation's grade in place, so whoever reads it next follows.
    """
    ids = [getattr(station, "pk", station) for station in stations] if not hasattr(stations, "values") else None
    station_ids = stations.values("pk") if ids is None else ids
    latest = Evaluation.objects.filter(
        station=OuterRef("station"), status=EvaluationStatus.PUBLISHED, stage__in=RESULT_STAGES
    )
    if year is not None:
        latest = latest.filter(year=year)
    latest = latest.order_by("-year", "-published_at", "-pk").values("pk")[:1]
    found = Evaluation.objects.filter(station__in=station_ids, pk=Subquery(latest)).select_related("assignment")
    return {evaluation.station_id: evaluation for evaluation in found}
