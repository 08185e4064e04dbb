"""The budget workflow: a station's planned money for a year, by line and by funding source, in versions.

draft -> submitted (the station manager) -> approved (a township official of the station's township, or the
administrator) or returned with a reason; a returned budget is edited and submitted again. An approved budget is
frozen: a revision is a new version (a draft with the same amounts) while the approved one stays in force, and
when the revision is approved the one before it becomes superseded, in the same transaction.

Every budget holds all four lines and all eight sources (an amount left out is 0.00), so pages, the API and the
change history always list the same rows. A draft may be saved with problems (work in progress: the total is zero,
the personnel share is above the policy's, the sources do not add up to the lines); it cannot be submitted or
approved while it has any (``budget_problems``).

The functions take keyword arguments and return the budget; a wrong role or a station outside the user's scope is
a ``PermissionDenied``, a step the status does not allow a ``Conflict``, bad amounts a ``ValidationError``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from config.conflicts import Conflict
from reports.rollups.dirty import BUDGET, rollup_mark
from stations.models import Station
from stations.policies import nearest_policies, region_year_policies

from ..choices import EDITABLE_BUDGET_STATUSES, OPEN_BUDGET_STATUSES, BudgetLine, BudgetStatus, FundingSource
from ..models import Budget, BudgetLineAmount, BudgetSourceAmount, FundingPolicy
from .money import CENT, ZERO, percent, rate_percent, share_of

LINES = tuple(BudgetLine.values)
SOURCES = tuple(FundingSource.values)


def budget_policy(*, station: Station, year: int) -> FundingPolicy:
    """The funding policy the station's budget of ``year`` falls under (the nearest region's, else the defaults)."""
    return nearest_policies(FundingPolicy, stations=[station], year=year)[station.pk]


def budget_policies(budgets) -> dict[int, FundingPolicy]:
    """Budget id -> its funding policy, for many budgets in one query (they need ``station__township`` loaded)."""
    budgets = list(budgets)
    policies = region_year_policies(
        FundingPolicy,
        regions={budget.station.township for budget in budgets},
        years={budget.year for budget in budgets},
    )
    return {budget.pk: policies[budget.station.township_id, budget.year] for budget in budgets}


def yuan_text(amount: Decimal) -> str:
    return f"{amount.quantize(CENT):,}"


def budget_problems(*, lines: dict[str, Decimal], sources: dict[str, Decimal], policy: FundingPolicy) -> dict:
    """What stops a budget going ahead, by field (``lines``, ``sources``); empty when it may be submitted.

    The total of the lines must be above zero; the personnel line may be at most the policy's
    ``personnel_max_share`` of it (exactly at the limit is allowed); the sources must add up to the total; no
    amount may be negative.
    """
    problems: dict[str, list[str]] = {}
    total = sum(lines.values(), ZERO)
    personnel = lines.get(BudgetLine.PERSONNEL, ZERO)
    if any(amount < 0 for amount in lines.values()):
        problems.setdefault("lines", []).append(_("An amount cannot be negative."))
    if any(amount < 0 for amount in sources.values()):
        problems.setdefault("sources", []).append(_("An amount cannot be negative."))
    if total <= 0:
        problems.setdefault("lines", []).append(_("The budget's total must be above zero."))
    elif personnel > total * policy.personnel_max_share:
        problems.setdefault("lines", []).append(
            _("Personnel costs are %(share)s of the budget, above %(limit)s")
            % {"share": percent(share_of(personnel, total)), "limit": rate_percent(policy.personnel_max_share)}
        )
    sources_total = sum(sources.values(), ZERO)
    if sources_total != total:
        problems.setdefault("sources", []).append(
            _("The funding sources add up to %(sources)s yuan, not the budget's total of %(total)s yuan")
            % {"sources": yuan_text(sources_total), "total": yuan_text(total)}
        )
    return problems


def budget_amounts(budget: Budget) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(line -> amount, source -> amount) of a saved budget (``lines`` and ``sources`` prefetched on lists)."""
    return (
        {row.line: row.amount for row in budget.lines.all()},
        {row.source: row.amount for row in budget.sources.all()},
    )


def saved_budget_problems(budget: Budget, policy: FundingPolicy | None = None) -> dict:
    """The problems of a saved budget under its policy (looked up when not given)."""
    lines, sources = budget_amounts(budget)
    policy = policy or budget_policy(station=budget.station, year=budget.year)
    return budget_problems(lines=lines, sources=sources, policy=policy)


# --- checks -----------------------------------------------------------------------------------------------------


def assert_may(user, perm: str, station: Station, message: str) -> None:
    """The user's role holds ``perm`` and the station is in the user's scope."""
    if not user.has_perm(perm) or not Station.objects.visible_to(user).filter(pk=station.pk).exists():
        raise PermissionDenied(message)


def complete(amounts: dict, keys: tuple[str, ...], field: str) -> dict[str, Decimal]:
    """Every key with its amount (0.00 when left out); unknown keys, negative amounts or more than two places are a
    ``ValidationError`` on ``field``."""
    unknown = set(amounts) - set(keys)
    if unknown:
        raise ValidationError({field: _("Unknown: %(names)s") % {"names": ", ".join(sorted(unknown))}})
    result = {}
    for key in keys:
        amount = Decimal(amounts.get(key, ZERO))
        if amount < 0:
            raise ValidationError({field: _("An amount cannot be negative.")})
        if amount != amount.quantize(CENT) or amount >= Decimal("1e12"):
            raise ValidationError({field: _("Give amounts in yuan with at most two decimal places.")})
        result[key] = amount.quantize(CENT)
    return result


def locked(budget: Budget) -> Budget:
    """The budget re-read under a row lock: two users' steps on it run one after the other."""
    return Budget.objects.select_for_update().select_related("station__township").get(pk=budget.pk)


def save(obj, user) -> None:
    obj._history_user = user
    obj.save()


def write_amounts(budget: Budget, lines: dict[str, Decimal], sources: dict[str, Decimal], user) -> None:
    """Set the budget's line and source rows to the amounts, saving only the rows that change (so the history
    lists only real changes)."""
    for model, field, amounts in ((BudgetLineAmount, "line", lines), (BudgetSourceAmount, "source", sources)):
        existing = {getattr(row, field): row for row in model.objects.filter(budget=budget)}
        for key, amount in amounts.items():
            row = existing.get(key) or model(budget=budget, **{field: key}, amount=amount)
            if row.pk is None or row.amount != amount:
                row.amount = amount
                save(row, user)


# --- the workflow -----------------------------------------------------------------------------------------------


@transaction.atomic
def budget_create(*, station: Station, year: int, lines: dict, sources: dict, note: str = "", user) -> Budget:
    """Version 1 of the station's budget for ``year``, a draft (saved even with problems). Refused when the station
    already has a budget for the year: a change is a revision of it."""
    assert_may(user, "funding.add_budget", station, _("Only the station's manager keeps its budget."))
    lines, sources = complete(lines, LINES, "lines"), complete(sources, SOURCES, "sources")
    Station.objects.select_for_update().filter(pk=station.pk).first()  # one budget creation per station at a time
    if Budget.objects.filter(station=station, year=year).exists():
        raise Conflict(_("This station already has a budget for %(year)s: revise it instead.") % {"year": year})
    budget = Budget(station=station, year=year, version=1, note=note, created_by=user)
    save(budget, user)
    write_amounts(budget, lines, sources, user)
    return budget


@transaction.atomic
def budget_update(*, budget: Budget, lines: dict, sources: dict, note: str, user) -> Budget:
    """New amounts and note for a draft or a returned budget; any other version is frozen."""
    assert_may(user, "funding.change_budget", budget.station, _("Only the station's manager keeps its budget."))
    lines, sources = complete(lines, LINES, "lines"), complete(sources, SOURCES, "sources")
    budget = locked(budget)
    if budget.status not in EDITABLE_BUDGET_STATUSES:
        raise Conflict(_("Only a draft or a returned budget can be changed; an approved one is revised."))
    if budget.note != note:
        budget.note = note
        save(budget, user)
    write_amounts(budget, lines, sources, user)
    return budget


@transaction.atomic
def budget_submit(*, budget: Budget, user) -> Budget:
    """Hand a draft or returned budget to the township for approval; refused while it has problems."""
    assert_may(user, "funding.submit_budget", budget.station, _("Only the station's manager submits its budget."))
    budget = locked(budget)
    if budget.status not in EDITABLE_BUDGET_STATUSES:
        raise Conflict(_("Only a draft or a returned budget can be submitted."))
    problems = saved_budget_problems(budget)
    if problems:
        raise ValidationError(problems)
    budget.status, budget.submitted_by, budget.submitted_at = BudgetStatus.SUBMITTED, user, timezone.now()
    budget.return_reason = ""
    save(budget, user)
    return budget


@transaction.atomic
def budget_approve(*, budget: Budget, user) -> Budget:
    """Approve a submitted budget (a township official of its station's township, or the administrator), checked
    again under today's policy; the version approved before it becomes superseded."""
    assert_may(user, "funding.approve_budget", budget.station, _("Only the township official approves budgets."))
    budget = locked(budget)
    if budget.status != BudgetStatus.SUBMITTED:
        raise Conflict(_("Only a submitted budget can be approved or returned."))
    problems = saved_budget_problems(budget)
    if problems:
        raise ValidationError(problems)
    in_force = (
        Budget.objects.select_for_update()
        .filter(station=budget.station, year=budget.year, status=BudgetStatus.APPROVED)
        .first()
    )
    if in_force is not None:
        in_force.status = BudgetStatus.SUPERSEDED
        save(in_force, user)
    budget.status, budget.decided_by, budget.decided_at = BudgetStatus.APPROVED, user, timezone.now()
    save(budget, user)
    rollup_mark(station_id=budget.station_id, day=date(budget.year, 1, 1), part=BUDGET)  # the year's budget
    return budget


@transaction.atomic
def budget_return(*, budget: Budget, user, reason: str) -> Budget:
    """Send a submitted budget back to the station with a reason (required)."""
    assert_may(user, "funding.approve_budget", budget.station, _("Only the township official approves budgets."))
    budget = locked(budget)
    if budget.status != BudgetStatus.SUBMITTED:
        raise Conflict(_("Only a submitted budget can be approved or returned."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the budget is returned.")})
    budget.status, budget.return_reason = BudgetStatus.RETURNED, reason
    budget.decided_by, budget.decided_at = user, timezone.now()
    save(budget, user)
    return budget


@transaction.atomic
def budget_revise(*, budget: Budget, user) -> Budget:
    """A new version (a draft with the same amounts) of the approved budget in force, which stays in force until
    the revision is approved. Refused while a version of the year is still open."""
    assert_may(user, "funding.add_budget", budget.station, _("Only the station's manager keeps its budget."))
    budget = locked(budget)
    if budget.status != BudgetStatus.APPROVED:
        raise Conflict(_("Only the approved budget in force can be revised."))
    versions = Budget.objects.filter(station=budget.station, year=budget.year)
    if versions.filter(status__in=OPEN_BUDGET_STATUSES).exists():
        raise Conflict(_("A version of this budget is still open: finish it first."))
    lines, sources = budget_amounts(budget)
    revision = Budget(
        station=budget.station,
        year=budget.year,
        version=versions.aggregate(last=Max("version"))["last"] + 1,
        note=budget.note,
        created_by=user,
    )
    save(revision, user)
    write_amounts(revision, lines, sources, user)
    return revision


@transaction.atomic
def budget_delete(*, budget: Budget, user) -> None:
    """Delete a draft that was never submitted; every other version is kept (money is never silently removed)."""
    assert_may(user, "funding.change_budget", budget.station, _("Only the station's manager keeps its budget."))
    budget = locked(budget)
    if budget.status != BudgetStatus.DRAFT or budget.submitted_at is not None:
        raise Conflict(_("Only a draft that was never submitted can be deleted."))
    for row in [*budget.lines.all(), *budget.sources.all()]:
        row._history_user = user
        row.delete()
    budget._history_user = user
    budget.delete()


# --- the change history -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetChange:
    """One saved change of a budget, a line or a source: who, when, and each field's old and new value."""

    at: object
    by: str | None
    kind: str  # "budget", "line" or "source"
    item: str  # the line or source key; "" for the budget itself
    item_label: str
    change: str  # "+" created, "~" changed, "-" deleted
    fields: list[tuple[str, str, str]]  # (field, old, new)


TRACKED = {"budget": ("status", "note", "return_reason"), "line": ("amount",), "source": ("amount",)}
LABELS = {**dict(BudgetLine.choices), **dict(FundingSource.choices)}


def shown(name: str, value) -> str:
    """A tracked value as the history prints it (a status by its label)."""
    return str(BudgetStatus(value).label) if name == "status" and value else str(value)


def budget_history(*, budget: Budget) -> list[BudgetChange]:
    """Every change of the budget, its lines and its sources, newest first. Three queries."""
    streams = [
        ("budget", "", budget.history.select_related("history_user").order_by("history_date", "history_id")),
        (
            "line",
            "line",
            BudgetLineAmount.history.filter(budget_id=budget.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id"),
        ),
        (
            "source",
            "source",
            BudgetSourceAmount.history.filter(budget_id=budget.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id"),
        ),
    ]
    changes = []
    for kind, key_field, records in streams:
        previous: dict = {}
        for record in records:
            item = getattr(record, key_field) if key_field else ""
            before = previous.get(item)
            fields = []
            for name in TRACKED[kind]:
                new = "" if record.history_type == "-" else shown(name, getattr(record, name))
                old = "" if before is None else shown(name, getattr(before, name))
                if old != new:
                    fields.append((name, old, new))
            previous[item] = record
            if fields or record.history_type != "~":
                user = record.history_user
                changes.append(
                    BudgetChange(
                        at=record.history_date,
                        by=(user.get_full_name() or user.username) if user else None,
                        kind=kind,
                        item=item,
                        item_label=str(LABELS.get(item, "")),
                        change=record.history_type,
                        fields=fields,
                    )
                )
    return sorted(changes, key=lambda change: change.at, reverse=True)
