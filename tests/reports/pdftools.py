"""Reading a PDF back with poppler: its text (pdftotext) and its fonts (pdffonts)."""

import subprocess
from pathlib import Path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text poppler extracts from ``pdf``."""
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    """Fonts of ``pdf`` as {name without the subset tag: the "emb" column ("yes"/"no")}, from ``pdffonts``."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    fonts = {}
    for line in lines:
        name, *_, embedded, _subset, _unicode, _object, _generation = line.split()
        fonts[name.split("+", 1)[-1]] = embedded
    return fonts
