"""The font of every PDF: a small TrueType subset of WenQuanYi Zen Hei, with the complete font behind it.

WeasyPrint subsets each font a document uses on every render, and that subsetting is nearly all
of a render's time with a full CJK font (measured in the project's shared notes). So the setup builds, once, a
subset covering ASCII, Latin-1, common punctuation, full-width forms and GB2312 (about 7,600
glyphs, a few MB), renamed "PortalSans" so that fontconfig never mistakes it for the complete
font. The complete system font stays second in the family list: a rare character of a person's
name falls back to it instead of vanishing, at the cost of subsetting it for that document only.
"""

import os
from pathlib import Path

from django.conf import settings
from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
SOURCE_FONT_NUMBER = 0  # "WenQuanYi Zen Hei"; 1 and 2 are its Mono and Sharp cuts
FALLBACK_FAMILY = "WenQuanYi Zen Hei"
FAMILY = "PortalSans"
FILENAME = "portal-sans.ttf"

# The font-family value every part of a PDF uses: page, margin boxes and SVG text alike.
FONT_STACK = f'"{FAMILY}", "{FALLBACK_FAMILY}"'

EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement: ×, ·, °, ², ¥
    (0x2000, 0x206F),  # general punctuation: dashes, quotes, ellipsis
    (0x2100, 0x214F),  # letterlike symbols: ℃, №
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators: ≤, ≥, √
    (0x2460, 0x24FF),  # enclosed numbers: ①
    (0x25A0, 0x26FF),  # geometric shapes and symbols: ●, ■, ★, ✓'s neighbours
    (0x2713, 0x2717),  # check and cross marks: ✓, ✗
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3300, 0x33FF),  # CJK compatibility: ㎡
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]


def gb2312_characters() -> set[str]:
    """Every character of GB2312: each valid two-byte code (rows and cells 0xA1-0xFE) decoded."""
    characters = set()
    for row in range(0xA1, 0xFF):
        for cell in range(0xA1, 0xFF):
            try:
                characters.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return characters


def subset_codepoints() -> set[int]:
    """The code points the subset keeps (those the source font lacks are simply skipped)."""
    codepoints = {ord(c) for c in gb2312_characters()}
    for first, last in EXTRA_RANGES:
        codepoints.update(range(first, last + 1))
    return codepoints


def pdf_font_path() -> Path:
    """Where the subset lives: ``settings.PDF_FONT_DIR/portal-sans.ttf``."""
    return Path(settings.PDF_FONT_DIR) / FILENAME


def build_pdf_font(path: Path | None = None) -> Path:
    """Build the subset from the system font and write it to ``path`` (atomically); return the path."""
    path = path or pdf_font_path()
    font = TTFont(SOURCE_FONT, fontNumber=SOURCE_FONT_NUMBER)
    options = subset.Options(hinting=False, notdef_outline=True, name_IDs=[0, 1, 2, 3, 4, 5, 6, 13, 14])
    options.drop_tables += ["BDF", "FFTM"]  # FontForge's bitmap and timestamp tables: unused, unsubsettable
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset_codepoints())
    subsetter.subset(font)
    rename_family(font, FAMILY)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    font.save(partial)  # no flavor: plain TrueType (glyf) outlines
    os.replace(partial, path)  # concurrent builders never leave a half-written font behind
    return path


def rename_family(font: TTFont, family: str) -> None:
    """Give ``font`` its own family name in every language, so it cannot shadow the source font."""
    names = font["name"]
    for name_id in (1, 3, 4, 6, 16, 17):
        names.removeNames(nameID=name_id)
    for name_id, value in ((1, family), (3, f"{family}-Regular"), (4, family), (6, f"{family}-Regular")):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)


def ensure_pdf_font() -> Path:
    """The subset's path, building it first if the setup has not."""
    path = pdf_font_path()
    if not path.exists():
        build_pdf_font(path)
    return path


def pdf_font_css() -> str:
    """The CSS that declares the subset and gives every page, margin box and element the font stack."""
    return (
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{ensure_pdf_font().as_uri()}") format("truetype"); }}\n'
        f"@page {{ font-family: {FONT_STACK}; }}\n"
        f"html {{ font-family: {FONT_STACK}; }}\n"
    )
