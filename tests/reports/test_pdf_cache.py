"""What a worker keeps between renders: the font configuration and the parsed stylesheets, until the font changes."""

import os
import shutil

from reports.fonts import ensure_pdf_font
from reports.rendering import cached_stylesheet, html_to_pdf, pdf_fonts


def test_renders_in_one_thread_share_the_font_configuration_and_stylesheets():
    """Given two renders in a thread, the second declares no font and parses no stylesheet again."""
    html_to_pdf("<p>社工站</p>")
    fonts = pdf_fonts()
    sheet = cached_stylesheet("reports/pdf/_periodic_style.html", {"page_counter": '"1"'})

    html_to_pdf("<p>月报</p>", stylesheets=[sheet])

    assert pdf_fonts() is fonts
    assert cached_stylesheet("reports/pdf/_periodic_style.html", {"page_counter": '"1"'}) is sheet
    assert cached_stylesheet("reports/pdf/_periodic_style.html", {"page_counter": '"2"'}) is not sheet


def test_a_rebuilt_font_is_declared_again(settings, tmp_path):
    """Given a font file changed since the last render, the next render starts a new font configuration."""
    shutil.copy(ensure_pdf_font(), tmp_path / "portal-sans.ttf")
    settings.PDF_FONT_DIR = tmp_path
    font_config, _font_css = pdf_fonts()
    path = tmp_path / "portal-sans.ttf"
    stat = path.stat()

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    assert pdf_fonts()[0] is not font_config
