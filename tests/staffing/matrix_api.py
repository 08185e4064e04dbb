"""The staffing API in the permission matrix (tests/matrix.py): every endpoint, every role.

The targets live in station S1 (``build_staffing``, called by the matrix world): a staff member, a
volunteer with hours and a time-bank balance, a training session, a supervision visit, S1's named
supervisor, and city A's staffing policy for this year.

Station managers keep their station's roster, volunteers, training and supervision records; officials
read them. Only the platform administrator sees whole ID numbers (its own permission) and deletes
records; nobody deletes staff or volunteers (leaving sets ``left_on``, so DELETE is 405 even for the
administrator). Policies are changed by officials of the policy's region or above: the county official
sees the city's policy but may not change it.
"""

from datetime import date
from decimal import Decimal

from staffing.models import (
    StaffingPolicy,
    StaffMember,
    StationSupervisor,
    SupervisionVisit,
    TimeBankEntry,
    TrainingSession,
    Volunteer,
    VolunteerHours,
)
from staffing.validators import id_number_check_char
from tests.matrix import IN_SCOPE, Endpoint, only, register_api, statuses

KEEPERS = ["admin", "manager"]
POLICY_MAKERS = ["admin", "city", "county"]


def id_number(n: int, born: str = "19900101") -> str:
    """A valid resident ID number of county A1 (330481), the n-th of people born on ``born``."""
    body = f"330481{born}{n:03d}"
    return body + id_number_check_char(body)


def build_staffing(world) -> None:
    """The staffing targets of the matrix, all in station S1, stored in ``world.extra``."""
    station = world.stations["S1"]
    today = date.today()
    # Dated in the year the world's evaluator is assigned (an evaluator reaches no other year's records).
    this_year = min(date(today.year, 1, 15), today)
    staff = StaffMember.objects.create(
        station=station,
        name="张晓燕",
        gender="female",
        id_number=id_number(1, "19880512"),
        role="full_time",
        certification="assistant",
        hired_on=date(2024, 3, 1),
        annual_salary=Decimal("98000.00"),
    )
    volunteer = Volunteer.objects.create(
        station=station, name="李建国", id_number=id_number(2, "19650203"), registered_on=date(2024, 1, 1)
    )
    hours = VolunteerHours.objects.create(volunteer=volunteer, date=this_year, hours=Decimal("4"), activity="探访")
    TimeBankEntry.objects.create(volunteer=volunteer, date=this_year, hours=Decimal("10"), note="存入")
    training = TrainingSession.objects.create(station=station, topic="个案工作方法", date=this_year, hours=3)
    training.attendees.set([staff])
    world.extra.update(
        staff=staff,
        volunteer=volunteer,
        hours=hours,
        training=training,
        supervision=SupervisionVisit.objects.create(
            station=station, supervisor="王督导", date=this_year, findings="台账齐全"
        ),
        supervisor=StationSupervisor.objects.create(station=station, name="王督导", since=date(2025, 1, 1)),
        policy=StaffingPolicy.objects.create(region=world.regions["A"], year=today.year),
    )


def pk(key):
    return lambda w: w.extra[key].pk


def s1(w):
    return w.stations["S1"].pk


def staff_form(w):
    return {
        "station": s1(w),
        "name": "陈静",
        "gender": "female",
        "id_number": id_number(3, "19950720"),
        "role": "full_time",
        "certification": "none",
        "hired_on": "2026-01-05",
    }


register_api(
    # --- staff ------------------------------------------------------------------------------------
    Endpoint(
        "staff-list", "get", lambda w: "/api/v1/staff/", statuses(200), covers="api:staff-list", listed=pk("staff")
    ),
    Endpoint(
        "staff-detail",
        "get",
        lambda w: f"/api/v1/staff/{pk('staff')(w)}/",
        statuses(200, outsider=404),
        covers="api:staff-detail",
    ),
    Endpoint(
        "staff-create",
        "post",
        lambda w: "/api/v1/staff/",
        only(KEEPERS, 201, 403),
        covers="api:staff-list",
        data=staff_form,
    ),
    Endpoint(
        "staff-leaves",
        "patch",
        lambda w: f"/api/v1/staff/{pk('staff')(w)}/",
        only(KEEPERS, 200, 403),
        covers="api:staff-detail",
        data=lambda w: {"left_on": "2026-03-31"},
    ),
    Endpoint(
        "staff-delete",
        "delete",
        lambda w: f"/api/v1/staff/{pk('staff')(w)}/",
        statuses(403, admin=405),
        covers="api:staff-detail",
    ),
    Endpoint(
        "staff-id-number",
        "get",
        lambda w: f"/api/v1/staff/{pk('staff')(w)}/id-number/",
        only(["admin"], 200, 403),
        covers="api:staff-id-number",
    ),
    # --- volunteers -------------------------------------------------------------------------------
    Endpoint(
        "volunteer-list",
        "get",
        lambda w: "/api/v1/volunteers/",
        statuses(200),
        covers="api:volunteer-list",
        listed=pk("volunteer"),
    ),
    Endpoint(
        "volunteer-detail",
        "get",
        lambda w: f"/api/v1/volunteers/{pk('volunteer')(w)}/",
        statuses(200, outsider=404),
        covers="api:volunteer-detail",
    ),
    Endpoint(
        "volunteer-create",
        "post",
        lambda w: "/api/v1/volunteers/",
        only(KEEPERS, 201, 403),
        covers="api:volunteer-list",
        data=lambda w: {
            "station": s1(w),
            "name": "赵敏",
            "id_number": id_number(4, "19780101"),
            "registered_on": "2026-02-01",
        },
    ),
    Endpoint(
        "volunteer-update",
        "patch",
        lambda w: f"/api/v1/volunteers/{pk('volunteer')(w)}/",
        only(KEEPERS, 200, 403),
        covers="api:volunteer-detail",
        data=lambda w: {"skills": "理发、维修"},
    ),
    Endpoint(
        "volunteer-delete",
        "delete",
        lambda w: f"/api/v1/volunteers/{pk('volunteer')(w)}/",
        statuses(403, admin=405),
        covers="api:volunteer-detail",
    ),
    Endpoint(
        "volunteer-id-number",
        "get",
        lambda w: f"/api/v1/volunteers/{pk('volunteer')(w)}/id-number/",
        only(["admin"], 200, 403),
        covers="api:volunteer-id-number",
    ),
    Endpoint(
        "volunteer-deposit",
        "post",
        lambda w: f"/api/v1/volunteers/{pk('volunteer')(w)}/deposit/",
        only(KEEPERS, 201, 403),
        covers="api:volunteer-deposit",
        data=lambda w: {"date": "2026-03-01", "hours": "2.5", "note": "活动"},
    ),
    Endpoint(
        "volunteer-redeem",
        "post",
        lambda w: f"/api/v1/volunteers/{pk('volunteer')(w)}/redeem/",
        only(KEEPERS, 201, 403),
        covers="api:volunteer-redeem",
        data=lambda w: {"date": "2026-03-01", "hours": "2", "note": "兑换理发"},
    ),
    # --- volunteer hours --------------------------------------------------------------------------
    Endpoint(
        "volunteer-hours-list",
        "get",
        lambda w: "/api/v1/volunteer-hours/",
        statuses(200),
        covers="api:volunteer-hours-list",
        listed=pk("hours"),
    ),
    Endpoint(
        "volunteer-hours-detail",
        "get",
        lambda w: f"/api/v1/volunteer-hours/{pk('hours')(w)}/",
        statuses(200, outsider=404),
        covers="api:volunteer-hours-detail",
    ),
    Endpoint(
        "volunteer-hours-create",
        "post",
        lambda w: "/api/v1/volunteer-hours/",
        only(KEEPERS, 201, 403),
        covers="api:volunteer-hours-list",
        data=lambda w: {"volunteer": pk("volunteer")(w), "date": "2026-03-02", "hours": "3.5", "activity": "助老"},
    ),
    Endpoint(
        "volunteer-hours-delete",
        "delete",
        lambda w: f"/api/v1/volunteer-hours/{pk('hours')(w)}/",
        only(["admin"], 204, 403),
        covers="api:volunteer-hours-detail",
    ),
    # --- training ---------------------------------------------------------------------------------
    Endpoint(
        "training-list",
        "get",
        lambda w: "/api/v1/trainings/",
        statuses(200),
        covers="api:training-list",
        listed=pk("training"),
    ),
    Endpoint(
        "training-detail",
        "get",
        lambda w: f"/api/v1/trainings/{pk('training')(w)}/",
        statuses(200, outsider=404),
        covers="api:training-detail",
    ),
    Endpoint(
        "training-create",
        "post",
        lambda w: "/api/v1/trainings/",
        only(KEEPERS, 201, 403),
        covers="api:training-list",
        data=lambda w: {
            "station": s1(w),
            "topic": "小组工作",
            "date": "2026-04-01",
            "hours": "2.0",
            "attendees": [pk("staff")(w)],
        },
    ),
    Endpoint(
        "training-update",
        "patch",
        lambda w: f"/api/v1/trainings/{pk('training')(w)}/",
        only(KEEPERS, 200, 403),
        covers="api:training-detail",
        data=lambda w: {"trainer": "嘉兴学院"},
    ),
    Endpoint(
        "training-delete",
        "delete",
        lambda w: f"/api/v1/trainings/{pk('training')(w)}/",
        only(["admin"], 204, 403),
        covers="api:training-detail",
    ),
    # --- supervision ------------------------------------------------------------------------------
    Endpoint(
        "supervision-list",
        "get",
        lambda w: "/api/v1/supervisions/",
        statuses(200),
        covers="api:supervision-list",
        listed=pk("supervision"),
    ),
    Endpoint(
        "supervision-detail",
        "get",
        lambda w: f"/api/v1/supervisions/{pk('supervision')(w)}/",
        statuses(200, outsider=404),
        covers="api:supervision-detail",
    ),
    Endpoint(
        "supervision-create",
        "post",
        lambda w: "/api/v1/supervisions/",
        only(KEEPERS, 201, 403),
        covers="api:supervision-list",
        data=lambda w: {"station": s1(w), "supervisor": "王督导", "date": "2026-04-10", "findings": "个案记录需完善"},
    ),
    Endpoint(
        "supervision-update",
        "patch",
        lambda w: f"/api/v1/supervisions/{pk('supervision')(w)}/",
        only(KEEPERS, 200, 403),
        covers="api:supervision-detail",
        data=lambda w: {"follow_up": "已整改"},
    ),
    Endpoint(
        "supervision-delete",
        "delete",
        lambda w: f"/api/v1/supervisions/{pk('supervision')(w)}/",
        only(["admin"], 204, 403),
        covers="api:supervision-detail",
    ),
    # --- the named supervisor ("1+1"): S1 has one already, so a second is a 400 -------------------
    Endpoint(
        "station-supervisor-list",
        "get",
        lambda w: "/api/v1/station-supervisors/",
        statuses(200),
        covers="api:station-supervisor-list",
        listed=pk("supervisor"),
    ),
    Endpoint(
        "station-supervisor-detail",
        "get",
        lambda w: f"/api/v1/station-supervisors/{pk('supervisor')(w)}/",
        statuses(200, outsider=404),
        covers="api:station-supervisor-detail",
    ),
    Endpoint(
        "station-supervisor-second",
        "post",
        lambda w: "/api/v1/station-supervisors/",
        only(KEEPERS, 400, 403),
        covers="api:station-supervisor-list",
        data=lambda w: {"station": s1(w), "name": "李督导", "since": "2026-01-01"},
    ),
    Endpoint(
        "station-supervisor-update",
        "patch",
        lambda w: f"/api/v1/station-supervisors/{pk('supervisor')(w)}/",
        only(KEEPERS, 200, 403),
        covers="api:station-supervisor-detail",
        data=lambda w: {"phone": "0573-87000000"},
    ),
    Endpoint(
        "station-supervisor-delete",
        "delete",
        lambda w: f"/api/v1/station-supervisors/{pk('supervisor')(w)}/",
        only(["admin"], 204, 403),
        covers="api:station-supervisor-detail",
    ),
    # --- policies ---------------------------------------------------------------------------------
    Endpoint(
        "staffing-policy-list",
        "get",
        lambda w: "/api/v1/staffing-policies/",
        statuses(200),
        covers="api:staffing-policy-list",
        listed=pk("policy"),
    ),
    Endpoint(
        "staffing-policy-detail",
        "get",
        lambda w: f"/api/v1/staffing-policies/{pk('policy')(w)}/",
        statuses(200, outsider=404),
        covers="api:staffing-policy-detail",
    ),
    Endpoint(
        "staffing-policy-history",
        "get",
        lambda w: f"/api/v1/staffing-policies/{pk('policy')(w)}/history/",
        statuses(200, outsider=404),
        covers="api:staffing-policy-history",
    ),
    Endpoint(
        "staffing-policy-create",
        "post",
        lambda w: "/api/v1/staffing-policies/",
        only(POLICY_MAKERS, 201, 403, outsider=400),
        covers="api:staffing-policy-list",
        data=lambda w: {"region": w.regions["A1"].pk, "year": date.today().year, "full_time_min": 5},
    ),
    Endpoint(
        "staffing-policy-update",
        "patch",
        lambda w: f"/api/v1/staffing-policies/{pk('policy')(w)}/",
        # The county official reads the city's policy (it applies to them) but may not change it.
        only(["admin", "city"], 200, 403, outsider=404),
        covers="api:staffing-policy-detail",
        data=lambda w: {"full_time_min": 5},
    ),
    Endpoint(
        "staffing-policy-delete",
        "delete",
        lambda w: f"/api/v1/staffing-policies/{pk('policy')(w)}/",
        only(["admin"], 204, 403),
        covers="api:staffing-policy-detail",
    ),
    # --- station figures --------------------------------------------------------------------------
    Endpoint(
        "station-compliance",
        "get",
        lambda w: f"/api/v1/stations/{s1(w)}/compliance/",
        only(IN_SCOPE, 200, 404),
        covers="api:station-compliance",
    ),
    Endpoint(
        "station-turnover",
        "get",
        lambda w: f"/api/v1/stations/{s1(w)}/turnover/?start=2026-01-01&end=2026-12-31",
        only(IN_SCOPE, 200, 404),
        covers="api:station-turnover",
    ),
)

# Tables a refused staffing write must leave untouched (the matrix snapshots them).
STAFFING_WATCHED = [
    StaffMember,
    Volunteer,
    VolunteerHours,
    TimeBankEntry,
    TrainingSession,
    SupervisionVisit,
    StationSupervisor,
    StaffingPolicy,
]
