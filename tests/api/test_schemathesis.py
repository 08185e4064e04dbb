"""Property-based fuzzing of the whole API from its own OpenAPI schema: no input may cause a 5xx.

Every endpoint registered on the router is picked up automatically. Requests are made in-process
(WSGI) as the platform administrator, who reaches every endpoint, inside the test's transaction.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from accounts.tokens import token_issue
from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calls go straight to the WSGI app, whose request signals would close the test's connection.

    Django's test client detaches ``close_old_connections`` the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(world) -> str:
    return token_issue(user=world.users["admin"])


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_fails_with_a_server_error(case, admin_token):
    """Whatever the body, path or query, the API answers with a 2xx/3xx/4xx, never a 5xx."""
    response = case.call(headers={"Authorization": f"Token {admin_token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
