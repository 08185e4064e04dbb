"""Factories of the domain's objects (factory_boy), shared by every test module."""

from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module

import factory
from django.apps import apps as django_apps
from django.conf import settings

from accounts.choices import Role
from accounts.models import User
from evaluation.choices import Stage
from evaluation.models import Assignment, ScorecardTemplate
from services.models import Beneficiary, CatalogCategory, CatalogItem, CatalogSubItem, Project, TargetGroup
from staffing.validators import id_number_check_char
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


def shipped_target_groups() -> dict[str, TargetGroup]:
    """The target groups the services data migration ships, (re)created if a flush removed them: code -> row."""
    groups = import_module("services.migrations.0002_reference_rows").TARGET_GROUPS
    return {
        code: TargetGroup.objects.update_or_create(code=code, defaults={"name": name, "order": order})[0]
        for order, (code, name) in enumerate(groups, start=1)
    }


def shipped_catalog() -> dict[str, list[CatalogItem]]:
    """The shipped service catalogue, (re)created if a flush removed it: category code -> its items."""
    catalog = import_module("services.migrations.0002_reference_rows").CATALOG
    result = {}
    for order, (code, name, sub_items) in enumerate(catalog, start=1):
        category = CatalogCategory.objects.update_or_create(code=code, defaults={"name": name, "order": order})[0]
        result[code] = []
        for sub_order, (sub_name, items) in enumerate(sub_items, start=1):
            sub_item = CatalogSubItem.objects.update_or_create(
                category=category, name=sub_name, defaults={"order": sub_order}
            )[0]
            for item_order, item_name in enumerate(items, start=1):
                result[code].append(
                    CatalogItem.objects.update_or_create(
                        sub_item=sub_item, name=item_name, defaults={"order": item_order}
                    )[0]
                )
    return result


def shipped_scorecards() -> None:
    """The scorecards shipped by migration (the station evaluation and the two-way ones), (re)created if a flush
    removed them."""
    import_module("evaluation.migrations.0003_shipped_scorecards").ship(django_apps, None)


def valid_id_number(n: int) -> str:
    """A valid resident ID number of county A1 (330481), unique for each n (its birth date moves with n)."""
    born = date(1940, 1, 1) + timedelta(days=n)
    body = f"330481{born:%Y%m%d}{n % 1000:03d}"
    return body + id_number_check_char(body)


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
    year = factory.LazyFunction(lambda: date.today().year)
    stage = Stage.ANNUAL
    template = factory.LazyFunction(lambda: ScorecardTemplate.objects.get(code="station-evaluation", version=1))
    starts_on = factory.LazyFunction(lambda: date(date.today().year, 1, 1))
    ends_on = factory.LazyFunction(lambda: date(date.today().year, 12, 31))

    @factory.post_generation
    def stations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.stations.set(extracted)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    station = factory.SubFactory(StationFactory)
    year = factory.LazyFunction(lambda: date.today().year)
    name = factory.Sequence(lambda n: f"自选项目{n}")
    category = "optional"
    subtype = ""


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"服务对象{n}")
    id_number = factory.Sequence(valid_id_number)
    registered_on = date(2025, 1, 1)


# --- satisfaction surveys (evaluation) ------------------------------------------------------------------------


def survey_with_responses(station, scores: list[list[int]], *, year=None, title="服务满意度调查", channel="paper"):
    """A survey of ``station`` (this year, open all year, the five default questions) and one paper response per
    row of ``scores`` (one score a question, in order), written straight to the tables."""
    from evaluation.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

    year = year or date.today().year
    survey = Survey.objects.create(
        station=station, year=year, title=title, opens_on=date(year, 1, 1), closes_on=date(year, 12, 31)
    )
    texts = ["服务态度", "服务及时性", "专业水平", "服务成效", "总体满意度"]
    questions = SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, order=order, text=text) for order, text in enumerate(texts, start=1)
    )
    for row in scores:
        response = SurveyResponse.objects.create(survey=survey, channel=channel)
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(response=response, question=question, score=score)
            for question, score in zip(questions, row, strict=False)
        )
    return survey
