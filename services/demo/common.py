"""What the services demo's steps share: the demo's summary, a station's place in it, a project planned and a record planned."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accounts.models import User
from staffing.models import StaffMember, Volunteer
from stations.models import Region, Station

from ..choices import STAGE_ORDER, ProjectStage
from ..models import (
    Beneficiary,
)


@dataclass
class DemoServices:
    """What the services demo holds, and the stations worth pointing at."""

    beneficiaries: int = 0
    key_targets: int = 0
    projects: int = 0
    records: int = 0
    volunteer_shares: int = 0
    cases: int = 0
    focus_problems: int = 0
    operating: int = 0
    incomplete_portfolios: list[str] = field(default_factory=list)
    # Station name -> key-target visit rate of last month (None: no key targets).
    last_month_rates: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def fully_visited(self) -> list[str]:
        return [name for name, rate in self.last_month_rates.items() if rate == 1]

    @property
    def lowest_visit_rate(self) -> tuple[str, Decimal] | None:
        rated = [(rate, name) for name, rate in self.last_month_rates.items() if rate is not None]
        return (min(rated)[1], min(rated)[0]) if rated else None


@dataclass
class Place:
    """What a station's generators need to know about it."""

    station: Station
    township: str
    county: str
    communities: list[Region]
    busy: bool
    demo: bool
    low_visits: bool


@dataclass
class ProjectSpec:
    year: int
    slot: str  # a key of SLOTS, or "optional"
    name: str
    category: str
    subtype: str
    items: list[str]
    groups: set[str]
    communities: list[Region]
    stage: str
    description: str
    factor: float  # target / what the log delivers (scaled to the full year for this year's)
    default_sessions: int
    default_beneficiaries: int

    @property
    def active(self) -> bool:
        """Services are logged against a project once it is being implemented."""
        return STAGE_ORDER.index(self.stage) >= STAGE_ORDER.index(ProjectStage.IMPLEMENTATION)


@dataclass
class Planned:
    """A service record to write: ``key`` names the project as (year, slot)."""

    date: date
    kind: str
    minutes: int
    key: tuple[int, str] | None
    people: list[Beneficiary]
    headcount: int
    staff: list[StaffMember]
    volunteers: list[tuple[Volunteer, Decimal]]
    place: str
    summary: str
    user: User | None = None
