"""The people each station serves: names, ID numbers, communities and target groups, saved only when changed."""

import random
from datetime import date, timedelta

from django.db import models

from staffing.choices import Gender
from staffing.demo import (
    FAMILY_NAMES,
    GIVEN_FEMALE,
    GIVEN_MALE,
    id_number,
    phone,
)
from staffing.validators import id_number_birth_date
from stations.models import Region

from ..models import (
    Beneficiary,
    TargetGroup,
)
from .common import Place
from .data import (
    ALSO,
    BORN,
    CHILD_FEMALE,
    CHILD_MALE,
    ELDER_FEMALE,
    ELDER_MALE,
    GROUP_WEIGHTS,
    KEY_GROUPS,
    KEY_SHARE,
    NEW_RESIDENT_ORIGINS,
    NOTES,
)


def beneficiary_name(rng: random.Random, code: str, gender: str) -> str:
    born_from, _born_to = BORN[code]
    if born_from < 1960:
        given = ELDER_FEMALE if gender == Gender.FEMALE else ELDER_MALE
    elif born_from >= 2005:
        given = CHILD_FEMALE if gender == Gender.FEMALE else CHILD_MALE
    else:
        given = GIVEN_FEMALE if gender == Gender.FEMALE else GIVEN_MALE
    return rng.choice(FAMILY_NAMES) + rng.choice(given)


def address(rng: random.Random, community: Region | None) -> str:
    if community is None:
        return ""
    if community.name.endswith("村"):
        return f"{community.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
    return f"{community.name}{rng.randint(1, 30)}幢{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"


def seed_beneficiaries(
    brng: random.Random, place: Place, size: int, groups: dict[str, TargetGroup], today: date
) -> list[tuple[Beneficiary, list[str]]]:
    """The station's beneficiaries, in the order drawn, each with its target-group codes (primary first)."""
    station = place.station
    county6 = station.township.code[:6]
    used: set[str] = set()
    plans = []
    for _ in range(size):
        code = brng.choices(list(GROUP_WEIGHTS), weights=list(GROUP_WEIGHTS.values()))[0]
        codes = [code]
        also, share = ALSO.get(code, (None, 0))
        if brng.random() < share:
            codes.append(also)
        gender = Gender.FEMALE if brng.random() < (0.62 if code == "elderly_alone" else 0.5) else Gender.MALE
        name = beneficiary_name(brng, code, gender)
        origin = brng.choice(NEW_RESIDENT_ORIGINS) if code == "new_resident" else county6
        number = id_number(brng, origin, *BORN[code], gender, used)
        community = brng.choice(place.communities) if place.communities else None
        key = code in KEY_GROUPS and brng.random() < KEY_SHARE
        # Most key targets have been known for years; the rest registered within the past year.
        days_back = brng.randint(400, 1500) if brng.random() < (0.8 if key else 0.45) else brng.randint(10, 360)
        values = {
            "name": name,
            "gender": gender,
            "phone": phone(brng) if brng.random() < (0.55 if code == "elderly_alone" else 0.9) else "",
            "community": community,
            "address": address(brng, community),
            "key_target": key,
            "notes": brng.choice(NOTES[code]) if key and code in NOTES else "",
        }
        registered = max(station.opened_on, today - timedelta(days=days_back))
        plans.append((number, values, registered, codes))

    existing = {b.id_number: b for b in Beneficiary.objects.filter(station=station).select_related("community")}
    new, people = [], []
    for number, values, registered, codes in plans:
        person = existing.get(number)
        if person is None:
            person = Beneficiary(
                station=station,
                id_number=number,
                birth_date=id_number_birth_date(number),
                registered_on=registered,
                **values,
            )
            new.append(person)
        else:
            update_changed(person, values)
        people.append((person, codes))
    Beneficiary.objects.bulk_create(new)

    through = Beneficiary.target_groups.through
    linked = set(through.objects.filter(beneficiary__station=station).values_list("beneficiary_id", "targetgroup_id"))
    rows = [
        through(beneficiary_id=person.pk, targetgroup_id=groups[code].pk)
        for person, codes in people
        for code in codes
        if code in groups and (person.pk, groups[code].pk) not in linked
    ]
    through.objects.bulk_create(rows)
    return people


def update_changed(obj, values: dict) -> None:
    """Save ``obj`` with ``values`` when one of them differs (``stations.demo.upsert`` for a row already read)."""
    changed = []
    for name, value in values.items():
        attname = obj._meta.get_field(name).attname  # a foreign key is compared by id, without a query
        if getattr(obj, attname) != (value.pk if isinstance(value, models.Model) else value):
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj.save(update_fields=changed)
