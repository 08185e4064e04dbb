"""Editing organisations in the permission matrix (tests/matrix.py): seeing one is not editing it.

The target is ``orgA``, an operator registered by city A that runs S2 (county A1) and S3 (county A2): the
county official sees it (it runs a station of the county) but may not edit it, nor re-register it into the
county. Only the administrator and officials whose region covers the registration region edit an
organisation, and a new registration region must stay inside the editor's region.
"""

from datetime import date
from decimal import Decimal

from stations.choices import RegistrationLevel
from tests.factories import ContractFactory, OrganizationFactory
from tests.matrix import Endpoint, only, register_api, register_pages

EDITORS_OF_CITY_ORG = ["admin", "city"]


def build_organizations(world) -> None:
    """City A's operator running S2 and S3, in ``world.orgs["orgA"]``."""
    organization = OrganizationFactory(
        name="甲市康宁社会工作服务中心", region=world.regions["A"], registration_level=RegistrationLevel.CITY
    )
    for key in ("S2", "S3"):
        ContractFactory(
            station=world.stations[key],
            operator=organization,
            start_on=date(2023, 1, 1),
            end_on=date(2023, 12, 31),
            amount=Decimal("600000.00"),
        )
    world.orgs["orgA"] = organization


def org(key):
    return lambda w: w.orgs[key].pk


register_api(
    Endpoint(
        "organization-update-city-registered",
        "patch",
        lambda w: f"/api/v1/organizations/{org('orgA')(w)}/",
        only(EDITORS_OF_CITY_ORG, 200, 403, outsider=404),
        covers="api:organization-detail",
        data=lambda w: {"rating": 5},
    ),
    Endpoint(
        "organization-reregister-into-county",
        "patch",
        lambda w: f"/api/v1/organizations/{org('orgA')(w)}/",
        only(EDITORS_OF_CITY_ORG, 200, 403, outsider=404),
        covers="api:organization-detail",
        data=lambda w: {"region": w.regions["A1"].pk, "registration_level": "county"},
    ),
    Endpoint(
        # City A is outside the county official's region: the field refuses it (400), nothing changes.
        "organization-reregister-out-of-scope",
        "patch",
        lambda w: f"/api/v1/organizations/{org('op')(w)}/",
        only(EDITORS_OF_CITY_ORG, 200, 403, county=400, outsider=404),
        covers="api:organization-detail",
        data=lambda w: {"region": w.regions["A"].pk, "registration_level": "city"},
    ),
    Endpoint(
        # No registration region at all would take it out of every official's editing scope.
        "organization-unregister",
        "patch",
        lambda w: f"/api/v1/organizations/{org('op')(w)}/",
        only(["admin"], 200, 403, outsider=404),
        covers="api:organization-detail",
        data=lambda w: {"region": None},
    ),
)

register_pages(
    Endpoint(
        "organization-update-form-city-registered",
        "get",
        lambda w: f"/organisations/{org('orgA')(w)}/edit/",
        only(EDITORS_OF_CITY_ORG, 200, 403, anonymous=302, outsider=404),
        covers="stations:organization_update",
    ),
    Endpoint(
        "organization-update-city-registered",
        "post",
        lambda w: f"/organisations/{org('orgA')(w)}/edit/",
        only(EDITORS_OF_CITY_ORG, 302, 403, anonymous=302, outsider=404),
        covers="stations:organization_update",
        data=lambda w: {
            "name": "甲一县康宁社会工作服务中心",
            "kind": "operator",
            "credit_code": w.orgs["orgA"].credit_code,
            "registration_level": "county",
            "rating": 5,
            "region": w.regions["A1"].pk,
        },
    ),
)
