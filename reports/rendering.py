"""Turning a report job into its PDF: gather the figures, fill the template, lay it out with WeasyPrint.

Runs in the Celery worker, never in a web request. Every figure comes from a function here or
in the models, so the template only places what it is given.
"""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from evaluation.models import Evaluation
from services.rules import Portfolio, VisitProgress, portfolio_check, visit_progress
from staffing.rules import station_compliance
from staffing.selectors import CheckRow, check_rows
from stations.models import OperatingContract, Region, Station
from stations.rules import Checklist, station_checklist

from .choices import ReportKind
from .fonts import FONT_STACK, ensure_pdf_font, pdf_font_css, pdf_font_path
from .models import Report


@dataclass(frozen=True)
class Bar:
    """One horizontal bar of a chart, already placed (SVG user units)."""

    label: str
    value: int
    colour: str
    y: int
    text_y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    """A small horizontal bar chart drawn as SVG on the server: labels left, bars on a grey track."""

    bars: list[Bar]
    width: int
    height: int
    label_x: int
    plot_x: int
    plot_width: int
    bar_height: int


def bar_chart(values: list[tuple[str, int, str]], *, scale_to: int) -> BarChart:
    """Place ``(label, value, colour)`` bars on a common scale whose full length stands for ``scale_to``."""
    plot_x, plot_width, bar_height, gap = 70, 220, 16, 8
    bars = []
    for index, (label, value, colour) in enumerate(values):
        y = gap + index * (bar_height + gap)
        width = round(plot_width * value / scale_to) if scale_to else 0
        bars.append(Bar(label, value, colour, y=y, text_y=y + bar_height - 4, width=width, value_x=plot_x + width + 6))
    return BarChart(
        bars=bars,
        width=plot_x + plot_width + 36,
        height=gap + len(bars) * (bar_height + gap),
        label_x=plot_x - 8,
        plot_x=plot_x,
        plot_width=plot_width,
        bar_height=bar_height,
    )


def checklist_chart(checklist: Checklist) -> BarChart:
    """Items met against items not met."""
    return bar_chart(
        [(_("Met"), checklist.met, "#2e7d32"), (_("Not met"), checklist.not_met, "#c62828")],
        scale_to=checklist.total,
    )


@dataclass(frozen=True)
class StationProfile:
    """Everything the station profile shows, gathered in a handful of queries."""

    station: Station
    township_chain: list[Region]
    contract: OperatingContract | None
    communities: list[Region]
    checklist: Checklist
    chart: BarChart
    on: date
    staffing: list[CheckRow]  # the staffing standard rule by rule, worded as on the roster page
    portfolio: Portfolio  # this year's "123X"
    visits: VisitProgress  # key-target visits: last month's final rate, this month's so far


def station_profile(station: Station, *, on: date | None = None) -> StationProfile:
    """The profile of ``station`` as of ``on`` (today by default): place, operator, contract, checklist, staffing
    standard, 123X portfolio and key-target visits, each from the rule the pages use."""
    on = on or timezone.localdate()
    station = Station.objects.select_related("township", "supervisor").get(pk=station.pk)
    contract = OperatingContract.objects.current(on).filter(station=station).select_related("operator").first()
    checklist = station_checklist(station)
    return StationProfile(
        station=station,
        township_chain=[*station.township.ancestors(), station.township],
        contract=contract,
        communities=list(station.communities.order_by("path")),
        checklist=checklist,
        chart=checklist_chart(checklist),
        on=on,
        staffing=check_rows(station_compliance(station=station, on=on)),
        portfolio=portfolio_check(station=station, year=on.year),
        visits=visit_progress(station=station, on=on),
    )


def page_counter_content() -> str:
    """The CSS ``content`` value of the page footer, e.g. "Page " counter(page) " of " counter(pages)."""
    template = css_string(_("Page %(page)s of %(pages)s"))
    return template % {"page": '" counter(page) "', "pages": '" counter(pages) "'}


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


class FontOnlyFetcher(URLFetcher):
    """Fetches the PDF font and nothing else: a report never reaches the network or other files."""

    def fetch(self, url, headers=None):
        if url != pdf_font_path().as_uri():
            raise ValueError(f"Refusing to fetch {url} while rendering a report")
        return super().fetch(url, headers)


# What a thread (a worker process renders in one) keeps between renders: the font configuration with the portal's
# font declared, and parsed stylesheets. Declaring the font and parsing the same CSS on every render is a fixed
# cost of each report, most of a small one's; a font rebuilt since (another path or modification time) starts over.
_cache = threading.local()


def _font_key() -> tuple[str, int]:
    path = ensure_pdf_font()
    return str(path), path.stat().st_mtime_ns


def _thread_cache() -> dict:
    key = _font_key()
    if getattr(_cache, "key", None) != key:
        _cache.key, _cache.entries = key, {}
    return _cache.entries


def pdf_fonts() -> tuple[FontConfiguration, CSS]:
    """The font configuration every PDF of this thread lays out with, and the stylesheet declaring the font."""
    entries = _thread_cache()
    if "fonts" not in entries:
        font_config = FontConfiguration()
        font_css = CSS(string=pdf_font_css(), font_config=font_config, url_fetcher=FontOnlyFetcher())
        entries["fonts"] = (font_config, font_css)
    return entries["fonts"]


def cached_stylesheet(template_name: str, context: dict) -> CSS:
    """The CSS template ``template_name`` filled with ``context`` (plain strings) and parsed, once per thread,
    language and context. Passed to ``html_to_pdf`` it is of the user origin: a ``<style>`` in the document wins."""
    font_config, _font_css = pdf_fonts()
    key = ("css", template_name, translation.get_language(), tuple(sorted(context.items())))
    entries = _thread_cache()
    if key not in entries:
        entries[key] = CSS(
            string=render_to_string(template_name, context), font_config=font_config, url_fetcher=FontOnlyFetcher()
        )
    return entries[key]


def html_to_pdf(html: str, *, stylesheets: Sequence[CSS] = ()) -> bytes:
    """Lay out ``html`` as an A4 PDF with the portal's font (and ``stylesheets``, parsed by ``cached_stylesheet``)."""
    font_config, font_css = pdf_fonts()
    document = HTML(string=html, url_fetcher=FontOnlyFetcher())
    return document.write_pdf(stylesheets=[font_css, *stylesheets], font_config=font_config)


def render_station_profile(report: Report) -> bytes:
    """The station profile PDF of ``report.station``."""
    context = {
        "profile": station_profile(report.station),
        "report": report,
        "generated_at": timezone.localtime(),
        "font_stack": FONT_STACK,
        "page_counter": page_counter_content(),
    }
    return html_to_pdf(render_to_string("reports/station_profile.html", context))


def render_evaluation(report: Report) -> bytes:
    """The result PDF of ``report.evaluation``: scores by dimension with the portal's facts, comments, amendments
    and the signature lines, read by the same ``evaluation_sheet`` as the evaluation's page."""
    from evaluation.selectors import evaluation_sheet, evaluation_with_history

    evaluation = evaluation_with_history(Evaluation.objects.filter(pk=report.evaluation_id)).get()
    context = {
        "sheet": evaluation_sheet(evaluation),
        "township_chain": [*evaluation.station.township.ancestors(), evaluation.station.township],
        "amendments": list(evaluation.amendments.all()),
        "star_range": range(evaluation.stars or 0),
        "report": report,
        "generated_at": timezone.localtime(),
        "font_stack": FONT_STACK,
        "page_counter": page_counter_content(),
    }
    return html_to_pdf(render_to_string("reports/evaluation.html", context))


def render_periodic(report: Report) -> bytes:
    """A monthly or quarterly report (``reports.periodic``, which builds on this module)."""
    from .periodic import PERIODIC_RENDERERS

    return PERIODIC_RENDERERS[report.kind](report)


RENDERERS: dict[str, Callable[[Report], bytes]] = {
    ReportKind.STATION_PROFILE: render_station_profile,
    ReportKind.EVALUATION: render_evaluation,
    ReportKind.MONTHLY: render_periodic,
    ReportKind.QUARTERLY: render_periodic,
}


def render_report_pdf(report: Report) -> bytes:
    """The PDF of ``report``, in the portal's language, by the renderer of its kind."""
    renderer = RENDERERS.get(report.kind)
    if renderer is None:
        raise ValueError(f"No renderer for report kind {report.kind!r}")
    with translation.override(settings.LANGUAGE_CODE):
        return renderer(report)
