"""The two-level split (两级分担) of a township's project spending for a year (DOMAIN.md section 5).

S = the expenditures of the township's stations in the year; each station's factor comes from the grade of its
published annual (or final) evaluation of that year; C = min(sum over the stations of S_station x city share x
factor, cap); T = S - C; one rounding, half-up to the fen, at the end. While any station with spending has no
published result for the year the split is pending: C and T are None, never zero, and nothing can be disbursed.

``township_funding_splits`` computes many townships in a fixed number of queries (the overview, the API list, the
dashboards); ``township_funding_split`` is one of them. Both take townships the caller has already cut to the
user's scope.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from evaluation.rules.grading import station_results
from stations.models import Region, Station
from stations.policies import region_policies

from ..choices import SplitStatus
from ..models import Disbursement, Expenditure, FundingPolicy
from .money import ZERO, fen


@dataclass(frozen=True)
class StationShare:
    """One station's part of the split: its spending, its published grade and factor, and the unrounded product
    ``spent x city share x factor`` (None while its result is not published)."""

    station_id: int
    station_name: str
    spent: Decimal
    grade: str | None
    factor: Decimal | None
    raw_share: Decimal | None
    evaluation_id: int | None

    @property
    def pending(self) -> bool:
        """Spending without a published result for the year holds the whole township's split."""
        return self.spent > 0 and self.grade is None


@dataclass(frozen=True)
class TownshipSplit:
    """A township's split for a year, with every input, so a page can print the formula with the numbers."""

    township_id: int
    township_name: str
    year: int
    city_rate: Decimal
    cap: Decimal
    spent: Decimal
    raw_city_share: Decimal | None  # the sum of the stations' raw shares, before the cap and the rounding
    city_share: Decimal | None  # C; None while pending
    township_share: Decimal | None  # T = S - C; None while pending
    capped: bool
    paid: Decimal
    stations: list[StationShare] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.city_share is None

    @property
    def status(self) -> str:
        if self.pending:
            return SplitStatus.PENDING
        if self.paid > self.city_share:
            return SplitStatus.OVERPAID
        if self.paid == self.city_share:
            return SplitStatus.PAID
        return SplitStatus.DUE

    @property
    def due(self) -> Decimal | None:
        """What is still to pay (C - paid, never below zero); None while pending."""
        return None if self.pending else max(self.city_share - self.paid, ZERO)

    @property
    def overpaid(self) -> Decimal:
        """What was paid above C (after an amendment lowered it): to recover."""
        return ZERO if self.pending else max(self.paid - self.city_share, ZERO)

    @property
    def pending_stations(self) -> list[StationShare]:
        return [share for share in self.stations if share.pending]

    def as_dict(self) -> dict:
        """The split as plain JSON (money as strings with two places): a disbursement's snapshot."""

        def text(value):
            return None if value is None else str(value)

        return {
            "township": self.township_id,
            "year": self.year,
            "status": str(self.status),
            "city_rate": text(self.city_rate),
            "cap": text(self.cap),
            "spent": text(self.spent),
            "raw_city_share": text(self.raw_city_share),
            "city_share": text(self.city_share),
            "township_share": text(self.township_share),
            "capped": self.capped,
            "paid": text(self.paid),
            "stations": [
                {
                    "station": share.station_id,
                    "name": share.station_name,
                    "spent": text(share.spent),
                    "grade": share.grade,
                    "factor": text(share.factor),
                    "raw_share": text(share.raw_share),
                    "evaluation": share.evaluation_id,
                }
                for share in self.stations
            ],
        }


def station_spending(station_ids, *, year: int) -> dict[int, Decimal]:
    """Station id -> the sum of its expenditures dated in ``year`` (stations without any left out). One query.

    The sums are exact on PostgreSQL; SQLite (the embedded default) adds decimals as floats, so they are brought back
    to the fen."""
    rows = (
        Expenditure.objects.of_year(year)
        .filter(station_id__in=station_ids)
        .values("station_id")
        .annotate(spent=Sum("amount"))
        .values_list("station_id", "spent")
    )
    return {station_id: fen(spent) for station_id, spent in rows}


def township_paid(township_ids, *, year: int) -> dict[int, Decimal]:
    """Township id -> the sum of its disbursements (recoveries negative) for ``year``. One query."""
    rows = (
        Disbursement.objects.filter(township_id__in=township_ids, year=year)
        .values("township_id")
        .annotate(paid=Sum("amount"))
        .values_list("township_id", "paid")
    )
    return {township_id: fen(paid) for township_id, paid in rows}


def station_share(station: Station, *, spent: Decimal, result, policy: FundingPolicy) -> StationShare:
    if result is None:
        return StationShare(station.pk, station.name, spent, None, None, None, None)
    factor = policy.factor(result.grade)
    return StationShare(
        station.pk, station.name, spent, result.grade, factor, spent * policy.city_share * factor, result.pk
    )


def split_of(township: Region, *, year: int, shares: list[StationShare], policy: FundingPolicy, paid: Decimal):
    spent = sum((share.spent for share in shares), ZERO)
    common = {
        "township_id": township.pk,
        "township_name": township.name,
        "year": year,
        "city_rate": policy.city_share,
        "cap": policy.township_cap,
        "spent": spent,
        "paid": paid,
        "stations": shares,
    }
    if any(share.pending for share in shares):
        return TownshipSplit(**common, raw_city_share=None, city_share=None, township_share=None, capped=False)
    raw = sum((share.raw_share for share in shares if share.raw_share is not None), Decimal("0"))
    city = fen(min(raw, policy.township_cap))
    return TownshipSplit(
        **common, raw_city_share=raw, city_share=city, township_share=spent - city, capped=raw > policy.township_cap
    )


def township_funding_splits(*, townships, year: int) -> dict[int, TownshipSplit]:
    """Township id -> its split for ``year``, for every one of ``townships`` (regions of the township level), in six
    queries whatever their number."""
    townships = list(townships)
    township_ids = [township.pk for township in townships]
    stations = list(
        Station.objects.filter(township_id__in=township_ids).only("pk", "name", "township_id").order_by("name", "pk")
    )
    station_ids = [station.pk for station in stations]
    spending = station_spending(station_ids, year=year)
    results = station_results(station_ids, year=year) if station_ids else {}
    policies = region_policies(FundingPolicy, regions=townships, year=year)
    paid = township_paid(township_ids, year=year)
    shares_of: dict[int, list[StationShare]] = {pk: [] for pk in township_ids}
    for station in stations:
        policy = policies[station.township_id]
        spent = spending.get(station.pk, ZERO)
        shares_of[station.township_id].append(
            station_share(station, spent=spent, result=results.get(station.pk), policy=policy)
        )
    return {
        township.pk: split_of(
            township,
            year=year,
            shares=shares_of[township.pk],
            policy=policies[township.pk],
            paid=paid.get(township.pk, ZERO),
        )
        for township in townships
    }


def township_funding_split(*, township: Region, year: int) -> TownshipSplit:
    """The split of one township for ``year`` (see the module's docstring)."""
    return township_funding_splits(townships=[township], year=year)[township.pk]
