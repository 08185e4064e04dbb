"""The navigation of the signed-in user: the menu of their role and the label of their scope."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import Role
from .scope import scope_of


@dataclass(frozen=True)
class NavEntry:
    """A menu entry: where it goes, and the pages (``namespace:url_name``) under which it is highlighted."""

    key: str
    label: str
    icon: str
    url_name: str
    sections: frozenset[str] = frozenset()
    needs_station: bool = False


@dataclass(frozen=True)
class NavItem:
    label: str
    icon: str
    url: str
    active: bool


STATION_PAGES = frozenset(
    {
        "stations:list",
        "stations:detail",
        "stations:create",
        "stations:update",
        "stations:checklist",
        "stations:contract_create",
    }
)
# The officials' evaluation pages, reached by the tabs of ``templates/evaluation/_tabs.html``.
EVALUATION_PAGES = frozenset(
    {
        "evaluation:evaluation-list",
        "evaluation:evaluation-detail",
        "evaluation:assignment-list",
        "evaluation:assignment-create",
        "evaluation:assignment-edit",
        "evaluation:template-list",
        "evaluation:template-detail",
        "evaluation:template-diff",
        "evaluation:template-import",
        "evaluation:template-export",
        "evaluation:template-edit",
        "evaluation:policy-list",
        "evaluation:policy-create",
        "evaluation:policy-edit",
    }
)
DASHBOARD_PAGES = frozenset({"reports:dashboard", "reports:ranking"})
ENTRIES = {
    # The officials' home is their dashboard (``reports:dashboard``); station staff reach their station's from the menu.
    "dashboard": NavEntry("dashboard", _("Dashboard"), "speedometer2", "home", DASHBOARD_PAGES | {"home"}),
    "station_dashboard": NavEntry(
        "station_dashboard", _("Dashboard"), "speedometer2", "reports:dashboard", DASHBOARD_PAGES
    ),
    "home": NavEntry("home", _("Home"), "house-door", "home", frozenset({"home"})),
    "stations": NavEntry("stations", _("Stations"), "buildings", "stations:list", STATION_PAGES),
    "assigned": NavEntry("assigned", _("Assigned stations"), "clipboard-check", "stations:list", STATION_PAGES),
    "my_station": NavEntry(
        "my_station",
        _("My station"),
        "building",
        "stations:detail",
        STATION_PAGES,
        needs_station=True,
    ),
    "organizations": NavEntry(
        "organizations",
        _("Organisations"),
        "people",
        "stations:organization_list",
        frozenset(
            {
                "stations:organization_list",
                "stations:organization_detail",
                "stations:organization_create",
                "stations:organization_update",
            }
        ),
    ),
    "contracts": NavEntry(
        "contracts",
        _("Contracts"),
        "file-earmark-text",
        "stations:contract_list",
        frozenset({"stations:contract_list", "stations:contract_update"}),
    ),
    "reports": NavEntry("reports", _("Reports"), "file-earmark-pdf", "reports:list", frozenset({"reports:*"})),
    "compliance": NavEntry(
        "compliance",
        _("Staffing compliance"),
        "clipboard2-check",
        "staffing:compliance",
        frozenset({"staffing:compliance"}),
    ),
    "policies": NavEntry(
        "policies",
        _("Staffing policies"),
        "sliders",
        "staffing:policies",
        frozenset({"staffing:policies", "staffing:policy_create", "staffing:policy_update"}),
    ),
    "log": NavEntry(
        "log", _("Log a service"), "journal-plus", "services:log", frozenset({"services:log"}), needs_station=True
    ),
    "services": NavEntry(
        "services",
        _("Services"),
        "journal-text",
        "services:records",
        frozenset(
            {
                "services:records",
                "services:record_detail",
                "services:record_update",
                "services:portfolio",
                "services:project_create",
                "services:project_detail",
                "services:project_update",
                "services:beneficiaries",
                "services:beneficiary_create",
                "services:beneficiary_update",
                "services:visits",
                "services:cases",
                "services:case_create",
                "services:case_detail",
                "services:focus_problems",
            }
        ),
        needs_station=True,
    ),
    "staff": NavEntry(
        "staff",
        _("Staff"),
        "person-badge",
        "staffing:roster",
        frozenset(
            {
                "staffing:roster",
                "staffing:history",
                "staffing:staff_create",
                "staffing:staff_update",
                "staffing:roster_import",
            }
        ),
        needs_station=True,
    ),
    "volunteers": NavEntry(
        "volunteers",
        _("Volunteers"),
        "people",
        "staffing:volunteers",
        frozenset(
            {
                "staffing:volunteers",
                "staffing:volunteer_create",
                "staffing:volunteer_update",
                "staffing:volunteer_hours_add",
            }
        ),
        needs_station=True,
    ),
    "evaluation": NavEntry(
        "evaluation",
        pgettext_lazy("menu", "Evaluation"),
        "clipboard-data",
        "evaluation:evaluation-list",
        EVALUATION_PAGES,
    ),
    "my_evaluations": NavEntry(
        "my_evaluations", _("My evaluations"), "clipboard-check", "evaluation:home", frozenset({"evaluation:home"})
    ),
    "evaluation_records": NavEntry(
        "evaluation_records",
        _("Evaluation records"),
        "clipboard-data",
        "evaluation:evaluation-list",
        frozenset({"evaluation:evaluation-list", "evaluation:evaluation-detail"}),
    ),
    "station_evaluation": NavEntry(
        "station_evaluation",
        pgettext_lazy("menu", "Evaluation"),
        "award",
        "evaluation:station-results",
        frozenset({"evaluation:station-results", "evaluation:evaluation-detail"}),
        needs_station=True,
    ),
    "funding": NavEntry("funding", _("Funding"), "cash-coin", "funding:overview", frozenset({"funding:*"})),
    "budget": NavEntry(
        "budget", _("Budget and spending"), "cash-coin", "funding:budget", frozenset({"funding:*"}), needs_station=True
    ),
}
OFFICIAL_MENU = [
    "dashboard",
    "stations",
    "compliance",
    "policies",
    "organizations",
    "contracts",
    "evaluation",
    "funding",
    "reports",
]
STATION_MENU = [
    "home",
    "station_dashboard",
    "my_station",
    "log",
    "services",
    "staff",
    "volunteers",
    "station_evaluation",
    "budget",
    "reports",
]
ROLE_MENUS = {
    Role.ADMIN: OFFICIAL_MENU,
    Role.CITY_OFFICIAL: OFFICIAL_MENU,
    Role.TOWNSHIP_OFFICIAL: OFFICIAL_MENU,
    Role.STATION_MANAGER: STATION_MENU,
    Role.SOCIAL_WORKER: STATION_MENU,
    Role.EVALUATOR: ["home", "my_evaluations", "assigned", "evaluation_records", "reports"],
}


def current_page(request) -> tuple[str, str]:
    """(``namespace:url_name``, ``namespace:*``) of the page being shown."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    return match.view_name, f"{match.namespace}:*" if match.namespace else ""


def menu_for(user, request) -> list[NavItem]:
    """The menu of ``user``'s role, with the entry of the current page marked active."""
    page, section = current_page(request)
    entries = [ENTRIES[key] for key in ROLE_MENUS.get(user.role, [])]
    entries = [entry for entry in entries if user.station_id or not entry.needs_station]
    # An entry naming the page itself wins over one naming its whole section (the dashboard under reports:*).
    exact = any(page in entry.sections for entry in entries)
    items = []
    for entry in entries:
        url = reverse(entry.url_name, args=[user.station_id] if entry.needs_station else None)
        active = page in entry.sections if exact else section in entry.sections
        items.append(NavItem(entry.label, entry.icon, url, active))
    return items


def scope_label(user) -> str:
    """Where the user's reach lies, by name: a region, a station, an agency, or everything."""
    scope = scope_of(user)
    if scope.everything:
        return str(_("All regions"))
    if scope.region is not None:
        return scope.region.name
    if scope.station_id is not None:
        return user.station.name
    if scope.agency_id is not None:
        return user.organization.name
    return ""


def navigation(request) -> dict:
    """``nav_items`` (the role's menu), ``nav_scope`` (its reach) and ``nav_admin`` (link to the admin site)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": menu_for(user, request),
        "nav_scope": scope_label(user),
        "nav_admin": reverse("admin:index") if user.role == Role.ADMIN else "",
    }
