"""Scorecard templates: activation at 100 points, freezing, new versions, diff, Excel import and export."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from evaluation.models import Dimension, Indicator, ScorecardTemplate
from evaluation.rules.templates import (
    Frozen,
    template_activate,
    template_diff,
    template_export_xlsx,
    template_import_xlsx,
    template_new_version,
    template_rows,
)
from evaluation.rules.workflow import Conflict
from reports.spreadsheets import XLSX
from tests.evaluation.matrix_policies_templates import build


def draft_of(world, points: list[str], code: str = "test-card") -> ScorecardTemplate:
    """A draft of city A whose indicators carry ``points``."""
    template = ScorecardTemplate.objects.create(code=code, version=1, name="测试评分表", region=world.regions["A"])
    dimension = Dimension.objects.create(template=template, order=1, code="A", name="服务内容")
    for order, value in enumerate(points, start=1):
        Indicator.objects.create(
            template=template,
            dimension=dimension,
            order=order,
            code=f"A{order}",
            name=f"指标{order}",
            max_points=Decimal(value),
            guidance=f"指引{order}",
            evidence_expected=f"材料{order}",
            source="visits" if order == 1 else "",
        )
    return template


def shipped() -> ScorecardTemplate:
    return ScorecardTemplate.objects.get(code="station-evaluation", version=1)


def tree_of(template) -> list[tuple]:
    return [tuple(row.__dict__.values()) for row in template_rows(template)]


# --- activation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("last", ["39.9", "40.1"])
def test_a_draft_short_of_or_over_100_points_does_not_activate(world, last):
    template = draft_of(world, ["60", last])

    with pytest.raises(ValidationError) as refused:
        template_activate(template=template, user=world.users["city"])

    assert "max_points" in refused.value.message_dict
    assert str(Decimal("60") + Decimal(last)) in refused.value.message_dict["max_points"][0]
    template.refresh_from_db()
    assert template.status == "draft"


def test_a_draft_of_exactly_100_points_activates(world):
    template = draft_of(world, ["60", "40.0"])

    template_activate(template=template, user=world.users["city"])

    template.refresh_from_db()
    assert template.status == "active" and template.activated_at is not None


def test_activating_retires_the_active_version_of_the_same_code_and_region(world):
    first = draft_of(world, ["100"])
    template_activate(template=first, user=world.users["city"])
    second = template_new_version(template=first, user=world.users["city"])
    national = shipped()

    template_activate(template=second, user=world.users["city"])

    first.refresh_from_db()
    national.refresh_from_db()
    assert first.status == "retired"
    assert national.status == "active"  # another code, and national


def test_only_a_draft_activates(world):
    template = draft_of(world, ["100"])
    template_activate(template=template, user=world.users["city"])

    with pytest.raises(Conflict):
        template_activate(template=template, user=world.users["city"])


def test_an_official_below_the_template_region_may_not_activate_it(world):
    template = draft_of(world, ["100"])

    with pytest.raises(Exception) as refused:
        template_activate(template=template, user=world.users["county"])

    assert refused.type.__name__ == "PermissionDenied"


# --- frozen ----------------------------------------------------------------------------------------------------


def frozen_snapshot():
    return (
        list(ScorecardTemplate.objects.order_by("pk").values()),
        list(Dimension.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
    )


def test_the_shipped_template_is_in_use_by_the_worlds_assignment(world):
    from evaluation.rules.templates import template_in_use

    assert template_in_use(shipped())
    assert not template_in_use(draft_of(world, ["100"]))


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"name": "改名"}),
        ("put", "", {"code": "station-evaluation", "name": "改名", "purpose": "evaluation", "dimensions": []}),
        ("patch", "", {"dimensions": [{"code": "A", "name": "新", "indicators": []}]}),
        ("delete", "", None),
    ],
)
def test_every_write_to_a_frozen_template_is_409_and_changes_nothing(api_client_for, method, suffix, body):
    client = api_client_for("admin")
    template = shipped()
    before = frozen_snapshot()

    response = getattr(client, method)(f"/api/v1/scorecard-templates/{template.pk}/{suffix}", body, format="json")

    assert response.status_code == 409, response.content
    assert frozen_snapshot() == before


def test_an_active_template_not_in_use_is_also_frozen(world, api_client_for):
    template = draft_of(world, ["100"])
    template_activate(template=template, user=world.users["city"])
    before = frozen_snapshot()

    response = api_client_for("city").patch(
        f"/api/v1/scorecard-templates/{template.pk}/", {"name": "改名"}, format="json"
    )

    assert response.status_code == 409
    assert frozen_snapshot() == before


def test_the_edit_page_of_a_frozen_template_sends_back_to_its_page(world, client):
    client.force_login(world.users["admin"])
    template = shipped()
    before = frozen_snapshot()

    response = client.post(f"/evaluation/templates/{template.pk}/edit/", {"template-name": "改名"})

    assert response.status_code == 302
    assert response.url == f"/evaluation/templates/{template.pk}/"
    assert frozen_snapshot() == before


def test_frozen_is_a_conflict():
    assert issubclass(Frozen, Conflict)


# --- new version -----------------------------------------------------------------------------------------------


def test_new_version_copies_every_dimension_and_indicator_into_a_draft(world):
    original = shipped()

    copy = template_new_version(template=original, user=world.users["admin"])

    assert (copy.code, copy.version, copy.status, copy.previous_id) == (original.code, 2, "draft", original.pk)
    assert (copy.name, copy.purpose, copy.region_id, copy.description) == (
        original.name,
        original.purpose,
        original.region_id,
        original.description,
    )
    assert tree_of(copy) == tree_of(original)
    assert copy.indicators.count() == original.indicators.count() == 23
    assert not set(copy.indicators.values_list("pk", flat=True)) & set(original.indicators.values_list("pk", flat=True))
    assert template_diff(original, copy).empty


def test_a_city_official_makes_its_own_version_of_the_national_template(world, api_client_for):
    response = api_client_for("city").post(
        f"/api/v1/scorecard-templates/{shipped().pk}/new-version/", {"region": world.regions["A"].pk}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["region"] == world.regions["A"].pk
    assert response.json()["total_points"] == "100.0"


def test_a_city_official_may_not_version_the_national_template_as_national(world, api_client_for):
    response = api_client_for("city").post(f"/api/v1/scorecard-templates/{shipped().pk}/new-version/", {})

    assert response.status_code == 403
    assert ScorecardTemplate.objects.filter(code="station-evaluation").count() == 1


# --- diff ------------------------------------------------------------------------------------------------------


def test_diff_finds_each_kind_of_change(world):
    old = draft_of(world, ["40", "30", "30"])
    new = template_new_version(template=old, user=world.users["city"])
    a1, a2, a3 = (new.indicators.get(code=code) for code in ("A1", "A2", "A3"))
    renamed = new.dimensions.get()
    renamed.name = "服务成效"
    renamed.save()
    other = Dimension.objects.create(template=new, order=2, code="B", name="人员配备")
    a1.name, a1.max_points, a1.guidance, a1.evidence_expected, a1.source = "改名", Decimal("35"), "新指引", "新材料", ""
    a1.save()
    a2.dimension = other
    a2.save()
    a3.delete()
    Indicator.objects.create(template=new, dimension=other, order=2, code="B9", name="新增", max_points=Decimal("5"))

    diff = template_diff(old, new)

    assert [line.code for line in diff.added] == ["B9"]
    assert [line.code for line in diff.removed] == ["A3"]
    changed = {change.code: {item.field for item in change.changes} for change in diff.changed}
    assert changed == {
        "A1": {"name", "max_points", "guidance", "evidence_expected", "source"},
        "A2": {"dimension"},
    }
    assert [(r.code, r.old, r.new) for r in diff.dimensions_renamed] == [("A", "服务内容", "服务成效")]
    assert diff.dimensions_added == ["人员配备"]
    assert (diff.old_total, diff.new_total) == (Decimal("100"), Decimal("70"))


def test_the_diff_endpoint_compares_with_the_previous_version_by_default(world, api_client_for):
    old = draft_of(world, ["100"])
    new = template_new_version(template=old, user=world.users["city"])
    new.indicators.filter(code="A1").update(name="改名")

    response = api_client_for("worker").get(f"/api/v1/scorecard-templates/{new.pk}/diff/")

    assert response.status_code == 200
    assert response.json()["changed"][0]["changes"][0] == {
        "field": "name",
        "label": "名称",
        "old": "指标1",
        "new": "改名",
    }


def test_the_diff_page_lists_the_changes(world, client):
    old = draft_of(world, ["100"])
    new = template_new_version(template=old, user=world.users["city"])
    new.indicators.filter(code="A1").update(name="改了名的指标")
    client.force_login(world.users["township"])

    response = client.get(f"/evaluation/templates/{new.pk}/diff/")

    assert response.status_code == 200
    assert "改了名的指标" in response.content.decode()


# --- Excel -----------------------------------------------------------------------------------------------------


def workbook_file(content: bytes, name: str = "评分表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, XLSX)


def edited(content: bytes, edit) -> bytes:
    workbook = load_workbook(BytesIO(content))
    edit(workbook)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_export_then_import_makes_an_equal_next_version(world):
    original = shipped()

    result = template_import_xlsx(
        file=BytesIO(template_export_xlsx(original)), user=world.users["city"], region=world.regions["A"]
    )

    assert result.ok, result.errors
    copy = result.created
    assert (copy.code, copy.version, copy.previous_id, copy.status) == ("station-evaluation", 2, original.pk, "draft")
    assert (copy.name, copy.purpose, copy.description) == (original.name, original.purpose, original.description)
    assert tree_of(copy) == tree_of(original)
    assert template_diff(original, copy).empty


def test_an_import_with_several_bad_rows_lists_every_one_and_creates_nothing(world):
    def spoil(workbook):
        sheet = workbook.worksheets[1]
        sheet["E2"] = "很多"  # max points not a number
        sheet["E3"] = 2.55  # two decimals
        sheet["C5"] = "A1"  # an indicator code already on row 2
        sheet["D6"] = None  # no indicator name
        sheet["F7"] = "天气"  # no such portal fact
        sheet["B8"] = "别的名字"  # dimension B named otherwise than on row 7

    content = edited(template_export_xlsx(shipped()), spoil)
    before = ScorecardTemplate.objects.count(), Indicator.objects.count()

    result = template_import_xlsx(file=BytesIO(content), user=world.users["city"], region=world.regions["A"])

    assert result.created is None
    assert {(error.row, error.column) for error in result.errors} == {
        (2, "满分"),
        (3, "满分"),
        (5, "指标编码"),
        (6, "指标"),
        (7, "平台数据"),
        (8, "维度"),
    }
    assert all(error.messages and error.sheet == "指标" for error in result.errors)
    assert (ScorecardTemplate.objects.count(), Indicator.objects.count()) == before


def test_the_import_endpoint_answers_400_with_every_bad_row(world, api_client_for):
    def spoil(workbook):
        workbook.worksheets[1]["E2"] = -1
        workbook.worksheets[1]["A3"] = None

    content = edited(template_export_xlsx(shipped()), spoil)

    response = api_client_for("city").post(
        "/api/v1/scorecard-templates/import/",
        {"file": workbook_file(content), "region": world.regions["A"].pk},
        format="multipart",
    )

    assert response.status_code == 400
    assert [(error["row"], error["column"]) for error in response.json()["errors"]] == [(2, "满分"), (3, "维度编码")]
    assert ScorecardTemplate.objects.filter(code="station-evaluation").count() == 1


def test_a_file_that_is_not_a_workbook_is_a_file_error(world, api_client_for):
    response = api_client_for("city").post(
        "/api/v1/scorecard-templates/import/",
        {"file": workbook_file(b"not a workbook"), "region": world.regions["A"].pk},
        format="multipart",
    )

    assert response.status_code == 400
    assert "file" in response.json()


def test_the_import_page_lists_the_bad_rows(world, client):
    content = edited(template_export_xlsx(shipped()), lambda wb: wb.worksheets[1].__setitem__("E2", "x"))
    client.force_login(world.users["city"])

    response = client.post(
        "/evaluation/templates/import/", {"file": workbook_file(content), "region": world.regions["A"].pk}
    )

    assert response.status_code == 200
    assert 'id="import-errors"' in response.content.decode()
    assert ScorecardTemplate.objects.filter(code="station-evaluation").count() == 1


def test_export_writes_text_that_looks_like_a_formula_as_text(world):
    template = draft_of(world, ["100"])
    template.indicators.update(name='=HYPERLINK("http://x")')

    workbook = load_workbook(BytesIO(template_export_xlsx(template)))

    cell = workbook.worksheets[1]["D2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


# --- API writes ------------------------------------------------------------------------------------------------


def test_creating_a_template_writes_its_nested_tree_in_order(world, api_client_for):
    body = {
        "code": "county-a1",
        "name": "甲一县评估",
        "region": world.regions["A1"].pk,
        "dimensions": [
            {"code": "B", "name": "人员", "indicators": [{"code": "B1", "name": "社工", "max_points": "30.5"}]},
            {
                "code": "A",
                "name": "设施",
                "indicators": [
                    {"code": "A2", "name": "面积", "max_points": "50"},
                    {"code": "A1", "name": "标识", "max_points": "19.5", "source": "standard"},
                ],
            },
        ],
    }

    response = api_client_for("county").post("/api/v1/scorecard-templates/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["version"], data["status"], data["total_points"]) == (1, "draft", "100.0")
    assert [d["code"] for d in data["dimensions"]] == ["B", "A"]
    assert [i["code"] for i in data["dimensions"][1]["indicators"]] == ["A2", "A1"]


def test_a_duplicate_indicator_code_is_a_400(world, api_client_for):
    build(world)
    body = {
        "dimensions": [
            {
                "code": "A",
                "name": "设施",
                "indicators": [
                    {"code": "A1", "name": "一", "max_points": "50"},
                    {"code": "A1", "name": "二", "max_points": "50"},
                ],
            }
        ]
    }

    response = api_client_for("city").patch(
        f"/api/v1/scorecard-templates/{world.extra['draft_template'].pk}/", body, format="json"
    )

    assert response.status_code == 400
    assert "dimensions" in response.json()
    assert world.extra["draft_template"].indicators.count() == 2


def test_the_edit_page_saves_the_rows_of_a_draft(world, client):
    build(world)
    template = world.extra["draft_template"]
    client.force_login(world.users["city"])
    form = {
        "template-name": "新名字",
        "template-purpose": "evaluation",
        "rows-TOTAL_FORMS": "3",
        "rows-INITIAL_FORMS": "2",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "500",
        "rows-0-dimension_code": "A",
        "rows-0-dimension_name": "服务内容",
        "rows-0-code": "A1",
        "rows-0-name": "指标A1",
        "rows-0-max_points": "70",
        "rows-1-dimension_code": "A",
        "rows-1-dimension_name": "服务内容",
        "rows-1-code": "A2",
        "rows-1-name": "指标A2",
        "rows-1-max_points": "40",
        "rows-1-DELETE": "on",
        "rows-2-dimension_code": "B",
        "rows-2-dimension_name": "评价监督",
        "rows-2-code": "B1",
        "rows-2-name": "满意度",
        "rows-2-max_points": "30",
        "rows-2-source": "satisfaction",
    }

    response = client.post(f"/evaluation/templates/{template.pk}/edit/", form)

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "新名字"
    assert [(r.dimension_code, r.code, r.max_points, r.source) for r in template_rows(template)] == [
        ("A", "A1", "70.0", ""),
        ("B", "B1", "30.0", "satisfaction"),
    ]


def test_the_edit_page_shows_a_bad_row_on_its_field(world, client):
    build(world)
    template = world.extra["draft_template"]
    client.force_login(world.users["city"])
    form = {
        "template-name": "x",
        "template-purpose": "evaluation",
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "500",
        "rows-0-dimension_code": "A",
        "rows-0-dimension_name": "服务内容",
        "rows-0-code": "A1",
        "rows-0-name": "指标",
        "rows-0-max_points": "101",
    }

    response = client.post(f"/evaluation/templates/{template.pk}/edit/", form)

    assert response.status_code == 200
    assert response.context["rows_formset"].forms[0].errors["max_points"]
    assert template.indicators.count() == 2


# --- lists -----------------------------------------------------------------------------------------------------


def versions(world, count: int):
    template = draft_of(world, ["100"], code="many")
    for _ in range(count):
        template = template_new_version(template=template, user=world.users["city"])


def test_the_list_endpoint_keeps_a_fixed_query_count(world, api_client_for, django_assert_max_num_queries):
    versions(world, 8)
    client = api_client_for("worker")

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/scorecard-templates/")

    assert response.status_code == 200 and response.json()["count"] >= 12


def test_the_list_page_keeps_a_fixed_query_count(world, client, django_assert_max_num_queries):
    versions(world, 8)
    client.force_login(world.users["city"])

    with django_assert_max_num_queries(14):
        response = client.get("/evaluation/templates/")

    assert response.status_code == 200
    assert len(response.context["object_list"]) >= 12


def test_the_list_filters_by_purpose_and_status(world, api_client_for):
    response = api_client_for("worker").get("/api/v1/scorecard-templates/?purpose=operator_rating&status=active")

    assert [row["code"] for row in response.json()["results"]] == ["two-way-operator"]


def test_the_detail_page_shows_dimensions_with_subtotals_and_versions(world, client):
    copy = template_new_version(template=shipped(), user=world.users["admin"])
    client.force_login(world.users["evaluator"])

    response = client.get(f"/evaluation/templates/{copy.pk}/")

    assert response.status_code == 200
    sections = response.context["dimensions"]
    assert [s["dimension"].name for s in sections] == ["服务设施", "人员配备", "服务内容", "运行管理", "评价监督"]
    assert sum(s["subtotal"] for s in sections) == Decimal("100")
    assert [v.version for v in response.context["versions"]] == [2, 1]
