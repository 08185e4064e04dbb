"""The two-way assessment (双向考核) in the permission matrix (tests/matrix.py): its API and its pages.

Targets (``build``): the pair of station S1 for this year, the township official's rating of the operator and the
station manager's of the township's support. Everyone in scope reads both; only the side that rates a direction
writes it (the township official of S1's township ``operator``, S1's manager ``support``): every other role is
refused (403), the administrator too, who is no party to it. Only the administrator deletes.
"""

from datetime import date
from decimal import Decimal

from evaluation.models import Indicator, ScorecardTemplate, TwoWayAssessment, TwoWayScore
from evaluation.rules.twoway import two_way_rate
from tests.matrix import Endpoint, only, register_api, register_pages, s1, statuses

WATCHED = [TwoWayAssessment, TwoWayScore]

YEAR = date.today().year
LAST_YEAR = YEAR - 1
TEMPLATE = {"operator": "two-way-operator", "support": "two-way-support"}


def indicators(direction: str) -> list[Indicator]:
    template = ScorecardTemplate.objects.get(code=TEMPLATE[direction], version=1)
    return list(Indicator.objects.filter(template=template))


def full_marks_less_one(direction: str) -> dict[int, Decimal]:
    """Every indicator one point under its maximum."""
    return {indicator.pk: indicator.max_points - 1 for indicator in indicators(direction)}


def build(world) -> None:
    """S1's two-way pair of this year, rated by the township official and the station manager."""
    station = world.stations["S1"]
    world.extra["two_way_operator"] = two_way_rate(
        station=station,
        year=YEAR,
        direction="operator",
        scores=full_marks_less_one("operator"),
        comment="服务稳定，台账规范。",
        user=world.users["township"],
    )
    world.extra["two_way_support"] = two_way_rate(
        station=station,
        year=YEAR,
        direction="support",
        scores=full_marks_less_one("support"),
        comment="经费拨付及时。",
        user=world.users["manager"],
    )


def api_rating(direction: str, year: int):
    def data(w):
        return {
            "station": s1(w),
            "year": year,
            "direction": direction,
            "scores": [{"indicator": pk, "score": str(score)} for pk, score in full_marks_less_one(direction).items()],
            "comment": "年终评价",
        }

    return data


def page_rating(direction: str):
    def data(w):
        return {
            **{f"score_{pk}": str(score) for pk, score in full_marks_less_one(direction).items()},
            "comment": "年终评价",
        }

    return data


def detail(key: str):
    return lambda w: f"/api/v1/two-way-assessments/{w.extra[key].pk}/"


register_api(
    Endpoint(
        "two-way-list",
        "get",
        lambda w: "/api/v1/two-way-assessments/",
        statuses(200),
        covers="api:two-way-assessment-list",
        listed=lambda w: w.extra["two_way_operator"].pk,
    ),
    Endpoint(
        "two-way-detail",
        "get",
        detail("two_way_operator"),
        statuses(200, outsider=404),
        covers="api:two-way-assessment-detail",
    ),
    Endpoint(
        "two-way-rate-operator",
        "post",
        lambda w: "/api/v1/two-way-assessments/",
        only(["township"], 201, 403),
        covers="api:two-way-assessment-list",
        data=api_rating("operator", LAST_YEAR),
    ),
    Endpoint(
        "two-way-rate-support",
        "post",
        lambda w: "/api/v1/two-way-assessments/",
        only(["manager"], 201, 403),
        covers="api:two-way-assessment-list",
        data=api_rating("support", LAST_YEAR),
    ),
    Endpoint(
        "two-way-rerate-operator",
        "post",
        lambda w: "/api/v1/two-way-assessments/",
        only(["township"], 200, 403),
        covers="api:two-way-assessment-list",
        data=api_rating("operator", YEAR),
    ),
    Endpoint(
        "two-way-revise-operator",
        "patch",
        detail("two_way_operator"),
        only(["township"], 200, 403),
        covers="api:two-way-assessment-detail",
        data=lambda w: {"comment": "补充：资源链接有进步。"},
    ),
    Endpoint(
        "two-way-revise-support",
        "put",
        detail("two_way_support"),
        only(["manager"], 200, 403),
        covers="api:two-way-assessment-detail",
        data=lambda w: {k: v for k, v in api_rating("support", YEAR)(w).items() if k in ("scores", "comment")},
    ),
    Endpoint(
        "two-way-delete",
        "delete",
        detail("two_way_support"),
        only(["admin"], 204, 403),
        covers="api:two-way-assessment-detail",
    ),
)


def rate_url(direction: str, year: int = YEAR):
    return lambda w: f"/evaluation/stations/{s1(w)}/two-way/{direction}/{year}/"


register_pages(
    Endpoint(
        "two-way",
        "get",
        lambda w: f"/evaluation/stations/{s1(w)}/two-way/",
        statuses(200, anonymous=302, outsider=404),
        covers="evaluation:two-way",
    ),
    Endpoint(
        "two-way-last-year",
        "get",
        lambda w: f"/evaluation/stations/{s1(w)}/two-way/?year={LAST_YEAR}",
        statuses(200, anonymous=302, outsider=404),
        covers="evaluation:two-way",
    ),
    Endpoint(
        "two-way-rate-operator-form",
        "get",
        rate_url("operator"),
        only(["township"], 200, 403, anonymous=302),
        covers="evaluation:two-way-rate",
    ),
    Endpoint(
        "two-way-rate-support-form",
        "get",
        rate_url("support"),
        only(["manager"], 200, 403, anonymous=302),
        covers="evaluation:two-way-rate",
    ),
    Endpoint(
        "two-way-rate-operator",
        "post",
        rate_url("operator", LAST_YEAR),
        only(["township"], 302, 403, anonymous=302),
        covers="evaluation:two-way-rate",
        data=page_rating("operator"),
    ),
    Endpoint(
        "two-way-rate-support",
        "post",
        rate_url("support"),
        only(["manager"], 302, 403, anonymous=302),
        covers="evaluation:two-way-rate",
        data=page_rating("support"),
    ),
)
