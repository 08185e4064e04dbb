"""Rules of regions and stations that span rows (DOMAIN.md section 2)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from .choices import RegionLevel, StationStatus
from .models import OperatingContract, Region, StandardItem, Station, StationStandard


def contract_overlap(*, station: Station, start_on: date, end_on: date, exclude_pk: int | None = None):
    """The contract of ``station`` whose term overlaps [start_on, end_on], if any: one operator at a time."""
    return (
        OperatingContract.objects.filter(station=station, start_on__lte=end_on, end_on__gte=start_on)
        .exclude(pk=exclude_pk)
        .select_related("operator")
        .first()
    )


def contracts_ending(*, contracts, on: date, days: int):
    """Contracts of ``contracts`` in force on ``on`` that end within ``days`` days of it, and after which their
    station has no contract yet: the stations that will have no operator unless something is procured.

    One query, soonest end first; each contract carries ``days_left`` (0 on its last day).
    """
    successor = OperatingContract.objects.filter(station=OuterRef("station"), start_on__gt=OuterRef("end_on"))
    ending = list(
        contracts.filter(start_on__lte=on, end_on__gte=on, end_on__lte=on + timedelta(days=days))
        .filter(~Exists(successor))
        .select_related("station__township__parent", "operator")
        .order_by("end_on", "station__township__path", "pk")
    )
    for contract in ending:
        contract.days_left = (contract.end_on - on).days
    return ending


@dataclass(frozen=True)
class CoverageRow:
    """Coverage (全覆盖) of one region: townships under it, and how many have a station in operation."""

    region_id: int
    name: str
    townships: int
    covered: int

    @property
    def rate(self) -> float:
        return self.covered / self.townships if self.townships else 0.0

    @property
    def percent(self) -> int:
        return round(self.rate * 100)


def region_coverage(*, region: Region | None, stations) -> list[CoverageRow]:
    """Coverage of each child of ``region`` (or of each top-level region), in two queries.

    ``stations`` is the caller's already-scoped station queryset, so figures never reach beyond
    what the user may see. A path is a chain of 12-digit codes each followed by "/", so the
    first ``len(prefix) + 13`` characters of a township's path name the child it lies under.
    """
    prefix = region.path if region else ""
    child_key = Substr("path", 1, len(prefix) + 13)
    operating = stations.filter(status=StationStatus.OPERATING)
    figures = (
        Region.objects.filter(level=RegionLevel.TOWNSHIP, path__startswith=prefix)
        .annotate(child=child_key)
        .values("child")
        .annotate(
            townships=Count("id", distinct=True),
            covered=Count("id", distinct=True, filter=Q(stations__in=operating)),
        )
    )
    by_path = {row["child"]: row for row in figures}
    children = Region.objects.filter(parent=region).exclude(level=RegionLevel.COMMUNITY).order_by("path")
    return [
        CoverageRow(
            child.id,
            child.name,
            by_path.get(child.path, {}).get("townships", 0),
            by_path.get(child.path, {}).get("covered", 0),
        )
        for child in children.only("id", "name", "path")
    ]


def coverage_total(rows: list[CoverageRow]) -> CoverageRow:
    """The sum of coverage rows, as the row of their parent."""
    return CoverageRow(0, "", sum(r.townships for r in rows), sum(r.covered for r in rows))


def station_status_counts(stations) -> dict[str, int]:
    """Number of stations in each status (every status present, zero included)."""
    counts = dict(stations.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {s.value: counts.get(s.value, 0) for s in StationStatus}


@dataclass(frozen=True)
class ChecklistRow:
    """One active construction-standard item and the station's check of it (``None``: never assessed)."""

    item: StandardItem
    check: StationStandard | None

    @property
    def assessed(self) -> bool:
        return self.check is not None

    @property
    def met(self) -> bool:
        return bool(self.check and self.check.met)

    @property
    def note(self) -> str:
        return self.check.note if self.check else ""

    @property
    def state(self) -> str:
        if self.check is None:
            return "unchecked"
        return "met" if self.check.met else "not_met"


@dataclass(frozen=True)
class Checklist:
    """A station against every active construction-standard item (建设标准)."""

    rows: list[ChecklistRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def met(self) -> int:
        return sum(row.met for row in self.rows)

    @property
    def not_met(self) -> int:
        """Items not met, never-assessed ones included: an unproven standard is not met."""
        return self.total - self.met


def station_checklist(station: Station) -> Checklist:
    """Every active standard item with ``station``'s check of it, missing checks included (two queries)."""
    checks = {check.item_id: check for check in station.standards.select_related("updated_by")}
    return Checklist([ChecklistRow(item, checks.get(item.pk)) for item in StandardItem.objects.filter(active=True)])
