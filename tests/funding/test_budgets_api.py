"""The budgets API (issue item 7): nested lines and sources, the steps as actions, 400 field errors, 409 states, the
change history, a fixed query count on the list, and a station's budget against actual spending."""

from datetime import date
from decimal import Decimal

import pytest

from funding.choices import BudgetStatus
from funding.models import Budget
from funding.rules.budgets import budget_approve, budget_create, budget_submit

from .helpers import spend

pytestmark = pytest.mark.django_db

YEAR = date.today().year
D = Decimal
LINES = [
    {"line": "personnel", "amount": "280000.00"},
    {"line": "activities", "amount": "80000.00"},
    {"line": "management", "amount": "40000.00"},
]
SOURCES = [{"source": "city_fiscal", "amount": "160000.00"}, {"source": "township_fiscal", "amount": "240000.00"}]


def payload(world, **overrides) -> dict:
    return {"station": world.stations["S1"].pk, "year": YEAR, "lines": LINES, "sources": SOURCES, **overrides}


def made(world, *, year=YEAR, personnel="280000.00", station="S1"):
    lines = {"personnel": D(personnel), "activities": D("80000.00"), "management": D("40000.00")}
    total = sum(lines.values())
    return budget_create(
        station=world.stations[station],
        year=year,
        lines=lines,
        sources={"township_fiscal": total},
        user=world.users["manager"] if station == "S1" else world.users["admin"],
    )


def submitted(world, **kwargs):
    return budget_submit(budget=made(world, **kwargs), user=world.users["manager"])


def url(budget=None, step="") -> str:
    base = "/api/v1/budgets/" + (f"{budget.pk}/" if budget else "")
    return base + (f"{step}/" if step else "")


def test_the_manager_creates_a_draft_and_left_out_amounts_are_zero(world, api_client_for):
    response = api_client_for("manager").post(url(), payload(world), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["status"], body["total"]) == (1, "draft", "400000.00")
    assert {"line": "other", "amount": "0.00"} in body["lines"]
    assert len(body["sources"]) == 8 and body["problems"] == {}


def test_a_draft_with_problems_is_saved_and_answers_them(world, api_client_for):
    lines = [{"line": "personnel", "amount": "288000.00"}, {"line": "activities", "amount": "112000.00"}]
    response = api_client_for("manager").post(url(), payload(world, lines=lines), format="json")
    assert response.status_code == 201
    assert response.json()["problems"] == {"lines": ["人员经费占 72.00%，超过 70%"]}


def test_a_line_given_twice_is_a_400_on_lines(world, api_client_for):
    lines = [*LINES, {"line": "personnel", "amount": "1.00"}]
    response = api_client_for("manager").post(url(), payload(world, lines=lines), format="json")
    assert response.status_code == 400 and "lines" in response.json()
    assert not Budget.objects.exists()


def test_a_negative_amount_is_a_400(world, api_client_for):
    sources = [{"source": "donations", "amount": "-5.00"}]
    response = api_client_for("manager").post(url(), payload(world, sources=sources), format="json")
    assert response.status_code == 400 and "sources" in response.json()


def test_a_station_outside_the_scope_is_a_400_on_station(world, api_client_for):
    response = api_client_for("manager").post(url(), payload(world, station=world.stations["S2"].pk), format="json")
    assert response.status_code == 400 and "station" in response.json()
    assert not Budget.objects.exists()


def test_a_second_budget_for_the_year_is_a_409(world, api_client_for):
    made(world)
    response = api_client_for("manager").post(url(), payload(world), format="json")
    assert response.status_code == 409
    assert Budget.objects.count() == 1


def test_an_official_cannot_create_a_budget(world, api_client_for):
    assert api_client_for("township").post(url(), payload(world), format="json").status_code == 403


def test_the_manager_changes_the_lines_of_a_draft(world, api_client_for):
    budget = made(world)
    lines = [{"line": "personnel", "amount": "200000.00"}, {"line": "activities", "amount": "200000.00"}]
    response = api_client_for("manager").patch(url(budget), {"lines": lines}, format="json")
    assert response.status_code == 200
    assert response.json()["total"] == "400000.00"
    assert {"line": "management", "amount": "0.00"} in response.json()["lines"]


def test_a_submitted_budget_is_frozen_409(world, api_client_for):
    budget = submitted(world)
    response = api_client_for("manager").patch(url(budget), {"note": "改"}, format="json")
    assert response.status_code == 409
    assert Budget.objects.get(pk=budget.pk).note == ""


def test_submitting_a_budget_with_problems_is_a_400_with_its_fields(world, api_client_for):
    budget = made(world, personnel="300000.00")
    response = api_client_for("manager").post(url(budget, "submit"))
    assert response.status_code == 400
    assert response.json() == {"lines": ["人员经费占 71.43%，超过 70%"]}
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.DRAFT


def test_submit_then_approve(world, api_client_for):
    budget = made(world)
    assert api_client_for("manager").post(url(budget, "submit")).json()["status"] == "submitted"
    response = api_client_for("township").post(url(budget, "approve"))
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["decided_by"]


def test_the_manager_cannot_approve_403(world, api_client_for):
    budget = submitted(world)
    assert api_client_for("manager").post(url(budget, "approve")).status_code == 403
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.SUBMITTED


def test_approving_a_draft_is_a_409(world, api_client_for):
    budget = made(world)
    assert api_client_for("township").post(url(budget, "approve")).status_code == 409


def test_a_return_without_a_reason_is_a_400_on_reason(world, api_client_for):
    budget = submitted(world)
    response = api_client_for("township").post(url(budget, "return"), {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api_client_for("township").post(url(budget, "return"), {"reason": "请补充"}, format="json")
    assert response.json()["status"] == "returned" and response.json()["return_reason"] == "请补充"


def test_revise_answers_201_with_the_new_version_and_both_are_listed(world, api_client_for):
    budget = budget_approve(budget=submitted(world), user=world.users["township"])
    response = api_client_for("manager").post(url(budget, "revise"))
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == (2, "draft")
    listed = api_client_for("worker").get(url(), {"station": world.stations["S1"].pk, "year": YEAR}).json()
    assert [row["status"] for row in listed["results"]] == ["draft", "approved"]
    assert api_client_for("manager").post(url(budget, "revise")).status_code == 409


def test_a_draft_never_submitted_is_deleted_others_409(world, api_client_for):
    draft = made(world)
    returned = submitted(world, year=YEAR - 1)
    api_client_for("township").post(url(returned, "return"), {"reason": "补充"}, format="json")
    assert api_client_for("manager").delete(url(returned)).status_code == 409
    assert api_client_for("manager").delete(url(draft)).status_code == 204
    assert list(Budget.objects.values_list("pk", flat=True)) == [returned.pk]


def test_the_history_lists_who_changed_what(world, api_client_for):
    budget = made(world)
    api_client_for("manager").patch(url(budget), {"lines": [{"line": "personnel", "amount": "1.00"}]}, format="json")
    history = api_client_for("county").get(url(budget, "history")).json()
    change = next(
        row for row in history if row["kind"] == "line" and row["item"] == "personnel" and row["change"] == "~"
    )
    assert change["fields"] == [{"field": "amount", "old": "280000.00", "new": "1.00"}]
    assert change["by"]


def test_the_list_filters_by_status(world, api_client_for):
    submitted(world)
    made(world, year=YEAR - 1)
    rows = api_client_for("city").get(url(), {"status": "submitted"}).json()["results"]
    assert [row["status"] for row in rows] == ["submitted"]


def test_an_evaluator_sees_no_budgets(world, api_client_for):
    budget = made(world)
    assert api_client_for("evaluator").get(url()).status_code == 403
    assert api_client_for("evaluator").get(url(budget)).status_code == 403


def test_an_outsider_lists_nothing_and_gets_404(world, api_client_for):
    budget = made(world)
    assert api_client_for("outsider").get(url()).json()["results"] == []
    assert api_client_for("outsider").get(url(budget)).status_code == 404


def test_the_list_keeps_a_fixed_query_count(world, api_client_for, django_assert_max_num_queries):
    for year in range(YEAR - 5, YEAR + 1):
        made(world, year=year)
        made(world, year=year, station="S2")
    client = api_client_for("city")
    with django_assert_max_num_queries(9):
        response = client.get(url())
    assert response.json()["count"] == 12


def test_the_budget_execution_of_a_station(world, api_client_for):
    budget_approve(budget=submitted(world), user=world.users["township"])
    spend(world.stations["S1"], "252000.00", line="personnel")
    response = api_client_for("county").get(f"/api/v1/stations/{world.stations['S1'].pk}/budget-execution/")
    assert response.status_code == 200
    body = response.json()
    personnel = next(row for row in body["lines"] if row["key"] == "personnel")
    assert (personnel["planned"], personnel["actual"], personnel["share"], personnel["level"]) == (
        "280000.00",
        "252000.00",
        "0.9000",
        "warning",
    )
    assert body["budget"]["status"] == "approved" and body["personnel_share"] == "1.0000" and body["personnel_over"]


def test_the_budget_execution_is_scoped(world, api_client_for):
    path = f"/api/v1/stations/{world.stations['S1'].pk}/budget-execution/?year={YEAR}"
    assert api_client_for("outsider").get(path).status_code == 404
    assert api_client_for("evaluator").get(path).status_code == 403
    assert api_client_for("worker").get(path).json()["personnel_hidden"] is True
