"""Funding budgets in the permission matrix (tests/matrix.py): the budgets API, the budget execution endpoint and
the budget pages.

Targets (``build``), all of station S1, one version per year so that each step has a budget in the state it needs:
this year's approved v1 (the one in force: revise), last year's submitted v1 (approve, return) and the draft v1 of
two years ago (edit, submit, delete); next year has none (create). The station manager and the administrator keep
budgets, the township official of T1 (and the administrator) approves and returns, officials above read, the social
worker reads; the evaluator has no funding permission at all (403) and the outsider does not reach S1 (404, empty
lists; a write is refused by its permission first, 403).
"""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from funding.choices import BudgetLine, BudgetStatus
from funding.models import Budget, BudgetLineAmount, BudgetSourceAmount
from tests.matrix import Endpoint, only, register_api, register_pages, s1, statuses

WATCHED = [Budget, BudgetLineAmount, BudgetSourceAmount]

YEAR = date.today().year
AMOUNTS = {"personnel": "70000.00", "activities": "20000.00", "management": "10000.00", "other": "0.00"}
READ = statuses(200, evaluator=403, outsider=404)
READ_PAGE = statuses(200, anonymous=302, evaluator=403, outsider=404)


def budget(world, *, year: int, status: str) -> Budget:
    """A valid budget of S1 (100,000.00: 70 % personnel, all from township funds) written straight to the tables."""
    made = Budget.objects.create(
        station=world.stations["S1"],
        year=year,
        status=status,
        created_by=world.users["manager"],
        submitted_at=None if status == BudgetStatus.DRAFT else timezone.now(),
    )
    BudgetLineAmount.objects.bulk_create(
        BudgetLineAmount(budget=made, line=line, amount=Decimal(amount)) for line, amount in AMOUNTS.items()
    )
    BudgetSourceAmount.objects.create(budget=made, source="township_fiscal", amount=Decimal("100000.00"))
    return made


def build(world) -> None:
    """S1's approved budget of this year, submitted one of last year and draft of two years ago."""
    world.extra["budget_approved"] = budget(world, year=YEAR, status=BudgetStatus.APPROVED)
    world.extra["budget_submitted"] = budget(world, year=YEAR - 1, status=BudgetStatus.SUBMITTED)
    world.extra["budget_draft"] = budget(world, year=YEAR - 2, status=BudgetStatus.DRAFT)


def api(key: str, step: str = ""):
    return lambda w: f"/api/v1/budgets/{w.extra[key].pk}/" + (f"{step}/" if step else "")


def page(key: str, step: str = ""):
    return lambda w: f"/funding/budgets/{w.extra[key].pk}/" + (f"{step}/" if step else "")


def new_budget(w) -> dict:
    return {
        "station": s1(w),
        "year": YEAR + 1,
        "lines": [{"line": line, "amount": amount} for line, amount in AMOUNTS.items()],
        "sources": [{"source": "township_fiscal", "amount": "100000.00"}],
    }


def form(year: int | None = None):
    def data(w) -> dict:
        fields = {f"line_{line}": amount for line, amount in AMOUNTS.items()}
        fields |= {"source_township_fiscal": "100000.00", "note": "矩阵"}
        return fields | ({"year": year} if year else {})

    return data


KEEPERS = ["admin", "manager"]
APPROVERS = ["admin", "township"]

register_api(
    Endpoint(
        "budget-list",
        "get",
        lambda w: "/api/v1/budgets/",
        statuses(200, evaluator=403),
        covers="api:budget-list",
        listed=lambda w: w.extra["budget_approved"].pk,
    ),
    Endpoint("budget-detail", "get", api("budget_approved"), READ, covers="api:budget-detail"),
    Endpoint(
        "budget-create",
        "post",
        lambda w: "/api/v1/budgets/",
        only(KEEPERS, 201, 403),
        covers="api:budget-list",
        data=new_budget,
    ),
    Endpoint(
        "budget-update",
        "patch",
        api("budget_draft"),
        only(KEEPERS, 200, 403),
        covers="api:budget-detail",
        data=lambda w: {"note": "补充说明", "lines": [{"line": BudgetLine.PERSONNEL, "amount": "70000.00"}]},
    ),
    Endpoint("budget-delete", "delete", api("budget_draft"), only(KEEPERS, 204, 403), covers="api:budget-detail"),
    Endpoint(
        "budget-submit", "post", api("budget_draft", "submit"), only(KEEPERS, 200, 403), covers="api:budget-submit"
    ),
    Endpoint(
        "budget-approve",
        "post",
        api("budget_submitted", "approve"),
        only(APPROVERS, 200, 403),
        covers="api:budget-approve",
    ),
    Endpoint(
        "budget-return",
        "post",
        api("budget_submitted", "return"),
        only(APPROVERS, 200, 403),
        covers="api:budget-return",
        data=lambda w: {"reason": "活动经费偏低"},
    ),
    Endpoint(
        "budget-revise", "post", api("budget_approved", "revise"), only(KEEPERS, 201, 403), covers="api:budget-revise"
    ),
    Endpoint("budget-history", "get", api("budget_approved", "history"), READ, covers="api:budget-history"),
    Endpoint(
        "station-budget-execution",
        "get",
        lambda w: f"/api/v1/stations/{s1(w)}/budget-execution/?year={YEAR}",
        READ,
        covers="api:station-budget-execution",
    ),
)

register_pages(
    Endpoint(
        "budget",
        "get",
        lambda w: f"/funding/stations/{s1(w)}/budget/?year={YEAR}",
        READ_PAGE,
        covers="funding:budget",
    ),
    Endpoint("budget-version", "get", page("budget_approved"), READ_PAGE, covers="funding:budget-version"),
    Endpoint(
        "budget-create-form",
        "get",
        lambda w: f"/funding/stations/{s1(w)}/budget/new/?year={YEAR + 1}",
        only(KEEPERS, 200, 403, anonymous=302),
        covers="funding:budget-create",
    ),
    Endpoint(
        "budget-create",
        "post",
        lambda w: f"/funding/stations/{s1(w)}/budget/new/?year={YEAR + 1}",
        only(KEEPERS, 302, 403, anonymous=302),
        covers="funding:budget-create",
        data=form(YEAR + 1),
    ),
    Endpoint(
        "budget-edit-form",
        "get",
        page("budget_draft", "edit"),
        only(KEEPERS, 200, 403, anonymous=302),
        covers="funding:budget-edit",
    ),
    Endpoint(
        "budget-edit",
        "post",
        page("budget_draft", "edit"),
        only(KEEPERS, 302, 403, anonymous=302),
        covers="funding:budget-edit",
        data=form(),
    ),
    Endpoint(
        "budget-queue",
        "get",
        lambda w: "/funding/budgets/queue/",
        statuses(200, anonymous=302, evaluator=403),
        covers="funding:budget-queue",
    ),
    Endpoint(
        "budget-queue-all",
        "get",
        lambda w: f"/funding/budgets/queue/?view=all&status=draft&year={YEAR - 2}&sort=-total",
        statuses(200, anonymous=302, evaluator=403),
        covers="funding:budget-queue",
    ),
    Endpoint(
        "budget-submit",
        "post",
        page("budget_draft", "submit"),
        only(KEEPERS, 302, 403, anonymous=302),
        covers="funding:budget-submit",
    ),
    Endpoint(
        "budget-approve",
        "post",
        page("budget_submitted", "approve"),
        only(APPROVERS, 302, 403, anonymous=302),
        covers="funding:budget-approve",
    ),
    Endpoint(
        "budget-return",
        "post",
        page("budget_submitted", "return"),
        only(APPROVERS, 302, 403, anonymous=302),
        covers="funding:budget-return",
        data=lambda w: {"reason": "活动经费偏低"},
    ),
    Endpoint(
        "budget-revise",
        "post",
        page("budget_approved", "revise"),
        only(KEEPERS, 302, 403, anonymous=302),
        covers="funding:budget-revise",
    ),
)
