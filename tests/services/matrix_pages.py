"""The services pages in the permission matrix (tests/matrix.py): every page, every role.

The targets are the services world of ``matrix_api.build_services`` (station S1). Everyone in scope reads S1's
pages (the outsider gets a 404); social workers and managers log services and keep beneficiaries and cases
(``LOGGERS``); managers also keep projects and focus problems (``KEEPERS``); township officials move project
stages too. Whole ID numbers: the administrator only.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import valid_id_number
from tests.matrix import Endpoint, only, register_pages, statuses

from .matrix_api import KEEPERS, LOGGERS, PNG, STAGE_MOVERS, YEAR, pk, s1, today


def read() -> dict[str, int]:
    return statuses(200, anonymous=302, outsider=404)


def only_pages(roles: list[str], ok: int) -> dict[str, int]:
    return only(roles, ok, 403, anonymous=302)


def page(name, method, url, expect, covers, data=None, shows=False):
    return Endpoint(name, method, url, expect, covers, data=data, shows=shows)


def no_volunteers(prefix: str = "volunteers") -> dict:
    return {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0"}


def record_post(w) -> dict:
    return {
        "date": today(),
        "kind": "group",
        "project": pk("project")(w),
        "beneficiaries": [pk("beneficiary")(w)],
        "headcount": "6",
        "duration_minutes": "90",
        "staff": [pk("svc_staff")(w)],
        "place": "社区活动室",
        "summary": "手工小组",
        **no_volunteers(),
    }


def project_post(w) -> dict:
    return {**targets(), "name": "邻里守望", "year": str(YEAR), "category": "optional"}


def targets() -> dict:
    return {"target_beneficiaries": "30", "target_sessions": "12", "target_communities": "1"}


def beneficiary_post(w) -> dict:
    return {"name": "钱奶奶", "id_number": valid_id_number(9101), "key_target": "on", "active": "on"}


register_pages(
    page("services-log", "get", lambda w: f"/services/stations/{s1(w)}/log/", only_pages(LOGGERS, 200), "services:log"),
    page(
        "services-log-save",
        "post",
        lambda w: f"/services/stations/{s1(w)}/log/",
        only_pages(LOGGERS, 302),
        "services:log",
        data=record_post,
    ),
    page(
        "services-beneficiary-lookup",
        "get",
        lambda w: f"/services/stations/{s1(w)}/beneficiaries/lookup/?q=陆",
        read(),
        "services:beneficiary_lookup",
    ),
    page("services-records", "get", lambda w: f"/services/stations/{s1(w)}/records/", read(), "services:records"),
    page(
        "services-records-export",
        "get",
        lambda w: f"/services/stations/{s1(w)}/records/export/",
        read(),
        "services:records_export",
    ),
    page(
        "services-record-detail",
        "get",
        lambda w: f"/services/records/{pk('record')(w)}/",
        read(),
        "services:record_detail",
    ),
    page(
        "services-record-update-form",
        "get",
        lambda w: f"/services/records/{pk('record')(w)}/edit/",
        only_pages(LOGGERS, 200),
        "services:record_update",
    ),
    page(
        "services-record-update",
        "post",
        lambda w: f"/services/records/{pk('record')(w)}/edit/",
        only_pages(LOGGERS, 302),
        "services:record_update",
        data=record_post,
    ),
    page(
        "services-attachment-add",
        "post",
        lambda w: f"/services/records/{pk('record')(w)}/attachments/",
        only_pages(LOGGERS, 302),
        "services:attachment_add",
        data=lambda w: {"attachments": SimpleUploadedFile("签到表.png", PNG, "image/png")},
    ),
    page(
        "services-attachment",
        "get",
        lambda w: f"/services/attachments/{pk('attachment')(w)}/",
        read(),
        "services:attachment",
    ),
    page("services-portfolio", "get", lambda w: f"/services/stations/{s1(w)}/portfolio/", read(), "services:portfolio"),
    page(
        "services-project-create-form",
        "get",
        lambda w: f"/services/stations/{s1(w)}/projects/new/",
        only_pages(KEEPERS, 200),
        "services:project_create",
    ),
    page(
        "services-project-create",
        "post",
        lambda w: f"/services/stations/{s1(w)}/projects/new/",
        only_pages(KEEPERS, 302),
        "services:project_create",
        data=project_post,
    ),
    page(
        "services-project-detail",
        "get",
        lambda w: f"/services/projects/{pk('project')(w)}/",
        read(),
        "services:project_detail",
    ),
    page(
        "services-project-update-form",
        "get",
        lambda w: f"/services/projects/{pk('project')(w)}/edit/",
        only_pages(KEEPERS, 200),
        "services:project_update",
    ),
    page(
        "services-project-update",
        "post",
        lambda w: f"/services/projects/{pk('project')(w)}/edit/",
        only_pages(KEEPERS, 302),
        "services:project_update",
        data=lambda w: {**targets(), "name": "党管社工人才服务", "year": str(YEAR), "category": "core"},
    ),
    page(
        "services-project-advance",
        "post",
        lambda w: f"/services/projects/{pk('project')(w)}/advance/",
        only_pages(STAGE_MOVERS, 302),
        "services:project_advance",
        data=lambda w: {"to_stage": "design"},
    ),
    page(
        "services-beneficiaries",
        "get",
        lambda w: f"/services/stations/{s1(w)}/beneficiaries/",
        read(),
        "services:beneficiaries",
    ),
    page(
        "services-beneficiary-create-form",
        "get",
        lambda w: f"/services/stations/{s1(w)}/beneficiaries/new/",
        only_pages(LOGGERS, 200),
        "services:beneficiary_create",
    ),
    page(
        "services-beneficiary-create",
        "post",
        lambda w: f"/services/stations/{s1(w)}/beneficiaries/new/",
        only_pages(LOGGERS, 302),
        "services:beneficiary_create",
        data=beneficiary_post,
    ),
    page(
        "services-beneficiary-update-form",
        "get",
        lambda w: f"/services/beneficiaries/{pk('beneficiary')(w)}/edit/",
        only_pages(LOGGERS, 200),
        "services:beneficiary_update",
    ),
    page(
        "services-beneficiary-update",
        "post",
        lambda w: f"/services/beneficiaries/{pk('beneficiary')(w)}/edit/",
        only_pages(LOGGERS, 302),
        "services:beneficiary_update",
        data=lambda w: {"name": "陆阿婆", "phone": "13800000000", "key_target": "on", "active": "on"},
    ),
    page(
        "services-beneficiary-id-number",
        "post",
        lambda w: f"/services/beneficiaries/{pk('beneficiary')(w)}/id-number/",
        only_pages(["admin"], 200),
        "services:beneficiary_id_number",
        shows=True,
    ),
    page("services-visits", "get", lambda w: f"/services/stations/{s1(w)}/visits/", read(), "services:visits"),
    page("services-cases", "get", lambda w: f"/services/stations/{s1(w)}/cases/", read(), "services:cases"),
    page(
        "services-case-create-form",
        "get",
        lambda w: f"/services/stations/{s1(w)}/cases/new/",
        only_pages(LOGGERS, 200),
        "services:case_create",
    ),
    page(
        "services-case-create",
        "post",
        lambda w: f"/services/stations/{s1(w)}/cases/new/",
        only_pages(LOGGERS, 302),
        "services:case_create",
        data=lambda w: {
            "beneficiary": pk("beneficiary")(w),
            "worker": pk("svc_staff")(w),
            "opened_on": today(),
            "intake_notes": "邻居反映",
        },
    ),
    page(
        "services-case-detail",
        "get",
        lambda w: f"/services/cases/{pk('case_planned')(w)}/",
        read(),
        "services:case_detail",
    ),
    page(
        "services-case-follow-up",
        "post",
        lambda w: f"/services/cases/{pk('case_planned')(w)}/follow_up/",
        only_pages(LOGGERS, 302),
        "services:case_step",
        data=lambda w: {
            "follow_up-date": today(),
            "follow_up-worker": pk("svc_staff")(w),
            "follow_up-content": "上门探访，情绪稳定",
        },
    ),
    page(
        "services-focus-problems",
        "get",
        lambda w: f"/services/stations/{s1(w)}/focus-problems/",
        read(),
        "services:focus_problems",
    ),
    page(
        "services-focus-problem-report",
        "post",
        lambda w: f"/services/stations/{s1(w)}/focus-problems/",
        only_pages(KEEPERS, 302),
        "services:focus_problems",
        data=lambda w: {"community": pk("community")(w), "title": "路灯不亮", "reported_on": today()},
    ),
    page(
        "services-focus-problem-advance",
        "post",
        lambda w: f"/services/focus-problems/{pk('focus_problem')(w)}/advance/",
        only_pages(KEEPERS, 302),
        "services:focus_problem_advance",
        data=lambda w: {"to_status": "in_progress"},
    ),
)
