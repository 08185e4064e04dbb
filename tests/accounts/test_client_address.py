"""The client's address behind trusted proxies, and the throttle and sign-in lockout that count by it."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from accounts.api import TokenThrottle
from accounts.network import client_address

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
RIGHT = "shegong2026"


@pytest.fixture(autouse=True)
def no_throttle_memory():
    cache.clear()


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def sign_in(client, username, password, remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **extra)


# --- client_address --------------------------------------------------------------------------------


def test_without_trusted_proxies_the_address_is_remote_addr_whatever_the_header_says(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (1, "198.51.100.9", "198.51.100.9"),
        # What the client wrote itself comes first; the proxy appended the address it saw.
        (1, "1.2.3.4, 198.51.100.9", "198.51.100.9"),
        (2, "1.2.3.4, 198.51.100.9, 10.1.1.1", "198.51.100.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_with_trusted_proxies_the_address_is_the_one_the_outermost_proxy_saw(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_address(request_from("10.0.0.2", forwarded)) == expected


@pytest.mark.parametrize("forwarded", [None, "", "198.51.100.9", "not-an-address, 10.1.1.1"])
def test_a_header_that_did_not_pass_every_proxy_falls_back_to_remote_addr(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from("10.0.0.2", forwarded)) == "10.0.0.2"


# --- the token throttle ----------------------------------------------------------------------------


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(TokenThrottle, "THROTTLE_RATES", {"token": "3/min"})


def test_a_new_forwarded_header_does_not_reset_the_token_throttle(world, settings, three_a_minute):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    answers = [client.post(TOKEN, {}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}") for n in range(4)]

    assert [a.status_code for a in answers] == [400, 400, 400, 429]


def test_behind_a_proxy_the_throttle_counts_each_client_apart(world, settings, three_a_minute):
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient()
    for n in range(3):
        client.post(TOKEN, {}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}, 198.51.100.1")

    spoofed = client.post(TOKEN, {}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.99, 198.51.100.1")
    other_client = client.post(TOKEN, {}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert spoofed.status_code == 429
    assert other_client.status_code == 400


# --- the sign-in lockout ---------------------------------------------------------------------------


def test_a_new_forwarded_header_does_not_escape_the_lockout(world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "county", "nope", forwarded=f"192.0.2.{n}")

    assert sign_in(client, "county", RIGHT, forwarded="192.0.2.200").status_code == 429


def test_failures_on_many_user_names_lock_the_address(world, settings):
    """Password spraying: one guess per user name, from one address, until the address limit."""
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    client = APIClient()
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        assert sign_in(client, f"guess{n}", "nope").status_code == 400

    assert sign_in(client, "city", RIGHT).status_code == 200, "under the address limit"
    assert sign_in(client, "guess-last", "nope").status_code == 429

    assert sign_in(client, "county", RIGHT).status_code == 429, "the address is locked for every user name"
    assert sign_in(client, "county", RIGHT, remote="10.0.0.2").status_code == 200, "other addresses are not"


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(world, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    client = APIClient()
    for n in range(3):
        sign_in(client, f"guess{n}", "nope")
    assert sign_in(client, "city", RIGHT).status_code == 200
    for n in range(3, 6):
        sign_in(client, f"guess{n}", "nope")

    assert sign_in(client, "city", RIGHT).status_code == 429


def test_the_sign_in_page_counts_failures_by_the_same_address(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    client = Client()
    for n in range(4):
        client.post(
            "/accounts/login/",
            {"username": f"guess{n}", "password": "nope"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"9.9.9.{n}, 198.51.100.1",
        )

    locked = client.post(
        "/accounts/login/",
        {"username": "county", "password": RIGHT},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    elsewhere = client.post(
        "/accounts/login/",
        {"username": "county", "password": RIGHT},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )

    assert locked.status_code == 429
    assert elsewhere.status_code == 302
