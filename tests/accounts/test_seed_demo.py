"""``seed_demo``: a realistic Jiaxing, an account for every role, idempotent, refused in production."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import Role
from accounts.models import User
from stations.models import OperatingContract, Organization, Region, Station
from stations.validators import validate_credit_code
from tests.factories import shipped_standard_items

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Region, Organization, Station, OperatingContract, User))


def test_the_demo_is_a_city_of_about_seventy_townships_with_every_role(settings):
    settings.DEBUG = True
    shipped_standard_items()
    call_command("seed_demo", stdout=StringIO())

    assert Region.objects.filter(level="township").count() == 72
    assert Station.objects.count() == 70
    assert set(Station.objects.values_list("status", flat=True)) == {"operating", "planning", "suspended"}
    assert {u.role for u in User.objects.all()} == set(Role.values)
    for org in Organization.objects.all():
        validate_credit_code(org.credit_code)
    county = User.objects.get(username="county")
    assert Station.objects.visible_to(county).count() == 12
    evaluator = User.objects.get(username="evaluator")
    assert Station.objects.visible_to(evaluator).exists()


def test_running_it_twice_changes_nothing(settings):
    settings.DEBUG = True
    shipped_standard_items()
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert Station.objects.count() == 0
