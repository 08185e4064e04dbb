"""Finding people (beneficiaries, volunteers, staff) without turning the search into an oracle.

One place for the three kinds of person, used by the pages, the logging form's lookup and the API:

- by name, as the user sees it: part of the name, its pinyin initials (``lgl`` finds 刘根林) or the start
  of its whole pinyin (``liugen``), from two derived, indexed columns kept in sync on every save
  (``SearchablePerson``), so a lookup stays one indexed query at a station of any size. A user who sees
  names masked (the evaluator) cannot search by name: matching the hidden characters would reveal them;
- by ID number: only the whole 18-character number, an exact match, logged like a view of the whole
  number (``IdNumberDisclosure.SEARCHED``). Part of a number matches nothing, so the hidden digits
  cannot be guessed one at a time; a user who is shown no ID number at all cannot search by it;
- "already registered" answers for a repeated ID number (``registered_twin``) are logged too, and more
  than ``settings.DUPLICATE_ANSWERS_PER_HOUR`` in an hour by one user are refused.
"""

import re
from contextvars import ContextVar
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import Throttled
from rest_framework.filters import OrderingFilter, SearchFilter

from .choices import IdNumberDisclosure
from .privacy import MODEL_KINDS, Field, Show, people_view

INITIALS_LENGTH = 50
PINYIN_LENGTH = 200
QUERY_LENGTH = 50
WHOLE_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
PART_OF_ID_NUMBER = re.compile(r"[0-9]+X?")  # what a user types when looking a number up
LATIN = re.compile(r"[a-z0-9]+")


def name_keys(name: str) -> tuple[str, str]:
    """The pinyin initials and the whole pinyin of ``name``, lower case: ``刘根林`` -> ``("lgl", "liugenlin")``.

    Each Chinese character reads as its most common reading (``吕`` as ``lv``, as input methods type it);
    Latin letters and digits count as one syllable per word; punctuation (the ``·`` of 阿依古丽·买买提) drops.
    """
    from pypinyin import lazy_pinyin  # its dictionaries are large: loaded when a name is first written

    syllables = [
        syllable
        for part in lazy_pinyin(name or "", errors=lambda text: LATIN.findall(text.lower()))
        for syllable in ([part] if isinstance(part, str) else part)
        if syllable
    ]
    return "".join(s[0] for s in syllables)[:INITIALS_LENGTH], "".join(syllables)[:PINYIN_LENGTH]


class SearchablePerson(models.Model):
    """A person found by name or pinyin: the derived search columns, refreshed from ``name`` on every save.

    ``id_number_log`` names the audit table of whole-number views of this kind of person and its field
    naming the person, e.g. ``("services.BeneficiaryIdNumberView", "beneficiary")``.
    """

    name_initials = models.CharField(
        gettext_lazy("name initials (pinyin)"), max_length=INITIALS_LENGTH, default="", editable=False
    )
    name_pinyin = models.CharField(gettext_lazy("name in pinyin"), max_length=PINYIN_LENGTH, default="", editable=False)

    id_number_log: tuple[str, str]

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.fill_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_initials", "name_pinyin"}
        super().save(*args, **kwargs)

    def fill_name_keys(self) -> None:
        self.name_initials, self.name_pinyin = name_keys(self.name)


def fill_name_keys(model, batch: int = 2000) -> None:
    """Writes the search columns of every row of ``model`` (a migration's historical model), ``batch`` at a time."""
    people = []
    for person in model.objects.only("pk", "name").iterator(chunk_size=batch):
        person.name_initials, person.name_pinyin = name_keys(person.name)
        people.append(person)
        if len(people) == batch:
            model.objects.bulk_update(people, ["name_initials", "name_pinyin"])
            people = []
    model.objects.bulk_update(people, ["name_initials", "name_pinyin"])


def name_keys_index(name: str) -> models.Index:
    """The index a station's name lookups use: its people by pinyin initials, with prefix matching on PostgreSQL."""
    return models.Index(fields=["station", "name_initials"], name=name, opclasses=["int8_ops", "varchar_pattern_ops"])


class PeopleQuerySetMixin:
    """``bulk_create`` fills the search columns too (the demo and imports write people in bulk, past ``save``)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for person in objs:
            person.fill_name_keys()
        return super().bulk_create(objs, *args, **kwargs)


# --- the search ----------------------------------------------------------------------------------------------


def person_model(queryset, path: str):
    """The person model ``path`` leads to from ``queryset``'s rows (``""``: the rows are people)."""
    model = queryset.model
    for part in filter(None, path.split("__")):
        model = model._meta.get_field(part).related_model
    return model


def people_search(queryset, text: str, *, user, path: str = "", also: tuple[str, ...] = ()):
    """The rows of ``queryset`` whose person matches ``text``, as far as ``user`` may search that person.

    ``path`` leads from a row to its person (``"volunteer"`` for volunteer hours); ``also`` names further
    fields searched by "contains" (``skills``; a personal field such as ``address`` only for whom the table
    shows it). The whole ID number matches exactly and each person found is logged as a whole-number view;
    part of a number matches nothing. No text: every row.
    """
    text = " ".join((text or "").split())[:QUERY_LENGTH]
    if not text:
        return queryset
    model = person_model(queryset, path)
    kind = MODEL_KINDS[model._meta.label_lower]
    view = people_view(user)
    prefix = f"{path}__" if path else ""
    number = text.replace(" ", "").upper()
    if PART_OF_ID_NUMBER.fullmatch(number):
        if not WHOLE_ID_NUMBER.fullmatch(number) or view.shows(kind, Field.ID_NUMBER) == Show.HIDDEN:
            return queryset.none()
        found = queryset.filter(**{f"{prefix}id_number": number})
        people = found.values_list(f"{prefix}pk", flat=True).distinct()
        id_numbers_disclosed(user=user, model=model, pks=list(people), reason=IdNumberDisclosure.SEARCHED)
        return found
    condition = Q()
    if view.shows(kind, Field.NAME) == Show.WHOLE:
        condition |= Q(**{f"{prefix}name__icontains": text})
        letters = text.replace(" ", "").lower()
        if letters.isascii() and letters.isalpha():
            condition |= Q(**{f"{prefix}name_initials__startswith": letters})
            condition |= Q(**{f"{prefix}name_pinyin__startswith": letters})
    personal = {field.value for field in Field}
    for name in also:
        field = name.rsplit("__", 1)[-1]
        if field not in personal or view.shows(kind, field) == Show.WHOLE:
            condition |= Q(**{f"{name}__icontains": text})
    return queryset.filter(condition) if condition else queryset.none()


class PeopleSearchFilter(SearchFilter):
    """The API's ``?search=``; on viewsets of people (``people_search_path`` set) it is ``people_search``.

    ``people_search_path`` is ``""`` when the rows are people, or the path to the person (``"volunteer"``);
    the view's ``search_fields`` then name the other fields searched besides the person.
    """

    def filter_queryset(self, request, queryset, view):
        path = getattr(view, "people_search_path", None)
        if path is None:
            return super().filter_queryset(request, queryset, view)
        text = request.query_params.get(self.search_param, "")
        return people_search(
            queryset, text, user=request.user, path=path, also=tuple(getattr(view, "search_fields", None) or ())
        )

    def get_schema_operation_parameters(self, view):
        if getattr(view, "people_search_path", None) is None:
            return super().get_schema_operation_parameters(view)
        return [
            {
                "name": self.search_param,
                "required": False,
                "in": "query",
                "description": _(
                    "Part of the name, its pinyin initials or pinyin, or the whole ID number (logged); "
                    "part of an ID number finds nobody."
                ),
                "schema": {"type": "string"},
            }
        ]


class PeopleOrderingFilter(OrderingFilter):
    """The API's ``?ordering=``, never by a personal field the user is not shown whole.

    Sorting by a hidden salary or birth date, or by a masked name, would reveal their rank: on viewsets of
    people (``people_search_path`` set) such terms are dropped, as unknown ones are.
    """

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        path = getattr(view, "people_search_path", None)
        if path is None:
            return valid
        kind = MODEL_KINDS[person_model(queryset, path)._meta.label_lower]
        view_of = people_view(request.user)
        prefix = f"{path}__" if path else ""
        personal = {f"{prefix}{field.value}": field for field in Field}
        return [
            term
            for term in valid
            if term.lstrip("-") not in personal or view_of.shows(kind, personal[term.lstrip("-")]) == Show.WHOLE
        ]


# --- who was told whose a whole number is ---------------------------------------------------------------------


def log_model_of(model):
    """The audit model of whole-number views of ``model``'s people, and its field naming the person."""
    label, field = model.id_number_log
    return apps.get_model(label), field


# The log rows of the request in progress: a refused write rolls its transaction back, the answer it gave stays.
pending_disclosures: ContextVar[list | None] = ContextVar("pending_disclosures", default=None)


def id_numbers_disclosed(*, user, model, pks, reason: IdNumberDisclosure) -> None:
    """Logs that ``user`` learnt the whole ID number of the people ``pks`` of ``model``, and how.

    Inside a request's transaction the rows wait for the request to end (``DisclosureLogMiddleware``): the
    "already registered" answer is a refused write, whose transaction is rolled back, yet it was given.
    """
    log, field = log_model_of(model)
    rows = [log(viewer=user, reason=reason, **{f"{field}_id": pk}) for pk in pks]
    pending = pending_disclosures.get()
    if pending is None or not transaction.get_connection().in_atomic_block:
        log.objects.bulk_create(rows)
    else:
        pending.extend(rows)


def write_disclosures(rows: list) -> None:
    """Writes the log rows kept back during a request, one insert per audit table."""
    for log in {type(row) for row in rows}:
        log.objects.bulk_create([row for row in rows if type(row) is log])


class DisclosureLogMiddleware:
    """Writes the whole-number disclosures of a request once it is answered, whether its writes were kept or not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = pending_disclosures.set([])
        try:
            return self.get_response(request)
        finally:
            rows = pending_disclosures.get()
            pending_disclosures.reset(token)
            write_disclosures(rows)


def duplicate_answers_within_hour(user) -> int:
    """How many "already registered" answers ``user`` received in the last hour, all kinds of person together."""
    since = timezone.now() - timedelta(hours=1)
    logs = {log_model_of(apps.get_model(label))[0] for label in MODEL_KINDS}
    logged = sum(
        log.objects.filter(viewer=user, reason=IdNumberDisclosure.DUPLICATE, viewed_at__gte=since).count()
        for log in logs
    )
    waiting = pending_disclosures.get() or []
    return logged + sum(row.viewer_id == user.pk and row.reason == IdNumberDisclosure.DUPLICATE for row in waiting)


class TooManyDuplicateAnswers(Exception):
    """More "already registered" answers in an hour than the policy allows one user."""

    def __init__(self, limit: int):
        self.message = _(
            "You have been told %(limit)s times within an hour that an ID number is already registered: "
            "check the numbers on paper and try again in an hour."
        ) % {"limit": limit}
        super().__init__(self.message)


def registered_twin(*, user, person, id_number: str, **same):
    """The other record of ``person``'s kind at its station with ``id_number`` (and ``same`` fields), or ``None``.

    The answer "already registered" tells whose the number is, so each one is logged
    (``IdNumberDisclosure.DUPLICATE``); a user who received ``settings.DUPLICATE_ANSWERS_PER_HOUR`` of them
    within an hour is refused (``TooManyDuplicateAnswers``) whatever the number, so the refusal itself tells
    nothing. A record that keeps its own number asks nothing.
    """
    model = type(person)
    if not id_number or not person.station_id:
        return None
    candidates = model.objects.filter(station_id=person.station_id, id_number=id_number, **same)
    if person.pk and candidates.filter(pk=person.pk).exists():
        return None
    limit = settings.DUPLICATE_ANSWERS_PER_HOUR
    if duplicate_answers_within_hour(user) >= limit:
        raise TooManyDuplicateAnswers(limit)
    twin = candidates.exclude(pk=person.pk).first() if person.pk else candidates.first()
    if twin is not None:
        id_numbers_disclosed(user=user, model=model, pks=[twin.pk], reason=IdNumberDisclosure.DUPLICATE)
    return twin


def api_registered_twin(serializer, attrs, *same: str):
    """``registered_twin`` for a serializer's ``validate``: the station, the ID number and the ``same`` fields
    from ``attrs`` or, when not sent, the record being changed; over the hourly limit is a 429.
    """
    instance = serializer.instance

    def value(name):
        return attrs[name] if name in attrs else getattr(instance, name, None)

    person = serializer.Meta.model(pk=getattr(instance, "pk", None), station=value("station"))
    try:
        return registered_twin(
            user=serializer.context["request"].user,
            person=person,
            id_number=value("id_number"),
            **{name: value(name) for name in same},
        )
    except TooManyDuplicateAnswers as refusal:
        raise Throttled(detail=refusal.message) from refusal


def form_registered_twin(form, *, user, person, id_number: str, **same):
    """``registered_twin`` for a page's form: over the hourly limit is an error on its ID number field."""
    try:
        return registered_twin(user=user, person=person, id_number=id_number, **same)
    except TooManyDuplicateAnswers as refusal:
        form.add_error("id_number", refusal.message)
        return None
