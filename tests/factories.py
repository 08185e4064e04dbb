"""Factories of the domain's objects (factory_boy), shared by every test module."""

from datetime import date
from decimal import Decimal
from importlib import import_module

import factory
from django.conf import settings

from accounts.choices import Role
from accounts.models import User
from evaluation.models import Assignment
from stations.choices import OrganizationKind, RegionLevel, RegistrationLevel, StationStatus
from stations.models import OperatingContract, Organization, Region, StandardItem, Station
from stations.validators import credit_code_check_char


def shipped_standard_items() -> list[StandardItem]:
    """The construction-standard items a data migration ships, (re)created if a flush removed them.

    A transactional test (browser, Celery worker) empties every table when it ends, data-migration
    rows included, so tests that need these rows ask for them here instead of assuming them.
    """
    items = import_module("stations.migrations.0002_standard_items").ITEMS
    return [
        StandardItem.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "order": order}
        )[0]
        for order, (code, name, description) in enumerate(items, start=1)
    ]


def valid_credit_code(n: int) -> str:
    body = f"52330402MJ{n:07d}"
    return body + credit_code_check_char(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"区域{n}")
    level = RegionLevel.CITY
    code = factory.Sequence(lambda n: f"{990000000000 + n * 1000:012d}")
    parent = None


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试社会工作服务中心{n}")
    kind = OrganizationKind.OPERATOR
    credit_code = factory.Sequence(valid_credit_code)
    registration_level = RegistrationLevel.COUNTY
    rating = 4


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    name = factory.LazyAttribute(lambda o: f"{o.township.name}社会工作站")
    township = factory.SubFactory(RegionFactory, level=RegionLevel.TOWNSHIP)
    address = "测试路1号"
    site_area_m2 = Decimal("600.00")
    opened_on = date(2021, 3, 1)
    status = StationStatus.OPERATING


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperatingContract

    station = factory.SubFactory(StationFactory)
    operator = factory.SubFactory(OrganizationFactory)
    start_on = date(2025, 1, 1)
    end_on = date(2026, 12, 31)
    amount = Decimal("800000.00")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.ADMIN
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment
        skip_postgeneration_save = True

    agency = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.EVALUATION_AGENCY)
    period = "2026"
    starts_on = factory.LazyFunction(lambda: date(date.today().year, 1, 1))
    ends_on = factory.LazyFunction(lambda: date(date.today().year, 12, 31))

    @factory.post_generation
    def stations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.stations.set(extracted)
