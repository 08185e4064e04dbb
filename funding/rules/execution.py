"""Budget against actual spending (预算执行): per line and per source, what a station planned for a year and what its
expenditures of that year add up to, with the policy's warnings.

One function, ``budget_execution``, feeds the budget page, the API (``stations/{id}/budget-execution/``) and the
dashboards and reports, so they always agree. It runs a fixed number of queries whatever the number of rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, IntegerField, Sum, Value, When

from accounts.choices import Role
from stations.models import Station

from ..choices import BudgetLine, BudgetStatus, FundingSource
from ..models import Budget, Expenditure, FundingPolicy
from .budgets import budget_policy
from .money import ZERO, fen, share_of

OK, WARNING, OVER = "ok", "warning", "over"


def budget_in_force(*, station: Station, year: int) -> Budget | None:
    """The station's approved budget of ``year``; without one, its latest version; None when it has none.
    Its lines and sources are prefetched (three queries)."""
    return (
        Budget.objects.filter(station=station, year=year)
        .annotate(
            rank=Case(When(status=BudgetStatus.APPROVED, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("rank", "-version")
        .select_related("submitted_by", "decided_by")
        .prefetch_related("lines", "sources")
        .first()
    )


def spending_level(planned: Decimal, actual: Decimal, policy: FundingPolicy) -> str:
    """``over`` when spending reaches the policy's ``alert_share`` of the plan (or anything is spent where nothing
    was planned), ``warning`` when it reaches ``warning_share``, else ``ok``."""
    if planned <= 0:
        return OVER if actual > 0 else OK
    if actual >= planned * policy.alert_share:
        return OVER
    if actual >= planned * policy.warning_share:
        return WARNING
    return OK


@dataclass(frozen=True)
class ExecutionRow:
    """One line or source: planned, actual (None when hidden from the user), actual / planned (four places; None
    when nothing was planned or the actual is hidden) and the level (``ok``, ``warning``, ``over``)."""

    key: str
    label: str
    planned: Decimal
    actual: Decimal | None
    share: Decimal | None
    level: str

    @property
    def bar_percent(self) -> int:
        """The width of the progress bar (0-100): the share, capped at the full bar."""
        if self.share is None:
            return 100 if self.level == OVER else 0
        return int(min(self.share * 100, Decimal(100)))


@dataclass(frozen=True)
class Execution:
    """A station's budget of a year against its spending.

    ``budget`` is the budget in force (``budget_in_force``; None without any: every planned figure is then 0.00).
    ``lines`` and ``sources`` list every budget line and funding source in their order. ``personnel_share`` is the
    personnel share of actual spending (None without spending), ``personnel_over`` whether it is above the policy's
    ``personnel_max_share``. ``personnel_hidden``: the user sees no personnel payments (a social worker: they are
    colleagues' salaries), so the personnel line's actual and the personnel share are None and every actual figure
    counts only the spending the user sees.
    """

    station_id: int
    year: int
    budget: Budget | None
    policy: FundingPolicy
    lines: list[ExecutionRow] = field(default_factory=list)
    sources: list[ExecutionRow] = field(default_factory=list)
    planned_total: Decimal = ZERO
    actual_total: Decimal = ZERO
    total_share: Decimal | None = None
    total_level: str = OK
    personnel_share: Decimal | None = None
    personnel_over: bool = False
    personnel_hidden: bool = False

    @property
    def warnings(self) -> list[ExecutionRow]:
        """The lines and sources at ``warning`` or ``over``."""
        return [row for row in [*self.lines, *self.sources] if row.level != OK]


def rows_of(choices, planned: dict, actual: dict, policy: FundingPolicy, hidden: set) -> list[ExecutionRow]:
    rows = []
    for key, label in choices:
        plan = planned.get(key, ZERO)
        if key in hidden:
            rows.append(ExecutionRow(key, str(label), plan, None, None, OK))
            continue
        spent = actual.get(key, ZERO)
        share = share_of(spent, plan) if plan > 0 else None
        rows.append(ExecutionRow(key, str(label), plan, spent, share, spending_level(plan, spent, policy)))
    return rows


def budget_execution(*, station: Station, year: int, user=None) -> Execution:
    """The station's budget in force for ``year`` against its expenditures of the year, per line and per source.

    With ``user``, the spending counted is what the user may see (``Expenditure.objects.visible_to``): a social
    worker's figures leave out the personnel line. Five queries at most, whatever the number of expenditures.
    """
    budget = budget_in_force(station=station, year=year)
    policy = budget_policy(station=station, year=year)
    spending = Expenditure.objects.visible_to(user) if user is not None else Expenditure.objects.all()
    hidden = {BudgetLine.PERSONNEL} if getattr(user, "role", None) == Role.SOCIAL_WORKER else set()
    by_line: dict[str, Decimal] = {}
    by_source: dict[str, Decimal] = {}
    sums = spending.of_year(year).filter(station=station).values("line", "source").annotate(spent=Sum("amount"))
    for row in sums.order_by():
        spent = fen(row["spent"])
        by_line[row["line"]] = by_line.get(row["line"], ZERO) + spent
        by_source[row["source"]] = by_source.get(row["source"], ZERO) + spent
    planned_lines = {row.line: row.amount for row in budget.lines.all()} if budget else {}
    planned_sources = {row.source: row.amount for row in budget.sources.all()} if budget else {}
    planned_total = sum(planned_lines.values(), ZERO)
    actual_total = sum(by_line.values(), ZERO)
    personnel_share = None if hidden else share_of(by_line.get(BudgetLine.PERSONNEL, ZERO), actual_total)
    return Execution(
        station_id=station.pk,
        year=year,
        budget=budget,
        policy=policy,
        lines=rows_of(BudgetLine.choices, planned_lines, by_line, policy, hidden),
        sources=rows_of(FundingSource.choices, planned_sources, by_source, policy, set()),
        planned_total=planned_total,
        actual_total=actual_total,
        total_share=share_of(actual_total, planned_total),
        total_level=spending_level(planned_total, actual_total, policy),
        personnel_share=personnel_share,
        personnel_over=personnel_share is not None
        and by_line.get(BudgetLine.PERSONNEL, ZERO) > actual_total * policy.personnel_max_share,
        personnel_hidden=bool(hidden),
    )
