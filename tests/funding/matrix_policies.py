"""Funding policies in the permission matrix (tests/matrix.py): every endpoint and page.

Target (``build``): city A's funding policy for this year. Officials and a station's own staff read the policies
that may apply to them (the city's applies in A1 and at S1); evaluators read no funding at all (403). Only
officials of the policy's region or above change it: the county official reads city A's policy but may not touch it
(403 in the API, 404 on its edit page); the outsider (city B) does not see it (404).
"""

from datetime import date

from funding.models import FundingPolicy
from tests.matrix import Endpoint, only, register_api, register_pages, statuses

WATCHED = [FundingPolicy, FundingPolicy.history.model]
KEEPERS = ["admin", "city"]  # of city A's policy
MAKERS = ["admin", "city", "county"]  # officials with the right to set funding policies


def build(world) -> None:
    """City A's funding policy for this year (the defaults but a 35 % city share)."""
    world.extra["funding_policy"] = FundingPolicy.objects.create(
        region=world.regions["A"], year=date.today().year, city_share="0.35"
    )


def policy(w):
    return w.extra["funding_policy"].pk


def figures() -> dict:
    """A whole form of figures, the shipped defaults."""
    return {
        "city_share": "0.40",
        "township_cap": "300000.00",
        "personnel_max_share": "0.70",
        "factor_excellent": "1.0",
        "factor_good": "0.9",
        "factor_pass": "0.7",
        "factor_fail": "0.0",
        "warning_share": "0.90",
        "alert_share": "1.00",
        "voucher_required_above": "1000.00",
    }


register_api(
    Endpoint(
        "funding-policy-list",
        "get",
        lambda w: "/api/v1/funding-policies/",
        statuses(200, evaluator=403),
        covers="api:funding-policy-list",
        listed=policy,
    ),
    Endpoint(
        "funding-policy-detail",
        "get",
        lambda w: f"/api/v1/funding-policies/{policy(w)}/",
        statuses(200, outsider=404, evaluator=403),
        covers="api:funding-policy-detail",
    ),
    Endpoint(
        "funding-policy-history",
        "get",
        lambda w: f"/api/v1/funding-policies/{policy(w)}/history/",
        statuses(200, outsider=404, evaluator=403),
        covers="api:funding-policy-history",
    ),
    Endpoint(
        # County A1: the outsider (city B) sets funding policies, but A1 is not a region it can name (400).
        "funding-policy-create",
        "post",
        lambda w: "/api/v1/funding-policies/",
        only(MAKERS, 201, 403, outsider=400),
        covers="api:funding-policy-list",
        data=lambda w: {"region": w.regions["A1"].pk, "year": date.today().year, "city_share": "0.45"},
    ),
    Endpoint(
        "funding-policy-update",
        "patch",
        lambda w: f"/api/v1/funding-policies/{policy(w)}/",
        # The county official reads the city's policy (it applies to them) but may not change it.
        only(KEEPERS, 200, 403, outsider=404),
        covers="api:funding-policy-detail",
        data=lambda w: {"township_cap": "250000.00"},
    ),
    Endpoint(
        "funding-policy-delete",
        "delete",
        lambda w: f"/api/v1/funding-policies/{policy(w)}/",
        only(["admin"], 204, 403),
        covers="api:funding-policy-detail",
    ),
)


def page(name, method, url, expect, covers, data=None):
    return Endpoint(name, method, url, expect, covers, data=data)


register_pages(
    page(
        "funding-policies",
        "get",
        lambda w: "/funding/policies/",
        statuses(200, anonymous=302, evaluator=403),
        "funding:policy-list",
    ),
    page(
        "funding-policy-create-form",
        "get",
        lambda w: "/funding/policies/new/",
        only(MAKERS + ["outsider"], 200, 403, anonymous=302),
        "funding:policy-create",
    ),
    page(
        # County A1: the outsider may set policies, but A1 is not among its regions (the form comes back).
        "funding-policy-create",
        "post",
        lambda w: "/funding/policies/new/",
        only(MAKERS, 302, 403, anonymous=302, outsider=200),
        "funding:policy-create",
        data=lambda w: {"region": w.regions["A1"].pk, "year": "2030", **figures()},
    ),
    page(
        "funding-policy-edit-form",
        "get",
        lambda w: f"/funding/policies/{policy(w)}/edit/",
        only(KEEPERS, 200, 403, anonymous=302, county=404, outsider=404),
        "funding:policy-edit",
    ),
    page(
        "funding-policy-edit",
        "post",
        lambda w: f"/funding/policies/{policy(w)}/edit/",
        only(KEEPERS, 302, 403, anonymous=302, county=404, outsider=404),
        "funding:policy-edit",
        data=lambda w: {**figures(), "township_cap": "250000.00"},
    ),
)
