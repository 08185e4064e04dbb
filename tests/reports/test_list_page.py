"""The reports page's table: sorting (the request form and the filters are tests/reports/test_archive.py)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_reports_list_sorts_by_a_column_and_ignores_an_unknown_one(world):
    client = signed_in(world.users["city"])
    assert client.get("/reports/", {"sort": "-status"}).context["sort"] == "-status"
    assert client.get("/reports/", {"sort": "file"}).context["sort"] == ""
