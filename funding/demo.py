"""Demo funding (DOMAIN.md section 5): a year and a half of the stations' money, and last year's split of Haining.

Every station in operation (and the suspended ones, which spent before they stopped) has an approved budget for
last year and for this year, personnel at 66.5-68.5 % of it, its sources adding up to its lines, and the
expenditures of last year's twelve months and of this year up to today: three personnel payments a month (the
payroll "工资发放（x月）", social insurance, the housing fund) and five to eleven others on activities, management and
other, so the personnel share of what was spent lands near the budget's. 黄湾镇's station, still being set up, was
evaluated last year, so it has last year's money too. Every expenditure above the policy's voucher amount points
at one small real PDF voucher, stored once.

This year's revisions: 马桥街道 (the demo township official's), 海昌街道 and 周王庙镇 submitted a second version that
waits for its township official; 海洲街道's was returned with a reason; 硖石街道's draft plans personnel at 72 %, so
its submission is refused ("人员经费占 72.00%，超过 70%") and version 1 stays in force.

Last year's Haining split follows last year's published results (``evaluation.demo``): 马桥街道, excellent and the
biggest spender, is capped at 300,000.00; 黄湾镇, failing, gets 0.00; the others were paid in one or two instalments
(a few still have the second to come), each keeping the split it was made against. This year has no published
annual result yet, so every township's split is pending.

Fast (bulk writes with their history rows, no rule call per row) and idempotent: each station takes one number from
``rng`` whatever exists; budgets are keyed on (station, year, version), expenditures written once for a station and
year that has none, disbursements keyed on their reference number (their snapshot brought up to date, since the
evaluation demo writes its results anew on every run).
"""

import dataclasses
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from evaluation.choices import EvaluationStatus
from evaluation.models import Evaluation
from stations.choices import StationStatus
from stations.demo import DEMO_TOWNSHIP, DemoStations, upsert
from stations.models import Region, Station
from stations.policies import nearest_policies

from .choices import BudgetLine, BudgetStatus, FundingSource
from .models import Budget, BudgetLineAmount, BudgetSourceAmount, Disbursement, Expenditure, FundingPolicy
from .rules.money import ZERO, fen
from .rules.split import township_funding_splits

CAPPED = DEMO_TOWNSHIP  # excellent last year and spending above 750,000.00: its raw share passes the cap
OVER_LIMIT = "硖石街道"  # this year's draft revision plans personnel at 72 %
SUBMITTED = [DEMO_TOWNSHIP, "海昌街道", "周王庙镇"]  # this year's revisions waiting for their township official
RETURNED = "海洲街道"
OVER_LIMIT_SHARE = Decimal("0.72")
RETURN_REASON = "活动经费调增依据不足，请补充下半年项目活动计划及测算明细后重新提交"
# Township -> how its city subsidy was paid: "whole" at once, "two" instalments, or only the "first" so far.
INSTALMENTS = ["two", "whole", "two", "first"]
FIRST_SHARE = Decimal("0.6")

VOUCHER_PATH = "funding/vouchers/demo/报销凭证.pdf"
VOUCHER_NAME = "报销凭证.pdf"

PERSONNEL_PAYMENTS = [  # (payee, description, share of the month's personnel money)
    ("专职社工工资代发（{staff}人）", "工资发放（{month}月）", Decimal("0.72")),
    ("{county}社会保险事业管理服务中心", "社会保险缴纳（{month}月）", Decimal("0.20")),
    ("嘉兴市住房公积金管理中心", "住房公积金缴存（{month}月）", Decimal("0.08")),
]
PAYMENTS = {
    BudgetLine.ACTIVITIES: [
        ("{county}惠民超市", "独居老人探访慰问品"),
        ("{county}新华书店", "困境儿童暑期课堂图书教具"),
        ("嘉兴市禾城印务有限公司", "宣传折页及横幅印制"),
        ("{county}阳光文体用品商店", "亲子手工活动材料"),
        ("浙江嘉华广告制作有限公司", "社区议事会场地布置"),
        ("{county}旅游客运有限公司", "重阳节敬老活动包车"),
        ("{county}老味道餐饮店", "志愿者培训工作餐"),
        ("嘉兴市五芳斋实业股份有限公司", "端午节包粽子活动食材"),
        ("{county}康乐医疗器械店", "助老服务血压计采购"),
        ("{county}心理咨询服务中心", "心理健康讲座专家劳务"),
        ("{county}百佳文具店", "新居民融入小组活动材料"),
        ("{county}邻里鲜花店", "邻里节活动布置"),
    ],
    BudgetLine.MANAGEMENT: [
        ("{county}诚信办公用品商行", "办公用品采购"),
        ("国网浙江省电力有限公司{county}供电公司", "电费（{month}月）"),
        ("{county}水务集团有限公司", "水费（{month}月）"),
        ("中国电信股份有限公司{county}分公司", "网络通信费（{month}月）"),
        ("{county}图文快印店", "打印耗材及档案装订"),
        ("{county}正信会计师事务所", "项目财务审计服务费"),
    ],
    BudgetLine.OTHER: [
        ("中国人民财产保险股份有限公司{county}支公司", "志愿者意外保险"),
        ("{county}社会工作协会", "督导专家劳务费"),
        ("{county}便民维修服务部", "站点设施维修"),
    ],
}
# Planned sources, as shares of the budget: the township's fiscal funds take what the others leave.
SOURCE_SHARES = {
    FundingSource.CITY_FISCAL: (0.34, 0.38),
    FundingSource.WELFARE_LOTTERY: (0.04, 0.07),
    FundingSource.SOCIAL_ASSISTANCE: (0.0, 0.03),
    FundingSource.PAIRED_ASSISTANCE: (0.0, 0.02),
    FundingSource.FEDERATIONS: (0.0, 0.02),
    FundingSource.DONATIONS: (0.0, 0.02),
    FundingSource.COMMUNITY_FOUNDATION: (0.0, 0.02),
}


@dataclass
class DemoFunding:
    """What the funding demo holds, and the townships worth pointing at."""

    budgets: int = 0
    expenditures: int = 0
    disbursements: int = 0
    submitted: list[str] = field(default_factory=list)
    returned: str = RETURNED
    over_limit: str = OVER_LIMIT
    capped: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    city_share: Decimal = ZERO
    township_share: Decimal = ZERO
    paid: Decimal = ZERO
    pending: int = 0


@dataclass
class Plan:
    """One station's money for a year: the budget's lines and sources, what it spends of them."""

    station: Station
    year: int
    lines: dict[str, Decimal]
    sources: dict[str, Decimal]
    executed: Decimal  # the share of each line spent over the whole year

    @property
    def total(self) -> Decimal:
        return sum(self.lines.values(), ZERO)


def hundreds(value) -> Decimal:
    return Decimal(round(float(value) / 100) * 100)


def plan_lines(rng: random.Random, total: Decimal, personnel_share: float) -> dict[str, Decimal]:
    personnel = hundreds(total * Decimal(personnel_share))
    activities = hundreds(total * Decimal(rng.uniform(0.20, 0.23)))
    management = hundreds(total * Decimal(rng.uniform(0.06, 0.08)))
    return {
        BudgetLine.PERSONNEL: personnel,
        BudgetLine.ACTIVITIES: activities,
        BudgetLine.MANAGEMENT: management,
        BudgetLine.OTHER: total - personnel - activities - management,
    }


def plan_sources(rng: random.Random, total: Decimal) -> dict[str, Decimal]:
    sources = {source: hundreds(total * Decimal(rng.uniform(*shares))) for source, shares in SOURCE_SHARES.items()}
    sources[FundingSource.TOWNSHIP_FISCAL] = total - sum(sources.values(), ZERO)
    return {source: amount for source, amount in sources.items() if amount > 0}


def plan_year(rng: random.Random, station: Station, year: int, *, this_year: bool) -> Plan:
    """The budget of ``station`` for ``year`` and how much of it gets spent."""
    biggest = station.township.name == CAPPED and not this_year
    total = Decimal(900_000 if biggest else rng.choice([460_000, 500_000, 540_000, 580_000, 620_000, 680_000]))
    lines = plan_lines(rng, total, rng.uniform(0.665, 0.685))
    return Plan(station, year, lines, plan_sources(rng, total), Decimal(str(round(rng.uniform(0.94, 0.99), 3))))


def budget_rows(plan: Plan, *, version: int, status: str, users: dict, stamps: dict) -> Budget:
    ours = plan.station.township.name == DEMO_TOWNSHIP
    return Budget(
        station=plan.station,
        year=plan.year,
        version=version,
        status=status,
        note="" if version == 1 else "年中调整：根据项目实施进度调增活动经费",
        return_reason=RETURN_REASON if status == BudgetStatus.RETURNED else "",
        created_by=users.get("manager") if ours else None,
        submitted_by=users.get("manager") if ours and status != BudgetStatus.DRAFT else None,
        submitted_at=stamps.get("submitted"),
        decided_by=users.get("township") if ours and "decided" in stamps else None,
        decided_at=stamps.get("decided"),
    )


def revision(plan: Plan, rng: random.Random, township: str) -> Plan:
    """This year's second version: more for activities (from the township's funds), or personnel at 72 %."""
    if township == OVER_LIMIT:
        total = plan.total
        personnel = total * OVER_LIMIT_SHARE
        activities = hundreds(total * Decimal("0.20"))
        management = hundreds(total * Decimal("0.06"))
        lines = {
            BudgetLine.PERSONNEL: personnel,
            BudgetLine.ACTIVITIES: activities,
            BudgetLine.MANAGEMENT: management,
            BudgetLine.OTHER: total - personnel - activities - management,
        }
        return dataclasses.replace(plan, lines=lines)
    more = Decimal(rng.choice([20_000, 30_000, 40_000]))
    lines = {**plan.lines, BudgetLine.ACTIVITIES: plan.lines[BudgetLine.ACTIVITIES] + more}
    sources = {**plan.sources, FundingSource.TOWNSHIP_FISCAL: plan.sources[FundingSource.TOWNSHIP_FISCAL] + more}
    return dataclasses.replace(plan, lines=lines, sources=sources)


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_budgets(rng_of: dict, plans: list[Plan], users: dict, today: date, made: DemoFunding) -> None:
    """Version 1 of every plan, approved; this year's revisions; written only where missing."""
    have = set(Budget.objects.filter(station__in={plan.station for plan in plans}).values_list("station", "year"))
    budgets, amounts = [], []
    for plan in plans:
        extra = rng_of[(plan.station.pk, plan.year)]  # drawn whether or not the rows exist
        approved = {"submitted": aware(date(plan.year, 1, 8)), "decided": aware(date(plan.year, 1, 15))}
        versions = [(plan, 1, BudgetStatus.APPROVED, approved)]
        township = plan.station.township.name
        if plan.year == today.year and (township in SUBMITTED or township in (RETURNED, OVER_LIMIT)):
            revised = revision(plan, extra, township)
            sent = aware(max(date(plan.year, 1, 16), today - timedelta(days=3)))
            if township in SUBMITTED:
                versions.append((revised, 2, BudgetStatus.SUBMITTED, {"submitted": sent}))
                made.submitted.append(township)
            elif township == RETURNED:
                versions.append((revised, 2, BudgetStatus.RETURNED, {"submitted": sent, "decided": sent}))
            else:
                versions.append((revised, 2, BudgetStatus.DRAFT, {}))
        if (plan.station.pk, plan.year) in have:
            continue
        for version_plan, version, status, stamps in versions:
            budget = budget_rows(version_plan, version=version, status=status, users=users, stamps=stamps)
            budgets.append(budget)
            amounts.append((budget, version_plan))
    bulk_create_with_history(budgets, Budget, default_date=timezone.now())
    lines = [
        BudgetLineAmount(budget=budget, line=line, amount=amount)
        for budget, version_plan in amounts
        for line, amount in version_plan.lines.items()
    ]
    sources = [
        BudgetSourceAmount(budget=budget, source=source, amount=amount)
        for budget, version_plan in amounts
        for source, amount in version_plan.sources.items()
    ]
    bulk_create_with_history(lines, BudgetLineAmount)
    bulk_create_with_history(sources, BudgetSourceAmount)
    made.budgets = Budget.objects.filter(station__in={plan.station for plan in plans}).count()


def split_amount(rng: random.Random, amount: Decimal, parts: int) -> list[Decimal]:
    """``amount`` in ``parts`` payments of random sizes (to the fen), adding up exactly."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    scale = sum(weights)
    payments = [fen(amount * Decimal(weight / scale)) for weight in weights[:-1]]
    payments.append(amount - sum(payments, ZERO))
    return payments


def month_rows(rng: random.Random, plan: Plan, month: int, county: str, staff: int) -> list[dict]:
    """The payments of one month: the three personnel ones on the 5th, the rest on random days."""
    rows = []
    personnel = fen(plan.lines[BudgetLine.PERSONNEL] * plan.executed / 12)
    for payee, description, share in PERSONNEL_PAYMENTS:
        rows.append(
            {
                "day": 5,
                "line": BudgetLine.PERSONNEL,
                "amount": fen(personnel * share),
                "payee": payee.format(county=county, staff=staff),
                "description": description.format(month=month),
            }
        )
    for line, count in ((BudgetLine.ACTIVITIES, rng.randint(3, 7)), (BudgetLine.MANAGEMENT, rng.randint(1, 3))):
        monthly = fen(plan.lines[line] * plan.executed / 12 * Decimal(str(round(rng.uniform(0.92, 1.08), 3))))
        rows += other_rows(rng, line, monthly, count, county, month)
    if plan.lines[BudgetLine.OTHER] > 0:
        rows += other_rows(
            rng, BudgetLine.OTHER, fen(plan.lines[BudgetLine.OTHER] * plan.executed / 12), 1, county, month
        )
    return rows


def other_rows(rng: random.Random, line: str, monthly: Decimal, count: int, county: str, month: int) -> list[dict]:
    rows = []
    for amount in split_amount(rng, monthly, count):
        payee, description = rng.choice(PAYMENTS[line])
        rows.append(
            {
                "day": rng.randint(1, 28),
                "line": line,
                "amount": amount,
                "payee": payee.format(county=county),
                "description": description.format(month=month),
            }
        )
    return rows


def pick_source(rng: random.Random, sources: dict[str, Decimal], line: str) -> str:
    """A source in proportion to the plan; salaries from the fiscal funds."""
    if line == BudgetLine.PERSONNEL:
        fiscal = [source for source in (FundingSource.CITY_FISCAL, FundingSource.TOWNSHIP_FISCAL) if source in sources]
        return rng.choice(fiscal)
    names = list(sources)
    return rng.choices(names, weights=[float(sources[name]) for name in names])[0]


def seed_expenditures(rng_of: dict, plans: list[Plan], users: dict, today: date, made: DemoFunding) -> None:
    """A year of payments (this year: up to today) for each plan whose station and year have none yet."""
    spent = set(
        Expenditure.objects.filter(station__in={plan.station for plan in plans})
        .values_list("station", "date__year")
        .distinct()
    )
    voucher = voucher_file()
    thresholds = policy_thresholds(plans)
    rows = []
    for plan in plans:
        rng = rng_of[("spend", plan.station.pk, plan.year)]
        county = plan.station.township.parent.name
        staff = rng.randint(5, 8)
        months = range(1, 13 if plan.year < today.year else today.month + 1)
        planned = [(month, row) for month in months for row in month_rows(rng, plan, month, county, staff)]
        entered = [pick_source(rng, plan.sources, row["line"]) for _month, row in planned]
        if (plan.station.pk, plan.year) in spent:
            continue
        ours = plan.station.township.name == DEMO_TOWNSHIP
        for (month, row), source in zip(planned, entered, strict=True):
            on = date(plan.year, month, row["day"])
            if on > today:
                continue
            rows.append(
                Expenditure(
                    station=plan.station,
                    date=on,
                    line=row["line"],
                    source=source,
                    amount=row["amount"],
                    payee=row["payee"],
                    description=row["description"],
                    created_by=users.get("manager") if ours else None,
                    **(voucher if row["amount"] > thresholds[(plan.station.pk, plan.year)] else {}),
                )
            )
    bulk_create_with_history(rows, Expenditure, batch_size=2000)
    made.expenditures = Expenditure.objects.filter(station__in={plan.station for plan in plans}).count()


def policy_thresholds(plans: list[Plan]) -> dict:
    """(station id, year) -> the amount above which the policy in force asks for a voucher."""
    thresholds = {}
    for year in {plan.year for plan in plans}:
        stations = [plan.station for plan in plans if plan.year == year]
        for pk, policy in nearest_policies(FundingPolicy, stations=stations, year=year).items():
            thresholds[(pk, year)] = policy.voucher_required_above
    return thresholds


def voucher_pdf() -> bytes:
    """A small, real one-page PDF: a scanned receipt's stand-in."""
    text = b"BT /F1 18 Tf 72 770 Td (Voucher - demo receipt) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def voucher_file() -> dict:
    """The one demo voucher, stored once: the fields an expenditure points at it with."""
    content = voucher_pdf()
    if not default_storage.exists(VOUCHER_PATH):
        default_storage.save(VOUCHER_PATH, ContentFile(content))
    return {
        "voucher": VOUCHER_PATH,
        "voucher_name": VOUCHER_NAME,
        "voucher_type": "application/pdf",
        "voucher_size": len(content),
    }


def seed_policies(demo: DemoStations, today: date) -> None:
    """Jiaxing's funding policy for last year and this: Haining's figures, the shipped defaults."""
    for year in (today.year - 1, today.year):
        upsert(FundingPolicy, {"region": demo.city, "year": year}, {})


def seed_disbursements(demo: DemoStations, users: dict, today: date, made: DemoFunding) -> None:
    """Last year's Haining subsidies, paid this year after the results were published."""
    year = today.year - 1
    townships = list(Region.objects.filter(parent=demo.counties["海宁市"], level="township").order_by("code"))
    splits = township_funding_splits(townships=townships, year=year)
    number = 0
    for index, township in enumerate(townships):
        split = splits[township.pk]
        made.capped += [township.name] if split.capped else []
        if split.pending:
            continue
        made.city_share += split.city_share
        made.township_share += split.township_share
        if split.spent > 0 and split.city_share == 0:
            made.failing.append(township.name)
        if split.city_share <= 0:
            continue
        how = INSTALMENTS[index % len(INSTALMENTS)]
        first = split.city_share if how == "whole" else fen(split.city_share * FIRST_SHARE)
        payments = [(first, date(today.year, 4, 20))]
        if how == "two":
            payments.append((split.city_share - first, date(today.year, 9, 18)))
        paid = ZERO
        for amount, on in payments:
            number += 1
            snapshot = dataclasses.replace(split, paid=paid).as_dict()
            record_instalment(township, year, amount, min(on, today), number, snapshot, users)
            paid += amount
        made.paid += paid
    made.disbursements = Disbursement.objects.filter(township__in=townships).count()


def record_instalment(township, year, amount, on, number, snapshot, users) -> None:
    reference = f"海民发〔{on.year}〕{number + 20}号"
    found = Disbursement.objects.filter(township=township, year=year, reference=reference)
    if found.exists():
        found.exclude(split=snapshot).update(split=snapshot)  # the evaluation demo's results are written anew
        return
    Disbursement.objects.create(
        township=township,
        year=year,
        date=on,
        amount=amount,
        reference=reference,
        approver="钱立新",
        note=f"{year}年度社工站市级补助",
        split=snapshot,
        recorded_by=users.get("county"),
    )


def spending_stations(demo: DemoStations, year: int) -> list[Station]:
    """The stations with money in ``year``: those in operation or suspended, and any published-evaluated then."""
    evaluated = set(
        Evaluation.objects.filter(year=year, status=EvaluationStatus.PUBLISHED).values_list("station_id", flat=True)
    )
    return [
        station
        for station in demo.stations.values()
        if station.status in (StationStatus.OPERATING, StationStatus.SUSPENDED) or station.pk in evaluated
    ]


def seed(rng: random.Random, demo: DemoStations, today: date) -> DemoFunding:
    """The demo's funding; the demo accounts and last year's published evaluations must be there already."""
    users = {user.username: user for user in User.objects.filter(username__in=["manager", "township", "county"])}
    made = DemoFunding()
    seed_policies(demo, today)
    plans, rng_of = [], {}
    for year in (today.year - 1, today.year):
        stations = Station.objects.filter(pk__in=[s.pk for s in spending_stations(demo, year)])
        for station in stations.select_related("township__parent").order_by("township__code"):
            own = random.Random(rng.random())
            rng_of[(station.pk, year)] = random.Random(own.random())
            rng_of[("spend", station.pk, year)] = random.Random(own.random())
            plans.append(plan_year(own, station, year, this_year=year == today.year))
    seed_budgets(rng_of, plans, users, today, made)
    seed_expenditures(rng_of, plans, users, today, made)
    seed_disbursements(demo, users, today, made)
    this_year = township_funding_splits(
        townships=Region.objects.filter(stations__in={plan.station for plan in plans}).distinct(), year=today.year
    )
    made.pending = sum(1 for split in this_year.values() if split.pending)
    return made


def summary(made: DemoFunding) -> str:
    """The demo's funding in one line of ``seed_demo``'s summary."""
    return (
        f"Funding: {made.budgets} budget versions ({len(made.submitted)} revisions awaiting approval, "
        f"{made.returned}'s returned, {made.over_limit}'s draft over the personnel limit), "
        f"{made.expenditures} expenditures; last year's Haining split: city {made.city_share:,}, "
        f"townships {made.township_share:,}, paid {made.paid:,} in {made.disbursements} instalments; capped: "
        f"{'、'.join(made.capped) or '—'}; failing at 0.00: {'、'.join(made.failing) or '—'}; "
        f"{made.pending} of this year's splits pending."
    )
