"""Which personal fields each role sees of each kind of person (DOMAIN.md section 9: PIPL, minimum necessary).

``roles.py`` says what a role may *do*; this table says what it may *see* of a beneficiary, a volunteer or a
staff member. Every serializer, page, export and PDF that shows a person asks ``people_view(user)`` (one object
per user and request) rather than reading the model's fields, so they all show the same thing:

- own station's staff (manager, worker), the township official of the station's township and the platform
  administrator see what the work needs: whole names, the exact birth date, phones and addresses;
- officials above the township see names, age in years, community and target groups, the work phone of staff;
- the third-party evaluator sees masked names (``刘*林``), ages, community and target groups, and no ID at all;
- nobody reads more of an ID number than its region (``330481************``): the whole number only through
  its own permitted and logged action;
- annual salaries: the station manager, the township official and officials above; a social worker their own.

Gender, community, target groups and the key-target flag are shown to every role that reaches the person.
The rule behind the ID mask is ``id_numbers_possible``: from all one user is shown of a person, at least
``MIN_WHOLE_NUMBERS`` whole numbers must remain possible.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property

from rest_framework import serializers

from .choices import Role

MIN_WHOLE_NUMBERS = 100


class Kind(StrEnum):
    """The kinds of person the portal holds."""

    BENEFICIARY = "beneficiary"
    VOLUNTEER = "volunteer"
    STAFF = "staff"


class Field(StrEnum):
    """The personal fields the table rules on, named like the models' attributes."""

    NAME = "name"
    BIRTH_DATE = "birth_date"
    PHONE = "phone"
    ADDRESS = "address"
    ID_NUMBER = "id_number"
    SALARY = "annual_salary"


class Show(StrEnum):
    """How a field is shown. ``HIDDEN`` is the empty string, so a template's ``{% if %}`` reads it as false."""

    WHOLE = "whole"
    MASKED = "masked"  # names: first and last character; ID numbers: the region only
    AGE = "age"  # birth dates: age in whole years only
    OWN = "own"  # salaries: only the viewer's own
    HIDDEN = ""


# The personal fields each kind of person has (volunteers and staff have no birth date or address on record).
FIELDS_OF = {
    Kind.BENEFICIARY: (Field.NAME, Field.BIRTH_DATE, Field.PHONE, Field.ADDRESS, Field.ID_NUMBER),
    Kind.VOLUNTEER: (Field.NAME, Field.PHONE, Field.ID_NUMBER),
    Kind.STAFF: (Field.NAME, Field.PHONE, Field.ID_NUMBER, Field.SALARY),
}

# What the work at and right above the station needs.
STATION_VIEW = {
    Field.NAME: Show.WHOLE,
    Field.BIRTH_DATE: Show.WHOLE,
    Field.PHONE: Show.WHOLE,
    Field.ADDRESS: Show.WHOLE,
    Field.ID_NUMBER: Show.MASKED,
    Field.SALARY: Show.WHOLE,
}
# Officials above the township oversee and fund: who is served, not how to reach them.
ABOVE_TOWNSHIP_VIEW = {
    **STATION_VIEW,
    Field.BIRTH_DATE: Show.AGE,
    Field.PHONE: Show.HIDDEN,
    Field.ADDRESS: Show.HIDDEN,
}
# The third-party evaluator checks the work: de-identified people.
EVALUATOR_VIEW = {
    **ABOVE_TOWNSHIP_VIEW,
    Field.NAME: Show.MASKED,
    Field.ID_NUMBER: Show.HIDDEN,
    Field.SALARY: Show.HIDDEN,
}
NOTHING_VIEW = {**EVALUATOR_VIEW, Field.BIRTH_DATE: Show.HIDDEN}


def by_kind(view: dict, **per_kind: dict) -> dict[Kind, dict[Field, Show]]:
    """``view`` for every kind of person, cut to the fields that kind has, with ``per_kind`` exceptions."""
    return {kind: {name: {**view, **per_kind.get(kind.value, {})}[name] for name in FIELDS_OF[kind]} for kind in Kind}


# A staff member's phone is a work phone: officials and evaluators reach the station through it.
WORK_PHONE = {Field.PHONE: Show.WHOLE}

PEOPLE_FIELDS: dict[str, dict[Kind, dict[Field, Show]]] = {
    Role.ADMIN: by_kind(STATION_VIEW),
    Role.STATION_MANAGER: by_kind(STATION_VIEW),
    Role.TOWNSHIP_OFFICIAL: by_kind(STATION_VIEW),
    Role.SOCIAL_WORKER: by_kind(STATION_VIEW, staff={Field.SALARY: Show.OWN}),
    Role.CITY_OFFICIAL: by_kind(ABOVE_TOWNSHIP_VIEW, staff=WORK_PHONE),
    Role.EVALUATOR: by_kind(EVALUATOR_VIEW, staff=WORK_PHONE),
}
NOTHING = by_kind(NOTHING_VIEW)


def people_fields(role: str) -> dict[Kind, dict[Field, Show]]:
    """The table's row of ``role``; a role the table does not know sees the least."""
    return PEOPLE_FIELDS.get(role, NOTHING)


# --- how a field is shown ----------------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """The first and last character of a name: ``刘根林`` -> ``刘*林``, ``王芳`` -> ``王*``, ``欧阳明华`` -> ``欧**华``."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def age_on(born: date | None, on: date) -> int | None:
    """Whole years between ``born`` and ``on`` (a birthday on 29 February counts from 1 March in other years)."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def kind_of(person) -> Kind:
    """The kind of a beneficiary, volunteer or staff member, from its model."""
    return MODEL_KINDS[person._meta.label_lower]


MODEL_KINDS = {
    "services.beneficiary": Kind.BENEFICIARY,
    "staffing.volunteer": Kind.VOLUNTEER,
    "staffing.staffmember": Kind.STAFF,
}


@dataclass
class PeopleView:
    """What one user sees of people: the table's row of their role, applied to a person's fields.

    Built once per user by ``people_view``; the methods take the person and return what may be shown, ``None``
    (or ``""`` for text) when the field is not shown to this user.
    """

    user: object
    fields: dict[Kind, dict[Field, Show]]
    today: date = field(default_factory=date.today)

    def shows(self, kind: Kind | str, name: Field | str) -> Show:
        """How this user sees ``name`` of people of ``kind`` (``HIDDEN`` for a field that kind does not have)."""
        return self.fields[Kind(kind)].get(Field(name), Show.HIDDEN)

    @cached_property
    def own_staff_ids(self) -> frozenset[int]:
        """The staff record of the user themself at their station (``staffing.selectors.staff_member_of``)."""
        from staffing.models import StaffMember
        from staffing.selectors import staff_member_of

        station_id = getattr(self.user, "station_id", None)
        if not station_id:
            return frozenset()
        member = staff_member_of(user=self.user, staff=StaffMember.objects.filter(station_id=station_id))
        return frozenset() if member is None else frozenset({member.pk})

    def sees(self, person, name: Field | str) -> bool:
        """Whether this user sees ``name`` of ``person`` in any form."""
        show = self.shows(kind_of(person), name)
        if show == Show.OWN:
            return person.pk in self.own_staff_ids
        return show != Show.HIDDEN

    def name(self, person) -> str:
        show = self.shows(kind_of(person), Field.NAME)
        return mask_name(person.name) if show == Show.MASKED else person.name if show else ""

    def name_text(self, kind: Kind | str, name: str) -> str:
        """A name kept as text (a trainer, who logged a record), shown as the name of a person of ``kind``."""
        show = self.shows(kind, Field.NAME)
        return mask_name(name) if show == Show.MASKED else (name or "") if show else ""

    def birth_date(self, person) -> date | None:
        """The exact birth date, for those who see it whole."""
        return person.birth_date if self.shows(kind_of(person), Field.BIRTH_DATE) == Show.WHOLE else None

    def age(self, person) -> int | None:
        """Age in whole years, for everyone who sees the birth date in any form."""
        return age_on(person.birth_date, self.today) if self.sees(person, Field.BIRTH_DATE) else None

    def phone(self, person) -> str:
        return person.phone if self.sees(person, Field.PHONE) else ""

    def address(self, person) -> str:
        return person.address if self.sees(person, Field.ADDRESS) else ""

    def id_number(self, person) -> str:
        from staffing.validators import mask_id_number

        return mask_id_number(person.id_number) if self.sees(person, Field.ID_NUMBER) else ""

    def salary(self, person):
        return person.annual_salary if self.sees(person, Field.SALARY) else None

    def value(self, person, name: Field | str):
        """The value of ``name`` of ``person`` as this user sees it."""
        return getattr(self, VALUE_METHODS[Field(name)])(person)

    def seen(self, person) -> "SeenPerson":
        return SeenPerson(view=self, person=person)


VALUE_METHODS = {
    Field.NAME: "name",
    Field.BIRTH_DATE: "birth_date",
    Field.PHONE: "phone",
    Field.ADDRESS: "address",
    Field.ID_NUMBER: "id_number",
    Field.SALARY: "salary",
}


FIELD_NAMES = frozenset(name.value for name in Field)


@dataclass(frozen=True)
class SeenPerson:
    """A person as one user sees them, for templates: ``p.name``, ``p.age``, ``p.shows.phone``…"""

    view: PeopleView
    person: object

    def __getattr__(self, attribute):
        if attribute in FIELD_NAMES:
            return self.view.value(self.person, attribute)
        if attribute == "age":
            return self.view.age(self.person)
        raise AttributeError(attribute)

    @property
    def shows(self) -> dict[str, bool]:
        """Which personal fields of this person are shown at all, by name."""
        return {name.value: self.view.sees(self.person, name) for name in FIELDS_OF[kind_of(self.person)]}


def people_view(user) -> PeopleView:
    """What ``user`` sees of people; built once and kept on the user object (one per request)."""
    view = getattr(user, "_people_view", None)
    if view is None:
        role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
        view = PeopleView(user=user, fields=people_fields(role))
        if user is not None:
            user._people_view = view
    return view


# --- the rule behind the ID mask ---------------------------------------------------------------------------------


def id_numbers_possible(
    *, region: str, mask: str = "", born: date | None = None, age: int | None = None, gender: str = "", on: date
) -> int:
    """How many valid whole ID numbers (GB 11643) agree with what one user is shown of a person.

    ``region`` is the six region digits, known from the community anyway; ``mask`` the masked number as shown
    (``*`` for a hidden character, empty when no number is shown); ``born`` the exact birth date or ``age`` the
    age in years on ``on`` (the birth date is then one of about 366 days); ``gender`` ``male``/``female`` fixes
    the parity of the 17th digit. The check digit is determined by the first 17, so it only narrows the count
    when the mask shows it. Counted exactly, by residues modulo 11 of the check-digit sum.
    """
    from staffing.validators import ID_CHECK_CHARS, ID_WEIGHTS

    def shown(position: int) -> str | None:
        return mask[position] if len(mask) == 18 and mask[position] != "*" else None

    residues = [0] * 11
    residues[sum(int(d) * w for d, w in zip(region, ID_WEIGHTS[:6], strict=True)) % 11] = 1
    residues = convolve(residues, birth_residues(mask_shown=shown, born=born, age=age, on=on))
    for position in (14, 15, 16):
        digits = [d for d in range(10) if shown(position) in (None, str(d))]
        if position == 16 and gender:
            digits = [d for d in digits if d % 2 == (1 if gender == "male" else 0)]
        step = [0] * 11
        for digit in digits:
            step[digit * ID_WEIGHTS[position] % 11] += 1
        residues = convolve(residues, step)
    check = shown(17)
    if check is None:
        return sum(residues)
    return sum(count for residue, count in enumerate(residues) if ID_CHECK_CHARS[residue] == check)


def birth_residues(*, mask_shown, born: date | None, age: int | None, on: date) -> list[int]:
    """Possible birth dates counted by their residue in the check-digit sum (positions 7-14)."""
    from staffing.validators import ID_WEIGHTS

    if born is not None:
        first, last = born, born
    elif age is not None:
        first, last = years_before(on, age + 1) + timedelta(days=1), years_before(on, age)
    else:
        first, last = date(1900, 1, 1), on
    counts = [0] * 11
    day = first
    while day <= last:
        digits = day.strftime("%Y%m%d")
        if all(mask_shown(6 + i) in (None, digit) for i, digit in enumerate(digits)):
            counts[sum(int(d) * w for d, w in zip(digits, ID_WEIGHTS[6:14], strict=True)) % 11] += 1
        day += timedelta(days=1)
    return counts


def years_before(on: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for a 29 February that year does not have)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def convolve(left: list[int], right: list[int]) -> list[int]:
    """The counts of sums modulo 11 of two independent parts."""
    result = [0] * 11
    for a, count_a in enumerate(left):
        if count_a:
            for b, count_b in enumerate(right):
                result[(a + b) % 11] += count_a * count_b
    return result


# --- the API: serializers of people and of names of people -------------------------------------------------------


def request_people_view(serializer_or_field) -> PeopleView:
    """The people view of the user a serializer or field answers (the least one when it has no request)."""
    request = serializer_or_field.context.get("request")
    return people_view(getattr(request, "user", None))


class PersonSerializerMixin:
    """A serializer of one kind of person: its personal fields leave as the table says, or not at all.

    ``person_kind`` names the kind. The fields named like the table's (``name``, ``birth_date``, ``phone``,
    ``address``, ``id_number``, ``annual_salary``) are dropped when hidden from the requesting user; a masked
    name is masked; a birth date seen only as an age is dropped (the serializer carries ``age`` besides).
    """

    person_kind: Kind

    def to_representation(self, instance):
        data = super().to_representation(instance)
        view = request_people_view(self)
        for name in FIELDS_OF[self.person_kind]:
            if name.value not in data:
                continue
            if not view.sees(instance, name):
                del data[name.value]
            elif name == Field.NAME:
                data[name.value] = view.name(instance)
            elif name == Field.BIRTH_DATE and view.birth_date(instance) is None:
                del data[name.value]
        return data


class PersonNameField(serializers.CharField):
    """A person's name (``source="beneficiary.name"``), shown masked to whom the table says; read-only by default.

    Also for the names of people written as text (a trainer, a supervisor): they are treated as ``kind``.
    """

    def __init__(self, *, kind: Kind, **kwargs):
        self.person_kind = Kind(kind)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return request_people_view(self).name_text(self.person_kind, str(value))
