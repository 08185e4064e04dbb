"""What each role may do, as Django permission names (``app_label.codename``).

Scope (``scope.py``) says *where*; this table says *what*. The ``RoleBackend`` feeds it to
``user.has_perm`` so pages, the API and the admin site ask the same question the same way.
Permissions granted one by one to a user in the admin site add to their role's.
"""

from .choices import Role

VIEW_STATIONS = {
    "stations.view_region",
    "stations.view_organization",
    "stations.view_station",
    "stations.view_operatingcontract",
    "stations.view_stationstandard",
    "reports.view_report",
    "reports.add_report",
    "staffing.view_staffmember",
    "staffing.view_volunteer",
    "staffing.view_volunteerhours",
    "staffing.view_trainingsession",
    "staffing.view_supervisionvisit",
    "staffing.view_stationsupervisor",
    "staffing.view_staffingpolicy",
}

# Station managers keep the roster, volunteers, training and supervision records of their station.
KEEP_STAFFING = {
    f"staffing.{action}_{model}"
    for action in ("add", "change")
    for model in (
        "staffmember",
        "volunteer",
        "volunteerhours",
        "trainingsession",
        "supervisionvisit",
        "stationsupervisor",
    )
}

# Everyone who views stations views their services records, and reads the catalogue and target groups.
VIEW_SERVICES = {
    f"services.view_{model}"
    for model in (
        "catalogcategory",
        "catalogsubitem",
        "catalogitem",
        "targetgroup",
        "servicepolicy",
        "project",
        "projectstagechange",
        "beneficiary",
        "servicerecord",
        "servicevolunteer",
        "attachment",
        "case",
        "casefollowup",
        "casereferral",
        "focusproblem",
    )
}

# Social workers log services and keep beneficiaries and cases; station managers also keep projects and focus
# problems. Nobody but the administrator deletes: a wrong record is corrected by editing it.
LOG_SERVICES = {
    f"services.{action}_{model}"
    for action in ("add", "change")
    for model in ("servicerecord", "attachment", "beneficiary", "case", "casefollowup", "casereferral")
}
KEEP_SERVICES = LOG_SERVICES | {
    f"services.{action}_{model}" for action in ("add", "change") for model in ("project", "focusproblem")
}

# Everyone who views stations reads their evaluations, surveys and two-way assessments, and the scorecards.
VIEW_EVALUATION = {
    f"evaluation.view_{model}"
    for model in (
        "evaluationpolicy",
        "scorecardtemplate",
        "assignment",
        "evaluation",
        "survey",
        "surveyresponse",
        "twowayassessment",
    )
}

# City and county officials set the evaluation policy, draft scorecards, commission assignments and review
# evaluations; publishing and amending also need a city-level region (checked by ``evaluation.rules``).
RUN_EVALUATION = {
    f"evaluation.{action}_{model}"
    for action in ("add", "change")
    for model in ("evaluationpolicy", "scorecardtemplate", "assignment")
} | {"evaluation.review_evaluation", "evaluation.publish_evaluation", "evaluation.amend_evaluation"}

# Stations run their satisfaction surveys and enter paper forms.
RUN_SURVEYS = {"evaluation.add_survey", "evaluation.change_survey", "evaluation.add_surveyresponse"}

# Each side of the two-way assessment rates the other (the direction is the role's: ``evaluation.rules``).
RATE_TWO_WAY = {"evaluation.add_twowayassessment", "evaluation.change_twowayassessment"}

# Officials read budgets, spending, policies and the city's instalments; a station's own staff their station's
# budget, spending and policy (``funding.models.scope``).
VIEW_FUNDING = {f"funding.view_{model}" for model in ("fundingpolicy", "budget", "expenditure", "disbursement")}
VIEW_STATION_FUNDING = VIEW_FUNDING - {"funding.view_disbursement"}

# The station manager keeps the station's budget and enters its spending; the township official approves budgets;
# city and county officials set the funding policy and record the city's instalments.
KEEP_BUDGET = {
    "funding.add_budget",
    "funding.change_budget",
    "funding.submit_budget",
    "funding.add_expenditure",
    "funding.change_expenditure",
}
RUN_FUNDING = {"funding.add_fundingpolicy", "funding.change_fundingpolicy", "funding.add_disbursement"}

# The dashboards (reports.dashboard), read from the rollups: officials of their region, station staff of their
# station. Evaluators have their scorecards and no dashboard.
VIEW_DASHBOARD = {"reports.view_stationmonth"}

# The runs of the monthly and quarterly reports (reports.batches): officials see those of their region and below;
# city and county officials (one role) may retry a run's failed reports. Station staff and evaluators see none.
VIEW_BATCHES = {"reports.view_reportbatch"}
RETRY_BATCHES = {"reports.retry_reportbatch"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_OFFICIAL: frozenset(
        VIEW_STATIONS
        | {
            "stations.add_organization",
            "stations.change_organization",
            "stations.add_station",
            "stations.change_station",
            "stations.add_operatingcontract",
            "stations.change_operatingcontract",
            "stations.change_stationstandard",
            "staffing.add_staffingpolicy",
            "staffing.change_staffingpolicy",
            "services.add_servicepolicy",
            "services.change_servicepolicy",
        }
        | VIEW_SERVICES
        | VIEW_EVALUATION
        | RUN_EVALUATION
        | VIEW_FUNDING
        | RUN_FUNDING
        | VIEW_DASHBOARD
        | VIEW_BATCHES
        | RETRY_BATCHES
    ),
    # The township official approves project plans: they move projects to their next stage.
    # They also sign off evaluation results (confirm or object) and rate the operator.
    Role.TOWNSHIP_OFFICIAL: frozenset(
        VIEW_STATIONS
        | VIEW_SERVICES
        | VIEW_EVALUATION
        | RATE_TWO_WAY
        | VIEW_FUNDING
        | VIEW_DASHBOARD
        | VIEW_BATCHES
        | {
            "stations.change_stationstandard",
            "services.advance_project",
            "evaluation.answer_evaluation",
            "funding.approve_budget",
        }
    ),
    Role.STATION_MANAGER: frozenset(
        VIEW_STATIONS
        | KEEP_STAFFING
        | VIEW_SERVICES
        | KEEP_SERVICES
        | VIEW_EVALUATION
        | RUN_SURVEYS
        | RATE_TWO_WAY
        | VIEW_STATION_FUNDING
        | KEEP_BUDGET
        | VIEW_DASHBOARD
        | {"stations.change_station", "stations.change_stationstandard", "services.advance_project"}
    ),
    Role.SOCIAL_WORKER: frozenset(
        VIEW_STATIONS
        | VIEW_SERVICES
        | LOG_SERVICES
        | VIEW_EVALUATION
        | VIEW_STATION_FUNDING
        | VIEW_DASHBOARD
        | {"evaluation.add_surveyresponse"}
    ),
    # Evaluators write nothing but evaluation work: they read the stations' reports, and neither ask for nor
    # rebuild them.
    Role.EVALUATOR: frozenset(
        (VIEW_STATIONS - {"reports.add_report"}) | VIEW_SERVICES | VIEW_EVALUATION | {"evaluation.score_evaluation"}
    ),
}


def role_permissions(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
