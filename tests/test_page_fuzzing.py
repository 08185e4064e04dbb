"""Property-based fuzzing of every page, as schemathesis does for the API: no value of a query parameter or of a
form field is ever answered with a 5xx.

For every page route of the URL conf (its address filled from the permission matrix's world, as the matrix does),
signed in as the station manager, or the administrator where the manager is not let in:

- the parameters a page reads are found by recording what the view (its filters and forms included) asks of
  ``request.GET``, and the fields a POST reads of ``request.POST``, so a new parameter or field is fuzzed as soon
  as a view reads it;
- hypothesis then sends random values for any subset of them (over the matrix's valid form data, so the values
  reach the form's and the model's own checks), and the known bad values of issue 8 to all of them at once.

A page route the matrix cannot fill fails ``test_every_page_route_is_fuzzed``. ``PAGE_FUZZ_EXAMPLES`` (default 5)
sets the random examples per route, role and method; raise it for a deeper run.
"""

import os
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from .matrix import PAGES, Endpoint
from .test_permission_matrix import matrix_world, matrix_world_once, url_names  # noqa: F401  (fixtures)

# The values that answered 500 before issue 8, sent to every parameter and field of every page.
KNOWN_BAD = [
    "²",  # str.isdigit() says yes, int() says no
    "①",
    "12345678901234567890123",  # overflows a bigint
    "0001-01",  # a month whose previous month is before year 1
    "9998-01-01",  # a contract two years on ends after 9999
    "\x00",  # PostgreSQL refuses NUL in text
]
ODD = ["١٢", "１２", "-1", "0", "1e999", "NaN", "Infinity", "2026-13", "2026-02-30", "9999-12-31", "0001-01-01", " "]
SCALAR = st.one_of(
    st.sampled_from(KNOWN_BAD + ODD),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(lambda day: day.isoformat()[:7]),
    st.text(max_size=30),
)
VALUE = st.one_of(SCALAR, st.lists(SCALAR, min_size=2, max_size=3))

# Who the fuzzer signs in as: the first of these whom the page's matrix entry lets in (the manager for the
# station's pages, the administrator for the officials' ones).
ROLES = ["manager", "admin"]
# Pages outside the matrix (public), fuzzed signed out.
PUBLIC = {"accounts:login": "/accounts/login/", "set_language": "/i18n/setlang/"}
# Not fuzzed: signing out would end the fuzzing client's session, and it reads no value.
SKIPPED = {"accounts:logout"}
NOT_VALUES = {"csrfmiddlewaretoken", "_fuzz"}

EXAMPLES = int(os.environ.get("PAGE_FUZZ_EXAMPLES", "5"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def page_routes() -> list[str]:
    """Every named route of the URL conf that is a page: not the API, not the Django admin."""
    return sorted(name for name in url_names() if not name.startswith("api:") and name not in SKIPPED)


@contextmanager
def reads_recorded(monkeypatch):
    """The names a request reads of its ``QueryDict``s (``get``, ``[]``, ``getlist``, ``in``), while inside."""
    names: set[str] = set()
    original_get, original_item, original_list = MultiValueDict.get, MultiValueDict.__getitem__, MultiValueDict.getlist

    def note(data, key) -> None:
        if isinstance(data, QueryDict):  # not the URL resolver's own MultiValueDicts
            names.add(key)

    def get(self, key, default=None):
        note(self, key)
        return original_get(self, key, default)

    def item(self, key):
        note(self, key)
        return original_item(self, key)

    def getlist(self, key, default=None):
        note(self, key)
        return original_list(self, key, default)

    def contains(self, key):
        note(self, key)
        return dict.__contains__(self, key)

    with monkeypatch.context() as patch:
        patch.setattr(MultiValueDict, "get", get)
        patch.setattr(MultiValueDict, "__getitem__", item)
        patch.setattr(MultiValueDict, "getlist", getlist)
        patch.setattr(MultiValueDict, "__contains__", contains)
        yield names


def values_only(names: set) -> set[str]:
    return {name for name in names if isinstance(name, str) and name not in NOT_VALUES}


def split(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query))


def matrix_entries(route: str) -> list[Endpoint]:
    return [endpoint for endpoint in PAGES if endpoint.covers == route]


def test_every_page_route_is_fuzzed():
    """A new page route fails here until the matrix (or ``PUBLIC``) can fill its address."""
    unfilled = [route for route in page_routes() if route not in PUBLIC and not matrix_entries(route)]
    assert not unfilled, f"page routes the fuzzer cannot fill (add them to the permission matrix): {unfilled}"
    assert set(PUBLIC) | SKIPPED <= url_names(), "PUBLIC and SKIPPED name routes that no longer exist"


def known_bad_examples(keys: list[str], each_alone: bool) -> list[dict]:
    """Every known bad value in every key at once; and each key alone with one (``each_alone``: every one), so
    that a key refused early (a page number out of range is a 404) does not hide what another key would do."""
    examples = [dict.fromkeys(keys, bad) for bad in KNOWN_BAD]
    if each_alone:
        examples += [{key: bad} for key in keys for bad in KNOWN_BAD]
    else:
        examples += [{key: KNOWN_BAD[n % len(KNOWN_BAD)]} for n, key in enumerate(keys)]
    return examples


def fuzz(send: Callable[[dict], object], keys: list[str], base: Callable[[], dict], each_alone: bool) -> None:
    """Random values for any subset of ``keys`` over ``base()``, and the known bad values (``known_bad_examples``)."""
    if not keys:
        return  # nothing to vary: the discovery request was the one request there is

    @FUZZ_SETTINGS
    @given(values=st.fixed_dictionaries({}, optional=dict.fromkeys(keys, VALUE)))
    def check(values):
        response = send({**base(), **values})
        assert response.status_code < 500, (response.status_code, values)

    for values in known_bad_examples(keys, each_alone):
        check = example(values=values)(check)
    check()


def distinct(entries: list[Endpoint], world) -> list[Endpoint]:
    """One matrix entry per method and address: the others differ only in the data the fuzzer replaces."""
    seen, kept = set(), []
    for entry in entries:
        key = (entry.method, entry.url(world))
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept


def reaching(entry: Endpoint) -> list[str]:
    return [role for role in ROLES if entry.expect.get(role, 500) < 400]


def fuzz_entry(entry: Endpoint, client: Client, world, monkeypatch) -> None:
    """Fuzz one matrix entry (a GET or a POST of one page) with ``client``."""
    path, query = split(entry.url(world))
    if entry.method == "get":
        with reads_recorded(monkeypatch) as names:
            response = client.get(path, {**query, "_fuzz": "1"})
        assert response.status_code < 500
        keys = sorted(values_only(names))
        fuzz(lambda data: client.get(path, {**query, **data}), keys, dict, each_alone=True)
    else:
        base = (lambda: entry.data(world)) if entry.data else dict
        with reads_recorded(monkeypatch) as names:
            response = client.post(path, {**base(), "_fuzz": "1"})
        assert response.status_code < 500
        keys = sorted(values_only(names) - set(query))
        fuzz(lambda data: client.post(path, data), keys, base, each_alone=False)


@pytest.mark.parametrize("route", page_routes())
def test_no_page_answers_5xx_to_any_value(route, matrix_world, monkeypatch):  # noqa: F811
    """Every GET parameter and form field of the page, random or known bad: never a 5xx."""
    if route in PUBLIC:
        client = Client()
        with reads_recorded(monkeypatch) as names:
            assert client.post(PUBLIC[route], {"_fuzz": "1"}).status_code < 500
        keys = sorted(values_only(names))
        fuzz(lambda data: client.post(PUBLIC[route], data), keys, dict, each_alone=False)
        return
    entries = distinct(matrix_entries(route), matrix_world)
    assert entries, f"{route} is not in the permission matrix"
    fuzzed = 0
    for entry in entries:
        roles = reaching(entry)
        if roles:
            client = Client()
            client.force_login(matrix_world.users[roles[0]])
            fuzz_entry(entry, client, matrix_world, monkeypatch)
            fuzzed += 1
    assert fuzzed, f"neither {ROLES} reaches {route}: fuzz it as another role"
