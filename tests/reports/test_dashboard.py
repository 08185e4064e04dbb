"""The dashboard (reports.dashboard) and its API: the rollups' figures of a region and its ranked children, the
period before, rates from summed numerators, bad periods refused, the reach kept, a fixed number of queries."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from config.periods import MONTH, QUARTER, current_period, period_of
from reports.dashboard import RANK_FIGURES, Child, dashboard, figures_data, rank
from reports.rollups.figures import children_figures, dashboard_figures
from reports.rollups.refresh import rollups_repair
from tests.factories import RegionFactory, StationFactory
from tests.services.helpers import beneficiary, log

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_MONTH = current_period(MONTH, today=TODAY)
LAST_MONTH = THIS_MONTH.previous()


def filled(world):
    """S1 (T1) and S2 (T2), both in county A1: S1 has 3 key targets of whom 1 is visited this month and 2 records,
    S2 has 1 key target visited and 1 record; S3 (county A2) 1 record last month. Then the rollups rebuilt."""
    manager = world.users["manager"]
    s1, s2, s3 = (world.stations[key] for key in ("S1", "S2", "S3"))
    registered = date(TODAY.year - 1, 1, 1)
    targets = [beneficiary(s1, n, key_target=True, registered_on=registered) for n in range(3)]
    other = beneficiary(s2, 10, key_target=True, registered_on=registered)
    log(s1, manager, THIS_MONTH.first, kind="visit", people=[targets[0]])
    log(s1, manager, THIS_MONTH.first, kind="group", headcount=12, duration_minutes=90)
    log(s2, manager, THIS_MONTH.first, kind="visit", people=[other])
    log(s3, manager, LAST_MONTH.first, kind="consultation", headcount=1)
    rollups_repair(months=2, today=TODAY)
    return s1, s2, s3


def get(client, **params):
    return client.get("/api/v1/dashboard/", params)


def test_a_county_sees_its_figures_and_one_ranked_row_per_township(world, api_client_for):
    filled(world)
    body = get(api_client_for("county"), period=THIS_MONTH.key).json()
    assert body["region"] == {"id": world.regions["A1"].pk, "name": "甲一县", "level": "county"}
    assert body["period"]["key"] == THIS_MONTH.key
    figures = body["figures"]
    assert figures["services"]["records"] == 3
    assert figures["services"]["by_kind"]["visit"] == 2 and figures["services"]["by_kind"]["group"] == 1
    assert figures["services"]["headcount"] == 12
    assert figures["services"]["people_served"] == 2
    assert figures["coverage"] == {"townships": 2, "covered": 2, "rate": "1.0000"}
    children = {child["name"]: child for child in body["children"]}
    assert set(children) == {"马桥街道", "许村镇"}
    assert children["马桥街道"]["rank"] == 1 and children["马桥街道"]["figures"]["services"]["records"] == 2
    assert children["许村镇"]["rank"] == 2
    assert body["as_of"] is not None


def test_a_county_visit_rate_is_its_visited_key_targets_over_all_its_key_targets_never_an_average(world):
    filled(world)
    board = dashboard(world.users["county"], period=THIS_MONTH)
    # S1: 1 of 3 visited (33 %), S2: 1 of 1 (100 %): the county's rate is 2 / 4, not the mean 66.7 %.
    assert (board.figures.visits.key_targets, board.figures.visits.visited) == (4, 2)
    assert board.figures.visits.rate == Decimal("0.5000")
    by_rate = dashboard(world.users["county"], period=THIS_MONTH, rank_by="visits.rate")
    assert [(child.name, child.rank) for child in by_rate.children] == [("许村镇", 1), ("马桥街道", 2)]


def test_the_api_shows_what_the_rule_and_the_rollup_figures_give(world, api_client_for):
    filled(world)
    county = world.regions["A1"]
    body = get(api_client_for("city"), region=county.pk, period=THIS_MONTH.key).json()
    assert body["figures"] == figures_data(dashboard_figures(stations_or_region=county, period=THIS_MONTH))
    rows = children_figures(region=county, period=THIS_MONTH)
    assert [child["figures"] for child in sorted(body["children"], key=lambda child: child["id"])] == [
        figures_data(figures) for _node, figures in sorted(rows, key=lambda row: row[0].pk)
    ]


def test_the_previous_period_comes_with_its_figures(world, api_client_for):
    filled(world)
    body = get(api_client_for("city"), period=THIS_MONTH.key).json()
    assert body["previous"]["period"]["key"] == LAST_MONTH.key
    assert body["previous"]["figures"]["services"]["records"] == 1  # S3's, last month
    assert body["figures"]["services"]["records"] == 3


def test_a_quarter_and_a_year_add_up_their_months_and_count_each_person_once(world, api_client_for):
    s1, _s2, _s3 = filled(world)
    person = beneficiary(s1, 50, registered_on=date(TODAY.year - 1, 1, 1))
    log(s1, world.users["manager"], THIS_MONTH.first, people=[person])
    log(s1, world.users["manager"], THIS_MONTH.first, people=[person])
    rollups_repair(months=2, today=TODAY)
    year = get(api_client_for("township"), period=str(TODAY.year)).json()["figures"]["services"]
    quarter = period_of(TODAY, QUARTER)
    in_quarter = get(api_client_for("township"), period=quarter.key).json()["figures"]["services"]
    assert year["records"] == in_quarter["records"] == 4
    assert year["people_served"] == in_quarter["people_served"] == 2  # targets[0] and the person, each once


def test_station_staff_get_their_station_without_children_or_the_township_split(world, api_client_for):
    filled(world)
    body = get(api_client_for("worker"), period=THIS_MONTH.key).json()
    assert body["region"] == {"id": world.stations["S1"].pk, "name": world.stations["S1"].name, "level": "station"}
    assert body["children"] == []
    assert body["figures"]["services"]["records"] == 2
    funding = body["figures"]["funding"]
    assert funding["city_share"] is None and funding["township_share"] is None and funding["pending"] is None
    assert get(api_client_for("township"), period=THIS_MONTH.key).json()["figures"]["funding"]["pending"] == 0


def test_a_township_lists_its_stations(world, api_client_for):
    filled(world)
    StationFactory(township=world.regions["T1"], name="马桥街道第二社会工作站")
    body = get(api_client_for("township"), period=THIS_MONTH.key).json()
    assert body["region"]["level"] == "township"
    assert {child["kind"] for child in body["children"]} == {"station"}
    assert len(body["children"]) == 2


def test_the_administrator_sees_the_nation_and_its_roots(world, api_client_for):
    filled(world)
    body = get(api_client_for("admin"), period=THIS_MONTH.key).json()
    assert body["region"] == {"id": None, "name": "全国", "level": "nation"}
    assert {child["name"] for child in body["children"]} == {"甲市", "乙市"}
    assert body["figures"]["services"]["records"] == 3
    assert body["figures"]["coverage"]["townships"] == 4


@pytest.mark.parametrize(
    ("period", "words"),
    [("2026-13", "月"), ("2026-Q5", "季度"), ("2026-1", ""), ("nonsense", "")],
)
def test_a_period_that_does_not_exist_is_a_400_with_a_field_message(world, api_client_for, period, words):
    response = get(api_client_for("city"), period=period)
    assert response.status_code == 400
    assert list(response.json()) == ["period"]
    assert words in response.json()["period"][0]


def test_a_period_not_begun_is_a_400(world, api_client_for):
    next_month = (THIS_MONTH.last + timedelta(days=1)).strftime("%Y-%m")
    response = get(api_client_for("city"), period=next_month)
    assert response.status_code == 400 and "period" in response.json()


def test_an_unknown_figure_to_rank_by_is_a_400(world, api_client_for):
    response = get(api_client_for("city"), rank_by="salary")
    assert response.status_code == 400 and list(response.json()) == ["rank_by"]


@pytest.mark.parametrize(
    ("role", "region", "status"),
    [
        ("city", "A1", 200),
        ("county", "T1", 200),
        ("county", "A2", 404),
        ("township", "A1", 404),
        ("outsider", "A", 404),
        ("manager", "T1", 404),
        ("city", "C1", 404),  # a village or community has no dashboard
        ("evaluator", "A1", 403),
    ],
)
def test_a_region_outside_the_reach_is_a_404(world, api_client_for, role, region, status):
    assert get(api_client_for(role), region=world.regions[region].pk).status_code == status


def test_an_unknown_region_is_a_404(world, api_client_for):
    assert get(api_client_for("admin"), region=2_000_000_000).status_code == 404


def test_the_queries_do_not_grow_with_the_townships_and_stations(world, api_client_for, django_assert_max_num_queries):
    filled(world)
    client = api_client_for("city")
    with django_assert_max_num_queries(40) as few:
        assert get(client, period=THIS_MONTH.key).status_code == 200
    county = world.regions["A1"]
    for n in range(6):
        township = RegionFactory(level="township", parent=county, code=f"33048120{n}000", name=f"新镇{n}")
        station = StationFactory(township=township)
        log(station, world.users["admin"], THIS_MONTH.first, headcount=2)
    rollups_repair(months=1, today=TODAY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert get(client, period=THIS_MONTH.key).json()["figures"]["services"]["records"] == 9


def child(name, value, pk):
    figures = dashboard_figures(stations_or_region=None, period=THIS_MONTH)
    return Child("region", pk, name, "county", replace(figures, volunteer_hours=value))


def test_ranks_are_competition_ranks_with_ties_and_unknowns_last(world):
    rows = [child("甲", Decimal(5), 1), child("乙", Decimal(9), 2), child("丙", Decimal(5), 3), child("丁", None, 4)]
    ranked = rank(rows, "volunteer_hours")
    assert [(row.name, row.rank) for row in ranked] == [("乙", 1), ("甲", 2), ("丙", 2), ("丁", None)]


def test_every_rank_figure_reads_a_value_of_the_figures(world):
    filled(world)
    figures = dashboard_figures(stations_or_region=world.regions["A1"], period=THIS_MONTH)
    for name, (_label, value_of, _more) in RANK_FIGURES.items():
        value = value_of(figures)
        assert value is None or isinstance(value, int | Decimal), name


def test_the_budgets_execution_is_the_spending_over_the_years_budget():
    from decimal import Decimal

    from reports.rollups.figures import Funding

    def funding(budget, spent):
        return Funding(Decimal(budget), Decimal(spent), None, {}, Decimal(0), Decimal(0), 0)

    assert funding("500000.00", "125000.00").execution == Decimal("0.2500")
    assert funding("300000.00", "100000.00").execution == Decimal("0.3333")  # four places, half up
    assert funding("0", "12.00").execution is None  # no budget: no rate, never a division by zero
