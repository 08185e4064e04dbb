"""API tokens: issued per sign-in, lapse when unused or too old, revoked with the password or the account."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.tokens import token_issue

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me/"


@pytest.fixture(autouse=True)
def no_throttle_memory():
    cache.clear()


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def age(token: str, *, created_days_ago: float, last_used_days_ago: float, settings) -> AuthToken:
    """Move a token's timestamps back as if it was issued and last used that long ago (its expiry is then
    a full idle period after that use, capped at the maximum age, as knox keeps it)."""
    now = timezone.now()
    row = AuthToken.objects.get(token_key=token[:15])
    row.created = now - timedelta(days=created_days_ago)
    row.expiry = min(
        now - timedelta(days=last_used_days_ago) + timedelta(days=settings.TOKEN_IDLE_DAYS),
        row.created + timedelta(days=settings.TOKEN_MAX_DAYS),
    )
    row.save(update_fields=["created", "expiry"])
    return row


def test_sign_in_returns_a_token_that_opens_the_api_and_stores_only_its_digest(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "county", "password": "shegong2026"})

    token = response.json()["token"]
    assert response.status_code == 200
    assert client_with(token).get(ME).json()["username"] == "county"
    assert not AuthToken.objects.filter(digest=token).exists()
    assert AuthToken.objects.filter(user=world.users["county"]).count() == 1


def test_each_sign_in_gets_its_own_token_up_to_the_limit(world, settings):
    settings.TOKEN_LIMIT_PER_USER = 3
    tokens = [token_issue(user=world.users["county"]) for _ in range(5)]

    assert AuthToken.objects.filter(user=world.users["county"]).count() == 3
    assert client_with(tokens[-1]).get(ME).status_code == 200
    assert client_with(tokens[0]).get(ME).status_code == 401, "the oldest tokens are dropped"


def test_a_token_unused_for_the_idle_period_no_longer_works(world, settings):
    token = token_issue(user=world.users["county"])
    age(
        token,
        created_days_ago=settings.TOKEN_IDLE_DAYS + 1,
        last_used_days_ago=settings.TOKEN_IDLE_DAYS + 0.01,
        settings=settings,
    )

    assert client_with(token).get(ME).status_code == 401
    assert not AuthToken.objects.filter(user=world.users["county"]).exists()


def test_using_a_token_moves_its_expiry_to_a_full_idle_period_from_now(world, settings):
    token = token_issue(user=world.users["county"])
    age(token, created_days_ago=40, last_used_days_ago=settings.TOKEN_IDLE_DAYS - 1, settings=settings)

    assert client_with(token).get(ME).status_code == 200

    expiry = AuthToken.objects.get(token_key=token[:15]).expiry
    assert abs(expiry - (timezone.now() + timedelta(days=settings.TOKEN_IDLE_DAYS))) < timedelta(minutes=1)


def test_a_token_in_daily_use_still_ends_at_the_maximum_age(world, settings):
    token = token_issue(user=world.users["county"])
    row = age(token, created_days_ago=settings.TOKEN_MAX_DAYS - 2, last_used_days_ago=0.5, settings=settings)

    assert client_with(token).get(ME).status_code == 200
    expiry = AuthToken.objects.get(token_key=token[:15]).expiry
    assert expiry == row.created + timedelta(days=settings.TOKEN_MAX_DAYS), "use does not renew it past the maximum"

    age(token, created_days_ago=settings.TOKEN_MAX_DAYS + 0.001, last_used_days_ago=1, settings=settings)
    assert client_with(token).get(ME).status_code == 401


def test_a_new_password_revokes_every_token(world):
    user = world.users["county"]
    tokens = [token_issue(user=user), token_issue(user=user)]
    other = token_issue(user=world.users["city"])

    user.set_password("a-new-Password-2026")
    user.save()

    assert [client_with(token).get(ME).status_code for token in tokens] == [401, 401]
    assert client_with(other).get(ME).status_code == 200


def test_saving_a_user_without_a_new_password_keeps_the_tokens(world):
    user = world.users["county"]
    token = token_issue(user=user)

    user.full_name = "王主任"
    user.save()

    assert client_with(token).get(ME).status_code == 200


def test_deactivating_a_user_revokes_every_token(world):
    user = world.users["county"]
    token = token_issue(user=user)

    user.is_active = False
    user.save(update_fields=["is_active"])

    assert not AuthToken.objects.filter(user=user).exists()
    assert client_with(token).get(ME).status_code == 401


def test_a_token_of_a_user_deactivated_behind_the_models_back_is_refused(world):
    """Even a bulk update that skips ``save()`` does not leave a working token."""
    token = token_issue(user=world.users["county"])
    type(world.users["county"]).objects.filter(pk=world.users["county"].pk).update(is_active=False)

    assert client_with(token).get(ME).status_code == 401


def test_logout_ends_only_the_token_it_was_sent_with(world):
    user = world.users["county"]
    laptop, phone = token_issue(user=user), token_issue(user=user)

    assert client_with(laptop).post("/api/v1/auth/logout/").status_code == 204

    assert client_with(laptop).get(ME).status_code == 401
    assert client_with(phone).get(ME).status_code == 200


def test_logout_all_ends_every_token_of_the_user_and_no_one_elses(world):
    user = world.users["county"]
    laptop, phone = token_issue(user=user), token_issue(user=user)
    other = token_issue(user=world.users["city"])

    assert client_with(laptop).post("/api/v1/auth/logout-all/").status_code == 204

    assert client_with(laptop).get(ME).status_code == 401
    assert client_with(phone).get(ME).status_code == 401
    assert client_with(other).get(ME).status_code == 200


def test_logout_needs_a_signed_in_user(world):
    assert APIClient().post("/api/v1/auth/logout-all/").status_code == 401
