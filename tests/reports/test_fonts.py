"""The PDF font: a TrueType GB2312 subset of WenQuanYi Zen Hei with the complete font behind it."""

from io import StringIO

from django.core.management import call_command
from fontTools.ttLib import TTFont

from reports.fonts import FALLBACK_FAMILY, FAMILY, ensure_pdf_font, gb2312_characters, pdf_font_css


def test_gb2312_has_its_7445_characters():
    """GB2312 decodes to 6,763 hanzi plus 682 other symbols."""
    characters = gb2312_characters()

    assert len(characters) == 7445
    assert {"嘉", "兴", "社", "（", "①"} <= characters and "䶮" not in characters


def test_the_subset_is_truetype_under_its_own_name_and_covers_gb2312():
    """The built font has glyf outlines, the family PortalSans only, and every GB2312 and ASCII character."""
    font = TTFont(ensure_pdf_font())

    cmap = font.getBestCmap()
    assert "glyf" in font and "CFF " not in font
    assert {record.toUnicode() for record in font["name"].names if record.nameID == 1} == {FAMILY}
    assert all(ord(c) in cmap for c in gb2312_characters())
    assert all(code in cmap for code in range(0x20, 0x7F))
    assert ord("䶮") not in cmap


def test_the_font_css_puts_the_subset_first_and_the_complete_font_behind_it():
    """Pages, margin boxes and elements all get the subset, then WenQuanYi Zen Hei for rare characters."""
    css = pdf_font_css()

    assert f'@font-face {{ font-family: "{FAMILY}"; src: url("file://' in css
    stack = f'font-family: "{FAMILY}", "{FALLBACK_FAMILY}";'
    assert f"@page {{ {stack} }}" in css and f"html {{ {stack} }}" in css


def test_build_pdf_font_builds_once_and_then_leaves_the_font_alone(settings, tmp_path):
    """Given no font, the command builds it; run again, it keeps the existing file."""
    settings.PDF_FONT_DIR = tmp_path
    call_command("build_pdf_font", stdout=StringIO())
    built = tmp_path / "portal-sans.ttf"
    first_build = built.stat().st_mtime_ns

    output = StringIO()
    call_command("build_pdf_font", stdout=output)

    assert "already built" in output.getvalue()
    assert built.stat().st_mtime_ns == first_build
    assert TTFont(built)["maxp"].numGlyphs > 7445


def test_build_pdf_font_force_rebuilds(settings, tmp_path):
    """Given a font already there, ``--force`` builds it again."""
    settings.PDF_FONT_DIR = tmp_path
    (tmp_path / "portal-sans.ttf").write_bytes(b"stale")

    call_command("build_pdf_font", force=True, stdout=StringIO())

    assert "glyf" in TTFont(tmp_path / "portal-sans.ttf")
