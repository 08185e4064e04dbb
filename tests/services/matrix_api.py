"""The services API in the permission matrix (tests/matrix.py): every endpoint and action, every role.

The targets live in station S1 (``build_services``, called by the matrix world): a project with a service record
(a visit with a volunteer's hours and a photo), a key-target beneficiary, cases at intake, assessed and planned,
a reported focus problem, and city A's service policy for this year.

Everyone in scope reads; the catalogue and target groups are read by everyone signed in (the outsider too) and
changed only by the administrator. Social workers log services and keep beneficiaries and cases; station managers
also keep projects and focus problems and move project stages, as township officials do (they approve plans).
Only the administrator deletes; nobody deletes beneficiaries (``active`` is cleared instead: 405).
"""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from services.models import (
    Attachment,
    Beneficiary,
    BeneficiaryIdNumberView,
    Case,
    CaseFollowUp,
    CaseReferral,
    CatalogItem,
    FocusProblem,
    Project,
    ProjectStageChange,
    ServicePolicy,
    ServiceRecord,
    ServiceVolunteer,
)
from services.rules import attachment_add, case_assess, case_open, case_plan, service_record_create
from staffing.models import StaffMember, Volunteer, VolunteerHours
from tests.factories import RegionFactory, shipped_catalog, shipped_target_groups, valid_id_number
from tests.matrix import IN_SCOPE, Endpoint, only, register_api, statuses

LOGGERS = ["admin", "manager", "worker"]
KEEPERS = ["admin", "manager"]
STAGE_MOVERS = ["admin", "township", "manager"]
POLICY_MAKERS = ["admin", "city", "county"]

# The smallest valid PNG (1 x 1 pixel).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
YEAR = date.today().year
SERVED_ON = min(date(YEAR, 1, 15), date.today())  # this year's, never in the future (early January too)


def build_services(world) -> None:
    """The services targets of the matrix, all in station S1, stored in ``world.extra``."""
    station = world.stations["S1"]
    # A community of its own: the stations matrix deletes C1, which PROTECTed references would turn into a 409.
    community = RegionFactory(name="友谊社区", code="330481004002", level="community", parent=world.regions["T1"])
    station.communities.add(community)
    groups = shipped_target_groups()
    catalog = shipped_catalog()
    staff = StaffMember.objects.create(
        station=station,
        name="沈丽华",
        gender="female",
        id_number=valid_id_number(9001),
        role="full_time",
        hired_on=date(2024, 1, 1),
    )
    volunteer = Volunteer.objects.create(
        station=station, name="顾志强", id_number=valid_id_number(9002), registered_on=date(2024, 1, 1)
    )
    project = Project.objects.create(
        station=station, year=YEAR, name="党管社工人才服务", category="core", target_beneficiaries=20
    )
    project.catalog_items.set([catalog["basic"][0]])
    beneficiary = Beneficiary.objects.create(
        station=station,
        name="陆阿婆",
        id_number=valid_id_number(9003),
        community=community,
        key_target=True,
        registered_on=date(2025, 1, 1),
    )
    beneficiary.target_groups.set([groups["elderly_alone"]])
    record = service_record_create(
        station=station,
        user=world.users["manager"],
        project=project,
        date=SERVED_ON,
        kind="visit",
        duration_minutes=60,
        beneficiaries=[beneficiary],
        staff=[staff],
        volunteers=[{"volunteer": volunteer, "hours": Decimal("2")}],
        place="陆阿婆家",
        summary="月度探访",
    )
    attachment = attachment_add(
        record=record, user=world.users["manager"], file=SimpleUploadedFile("探访.png", PNG, "image/png")
    )

    def open_case(notes):
        return case_open(
            station=station, beneficiary=beneficiary, worker=staff, opened_on=SERVED_ON, intake_notes=notes
        )

    case_intake = open_case("新接案")
    case_assessed = case_assess(
        case=open_case("已评估"), assessed_on=SERVED_ON, assessment="独居，行动不便", before_score=40
    )
    case_planned = case_plan(
        case=case_assess(case=open_case("已计划"), assessed_on=SERVED_ON, assessment="独居", before_score=45),
        planned_on=SERVED_ON,
        plan="每周探访一次",
    )
    world.extra.update(
        community=community,
        svc_staff=staff,
        svc_volunteer=volunteer,
        project=project,
        beneficiary=beneficiary,
        record=record,
        attachment=attachment,
        case_intake=case_intake,
        case_assessed=case_assessed,
        case_planned=case_planned,
        focus_problem=FocusProblem.objects.create(
            station=station,
            community=community,
            title="楼道堆物",
            reported_on=SERVED_ON,
            created_by=world.users["manager"],
        ),
        service_policy=ServicePolicy.objects.create(region=world.regions["A"], year=YEAR),
        catalog_item=catalog["governance"][0],
    )


def pk(key):
    return lambda w: w.extra[key].pk


def s1(w):
    return w.stations["S1"].pk


def today() -> str:
    return date.today().isoformat()


def record_form(w):
    return {
        "station": s1(w),
        "project": pk("project")(w),
        "date": today(),
        "kind": "group",
        "beneficiaries": [pk("beneficiary")(w)],
        "staff": [pk("svc_staff")(w)],
        "volunteers": [{"volunteer": pk("svc_volunteer")(w), "hours": "1.5"}],
        "headcount": 8,
        "duration_minutes": 90,
        "place": "社区活动室",
        "summary": "手工小组",
    }


def photo(w):
    return {"file": SimpleUploadedFile("签到表.png", PNG, "image/png")}


def rest(name, url, key, *, create=None, update=None, delete=None, listed=True, detail_expect=None):
    """list, detail and, when given, create/update/delete of one resource: (expect, data) pairs."""
    endpoints = [
        Endpoint(
            f"{name}-list",
            "get",
            lambda w: f"/api/v1/{url}/",
            statuses(200),
            covers=f"api:{name}-list",
            listed=pk(key) if listed else None,
        ),
        Endpoint(
            f"{name}-detail",
            "get",
            lambda w: f"/api/v1/{url}/{pk(key)(w)}/",
            detail_expect or statuses(200, outsider=404),
            covers=f"api:{name}-detail",
        ),
    ]
    if create:
        endpoints.append(
            Endpoint(f"{name}-create", "post", lambda w: f"/api/v1/{url}/", create[0], f"api:{name}-list", create[1])
        )
    if update:
        endpoints.append(
            Endpoint(
                f"{name}-update",
                "patch",
                lambda w: f"/api/v1/{url}/{pk(key)(w)}/",
                update[0],
                f"api:{name}-detail",
                update[1],
            )
        )
    if delete:
        endpoints.append(
            Endpoint(f"{name}-delete", "delete", lambda w: f"/api/v1/{url}/{pk(key)(w)}/", delete, f"api:{name}-detail")
        )
    return endpoints


def action(name, method, url, expect, data=None, multipart=False):
    return Endpoint(name, method, url, expect, covers=f"api:{name.rsplit('#', 1)[0]}", data=data, multipart=multipart)


register_api(
    # --- projects ---------------------------------------------------------------------------------
    *rest(
        "project",
        "projects",
        "project",
        create=(
            only(KEEPERS, 201, 403),
            lambda w: {
                "station": s1(w),
                "year": YEAR,
                "name": "困境儿童关爱",
                "category": "basic",
                "subtype": "children",
                "communities": [w.extra["community"].pk],
            },
        ),
        update=(only(KEEPERS, 200, 403), lambda w: {"target_sessions": 24}),
        # The project has a service record: even the administrator gets a 409, and nothing is deleted.
        delete=only(["admin"], 409, 403),
    ),
    action(
        "project-advance",
        "post",
        lambda w: f"/api/v1/projects/{pk('project')(w)}/advance/",
        only(STAGE_MOVERS, 200, 403),
        data=lambda w: {"to_stage": "design"},
    ),
    action(
        "project-progress",
        "get",
        lambda w: f"/api/v1/projects/{pk('project')(w)}/progress/",
        statuses(200, outsider=404),
    ),
    # --- the catalogue and target groups: read by everyone signed in -------------------------------
    *rest(
        "catalog-item",
        "catalog-items",
        "catalog_item",
        create=(
            only(["admin"], 201, 403),
            lambda w: {"name": "社区议事规则制定", "sub_item": w.extra["catalog_item"].sub_item_id, "order": 9},
        ),
        update=(only(["admin"], 200, 403), lambda w: {"order": 7}),
        delete=only(["admin"], 204, 403),
        listed=False,
        detail_expect=statuses(200),
    ),
    Endpoint("target-group-list", "get", lambda w: "/api/v1/target-groups/", statuses(200), "api:target-group-list"),
    Endpoint(
        "target-group-detail",
        "get",
        lambda w: f"/api/v1/target-groups/{w.extra['beneficiary'].target_groups.get().pk}/",
        statuses(200),
        "api:target-group-detail",
    ),
    # --- beneficiaries ----------------------------------------------------------------------------
    *rest(
        "beneficiary",
        "beneficiaries",
        "beneficiary",
        create=(
            only(LOGGERS, 201, 403),
            lambda w: {
                "station": s1(w),
                "name": "王小明",
                "id_number": valid_id_number(24000),
                "community": w.extra["community"].pk,
                "target_groups": ["child_in_difficulty", "left_behind_child"],
                "key_target": True,
            },
        ),
        update=(only(LOGGERS, 200, 403), lambda w: {"phone": "13900000000"}),
        delete=statuses(403, admin=405),
    ),
    action(
        "beneficiary-id-number",
        "get",
        lambda w: f"/api/v1/beneficiaries/{pk('beneficiary')(w)}/id-number/",
        only(["admin"], 200, 403),
    ),
    # --- service records --------------------------------------------------------------------------
    *rest(
        "service-record",
        "service-records",
        "record",
        create=(only(LOGGERS, 201, 403), record_form),
        update=(only(LOGGERS, 200, 403), lambda w: {"summary": "月度探访，情况稳定", "duration_minutes": 45}),
        delete=only(["admin"], 204, 403),
    ),
    action(
        "service-record-attachments",
        "post",
        lambda w: f"/api/v1/service-records/{pk('record')(w)}/attachments/",
        only(LOGGERS, 201, 403),
        data=photo,
        multipart=True,
    ),
    action(
        "service-record-attachment",
        "get",
        lambda w: f"/api/v1/service-records/{pk('record')(w)}/attachments/{pk('attachment')(w)}/",
        statuses(200, outsider=404),
    ),
    # --- cases ------------------------------------------------------------------------------------
    *rest(
        "case",
        "cases",
        "case_intake",
        create=(
            only(LOGGERS, 201, 403),
            lambda w: {
                "station": s1(w),
                "beneficiary": pk("beneficiary")(w),
                "worker": pk("svc_staff")(w),
                "opened_on": today(),
                "intake_notes": "社区转来",
            },
        ),
        update=(only(LOGGERS, 200, 403), lambda w: {"intake_notes": "补充：子女在外地"}),
        delete=only(["admin"], 204, 403),
    ),
    action(
        "case-assess",
        "post",
        lambda w: f"/api/v1/cases/{pk('case_intake')(w)}/assess/",
        only(LOGGERS, 200, 403),
        data=lambda w: {"assessed_on": today(), "assessment": "需要生活照料", "before_score": 35},
    ),
    action(
        "case-plan",
        "post",
        lambda w: f"/api/v1/cases/{pk('case_assessed')(w)}/plan/",
        only(LOGGERS, 200, 403),
        data=lambda w: {"planned_on": today(), "plan": "链接助餐服务"},
    ),
    action(
        "case-follow-ups",
        "get",
        lambda w: f"/api/v1/cases/{pk('case_planned')(w)}/follow-ups/",
        statuses(200, outsider=404),
    ),
    action(
        "case-follow-ups#post",
        "post",
        lambda w: f"/api/v1/cases/{pk('case_planned')(w)}/follow-ups/",
        only(LOGGERS, 201, 403),
        data=lambda w: {"date": today(), "worker": pk("svc_staff")(w), "content": "上门探访", "next_step": "下周复访"},
    ),
    action(
        "case-refer",
        "post",
        lambda w: f"/api/v1/cases/{pk('case_planned')(w)}/refer/",
        only(LOGGERS, 201, 403),
        data=lambda w: {"date": today(), "agency": "街道残联", "reason": "申请辅具"},
    ),
    action(
        "case-close",
        "post",
        lambda w: f"/api/v1/cases/{pk('case_planned')(w)}/close/",
        only(LOGGERS, 200, 403),
        data=lambda w: {"closed_on": today(), "after_score": 70, "outcome": "生活照料到位"},
    ),
    # --- focus problems ---------------------------------------------------------------------------
    *rest(
        "focus-problem",
        "focus-problems",
        "focus_problem",
        create=(
            only(KEEPERS, 201, 403),
            lambda w: {
                "station": s1(w),
                "community": w.extra["community"].pk,
                "title": "高空抛物",
                "reported_on": today(),
            },
        ),
        update=(only(KEEPERS, 200, 403), lambda w: {"description": "3幢多次发生"}),
        delete=only(["admin"], 204, 403),
    ),
    action(
        "focus-problem-advance",
        "post",
        lambda w: f"/api/v1/focus-problems/{pk('focus_problem')(w)}/advance/",
        only(KEEPERS, 200, 403),
        data=lambda w: {"to_status": "in_progress"},
    ),
    # --- policies ---------------------------------------------------------------------------------
    *rest(
        "service-policy",
        "service-policies",
        "service_policy",
        create=(
            only(POLICY_MAKERS, 201, 403, outsider=400),
            lambda w: {"region": w.regions["A1"].pk, "year": YEAR, "empowerment_governance_communities_min": 3},
        ),
        # The county official reads the city's policy (it applies to them) but may not change it.
        update=(only(["admin", "city"], 200, 403, outsider=404), lambda w: {"key_target_visit_goal": "0.95"}),
        delete=only(["admin"], 204, 403),
    ),
    action(
        "service-policy-history",
        "get",
        lambda w: f"/api/v1/service-policies/{pk('service_policy')(w)}/history/",
        statuses(200, outsider=404),
    ),
    # --- station figures --------------------------------------------------------------------------
    action(
        "station-portfolio",
        "get",
        lambda w: f"/api/v1/stations/{s1(w)}/portfolio/?year={YEAR}",
        only(IN_SCOPE, 200, 404),
    ),
    action(
        "station-visit-rate",
        "get",
        lambda w: f"/api/v1/stations/{s1(w)}/visit-rate/?month={SERVED_ON:%Y-%m}",
        only(IN_SCOPE, 200, 404),
    ),
)

# Tables a refused services write must leave untouched (the matrix snapshots them). BeneficiaryIdNumberView is
# watched too: only the administrator's (granted) view of a whole number may add to it.
SERVICES_WATCHED = [
    Project,
    ProjectStageChange,
    CatalogItem,
    Beneficiary,
    BeneficiaryIdNumberView,
    ServiceRecord,
    ServiceVolunteer,
    VolunteerHours,
    Attachment,
    Case,
    CaseFollowUp,
    CaseReferral,
    FocusProblem,
    ServicePolicy,
]
