"""The rollup figures computed straight from the records, for many stations at once.

Each function reads a set of stations in a fixed number of queries (GROUP BY station), so the nightly repair of
40,000 stations costs a few queries per chunk of stations, and the refresh of one dirty station the same few.
They return plain dicts of the rollup columns, which ``refresh`` compares with the stored rows and writes.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from config.periods import QUARTER, YEAR, month_end, period_of
from evaluation.rules.grading import station_results
from funding.choices import BudgetLine, BudgetStatus, FundingSource
from funding.models import BudgetLineAmount, Expenditure
from funding.rules.money import fen
from funding.rules.split import township_funding_splits
from services.choices import ServiceKind
from services.models import Beneficiary, ServiceRecord
from staffing.models import VolunteerHours
from staffing.rules import stations_compliance
from stations.choices import StationStatus
from stations.models import Region, Station

RULES = (
    "full_time_staff",
    "certified_staff",
    "volunteers",
    "professional_share",
    "operator_rating",
    "site_area",
    "salary_floor",
)
KIND_COLUMNS = {kind.value: f"kind_{kind.value}" for kind in ServiceKind}
LINE_COLUMNS = {line.value: f"line_{line.value}" for line in BudgetLine}
SOURCE_COLUMNS = {source.value: f"source_{source.value}" for source in FundingSource}
ZERO = Decimal("0")


# The column groups of a ``StationMonth``, each computed by its own queries; a refresh computes those its marks
# name (``refresh.PART_FIGURES``) and the nightly repair all of them.
SERVICES, SPENDING, COMPLIANCE = "services", "spending", "compliance"
MONTH_GROUPS = frozenset({SERVICES, SPENDING, COMPLIANCE})


def ancestors_of(townships) -> dict[int, dict]:
    """Township id -> the ids of its province, city, county and itself (None where the tree has no such level).

    One query: a township's parent is its county, whose parent is a city, whose parent may be a province."""
    rows = Region.objects.filter(pk__in=townships).values_list(
        "pk", "parent_id", "parent__parent_id", "parent__parent__parent_id"
    )
    return {
        township: {"township_id": township, "county_id": county, "city_id": city, "province_id": province}
        for township, county, city, province in rows
    }


def among(station_ids, stations: dict | None) -> dict[int, dict]:
    """The entries of ``station_ids`` in ``stations`` (``stations_of`` of a superset), read when not given."""
    if stations is None:
        return stations_of(station_ids)
    return {pk: stations[pk] for pk in station_ids if pk in stations}


def stations_of(station_ids) -> dict[int, dict]:
    """Station id -> its status, opening day and the ``RegionAncestors`` columns of its township. One query."""
    rows = Station.objects.filter(pk__in=station_ids).values_list(
        "pk",
        "status",
        "opened_on",
        "township_id",
        "township__parent_id",
        "township__parent__parent_id",
        "township__parent__parent__parent_id",
    )
    return {
        pk: {
            "status": status,
            "opened_on": opened_on,
            "ancestors": {"township_id": township, "county_id": county, "city_id": city, "province_id": province},
        }
        for pk, status, opened_on, township, county, city, province in rows
    }


def month_figures(
    station_ids: list[int],
    month: date,
    *,
    today: date | None = None,
    groups=MONTH_GROUPS,
    stations: dict | None = None,
) -> dict[int, dict]:
    """Station id -> the ``StationMonth`` columns of ``month`` (its first day) for each of ``station_ids``: the
    region ancestors and the column ``groups`` asked (``SERVICES``, ``SPENDING``, ``COMPLIANCE``; all by default).

    A fixed number of queries whatever the number of stations: one for the stations, four for the services,
    one for the spending, four for the compliance. Every station gets a row, also without records: its compliance
    still counts. The key-target figures follow ``services.rules.visits`` exactly (active key targets registered
    by the month's last day; visited: named in a visit record dated in the month), as one GROUP BY instead of that
    module's per-station query; a test holds the two equal. ``stations`` (``stations_of``) saves its query.
    """
    today = today or timezone.localdate()
    last = month_end(month)
    stations = among(station_ids, stations)
    rows = {pk: {**station["ancestors"], **empty_month(groups)} for pk, station in stations.items()}
    if SERVICES in groups:
        services_add(rows, stations, month, last)
    if SPENDING in groups:
        spending_add(rows, stations, month, last)
    if COMPLIANCE in groups:
        compliance_add(rows, stations, on=min(last, today))
    return rows


def services_add(rows: dict, stations, first: date, last: date) -> None:
    """The month's service records by kind, headcount and minutes, named people served distinct, key targets and
    those visited, and volunteer hours: four GROUP BY queries."""
    in_month = Q(date__gte=first, date__lte=last)
    records = ServiceRecord.objects.filter(in_month, station_id__in=stations).order_by().values("station_id", "kind")
    for station_id, kind, count, headcount, minutes in records.annotate(
        n=Count("pk"), people=Sum("headcount"), minutes=Sum("duration_minutes")
    ).values_list("station_id", "kind", "n", "people", "minutes"):
        row = rows[station_id]  # per kind: three aggregates to build instead of eleven
        row[KIND_COLUMNS[kind]] = count
        row["records"] += count
        row["headcount"] += headcount
        row["service_minutes"] += minutes
    served = ServiceRecord.beneficiaries.through.objects.filter(
        servicerecord__station_id__in=stations, servicerecord__date__gte=first, servicerecord__date__lte=last
    )
    for station_id, people in (
        served.order_by()
        .values("servicerecord__station_id")
        .annotate(n=Count("beneficiary_id", distinct=True))
        .values_list("servicerecord__station_id", "n")
    ):
        rows[station_id]["people_served"] = people
    visited = served.filter(servicerecord__kind=ServiceKind.VISIT).values("beneficiary_id")
    for row in (
        Beneficiary.objects.filter(station_id__in=stations, key_target=True, active=True, registered_on__lte=last)
        .order_by()
        .values("station_id")
        .annotate(key_targets=Count("pk"), key_targets_visited=Count("pk", filter=Q(pk__in=visited)))
    ):
        rows[row.pop("station_id")].update(row)
    for station_id, hours in (
        VolunteerHours.objects.filter(in_month, volunteer__station_id__in=stations)
        .order_by()
        .values("volunteer__station_id")
        .annotate(hours=Sum("hours"))
        .values_list("volunteer__station_id", "hours")
    ):
        rows[station_id]["volunteer_hours"] = Decimal(hours).quantize(Decimal("0.1"))


def empty_month(groups=MONTH_GROUPS) -> dict:
    """The columns of ``groups`` of a station-month without records."""
    row = {}
    if SERVICES in groups:
        row.update({"records": 0, "people_served": 0, "headcount": 0, "service_minutes": 0})
        row.update({"key_targets": 0, "key_targets_visited": 0, "volunteer_hours": ZERO})
        row.update({column: 0 for column in KIND_COLUMNS.values()})
    if SPENDING in groups:
        row["spent"] = ZERO
        row.update({column: ZERO for column in (*LINE_COLUMNS.values(), *SOURCE_COLUMNS.values())})
    if COMPLIANCE in groups:
        row.update({"compliance_on": None, "compliance_checked": False, "compliant": False, "checks": []})
        row.update({f"fail_{rule}": False for rule in RULES})
    return row


def spending_add(rows: dict, stations, first: date, last: date) -> None:
    """The month's expenditures by line and by source, from one GROUP BY (station, line, source)."""
    for station_id, line, source, amount in (
        Expenditure.objects.filter(station_id__in=stations, date__gte=first, date__lte=last)
        .order_by()
        .values("station_id", "line", "source")
        .annotate(amount=Sum("amount"))
        .values_list("station_id", "line", "source", "amount")
    ):
        row, amount = rows[station_id], fen(amount)  # SQLite sums decimals as floats
        row["spent"] += amount
        row[LINE_COLUMNS[line]] += amount
        row[SOURCE_COLUMNS[source]] += amount


def compliance_add(rows: dict, stations: dict, *, on: date) -> None:
    """The staffing standard on ``on`` (``staffing.rules.stations_compliance``) of the stations operating then:
    the flags and each rule's required and actual figures (``checks``, as the compliance page shows them).

    A station is checked when its status is operating and it had opened by ``on``: a station being built or closed
    is not measured against the standard. Its status is the current one (the portal keeps no status history)."""
    checked = [
        pk
        for pk, station in stations.items()
        if station["status"] == StationStatus.OPERATING and station["opened_on"] and station["opened_on"] <= on
    ]
    if not checked:
        return
    for station_id, compliance in stations_compliance(stations=Station.objects.filter(pk__in=checked), on=on).items():
        row = rows[station_id]
        row.update({"compliance_on": on, "compliance_checked": True, "compliant": compliance.compliant})
        row["checks"] = [
            {
                "code": check.code,
                "required": json_figure(check.required),
                "actual": json_figure(check.actual),
                "ok": check.ok,
            }
            for check in compliance.checks
        ]
        for check in compliance.checks:
            row[f"fail_{check.code}"] = not check.ok


def json_figure(value):
    """A rule's figure as JSON keeps it exactly: an int as a number, a decimal as its string, None as null."""
    if value is None or isinstance(value, int):
        return value
    return str(value)


def figure_of_json(value):
    """The figure ``json_figure`` wrote, back as an int, a ``Decimal`` or None."""
    return Decimal(value) if isinstance(value, str) else value


def people_figures(
    station_ids: list[int], month: date, *, stations: dict | None = None
) -> dict[tuple[str, date], dict[int, dict]]:
    """``(kind, first)`` -> station id -> ``StationPeriod`` columns, for the quarter and the year of ``month``:
    named people served distinct over each. One query for both, plus one for the stations unless given
    (``stations_of``)."""
    quarter, year = period_of(month, QUARTER), period_of(month, YEAR)
    stations = among(station_ids, stations)
    result = {
        (kind, period.first): {pk: {**station["ancestors"], "people_served": 0} for pk, station in stations.items()}
        for kind, period in ((QUARTER, quarter), (YEAR, year))
    }
    in_quarter = Q(servicerecord__date__gte=quarter.first, servicerecord__date__lte=quarter.last)
    for station_id, in_the_quarter, in_the_year in (
        ServiceRecord.beneficiaries.through.objects.filter(
            servicerecord__station_id__in=stations,
            servicerecord__date__gte=year.first,
            servicerecord__date__lte=year.last,
        )
        .order_by()
        .values("servicerecord__station_id")
        .annotate(
            quarter=Count("beneficiary_id", distinct=True, filter=in_quarter),
            year=Count("beneficiary_id", distinct=True),
        )
        .values_list("servicerecord__station_id", "quarter", "year")
    ):
        result[(QUARTER, quarter.first)][station_id]["people_served"] = in_the_quarter
        result[(YEAR, year.first)][station_id]["people_served"] = in_the_year
    return result


BUDGET, GRADE = "budget", "grade"
YEAR_GROUPS = frozenset({BUDGET, GRADE})


def year_figures(
    station_ids: list[int], year: int, *, groups=YEAR_GROUPS, stations: dict | None = None
) -> dict[int, dict]:
    """Station id -> ``StationYear`` columns of ``groups``: the total of the approved budget of ``year`` (the one
    version in force: a superseded one was replaced, a draft is not a budget yet) and the grade of its published
    result of the year. A query for each, plus one for the stations unless given (``stations_of``)."""
    stations = among(station_ids, stations)
    rows = {pk: dict(station["ancestors"]) for pk, station in stations.items()}
    if BUDGET in groups:
        totals = defaultdict(lambda: ZERO)
        for station_id, amount in BudgetLineAmount.objects.filter(
            budget__station_id__in=stations, budget__year=year, budget__status=BudgetStatus.APPROVED
        ).values_list("budget__station_id", "amount"):
            totals[station_id] += amount
        for pk, row in rows.items():
            row["budget"] = totals.get(pk, ZERO)
    if GRADE in groups:
        grades = {pk: result.grade or "" for pk, result in station_results(list(stations), year=year).items()}
        for pk, row in rows.items():
            row["grade"] = grades.get(pk, "")
    return rows


def township_figures(township_ids: list[int], year: int) -> dict[int, dict]:
    """Township id -> ``TownshipYear`` columns: its split of ``year`` (``township_funding_splits``, six queries)."""
    townships = list(Region.objects.filter(pk__in=township_ids))
    ancestors = ancestors_of(township_ids)
    splits = township_funding_splits(townships=townships, year=year)
    return {
        township.pk: {
            **ancestors[township.pk],
            "pending": splits[township.pk].pending,
            "city_share": splits[township.pk].city_share,
            "township_share": splits[township.pk].township_share,
        }
        for township in townships
    }
