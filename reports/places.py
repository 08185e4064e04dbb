"""Places a user picks in a search box: the regions and stations of their scope, found by typing.

A national official reaches about 40,000 stations (DOMAIN.md section 8): no page lists them whole. A search box asks
``places_matching`` for a few at a time, by part of the name or the start of the division code, and the report
archive filters on the one picked (``place_chosen``) or, without JavaScript, on the typed text
(``reports.filters.ReportFilter``). Villages and communities are left out: no report is about one.
"""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from stations.choices import RegionLevel
from stations.models import Region, Station

LIMIT = 20
MIN_LENGTH = 2  # two characters: one Chinese character matches thousands of places
STATION, REGION = "station", "region"
KINDS = (STATION, REGION)
REPORT_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
LEVEL_ORDER = {level: index for index, level in enumerate(REPORT_LEVELS)}


@dataclass(frozen=True)
class Place:
    """A region or a station as a search box offers it: ``key`` (``station:12``, ``region:5``) names it whole,
    ``where`` is what lies above it (the county and township of a station), ``level_label`` what it is."""

    kind: str
    pk: int
    name: str
    where: str
    level: str
    level_label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


def region_place(region: Region) -> Place:
    return Place(
        kind=REGION,
        pk=region.pk,
        name=region.name,
        where=region.parent.name if region.parent_id else "",
        level=region.level,
        level_label=str(region.get_level_display()),
    )


def station_place(station: Station) -> Place:
    township = station.township
    where = " · ".join(name for name in (township.parent.name if township.parent_id else "", township.name) if name)
    return Place(kind=STATION, pk=station.pk, name=station.name, where=where, level=STATION, level_label=_("Station"))


def prefix_first(text: str, field: str) -> Case:
    # Names that start with the text come before names that merely contain it: "海宁" finds 海宁市 first.
    return Case(When(**{f"{field}__istartswith": text}, then=Value(0)), default=Value(1), output_field=IntegerField())


def places_matching(*, user, text: str, kind: str = "", limit: int = LIMIT) -> list[Place]:
    """The regions (province to township) and stations in ``user``'s scope whose name contains ``text`` or whose
    division code (a station's: its township's) starts with it; at most ``limit``, names starting with the text
    first, then regions from the top of the tree down, then stations. ``kind`` keeps to stations or regions.
    Fewer than ``MIN_LENGTH`` characters find nothing. Two queries, each cut at ``limit``."""
    text = text.strip()
    if len(text) < MIN_LENGTH:
        return []
    places: list[tuple[int, int, str, Place]] = []
    if kind in ("", REGION):
        condition = Q(name__icontains=text) | (Q(code__startswith=text) if text.isdigit() else Q())
        regions = (
            Region.objects.visible_to(user)
            .filter(condition, level__in=REPORT_LEVELS)
            .select_related("parent")
            .annotate(rank=prefix_first(text, "name"))
            .order_by("rank", "path")[:limit]
        )
        places += [(region.rank, LEVEL_ORDER[region.level], region.path, region_place(region)) for region in regions]
    if kind in ("", STATION):
        condition = Q(name__icontains=text) | (Q(township__code__startswith=text) if text.isdigit() else Q())
        stations = (
            Station.objects.visible_to(user)
            .filter(condition)
            .select_related("township__parent")
            .annotate(rank=prefix_first(text, "name"))
            .order_by("rank", "township__path", "name")[:limit]
        )
        places += [
            (station.rank, len(REPORT_LEVELS), station.township.path, station_place(station)) for station in stations
        ]
    places.sort(key=lambda row: row[:3])
    return [place for *_order, place in places[:limit]]


def place_chosen(*, user, station_id: int | None = None, region_id: int | None = None) -> Place | None:
    """The station or region picked in a search box, if it lies in ``user``'s scope (one query); else ``None``,
    so that a page never names a place its user may not see."""
    if station_id is not None:
        station = Station.objects.visible_to(user).select_related("township__parent").filter(pk=station_id).first()
        return station_place(station) if station else None
    if region_id is not None:
        region = Region.objects.visible_to(user).select_related("parent").filter(pk=region_id).first()
        return region_place(region) if region else None
    return None
