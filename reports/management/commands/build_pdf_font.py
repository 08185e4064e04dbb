"""``manage.py build_pdf_font``: prepare the PDF font once, at setup (see ``reports/fonts.py``)."""

from django.core.management.base import BaseCommand, CommandError
from fontTools.ttLib import TTFont

from reports.fonts import SOURCE_FONT, build_pdf_font, pdf_font_path


class Command(BaseCommand):
    help = "Build the TrueType subset of WenQuanYi Zen Hei that every PDF report uses (skipped if present)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rebuild even if the font already exists.")

    def handle(self, *args, force=False, **options):
        path = pdf_font_path()
        if path.exists() and not force:
            self.stdout.write(f"PDF font already built: {path}")
            return
        if not SOURCE_FONT.exists():
            raise CommandError(f"Source font {SOURCE_FONT} is missing: install the Debian package fonts-wqy-zenhei.")
        build_pdf_font(path)
        glyphs = TTFont(path, lazy=True)["maxp"].numGlyphs
        size_mb = path.stat().st_size / 1_000_000
        self.stdout.write(self.style.SUCCESS(f"PDF font built: {path} ({glyphs} glyphs, {size_mb:.1f} MB)"))
