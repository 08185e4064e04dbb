"""The rollups: equal to the records after writes, edits and deletes; fresh through the dirty marks; repaired."""

import logging
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from config.periods import MONTH, QUARTER, YEAR, month_end, period_of
from funding.choices import BudgetLine, BudgetStatus, FundingSource
from funding.models import Budget, BudgetLineAmount, Expenditure
from funding.rules.expenditures import expenditure_create, expenditure_update
from reports.models import RollupDirty, StationMonth, StationPeriod
from reports.rollups import compute
from reports.rollups.dirty import rollup_mark
from reports.rollups.figures import children_figures, dashboard_figures
from reports.rollups.refresh import rollups_refresh, rollups_repair, stations_refresh
from services.choices import ServiceKind
from services.models import Beneficiary, ServiceRecord
from services.rules import service_record_delete, service_record_update, visit_rate
from staffing.models import VolunteerHours
from tests.factories import StationFactory
from tests.funding.helpers import result
from tests.services.helpers import beneficiary, log, volunteer

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


@pytest.fixture
def world(world):
    """The world without its own marks (saving its stations marked their month's compliance)."""
    RollupDirty.objects.all().delete()
    return world


def months_back(count: int) -> list[date]:
    months, month = [], THIS_MONTH
    for _ in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months[::-1]


def day_in(month: date, rng: random.Random) -> date:
    return month + timedelta(days=rng.randrange((min(month_end(month), TODAY) - month).days + 1))


def approved(station, year: int, amount="500000.00") -> Budget:
    budget = Budget.objects.create(station=station, year=year, status=BudgetStatus.APPROVED, version=1)
    BudgetLineAmount.objects.create(budget=budget, line=BudgetLine.ACTIVITIES, amount=Decimal(amount))
    return budget


def random_world(world, rng: random.Random, months: list[date]):
    """Several stations with beneficiaries (some key targets), volunteers, records of every kind over ``months``,
    volunteer hours and expenditures, all written through the rule functions; then some edited and deleted."""
    user = world.users["manager"]
    stations = [world.stations[key] for key in ("S1", "S2", "S3", "SB")]
    stations.append(StationFactory(township=world.regions["T1"]))  # two stations in one township
    people, helpers = {}, {}
    for s, station in enumerate(stations):
        people[station.pk] = [
            beneficiary(station, 100 * s + n, key_target=n % 3 == 0, registered_on=date(TODAY.year - 1, 1, 1))
            for n in range(12)
        ]
        # a key target only from the last month, registered after its first day
        people[station.pk][-1].registered_on = min(months[-1] + timedelta(days=1), TODAY)
        people[station.pk][-1].key_target = True
        people[station.pk][-1].save()
        helpers[station.pk] = [volunteer(station, 500 + 100 * s + n) for n in range(3)]
        for year in {month.year for month in months}:
            approved(station, year)
    records = []
    for _ in range(160):
        station = rng.choice(stations)
        named = rng.sample(people[station.pk], rng.randrange(0, 4))
        shares = [
            {"volunteer": v, "hours": Decimal(rng.randrange(1, 30)) / 10}
            for v in rng.sample(helpers[station.pk], rng.randrange(0, 2))
        ]
        records.append(
            log(
                station,
                user,
                day_in(rng.choice(months), rng),
                kind=rng.choice(ServiceKind.values),
                people=named,
                headcount=0 if named else rng.randrange(1, 20),
                duration_minutes=rng.randrange(10, 240),
                volunteers=shares,
            )
        )
    spending = []
    for _ in range(40):
        station = rng.choice(stations)
        spending.append(
            expenditure_create(
                station=station,
                user=user,
                date=day_in(rng.choice(months), rng),
                line=rng.choice(BudgetLine.values),
                source=rng.choice(FundingSource.values),
                amount=Decimal(rng.randrange(100, 90000)) / 100,
                payee="某某商行",
                description="活动物资",
            )
        )
    for record in rng.sample(records, 30):  # edits: another day (maybe another month), kind and people
        station_people = people[record.station_id]
        service_record_update(
            record=record,
            user=user,
            date=day_in(rng.choice(months), rng),
            kind=rng.choice(ServiceKind.values),
            beneficiaries=rng.sample(station_people, 2),
        )
    for record in rng.sample(records, 20):
        if ServiceRecord.objects.filter(pk=record.pk).exists():
            service_record_delete(record=record)
    for expenditure in rng.sample(spending, 8):
        expenditure_update(expenditure=expenditure, user=user, date=day_in(rng.choice(months), rng))
    return stations


def from_records(station_ids, months):
    """The figures computed straight from the records, in Python: (station, month) -> figures."""
    figures = defaultdict(lambda: defaultdict(lambda: Decimal(0)))
    people = defaultdict(set)
    for record in ServiceRecord.objects.filter(station_id__in=station_ids).prefetch_related("beneficiaries"):
        key = (record.station_id, record.date.replace(day=1))
        row = figures[key]
        row["records"] += 1
        row[f"kind_{record.kind}"] += 1
        row["headcount"] += record.headcount
        row["service_minutes"] += record.duration_minutes
        people[key] |= {person.pk for person in record.beneficiaries.all()}
        if record.kind == ServiceKind.VISIT:
            row.setdefault("visited_ids", set()).update(person.pk for person in record.beneficiaries.all())
    for key, ids in people.items():
        figures[key]["people_served"] = len(ids)
    for station_id in station_ids:
        for month in months:
            row = figures[(station_id, month)]
            targets = {
                person.pk
                for person in Beneficiary.objects.filter(station_id=station_id)
                if person.key_target and person.active and person.registered_on <= month_end(month)
            }
            row["key_targets"] = len(targets)
            row["key_targets_visited"] = len(targets & row.pop("visited_ids", set()))
    for hours in VolunteerHours.objects.filter(volunteer__station_id__in=station_ids).select_related("volunteer"):
        figures[(hours.volunteer.station_id, hours.date.replace(day=1))]["volunteer_hours"] += hours.hours
    for spent in Expenditure.objects.filter(station_id__in=station_ids):
        row = figures[(spent.station_id, spent.date.replace(day=1))]
        row["spent"] += spent.amount
        row[f"line_{spent.line}"] += spent.amount
        row[f"source_{spent.source}"] += spent.amount
    return figures, people


@pytest.mark.parametrize("seed", [7, 2026])
def test_rollups_equal_the_records_after_writes_edits_and_deletes(world, seed):
    """On a random data set written, edited and deleted through the rule functions, the refresh of the dirty
    marks leaves every station-month, quarter and year equal to the figures computed straight from the records,
    and the region figures are the sums of their stations'."""
    months = months_back(4)
    stations = random_world(world, random.Random(seed), months)
    rollups_refresh()
    assert not RollupDirty.objects.exists()
    ids = [station.pk for station in stations]
    expected, people = from_records(ids, months)
    for station_id in ids:
        for month in months:
            row = StationMonth.objects.get(station_id=station_id, month=month)
            wanted = expected[(station_id, month)]
            for name in ("records", "headcount", "service_minutes", "people_served", "key_targets"):
                assert getattr(row, name) == wanted[name], (station_id, month, name)
            assert row.key_targets_visited == wanted["key_targets_visited"]
            assert row.volunteer_hours == wanted["volunteer_hours"]
            assert row.spent == wanted["spent"]
            for kind in ServiceKind.values:
                assert getattr(row, f"kind_{kind}") == wanted[f"kind_{kind}"]
            for column in (*compute.LINE_COLUMNS.values(), *compute.SOURCE_COLUMNS.values()):
                assert getattr(row, column) == wanted[column]
    for kind in (QUARTER, YEAR):
        for first in {period_of(month, kind).first for month in months}:
            for station_id in ids:
                served = set().union(
                    *(
                        ids_
                        for (sid, month), ids_ in people.items()
                        if sid == station_id and period_of(month, kind).first == first
                    )
                )
                stored = StationPeriod.objects.get(station_id=station_id, kind=kind, first=first).people_served
                assert stored == len(served)
    city = world.regions["A"]
    in_city = [s.pk for s in stations if s.township.path.startswith(city.path)]
    for month in months:
        figures = dashboard_figures(stations_or_region=city, period=period_of(month, MONTH))
        assert figures.services.records == sum(expected[(pk, month)]["records"] for pk in in_city)
        assert figures.services.people_served == sum(expected[(pk, month)]["people_served"] for pk in in_city)
        assert figures.funding.spent == sum(expected[(pk, month)]["spent"] for pk in in_city)
        assert figures.visits.key_targets == sum(expected[(pk, month)]["key_targets"] for pk in in_city)


def test_key_target_figures_agree_with_the_visit_rules(world):
    """The rollup's key targets and visited are those of ``services.rules.visit_rate`` for the same month."""
    station, user = world.stations["S1"], world.users["manager"]
    people = [beneficiary(station, n, key_target=n < 4) for n in range(6)]
    people[3].active = False
    people[3].save()
    log(station, user, THIS_MONTH, kind="visit", people=people[:2] + people[4:])
    log(station, user, THIS_MONTH, kind="group", people=people[2:3])
    stations_refresh([station.pk], [THIS_MONTH])
    row = StationMonth.objects.get(station=station, month=THIS_MONTH)
    rate = visit_rate(station=station, month=THIS_MONTH)
    assert (row.key_targets, row.key_targets_visited) == (rate.key_targets, rate.visited) == (3, 2)


def test_every_kind_line_and_source_has_a_column():
    """A new service kind, budget line or funding source needs its rollup column (and a migration)."""
    names = {field.name for field in StationMonth._meta.get_fields()}
    columns = [*compute.KIND_COLUMNS.values(), *compute.LINE_COLUMNS.values(), *compute.SOURCE_COLUMNS.values()]
    assert set(columns) <= names
    assert {f"fail_{rule}" for rule in compute.RULES} <= names


def test_a_new_record_shows_after_the_refresh_and_a_deleted_one_goes(world):
    """Logging marks the station-month in the rule's transaction; the refresh shows it; a delete takes it back."""
    station, user = world.stations["S1"], world.users["manager"]
    period = period_of(TODAY, MONTH)
    record = log(station, user, TODAY, kind="group", headcount=12)
    assert RollupDirty.objects.filter(station=station, month=THIS_MONTH).exists()
    assert rollups_refresh() == 1
    figures = dashboard_figures(stations_or_region=world.regions["A1"], period=period)
    assert (figures.services.records, figures.services.headcount) == (1, 12)
    assert figures.services.by_kind["group"] == 1
    service_record_delete(record=record)
    rollups_refresh()
    assert dashboard_figures(stations_or_region=world.regions["A1"], period=period).services.records == 0


def test_a_record_moved_to_another_month_leaves_the_old_one(world):
    """Correcting a record's date marks both months: it leaves the old month's figures and joins the new one's."""
    station, user = world.stations["S1"], world.users["manager"]
    last_month = (THIS_MONTH - timedelta(days=1)).replace(day=1)
    record = log(station, user, last_month, kind="case", headcount=1)
    rollups_refresh()
    service_record_update(record=record, user=user, date=TODAY)
    rollups_refresh()
    assert StationMonth.objects.get(station=station, month=last_month).records == 0
    assert StationMonth.objects.get(station=station, month=THIS_MONTH).records == 1


def test_a_mark_made_during_a_refresh_survives_it(world, monkeypatch):
    """A write that marks the month while the refresh computes it is taken by the next refresh, never lost."""
    from reports.rollups import refresh

    station, user = world.stations["S1"], world.users["manager"]
    log(station, user, TODAY, kind="case", headcount=1)
    real = refresh.stations_refresh

    def with_a_write_meanwhile(*args, **kwargs):
        differences = real(*args, **kwargs)
        log(station, user, TODAY, kind="case", headcount=1)
        return differences

    monkeypatch.setattr(refresh, "stations_refresh", with_a_write_meanwhile)
    rollups_refresh()
    monkeypatch.setattr(refresh, "stations_refresh", real)
    assert RollupDirty.objects.filter(station=station).exists()
    rollups_refresh()
    assert StationMonth.objects.get(station=station, month=THIS_MONTH).records == 2


def test_the_repair_fixes_and_logs_a_wrong_figure(world, caplog):
    """A write that did not mark its month (straight to the table) is found by the repair, fixed and logged."""
    station, user = world.stations["S1"], world.users["manager"]
    log(station, user, TODAY, kind="case", headcount=3)
    rollups_refresh()
    ServiceRecord.objects.create(station=station, date=TODAY, kind="group", headcount=5, duration_minutes=30)
    with caplog.at_level(logging.WARNING, logger="reports.rollups.refresh"):
        differences = rollups_repair(months=3)
    assert {(d.field, d.stored, d.computed) for d in differences} >= {("records", 1, 2), ("headcount", 3, 8)}
    assert "headcount was 3, the records give 8" in caplog.text
    assert StationMonth.objects.get(station=station, month=THIS_MONTH).headcount == 8
    assert rollups_repair(months=3) == []  # nothing left to repair


def test_rates_come_from_summed_counts_not_averaged(world):
    """A county's visit rate is all its visited key targets over all its key targets: 1 of 1 and 1 of 3 is 0.5,
    not the average 0.6667."""
    user = world.users["manager"]
    s1, s2 = world.stations["S1"], world.stations["S2"]
    one = beneficiary(s1, 1, key_target=True)
    log(s1, user, TODAY, kind="visit", people=[one])
    three = [beneficiary(s2, 10 + n, key_target=True) for n in range(3)]
    log(s2, user, TODAY, kind="visit", people=three[:1])
    rollups_refresh()
    figures = dashboard_figures(stations_or_region=world.regions["A1"], period=period_of(TODAY, MONTH))
    assert (figures.visits.key_targets, figures.visits.visited, figures.visits.rate) == (4, 2, Decimal("0.5000"))


def test_people_served_do_not_add_across_months(world):
    """The same person served in two months of a quarter counts once in the quarter and the year."""
    station, user = world.stations["S1"], world.users["manager"]
    person = beneficiary(station, 1)
    months = [month for month in months_back(3) if period_of(month, QUARTER) == period_of(TODAY, QUARTER)]
    if len(months) < 2:
        months = [TODAY.replace(day=1), TODAY]  # the first month of a quarter: twice in it
    for month in months:
        log(station, user, month, kind="case", people=[person])
    rollups_refresh()
    month_figures = [dashboard_figures(stations_or_region=station, period=period_of(m, MONTH)) for m in months]
    assert sum(f.services.people_served for f in month_figures) == len({m.replace(day=1) for m in months})
    for kind in (QUARTER, YEAR):
        figures = dashboard_figures(stations_or_region=world.regions["A"], period=period_of(TODAY, kind))
        assert figures.services.people_served == 1


def test_compliance_counts_checked_compliant_and_failing_rules(world):
    """Operating stations are checked against the staffing standard; each failing rule is counted."""
    rollups_repair(months=1)
    figures = dashboard_figures(stations_or_region=world.regions["A"], period=period_of(TODAY, MONTH))
    assert figures.compliance.checked == 3
    assert figures.compliance.compliant == 0  # nobody on the rosters
    assert figures.compliance.failing["full_time_staff"] == 3


def test_funding_budget_split_and_grades_of_the_year(world):
    """The year's approved budgets add up; a township whose station spent without a published result is pending;
    the grades of the year's published results are counted."""
    user = world.users["manager"]
    s1, s2 = world.stations["S1"], world.stations["S2"]
    approved(s1, TODAY.year, "300000.00")
    approved(s2, TODAY.year, "200000.00")
    expenditure_create(
        station=s1,
        user=user,
        date=TODAY,
        line="personnel",
        source="city_fiscal",
        amount=Decimal("600.00"),
        payee="某某",
        description="工资",
    )
    expenditure_create(
        station=s2,
        user=user,
        date=TODAY,
        line="activities",
        source="township_fiscal",
        amount=Decimal("400.00"),
        payee="某某",
        description="物资",
    )
    result(s1, "excellent", year=TODAY.year)
    rollups_refresh()
    figures = dashboard_figures(stations_or_region=world.regions["A1"], period=period_of(TODAY, YEAR))
    assert figures.funding.budget == Decimal("500000.00")
    assert figures.funding.spent == Decimal("1000.00")
    assert figures.funding.personnel_share == Decimal("0.6000")
    assert figures.funding.pending == 1  # T2: S2 spent with no result
    assert figures.funding.city_share > 0  # T1's split is settled
    assert figures.evaluation["excellent"] == 1


def test_children_add_up_to_their_parent(world):
    """The children's figures of a city are its counties', and they add up to the city's."""
    user = world.users["manager"]
    for key in ("S1", "S2", "S3"):
        log(world.stations[key], user, TODAY, kind="case", headcount=2)
    rollups_repair(months=1)
    period = period_of(TODAY, MONTH)
    children = children_figures(region=world.regions["A"], period=period)
    assert [child for child, _f in children] == [world.regions["A2"], world.regions["A1"]]
    whole = dashboard_figures(stations_or_region=world.regions["A"], period=period)
    assert sum(f.services.records for _c, f in children) == whole.services.records == 3
    assert sum(f.coverage.townships for _c, f in children) == whole.coverage.townships == 3
    assert sum(f.stations for _c, f in children) == whole.stations == 3
    by_station = children_figures(region=world.regions["T1"], period=period)
    assert [(child, f.services.records) for child, f in by_station] == [(world.stations["S1"], 1)]


def test_the_figures_take_a_fixed_number_of_queries(world, django_assert_num_queries):
    """A region's figures and its children's cost the same queries with 3 stations or 30."""
    for n in range(27):
        StationFactory(township=world.regions[("T1", "T2", "T3")[n % 3]])
    rollups_repair(months=1)
    for kind in (MONTH, QUARTER):
        period = period_of(TODAY, kind)
        # The region rows: months, people (of a quarter), year, coverage; see test_region_rollups.py.
        with django_assert_num_queries(4 if kind != MONTH else 3):
            dashboard_figures(stations_or_region=world.regions["A"], period=period)
        with django_assert_num_queries(5 if kind != MONTH else 4):
            children_figures(region=world.regions["A"], period=period)


def test_the_rebuild_command_fills_the_months(world):
    """``manage.py rollups_rebuild --months 2`` writes a row for every station and month."""
    call_command("rollups_rebuild", "--months", "2", stdout=open("/dev/null", "w"))
    assert StationMonth.objects.count() == 2 * 4


def test_a_rolled_back_write_leaves_no_mark(world):
    """The mark is written in the rule's transaction: a write rolled back leaves nothing to refresh."""
    from django.db import transaction

    station, user = world.stations["S1"], world.users["manager"]
    with pytest.raises(RuntimeError), transaction.atomic():
        log(station, user, TODAY, kind="case", headcount=1)
        raise RuntimeError("the caller fails after the record")
    assert not RollupDirty.objects.exists()


def test_volunteer_hours_and_spending_mark_their_month(world):
    """Hours added by the staffing rule and a payment entered by the funding rule show after the refresh."""
    from staffing.rules import volunteer_hours_add

    station, user = world.stations["S1"], world.users["manager"]
    approved(station, TODAY.year)
    volunteer_hours_add(volunteer=volunteer(station, 1), on=TODAY, hours=Decimal("2.5"), activity="探访")
    expenditure_create(
        station=station,
        user=user,
        date=TODAY,
        line="other",
        source="donations",
        amount=Decimal("12.30"),
        payee="某某",
        description="物资",
    )
    marks = RollupDirty.objects.filter(station=station, month=THIS_MONTH)
    # The new volunteer marks the month's compliance too (volunteers are counted by the staffing standard); hours
    # change no one's count of people served (RECORDS, not SERVICES).
    assert sorted(marks.values_list("part", flat=True)) == [
        RollupDirty.RECORDS,
        RollupDirty.SPENDING,
        RollupDirty.STAFFING,
    ]
    rollups_refresh()
    figures = dashboard_figures(stations_or_region=station, period=period_of(TODAY, MONTH))
    assert figures.volunteer_hours == Decimal("2.5")
    assert (figures.funding.spent, figures.funding.by_source["donations"]) == (Decimal("12.30"), Decimal("12.30"))


def more_writes(world, stations, rng: random.Random, months: list[date]) -> None:
    """A second round on rollups that exist: records logged, moved and deleted, hours, payments entered and moved,
    a budget approved and a result published (both marked as their rule functions mark them)."""
    user = world.users["manager"]
    for _ in range(40):
        station = rng.choice(stations)
        people = list(Beneficiary.objects.filter(station=station))
        named = rng.sample(people, rng.randrange(0, 3))
        log(
            station,
            user,
            day_in(rng.choice(months), rng),
            kind=rng.choice(ServiceKind.values),
            people=named,
            headcount=0 if named else rng.randrange(1, 9),
        )
    records = list(ServiceRecord.objects.filter(station__in=stations))
    for record in rng.sample(records, 10):
        service_record_update(record=record, user=user, date=day_in(rng.choice(months), rng))
    for record in rng.sample(records, 6):
        if ServiceRecord.objects.filter(pk=record.pk).exists():
            service_record_delete(record=record)
    from staffing.models import Volunteer
    from staffing.rules import volunteer_hours_add

    for helper in rng.sample(list(Volunteer.objects.filter(station__in=stations)), 4):
        volunteer_hours_add(volunteer=helper, on=day_in(rng.choice(months), rng), hours=Decimal("1.5"), activity="探访")
    payments = [
        expenditure_create(
            station=rng.choice(stations),
            user=user,
            date=day_in(rng.choice(months), rng),
            line=rng.choice(BudgetLine.values),
            source=rng.choice(FundingSource.values),
            amount=Decimal(rng.randrange(100, 90000)) / 100,
            payee="某某商行",
            description="活动物资",
        )
        for _ in range(10)
    ]
    for payment in rng.sample(payments, 3):
        expenditure_update(expenditure=payment, user=user, date=day_in(rng.choice(months), rng))
    station = rng.choice(stations)
    Budget.objects.filter(station=station, year=TODAY.year).update(status=BudgetStatus.SUPERSEDED)
    revised = Budget.objects.create(station=station, year=TODAY.year, status=BudgetStatus.APPROVED, version=2)
    BudgetLineAmount.objects.create(budget=revised, line=BudgetLine.PERSONNEL, amount=Decimal("800000.00"))
    rollup_mark(station_id=station.pk, day=date(TODAY.year, 1, 1), part=RollupDirty.BUDGET)  # as budget_approve does
    graded = rng.choice(stations)
    result(graded, "good", year=TODAY.year)
    rollup_mark(station_id=graded.pk, day=date(TODAY.year, 1, 1), part=RollupDirty.GRADES)  # as evaluation_publish


@pytest.mark.parametrize("seed", [7, 2026])
def test_the_refresh_of_what_changed_leaves_nothing_for_the_repair(world, seed):
    """After a random sequence of writes on existing rollups, each mark refreshing only the figures its part feeds
    (services, records naming nobody and hours, spending, budget, grades), the nightly repair over the same months
    finds nothing to repair."""
    months = months_back(4)
    rng = random.Random(seed)
    stations = random_world(world, rng, months)
    rollups_refresh()
    assert rollups_repair(months=4) == []
    more_writes(world, stations, rng, months)
    assert set(RollupDirty.objects.values_list("part", flat=True)) == {
        RollupDirty.SERVICES,
        RollupDirty.RECORDS,
        RollupDirty.SPENDING,
        RollupDirty.BUDGET,
        RollupDirty.GRADES,
    }
    rollups_refresh()
    assert not RollupDirty.objects.exists()
    assert rollups_repair(months=4) == []


def test_a_service_mark_leaves_the_compliance_to_the_staffing_marks(world, django_assert_max_num_queries):
    """A service record's refresh recomputes the month's services, not the staffing compliance (which it cannot
    change): a site shrunk without a mark (an update straight to the table, which sends no signal) shows only after
    a staffing mark or the repair. And its queries are fixed: a headcount names nobody, so the people of the quarter
    and the year are not counted again; the regions above move in one statement."""
    station, user = world.stations["S2"], world.users["manager"]
    rollups_repair(months=1)
    type(station).objects.filter(pk=station.pk).update(site_area_m2=Decimal("300"))
    log(station, user, TODAY, kind="case", headcount=4)
    assert list(RollupDirty.objects.values_list("part", flat=True)) == [RollupDirty.RECORDS]
    with django_assert_max_num_queries(13) as refreshed:  # 11 and the savepoint in the test's transaction
        rollups_refresh()
    assert not any("reports_stationperiod" in query["sql"] for query in refreshed.captured_queries)
    row = StationMonth.objects.get(station=station, month=THIS_MONTH)
    assert (row.records, row.fail_site_area) == (1, False)
    rollup_mark(station_id=station.pk, day=TODAY, part=RollupDirty.STAFFING)
    rollups_refresh()
    row = StationMonth.objects.get(station=station, month=THIS_MONTH)
    assert row.fail_site_area
    assert {check["code"]: check["actual"] for check in row.checks}["site_area"] == "300.00"
    assert rollups_repair(months=1) == []


def test_a_first_mark_of_a_month_computes_its_rows_whole(world):
    """A payment in a month without rollups yet fills the whole row (services and compliance too), and the
    quarter's and the year's rows: the repair has nothing to add."""
    station, user = world.stations["S1"], world.users["manager"]
    approved(station, TODAY.year)
    log(station, user, TODAY, kind="case", headcount=2)
    RollupDirty.objects.all().delete()  # as if the record had been loaded without its mark
    expenditure_create(
        station=station,
        user=user,
        date=TODAY,
        line="other",
        source="donations",
        amount=Decimal("5.00"),
        payee="某某",
        description="物资",
    )
    rollups_refresh()
    row = StationMonth.objects.get(station=station, month=THIS_MONTH)
    assert (row.records, row.spent, row.compliance_checked) == (1, Decimal("5.00"), True)
    assert StationPeriod.objects.filter(station=station).count() == 2


def test_a_roster_change_saved_anywhere_marks_the_month_running_for_its_compliance(
    world, django_capture_on_commit_callbacks
):
    from reports.rollups.dirty import STAFFING
    from tests.services.helpers import staff_member

    station = world.stations["S2"]
    member = staff_member(station, 77)
    assert RollupDirty.objects.filter(station=station, month=THIS_MONTH, part=STAFFING).exists()
    RollupDirty.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        member.delete()
    assert RollupDirty.objects.filter(station=station, month=THIS_MONTH, part=STAFFING).exists()
    RollupDirty.objects.all().delete()
    station.site_area_m2 = 500
    station.save()
    assert list(RollupDirty.objects.values_list("station_id", "part")) == [(station.pk, STAFFING)]


def test_a_station_deleted_with_its_contract_leaves_no_mark_behind(world, django_capture_on_commit_callbacks):
    station = StationFactory(township=world.regions["T2"])
    from tests.factories import ContractFactory

    ContractFactory(station=station, operator=world.orgs["op"])
    with django_capture_on_commit_callbacks(execute=True):
        station.delete()
    assert not RollupDirty.objects.filter(station_id=station.pk).exists()


def test_a_beneficiary_made_a_key_target_counts_within_the_refresh(world):
    station = world.stations["S3"]
    rollups_repair(months=1)
    person = beneficiary(station, 91, registered_on=date(TODAY.year - 1, 1, 1))
    rollups_refresh()
    assert StationMonth.objects.get(station=station, month=THIS_MONTH).key_targets == 0
    person.key_target = True
    person.save()
    rollups_refresh()
    assert StationMonth.objects.get(station=station, month=THIS_MONTH).key_targets == 1
    assert rollups_repair(months=1) == []
