"""The station profile PDF: its text is really there, in the portal's font, rare characters included."""

import re

import pytest
from django.utils import translation

from reports.models import Report
from reports.rendering import page_counter_content, render_report_pdf, station_checklist
from stations.models import StandardItem

from .pdftools import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def test_profile_pdf_shows_the_station_in_chinese_and_embeds_only_the_subset(station, profile_report, tmp_path):
    """Given a station whose text is all GB2312, when its profile is rendered, then one font is embedded: ours."""
    pdf = render_report_pdf(profile_report)

    text = pdf_text(pdf, tmp_path)
    assert pdf.startswith(b"%PDF")
    for expected in (
        "建设街道社会工作站",
        "嘉兴市 / 南湖区 / 建设街道",
        "南湖区同心社会工作服务中心",
        "52330402MJ2630976",
        "4A",
        "东湖社区",
        "整改中",
        "2 / 10",
    ):
        assert expected in text
    fonts = pdf_fonts(pdf, tmp_path)
    assert len(fonts) == 1
    [(name, embedded)] = fonts.items()
    assert name.startswith("PortalSans") and embedded == "yes"


def test_profile_pdf_draws_a_rare_character_with_the_complete_font(station, profile_report, tmp_path):
    """Given a station named with 䶮 (outside GB2312), when rendered, then 䶮 is in the text, from WenQuanYi."""
    station.name = "建设街道䶮山社会工作站"
    station.save()

    pdf = render_report_pdf(profile_report)

    assert "建设街道䶮山社会工作站" in pdf_text(pdf, tmp_path)
    fonts = pdf_fonts(pdf, tmp_path)
    assert sorted(name.split("-")[0] for name in fonts) == ["PortalSans", "WenQuanYi"]
    assert set(fonts.values()) == {"yes"}


def test_checklist_counts_items_never_assessed_as_not_met(station):
    """Given 3 of the 10 items assessed (2 met), the checklist is 2 met, 8 not met, of 10."""
    checklist = station_checklist(station)

    assert (checklist.met, checklist.not_met, checklist.total) == (2, 8, StandardItem.objects.count())
    assert sum(not row.assessed for row in checklist.rows) == 7


def test_page_counter_is_a_css_content_value():
    """The footer text is a CSS string with the page counters spliced in, in the active language."""
    with translation.override("en"):
        assert page_counter_content() == '"Page " counter(page) " of " counter(pages) ""'
    with translation.override("zh-hans"):
        assert page_counter_content() == '"第 " counter(page) " 页，共 " counter(pages) " 页"'


def test_unknown_report_kind_is_refused(station):
    """A kind without a renderer fails loudly instead of producing an empty file."""
    with pytest.raises(ValueError, match="No renderer"):
        render_report_pdf(Report(kind="annual", station=station))


def test_profile_pdf_states_the_staffing_rules_the_portfolio_and_the_visit_rate_as_the_pages_do(
    station, profile_report, tmp_path
):
    """The same rule functions and wording as the roster and portfolio pages: nobody on staff, no project."""
    text = pdf_text(render_report_pdf(profile_report), tmp_path)
    for expected in (
        "人员配备标准",
        "专职人员",  # a rule, labelled as on the roster page
        "未录入平均工资",  # the salary floor while the average wage is unknown
        "缺少核心项目",  # the first problem of an empty 123X portfolio, as on the portfolio page
        "重点对象探访率（全月）",  # last month's final rate leads
        "本月截至",  # this month's is progress, not a verdict
    ):
        assert expected in text, expected
    assert re.search(r"专职人员\s+≥\s?6\s+0\s+× 未达标", text)
