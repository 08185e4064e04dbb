"""Evaluation policies and scorecard templates in the permission matrix (tests/matrix.py): every endpoint and page.

Targets (``build``): a draft scorecard of city A (two indicators, 100 points, nothing uses it) and city A's
evaluation policy for this year. Scorecards are read by everyone signed in, the outsider too (published criteria);
they are kept by the administrator and by officials of the template's region or above (the county official may
not touch city A's draft: 403 in the API, 404 on its edit page). Policies follow the staffing policies' pattern.
"""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation.models import Dimension, EvaluationPolicy, Indicator, ScorecardTemplate
from evaluation.rules.templates import template_export_xlsx
from reports.spreadsheets import XLSX
from tests.matrix import Endpoint, only, register_api, register_pages, statuses

WATCHED = [EvaluationPolicy, ScorecardTemplate, Dimension, Indicator]
KEEPERS = ["admin", "city"]  # of city A's draft
MAKERS = ["admin", "city", "county"]  # officials with the right to draft scorecards and set policies


def build(world) -> None:
    """City A's draft scorecard (100 points, unused) and city A's evaluation policy for this year."""
    template = ScorecardTemplate.objects.create(
        code="matrix-draft", version=1, name="甲市社工站评估（草稿）", region=world.regions["A"]
    )
    dimension = Dimension.objects.create(template=template, order=1, code="A", name="服务内容")
    for order, (code, points) in enumerate([("A1", "60"), ("A2", "40")], start=1):
        Indicator.objects.create(
            template=template,
            dimension=dimension,
            order=order,
            code=code,
            name=f"指标{code}",
            max_points=Decimal(points),
        )
    world.extra.update(
        draft_template=template,
        evaluation_policy=EvaluationPolicy.objects.create(region=world.regions["A"], year=date.today().year),
    )


def draft(w):
    return w.extra["draft_template"].pk


def shipped(w):
    return ScorecardTemplate.objects.get(code="station-evaluation", version=1).pk


def policy(w):
    return w.extra["evaluation_policy"].pk


def tree() -> list[dict]:
    return [
        {
            "code": "A",
            "name": "服务内容",
            "indicators": [{"code": "A1", "name": "重点对象探访", "max_points": "100.0", "source": "visits"}],
        }
    ]


def upload(w) -> SimpleUploadedFile:
    return SimpleUploadedFile("评分表.xlsx", template_export_xlsx(w.extra["draft_template"]), XLSX)


register_api(
    Endpoint(
        "scorecard-template-list",
        "get",
        lambda w: "/api/v1/scorecard-templates/",
        statuses(200),
        covers="api:scorecard-template-list",
    ),
    Endpoint(
        "scorecard-template-detail",
        "get",
        lambda w: f"/api/v1/scorecard-templates/{draft(w)}/",
        statuses(200),
        covers="api:scorecard-template-detail",
    ),
    Endpoint(
        # County A1: the outsider (city B) drafts scorecards, but A1 is not a region it can name (400).
        "scorecard-template-create",
        "post",
        lambda w: "/api/v1/scorecard-templates/",
        only(MAKERS, 201, 403, outsider=400),
        covers="api:scorecard-template-list",
        data=lambda w: {
            "code": "county-a1",
            "name": "甲一县社工站评估",
            "purpose": "evaluation",
            "region": w.regions["A1"].pk,
            "dimensions": tree(),
        },
    ),
    Endpoint(
        "scorecard-template-update",
        "patch",
        lambda w: f"/api/v1/scorecard-templates/{draft(w)}/",
        only(KEEPERS, 200, 403),
        covers="api:scorecard-template-detail",
        data=lambda w: {"name": "甲市社工站评估（修订）", "dimensions": tree()},
    ),
    Endpoint(
        "scorecard-template-delete",
        "delete",
        lambda w: f"/api/v1/scorecard-templates/{draft(w)}/",
        only(["admin"], 204, 403),
        covers="api:scorecard-template-detail",
    ),
    Endpoint(
        "scorecard-template-new-version",
        "post",
        lambda w: f"/api/v1/scorecard-templates/{draft(w)}/new-version/",
        only(KEEPERS, 201, 403),
        covers="api:scorecard-template-new-version",
        data=lambda w: {},
    ),
    Endpoint(
        "scorecard-template-activate",
        "post",
        lambda w: f"/api/v1/scorecard-templates/{draft(w)}/activate/",
        only(KEEPERS, 200, 403),
        covers="api:scorecard-template-activate",
    ),
    Endpoint(
        # A draft is not in force: retiring it is a step out of order (409) for those who keep it.
        "scorecard-template-retire",
        "post",
        lambda w: f"/api/v1/scorecard-templates/{draft(w)}/retire/",
        only(KEEPERS, 409, 403),
        covers="api:scorecard-template-retire",
    ),
    Endpoint(
        "scorecard-template-export",
        "get",
        lambda w: f"/api/v1/scorecard-templates/{draft(w)}/export/",
        statuses(200),
        covers="api:scorecard-template-export",
    ),
    Endpoint(
        "scorecard-template-import",
        "post",
        lambda w: "/api/v1/scorecard-templates/import/",
        only(MAKERS, 201, 403, outsider=400),
        covers="api:scorecard-template-import",
        data=lambda w: {"file": upload(w), "region": w.regions["A1"].pk},
        multipart=True,
    ),
    Endpoint(
        "scorecard-template-diff",
        "get",
        lambda w: f"/api/v1/scorecard-templates/{draft(w)}/diff/?against={shipped(w)}",
        statuses(200),
        covers="api:scorecard-template-diff",
    ),
    # --- evaluation policies ----------------------------------------------------------------------
    Endpoint(
        "evaluation-policy-list",
        "get",
        lambda w: "/api/v1/evaluation-policies/",
        statuses(200),
        covers="api:evaluation-policy-list",
        listed=policy,
    ),
    Endpoint(
        "evaluation-policy-detail",
        "get",
        lambda w: f"/api/v1/evaluation-policies/{policy(w)}/",
        statuses(200, outsider=404),
        covers="api:evaluation-policy-detail",
    ),
    Endpoint(
        "evaluation-policy-history",
        "get",
        lambda w: f"/api/v1/evaluation-policies/{policy(w)}/history/",
        statuses(200, outsider=404),
        covers="api:evaluation-policy-history",
    ),
    Endpoint(
        "evaluation-policy-create",
        "post",
        lambda w: "/api/v1/evaluation-policies/",
        only(MAKERS, 201, 403, outsider=400),
        covers="api:evaluation-policy-list",
        data=lambda w: {"region": w.regions["A1"].pk, "year": date.today().year, "excellent_min": "92.0"},
    ),
    Endpoint(
        "evaluation-policy-update",
        "patch",
        lambda w: f"/api/v1/evaluation-policies/{policy(w)}/",
        # The county official reads the city's policy (it applies to them) but may not change it.
        only(KEEPERS, 200, 403, outsider=404),
        covers="api:evaluation-policy-detail",
        data=lambda w: {"excellent_min": "91.0"},
    ),
    Endpoint(
        "evaluation-policy-delete",
        "delete",
        lambda w: f"/api/v1/evaluation-policies/{policy(w)}/",
        only(["admin"], 204, 403),
        covers="api:evaluation-policy-detail",
    ),
)


def page(name, method, url, expect, covers, data=None):
    return Endpoint(name, method, url, expect, covers, data=data)


def edit_form(w) -> dict:
    return {
        "template-name": "甲市社工站评估（修订）",
        "template-purpose": "evaluation",
        "template-description": "",
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "500",
        "rows-0-dimension_code": "A",
        "rows-0-dimension_name": "服务内容",
        "rows-0-code": "A1",
        "rows-0-name": "重点对象探访",
        "rows-0-max_points": "100",
        "rows-0-source": "visits",
    }


def policy_figures() -> dict:
    return {
        "excellent_min": "90",
        "good_min": "80",
        "pass_min": "60",
        "five_stars_min": "95",
        "four_stars_min": "90",
        "three_stars_min": "80",
        "two_stars_min": "70",
        "one_star_min": "60",
    }


register_pages(
    page(
        "template-list",
        "get",
        lambda w: "/evaluation/templates/",
        statuses(200, anonymous=302),
        "evaluation:template-list",
    ),
    page(
        "template-detail",
        "get",
        lambda w: f"/evaluation/templates/{draft(w)}/",
        statuses(200, anonymous=302),
        "evaluation:template-detail",
    ),
    page(
        "template-activate",
        "post",
        lambda w: f"/evaluation/templates/{draft(w)}/",
        only(KEEPERS, 302, 403, anonymous=302),
        "evaluation:template-detail",
        data=lambda w: {"action": "activate"},
    ),
    page(
        # The county and the outsider may not keep city A's draft: their copy goes to their own region.
        "template-new-version",
        "post",
        lambda w: f"/evaluation/templates/{draft(w)}/",
        only(MAKERS + ["outsider"], 302, 403, anonymous=302),
        "evaluation:template-detail",
        data=lambda w: {"action": "new_version"},
    ),
    page(
        "template-edit-form",
        "get",
        lambda w: f"/evaluation/templates/{draft(w)}/edit/",
        only(KEEPERS, 200, 403, anonymous=302, county=404, outsider=404),
        "evaluation:template-edit",
    ),
    page(
        "template-edit",
        "post",
        lambda w: f"/evaluation/templates/{draft(w)}/edit/",
        only(KEEPERS, 302, 403, anonymous=302, county=404, outsider=404),
        "evaluation:template-edit",
        data=edit_form,
    ),
    page(
        "template-diff",
        "get",
        lambda w: f"/evaluation/templates/{draft(w)}/diff/?against={shipped(w)}",
        statuses(200, anonymous=302),
        "evaluation:template-diff",
    ),
    page(
        "template-export",
        "get",
        lambda w: f"/evaluation/templates/{draft(w)}/export/",
        statuses(200, anonymous=302),
        "evaluation:template-export",
    ),
    page(
        "template-import-form",
        "get",
        lambda w: "/evaluation/templates/import/",
        only(MAKERS + ["outsider"], 200, 403, anonymous=302),
        "evaluation:template-import",
    ),
    page(
        # County A1: the outsider may import, but A1 is not among its regions (the form comes back).
        "template-import",
        "post",
        lambda w: "/evaluation/templates/import/",
        only(MAKERS, 302, 403, anonymous=302, outsider=200),
        "evaluation:template-import",
        data=lambda w: {"file": upload(w), "region": w.regions["A1"].pk},
    ),
    page(
        "evaluation-policies",
        "get",
        lambda w: "/evaluation/policies/",
        statuses(200, anonymous=302),
        "evaluation:policy-list",
    ),
    page(
        "evaluation-policy-create-form",
        "get",
        lambda w: "/evaluation/policies/new/",
        only(MAKERS + ["outsider"], 200, 403, anonymous=302),
        "evaluation:policy-create",
    ),
    page(
        "evaluation-policy-create",
        "post",
        lambda w: "/evaluation/policies/new/",
        only(MAKERS, 302, 403, anonymous=302, outsider=200),
        "evaluation:policy-create",
        data=lambda w: {"region": w.regions["A1"].pk, "year": "2030", **policy_figures()},
    ),
    page(
        "evaluation-policy-edit-form",
        "get",
        lambda w: f"/evaluation/policies/{policy(w)}/edit/",
        only(KEEPERS, 200, 403, anonymous=302, county=404, outsider=404),
        "evaluation:policy-edit",
    ),
    page(
        "evaluation-policy-edit",
        "post",
        lambda w: f"/evaluation/policies/{policy(w)}/edit/",
        only(KEEPERS, 302, 403, anonymous=302, county=404, outsider=404),
        "evaluation:policy-edit",
        data=lambda w: {**policy_figures(), "excellent_min": "91"},
    ),
)
