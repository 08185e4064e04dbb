"""Cases through their steps, and the community focus problems."""

import random
from datetime import date, timedelta

from staffing.choices import StaffRole
from stations.models import Station

from ..choices import FocusProblemStatus
from ..models import (
    FocusProblem,
)
from ..rules import (
    case_assess,
    case_close,
    case_follow_up,
    case_open,
    case_plan,
    case_refer,
    focus_problem_advance,
)
from .common import Place
from .data import CASE_TEXTS, FOCUS_PROBLEMS_COMMUNITY, FOCUS_PROBLEMS_VILLAGE, REFERRALS, THEMES


def draw_cases(crng: random.Random, place: Place, today: date) -> list[dict]:
    """Draw the station's cases: a status each (every status, more cases at 马桥), dates, scores, referrals."""
    if place.demo:
        statuses = ["intake", "assessment", "plan", "follow_up", "follow_up", "follow_up", "closed", "closed"]
    else:
        statuses = ["intake", "assessment", "plan", "follow_up", "closed"]
        statuses += crng.sample(["follow_up", "closed"], 2 if place.busy else crng.randint(0, 1))
    offsets = {"intake": (0, 8), "assessment": (14, 30), "plan": (30, 55), "follow_up": (70, 200), "closed": (160, 330)}
    drawn = []
    for status in statuses:
        opened = today - timedelta(days=crng.randint(*offsets[status]))
        plan = {
            "status": status,
            "opened": opened,
            "assessed": opened + timedelta(days=crng.randint(3, 10)),
            "before": crng.randint(28, 55),
            "gain": crng.randint(12, 35),
            "follow_ups": crng.randint(2, 5),
            "every": crng.randint(14, 35),
            "refer": crng.random() < 0.4,
            "close_after": crng.randint(7, 30),
            "person": crng.random(),
            "worker": crng.random(),
        }
        plan["planned"] = plan["assessed"] + timedelta(days=crng.randint(4, 12))
        drawn.append(plan)
    return drawn


def write_cases(place: Place, drawn: list[dict], people, staff, today: date) -> None:
    """Open each drawn case and take it through the case rules up to its status."""
    codes = {person.id_number: groups for person, groups in people}
    candidates = [person for person, groups in people if THEMES.get(groups[0]) in CASE_TEXTS]
    workers = [s for s in staff if s.role in (StaffRole.DEPUTY, StaffRole.FULL_TIME) and s.left_on is None]
    used = set()
    for plan in drawn:
        eligible = [p for p in candidates if p.registered_on <= plan["opened"] and p.pk not in used]
        present = [w for w in workers if w.hired_on <= plan["opened"]]
        if not eligible or not present:
            continue
        person = eligible[int(plan["person"] * len(eligible))]
        worker = present[int(plan["worker"] * len(present))]
        used.add(person.pk)
        texts = CASE_TEXTS[THEMES[codes[person.id_number][0]]]
        case = case_open(
            station=place.station,
            beneficiary=person,
            worker=worker,
            opened_on=plan["opened"],
            intake_notes=texts["intake"].format(name=person.name),
        )
        status = plan["status"]
        if status == "intake":
            continue
        case_assess(
            case=case,
            assessed_on=min(plan["assessed"], today),
            assessment=texts["assessment"],
            before_score=plan["before"],
        )
        if status == "assessment":
            continue
        planned_on = min(plan["planned"], today)
        case_plan(case=case, planned_on=planned_on, plan=texts["plan"])
        last = planned_on
        if plan["refer"]:
            need, agency = REFERRALS[THEMES[codes[person.id_number][0]]]
            last = min(planned_on + timedelta(days=5), today)
            case_refer(
                case=case,
                date=last,
                agency=agency.format(township=place.township, county=place.county),
                reason=f"服务对象有{need}需求，超出社工站服务范围。",
                result="对方已受理，社工每月跟进一次。",
            )
        if status == "plan":
            continue
        on = planned_on
        for n, content in enumerate(texts["follow_ups"][: plan["follow_ups"]]):
            on = on + timedelta(days=plan["every"])
            if on > today:
                break
            last = max(last, on)
            next_step = "" if n + 1 == plan["follow_ups"] else "按计划继续跟进。"
            case_follow_up(case=case, date=on, worker=worker, content=content, next_step=next_step)
        if status == "closed":
            case_close(
                case=case,
                closed_on=min(last + timedelta(days=plan["close_after"]), today),
                after_score=min(plan["before"] + plan["gain"], 95),
                outcome=texts["outcome"],
            )


def draw_focus_problems(crng: random.Random, place: Place, user, today: date) -> list[dict]:
    """Draw the station's focus problems: one in each status (two more at 马桥), in its villages or communities."""
    statuses = [FocusProblemStatus.REPORTED, FocusProblemStatus.IN_PROGRESS, FocusProblemStatus.SOLVED]
    if place.demo:
        statuses += [FocusProblemStatus.IN_PROGRESS, FocusProblemStatus.SOLVED]
    elif crng.random() < 0.5:
        statuses.append(crng.choice(statuses))
    drawn = []
    for status in statuses:
        community = crng.choice(place.communities)
        pool = FOCUS_PROBLEMS_VILLAGE if community.name.endswith("村") else FOCUS_PROBLEMS_COMMUNITY
        title, description = crng.choice(pool)
        reported = today - timedelta(days=crng.randint(20, 300))
        drawn.append(
            {
                "community": community,
                "title": f"{community.name}{title}",
                "description": description,
                "status": status,
                "reported_on": reported,
                "solved_on": min(reported + timedelta(days=crng.randint(10, 90)), today),
                "created_by": user,
            }
        )
    return drawn


def write_focus_problems(station: Station, drawn: list[dict]) -> None:
    """Report each drawn problem, then move it through ``focus_problem_advance`` up to its status."""
    for values in drawn:
        problem = FocusProblem(
            station=station,
            community=values["community"],
            title=values["title"],
            description=values["description"],
            reported_on=values["reported_on"],
            created_by=values["created_by"],
        )
        problem.full_clean()
        problem.save()
        for status in FocusProblemStatus.values[1 : FocusProblemStatus.values.index(values["status"]) + 1]:
            solved_on = values["solved_on"] if status == FocusProblemStatus.SOLVED else None
            problem = focus_problem_advance(problem=problem, to_status=status, solved_on=solved_on)
