"""The two-way assessment (Suzhou 双向考核): each side of a station rates the other, once a year, on a small
scorecard of its own.

- ``operator``: the township official of the station's township rates the operating organisation
  (a template of purpose ``operator_rating``);
- ``support``: the station's manager rates the township's support (purpose ``support_rating``).

Nobody else rates, not even the administrator: the assessment is the two parties' word on each other. A side may
rate the year in progress and, until it closes, revise its rating; the previous year stays open too, as the
year-end rating is often made in January. An assessment keeps the scorecard version it was first made on.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from accounts.choices import Role
from stations.models import Station

from ..choices import TemplatePurpose, TwoWayDirection
from ..models import Indicator, ScorecardTemplate, TwoWayAssessment, TwoWayScore

PURPOSE = {
    TwoWayDirection.OPERATOR: TemplatePurpose.OPERATOR_RATING,
    TwoWayDirection.SUPPORT: TemplatePurpose.SUPPORT_RATING,
}
POINT = Decimal("0.1")
# How many years back a rating may still be made or revised (0: this year only).
OPEN_YEARS_BACK = 1


@dataclass(frozen=True)
class TwoWaySide:
    """One side of a pair: its direction and label, its assessment (``None`` before it is rated) and the points
    its scorecard can give (the sum of the indicators' maximums)."""

    direction: str
    label: str
    assessment: TwoWayAssessment | None
    max_points: Decimal | None


@dataclass(frozen=True)
class TwoWayPair:
    """Both sides' assessments of a station for a year, side by side; a side not yet rated is ``None``."""

    station: Station
    year: int
    operator: TwoWayAssessment | None
    support: TwoWayAssessment | None

    @property
    def sides(self) -> list[TwoWaySide]:
        return [
            TwoWaySide(
                direction=direction,
                label=TwoWayDirection(direction).label,
                assessment=assessment,
                max_points=sum((s.indicator.max_points for s in assessment.scores.all()), Decimal("0"))
                if assessment
                else None,
            )
            for direction, assessment in (
                (TwoWayDirection.OPERATOR, self.operator),
                (TwoWayDirection.SUPPORT, self.support),
            )
        ]


def two_way_may_rate(*, user, station: Station, direction: str) -> bool:
    """Whether ``user`` is the side that rates in ``direction`` for ``station``.

    ``operator``: a township official of the station's own township; ``support``: the station's own manager. Both
    need the permission to add two-way assessments and the station in their scope.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not user.has_perm("evaluation.add_twowayassessment"):
        return False
    if direction == TwoWayDirection.OPERATOR:
        party = user.role == Role.TOWNSHIP_OFFICIAL and user.region_id == station.township_id
    elif direction == TwoWayDirection.SUPPORT:
        party = user.role == Role.STATION_MANAGER and user.station_id == station.pk
    else:
        return False
    return party and Station.objects.visible_to(user).filter(pk=station.pk).exists()


def two_way_open_years(today: date | None = None) -> range:
    """The years a rating may be made or revised in: this year and ``OPEN_YEARS_BACK`` before it."""
    year = (today or date.today()).year
    return range(year - OPEN_YEARS_BACK, year + 1)


def two_way_template(*, station: Station, direction: str) -> ScorecardTemplate:
    """The active scorecard of the direction's purpose for ``station``: the one of the nearest region above the
    station that has one (a city's own version before the national one), the highest version on a tie."""
    path = station.township.path
    candidates = (
        ScorecardTemplate.objects.active(PURPOSE[direction])
        .filter(Q(region__isnull=True) | Q(region__path__in=prefixes(path)))
        .select_related("region")
    )
    found = max(
        candidates,
        key=lambda template: (len(template.region.path) if template.region else -1, template.version, template.pk),
        default=None,
    )
    if found is None:
        raise ValidationError(
            {"direction": _("No active scorecard exists for this side of the two-way assessment.")}, code="no_template"
        )
    return found


def prefixes(path: str) -> list[str]:
    """Every prefix of a region path: the paths of the region and of all regions above it among them."""
    return [path[:end] for end in range(1, len(path) + 1)]


def two_way_rate(
    *, station: Station, year: int, direction: str, scores: dict, comment: str = "", user
) -> TwoWayAssessment:
    """Create or revise ``station``'s assessment of ``year`` in ``direction`` with ``scores`` ({indicator id: points}).

    Every indicator of the scorecard is scored, from 0 to its maximum with at most one decimal; the total is the
    sum. Refused with ``PermissionDenied`` for anyone but the rating side (``two_way_may_rate``) and with a
    ``ValidationError`` (field ``year``, ``direction`` or ``scores``) for a closed year or a bad score; nothing is
    saved then.
    """
    if direction not in PURPOSE:
        raise ValidationError({"direction": _("Choose the operator or the support side.")}, code="invalid")
    if not two_way_may_rate(user=user, station=station, direction=direction):
        raise PermissionDenied(_("Only the side that rates in this direction can rate it."))
    if year not in two_way_open_years():
        raise ValidationError(
            {"year": _("Ratings are open for this year and last year only.")}, code="closed", params={"year": year}
        )
    with transaction.atomic():
        assessment = (
            TwoWayAssessment.objects.select_for_update(of=("self",))
            .filter(station=station, year=year, direction=direction)
            .select_related("template")
            .first()
        )
        template = assessment.template if assessment else two_way_template(station=station, direction=direction)
        indicators = list(Indicator.objects.filter(template=template))
        points = checked_scores(indicators, scores)
        total = sum(points.values(), Decimal("0"))
        if assessment is None:
            assessment = TwoWayAssessment.objects.create(
                station=station,
                year=year,
                direction=direction,
                template=template,
                total=total,
                comment=comment,
                by=user,
            )
        else:
            assessment.total, assessment.comment, assessment.by = total, comment, user
            assessment.save(update_fields=["total", "comment", "by", "at"])
            assessment.scores.all().delete()
        TwoWayScore.objects.bulk_create(
            TwoWayScore(assessment=assessment, indicator=indicator, score=points[indicator.pk])
            for indicator in indicators
        )
    return assessment


def checked_scores(indicators: list[Indicator], scores: dict) -> dict[int, Decimal]:
    """``scores`` as {indicator id: Decimal}, every indicator of the scorecard scored within 0 and its maximum."""
    by_id = {indicator.pk: indicator for indicator in indicators}
    given = {indicator_key(key): value for key, value in (scores or {}).items()}
    errors: list[ValidationError] = []
    if any(key not in by_id for key in given):
        errors.append(ValidationError(_("Score only the indicators of this scorecard."), code="unknown_indicator"))
    points: dict[int, Decimal] = {}
    for indicator in indicators:
        params = {"indicator": indicator.pk, "code": indicator.code, "max": indicator.max_points}
        value = as_points(given.get(indicator.pk))
        if value is None:
            message = _("%(code)s: give a score from 0 to %(max)s.")
            errors.append(ValidationError(message, code="missing", params=params))
        elif not Decimal("0") <= value <= indicator.max_points:
            message = _("%(code)s: the score must lie between 0 and %(max)s.")
            errors.append(ValidationError(message, code="out_of_range", params=params))
        elif value != value.quantize(POINT):
            errors.append(ValidationError(_("%(code)s: use at most one decimal."), code="precision", params=params))
        else:
            points[indicator.pk] = value.quantize(POINT)
    if errors:
        raise ValidationError({"scores": errors})
    return points


def indicator_key(key) -> int | None:
    """An indicator id given as a key (an int, or ASCII digits), else None (which matches no indicator)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    text = str(key).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def as_points(value) -> Decimal | None:
    """A score as a finite Decimal, or None for nothing or something that is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def two_way_pair(*, station: Station, year: int) -> TwoWayPair:
    """Both sides' assessments of ``station`` for ``year``, with their scores and indicators (two queries)."""
    found = {
        assessment.direction: assessment
        for assessment in TwoWayAssessment.objects.filter(station=station, year=year)
        .select_related("template", "by")
        .prefetch_related(Prefetch("scores", queryset=TwoWayScore.objects.select_related("indicator")))
    }
    return TwoWayPair(
        station=station,
        year=year,
        operator=found.get(TwoWayDirection.OPERATOR),
        support=found.get(TwoWayDirection.SUPPORT),
    )


def two_way_years(*, station: Station) -> list[int]:
    """The years ``station`` has a two-way assessment of, latest first."""
    return list(
        TwoWayAssessment.objects.filter(station=station).order_by("-year").values_list("year", flat=True).distinct()
    )
