"""Fixtures of the report tests: one station with a full profile, an official over it and one outside."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.models import User
from config.celery import app as celery_app
from reports.choices import ReportKind
from reports.models import Report
from stations.choices import OrganizationKind, ProcurementMethod, RegionLevel, RegistrationLevel, StationStatus
from stations.models import OperatingContract, Organization, Region, Station, StationStandard
from stations.validators import credit_code_check_char
from tests.factories import shipped_standard_items

RARE_NAME = "䶮山社会工作站"  # 䶮 (U+4DAE) is outside GB2312, so outside the subset: the fallback draws it


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Generated PDFs go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def eager_tasks():
    """Tasks run in-process even when a broker is configured (the worker test turns this back off)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def credit_code(prefix: str) -> str:
    """A valid unified social credit code starting with the 17 characters ``prefix``."""
    return prefix + credit_code_check_char(prefix)


@dataclass
class Place:
    """A city, a county, a township with two communities, and another city elsewhere."""

    city: Region
    county: Region
    township: Region
    communities: list[Region]
    elsewhere: Region


@pytest.fixture
def place(db) -> Place:
    city = Region.objects.create(name="嘉兴市", code="330400000000", level=RegionLevel.CITY)
    county = Region.objects.create(name="南湖区", code="330402000000", level=RegionLevel.COUNTY, parent=city)
    township = Region.objects.create(name="建设街道", code="330402001000", level=RegionLevel.TOWNSHIP, parent=county)
    communities = [
        Region.objects.create(name=name, code=code, level=RegionLevel.COMMUNITY, parent=township)
        for name, code in (("东湖社区", "330402001001"), ("新桥社区", "330402001002"))
    ]
    elsewhere = Region.objects.create(name="拉萨市", code="540100000000", level=RegionLevel.CITY)
    return Place(city, county, township, communities, elsewhere)


@pytest.fixture
def station(place) -> Station:
    """建设街道社会工作站: operating, supervised, under a current contract, two of the standard items met."""
    supervisor = Organization.objects.create(
        name="嘉兴市社会组织服务中心",
        kind=OrganizationKind.SUPERVISOR,
        credit_code=credit_code("52330400MJ0000001"),
        registration_level=RegistrationLevel.CITY,
        region=place.city,
    )
    station = Station.objects.create(
        name="建设街道社会工作站",
        township=place.township,
        address="嘉兴市南湖区建设街道金星路319号",
        site_area_m2=Decimal("620.50"),
        opened_on=date(2021, 9, 1),
        status=StationStatus.OPERATING,
        supervisor=supervisor,
    )
    station.communities.set(place.communities)
    operator = Organization.objects.create(
        name="南湖区同心社会工作服务中心",
        kind=OrganizationKind.OPERATOR,
        credit_code=credit_code("52330402MJ2630976"),
        registration_level=RegistrationLevel.COUNTY,
        rating=4,
        region=place.county,
    )
    today = date.today()
    OperatingContract.objects.create(
        station=station,
        operator=operator,
        start_on=today - timedelta(days=100),
        end_on=today + timedelta(days=200),
        amount=Decimal("800000.00"),
        procurement_method=ProcurementMethod.PUBLIC_TENDER,
    )
    first, second, third = shipped_standard_items()[:3]
    StationStandard.objects.create(station=station, item=first, met=True)
    StationStandard.objects.create(station=station, item=second, met=True, note="门牌已更新")
    StationStandard.objects.create(station=station, item=third, met=False, note="整改中")
    return station


@pytest.fixture
def official(place) -> User:
    """A city official of 嘉兴市: the station is in their scope."""
    return User.objects.create_user(
        username="city",
        password="x",
        role=Role.CITY_OFFICIAL,
        region=place.city,
        full_name="王晓明",
    )


@pytest.fixture
def outsider(place) -> User:
    """A city official of another city: the station is outside their scope."""
    return User.objects.create_user(username="outsider", password="x", role=Role.CITY_OFFICIAL, region=place.elsewhere)


@pytest.fixture
def profile_report(station, official) -> Report:
    """A pending station-profile job of ``station`` (not queued)."""
    return Report.objects.create(kind=ReportKind.STATION_PROFILE, station=station, requested_by=official)
