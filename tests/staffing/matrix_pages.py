"""The staffing pages in the permission matrix (tests/matrix.py): every page, every role.

Every role in scope reads S1's roster, history, volunteers and the compliance list (the outsider gets a 404 for
S1 and its own, empty, compliance list). Station managers keep the roster and the volunteers (``KEEPERS``);
whole ID numbers are shown only to holders of ``staffing.view_full_id_number`` (the administrator).
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile

from staffing.excel import roster_template
from staffing.models import StaffMember, Volunteer, VolunteerHours
from staffing.validators import id_number_check_char
from tests.matrix import Endpoint, only, register_pages, statuses

KEEPERS = ["admin", "manager"]


def id_number(n: int, born: str) -> str:
    body = f"330481{born}{n:03d}"
    return body + id_number_check_char(body)


def build_staffing_pages(world) -> None:
    """A staff member and a volunteer (with hours) of S1 for the pages, in ``world.extra``."""
    station = world.stations["S1"]
    staff = StaffMember.objects.create(
        station=station,
        name="周海峰",
        gender="male",
        id_number=id_number(21, "19870304"),
        role="deputy",
        certification="intermediate",
        hired_on=date(2023, 5, 1),
        annual_salary=Decimal("120000.00"),
    )
    volunteer = Volunteer.objects.create(
        station=station, name="钱玉兰", id_number=id_number(22, "19600812"), registered_on=date(2023, 1, 1)
    )
    VolunteerHours.objects.create(volunteer=volunteer, date=date(2025, 4, 1), hours=Decimal("3"), activity="助餐")
    world.extra.update(page_staff=staff, page_volunteer=volunteer)


def s1(w):
    return w.stations["S1"].pk


def staff(w):
    return w.extra["page_staff"].pk


def volunteer(w):
    return w.extra["page_volunteer"].pk


def read(status_in_scope: int = 200) -> dict[str, int]:
    """A page of S1 every role in scope reads; the outsider gets a 404."""
    return statuses(status_in_scope, anonymous=302, outsider=404)


def keepers(ok: int) -> dict[str, int]:
    return only(KEEPERS, ok, 403, anonymous=302)


def new_staff(w) -> dict:
    return {
        "name": "沈丽萍",
        "gender": "female",
        "id_number": id_number(23, "19930211"),
        "role": "full_time",
        "employer": "operator",
        "certification": "assistant",
        "hired_on": "2026-02-01",
        "annual_salary": "118000",
    }


def roster_file(w) -> dict:
    workbook = roster_template()
    workbook.active.append(
        ["陆文斌", "male", id_number(24, "19910606"), "", "full_time", "", "", "否", "", "2026-03-01"]
    )
    buffer = BytesIO()
    workbook.save(buffer)
    return {"file": SimpleUploadedFile("roster.xlsx", buffer.getvalue())}


def page(name, method, url, expect, covers, data=None, shows=False):
    return Endpoint(name, method, url, expect, covers, data=data, shows=shows)


register_pages(
    page("staffing-roster", "get", lambda w: f"/staffing/stations/{s1(w)}/roster/", read(), "staffing:roster"),
    page(
        "staffing-roster-export",
        "get",
        lambda w: f"/staffing/stations/{s1(w)}/roster/export/",
        read(),
        "staffing:roster_export",
    ),
    page(
        "staffing-roster-template",
        "get",
        lambda w: "/staffing/roster-template/",
        keepers(200),
        "staffing:roster_template",
    ),
    page(
        "staffing-roster-import-form",
        "get",
        lambda w: f"/staffing/stations/{s1(w)}/roster/import/",
        keepers(200),
        "staffing:roster_import",
    ),
    page(
        "staffing-roster-import",
        "post",
        lambda w: f"/staffing/stations/{s1(w)}/roster/import/",
        keepers(302),
        "staffing:roster_import",
        data=roster_file,
    ),
    page("staffing-history", "get", lambda w: f"/staffing/stations/{s1(w)}/history/", read(), "staffing:history"),
    page(
        "staffing-staff-create-form",
        "get",
        lambda w: f"/staffing/stations/{s1(w)}/staff/new/",
        keepers(200),
        "staffing:staff_create",
    ),
    page(
        "staffing-staff-create",
        "post",
        lambda w: f"/staffing/stations/{s1(w)}/staff/new/",
        keepers(302),
        "staffing:staff_create",
        data=new_staff,
    ),
    page(
        "staffing-staff-update-form",
        "get",
        lambda w: f"/staffing/staff/{staff(w)}/edit/",
        keepers(200),
        "staffing:staff_update",
    ),
    page(
        "staffing-staff-leaves",
        "post",
        lambda w: f"/staffing/staff/{staff(w)}/edit/",
        keepers(302),
        "staffing:staff_update",
        data=lambda w: {
            "name": "周海峰",
            "gender": "male",
            "role": "deputy",
            "employer": "operator",
            "certification": "intermediate",
            "hired_on": "2023-05-01",
            "left_on": "2026-03-31",
            "annual_salary": "120000",
        },
    ),
    page(
        "staffing-staff-id-number",
        "post",
        lambda w: f"/staffing/staff/{staff(w)}/id-number/",
        only(["admin"], 200, 403, anonymous=302),
        "staffing:staff_id_number",
        shows=True,
    ),
    page(
        "staffing-volunteers", "get", lambda w: f"/staffing/stations/{s1(w)}/volunteers/", read(), "staffing:volunteers"
    ),
    page(
        "staffing-volunteer-hours",
        "post",
        lambda w: f"/staffing/stations/{s1(w)}/volunteers/hours/",
        keepers(302),
        "staffing:volunteer_hours_add",
        data=lambda w: {
            "volunteer": volunteer(w),
            "date": date.today().isoformat(),
            "hours": "2.5",
            "activity": "探访",
        },
    ),
    page(
        "staffing-volunteer-create-form",
        "get",
        lambda w: f"/staffing/stations/{s1(w)}/volunteers/new/",
        keepers(200),
        "staffing:volunteer_create",
    ),
    page(
        "staffing-volunteer-create",
        "post",
        lambda w: f"/staffing/stations/{s1(w)}/volunteers/new/",
        keepers(302),
        "staffing:volunteer_create",
        data=lambda w: {"name": "孙思雨", "id_number": id_number(25, "19990909"), "registered_on": "2026-01-10"},
    ),
    page(
        "staffing-volunteer-update-form",
        "get",
        lambda w: f"/staffing/volunteers/{volunteer(w)}/edit/",
        keepers(200),
        "staffing:volunteer_update",
    ),
    page(
        "staffing-volunteer-id-number",
        "post",
        lambda w: f"/staffing/volunteers/{volunteer(w)}/id-number/",
        only(["admin"], 200, 403, anonymous=302),
        "staffing:volunteer_id_number",
        shows=True,
    ),
    page(
        "staffing-compliance",
        "get",
        lambda w: "/staffing/compliance/",
        statuses(200, anonymous=302),
        "staffing:compliance",
    ),
    page(
        "staffing-compliance-export",
        "get",
        lambda w: "/staffing/compliance/export/",
        statuses(200, anonymous=302),
        "staffing:compliance_export",
    ),
)

POLICY_MAKERS = ["admin", "city", "county"]


def policy(w):
    return w.extra["policy"].pk


def policy_figures(w) -> dict:
    return {
        "full_time_min": "6",
        "certified_min": "4",
        "volunteers_min": "30",
        "professional_share_min": "0.50",
        "operator_rating_min": "3",
        "site_area_min": "500",
        "salary_floor_ratio": "1.20",
        "prior_year_average_wage": "98000",
        "volunteer_star_hours": "100, 300, 600, 1000, 1500",
    }


register_pages(
    page(
        "staffing-policies", "get", lambda w: "/staffing/policies/", statuses(200, anonymous=302), "staffing:policies"
    ),
    page(
        "staffing-policy-create-form",
        "get",
        lambda w: "/staffing/policies/new/",
        only(POLICY_MAKERS, 200, 403, anonymous=302, outsider=200),
        "staffing:policy_create",
    ),
    page(
        # County A1 for a later year: the outsider (city B) may set policies, but A1 is not among its regions.
        "staffing-policy-create",
        "post",
        lambda w: "/staffing/policies/new/",
        only(POLICY_MAKERS, 302, 403, anonymous=302, outsider=200),
        "staffing:policy_create",
        data=lambda w: {"region": w.regions["A1"].pk, "year": "2030", **policy_figures(w)},
    ),
    page(
        # City A's policy: the county official sees it but may not change it (404, as for the outsider).
        "staffing-policy-update-form",
        "get",
        lambda w: f"/staffing/policies/{policy(w)}/edit/",
        only(["admin", "city"], 200, 403, anonymous=302, county=404, outsider=404),
        "staffing:policy_update",
    ),
    page(
        "staffing-policy-update",
        "post",
        lambda w: f"/staffing/policies/{policy(w)}/edit/",
        only(["admin", "city"], 302, 403, anonymous=302, county=404, outsider=404),
        "staffing:policy_update",
        data=lambda w: {**policy_figures(w), "full_time_min": "5"},
    ),
)
