"""The zh-hans catalogue is complete and compiled, and English stays one switch away."""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def po_entries(text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a .po file, multi-line strings joined; plural forms take msgstr[0]."""
    entries = []
    for block in text.split("\n\n"):
        if "#~" in block or "\nmsgctxt " in f"\n{block}":
            continue  # obsolete entries are kept for history; contextual ones are checked by msgfmt
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            join = lambda s: "".join(re.findall(r'"(.*)"', s))  # noqa: E731
            entries.append((join(msgid.group(1)), join(msgstr.group(1))))
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = [(i, s) for i, s in po_entries(text) if i]  # skip the header
    assert len(entries) > 100
    untranslated = [i for i, s in entries if not s]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert "#, fuzzy" not in text


def test_the_compiled_catalogue_holds_every_translation():
    """The .mo in use agrees with the .po: every entry of the source translates at run time."""
    entries = [(i, s) for i, s in po_entries(CATALOGUE.read_text(encoding="utf-8")) if i and "%" not in i]
    with translation.override("zh-hans"):
        stale = [i for i, s in entries if translation.gettext(i.replace("\\n", "\n")) != s.replace("\\n", "\n")]
    assert not stale, f"compile the messages again: {stale[:5]}"


# What makemessages reads: the source, never installed packages, assets, tests or the catalogue itself.
NOT_SOURCE = {".venv", "node_modules", "var", "static", "tests", "bench", "locale", ".git", ".ci", "media"}


@pytest.mark.skipif(not shutil.which("xgettext"), reason="xgettext is not installed (make test installs gettext)")
def test_every_string_of_the_source_is_in_the_catalogue(tmp_path, monkeypatch):
    """``makemessages`` over a copy of the source finds nothing the catalogue lacks: no page ships in English.

    It runs in a copy because makemessages writes into the ``locale`` folder it finds beside the source.
    """
    base = Path(settings.BASE_DIR)
    for entry in base.iterdir():
        if entry.is_dir() and entry.name not in NOT_SOURCE and not entry.name.startswith("."):
            shutil.copytree(entry, tmp_path / entry.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    work = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    work.mkdir(parents=True)
    shutil.copy(CATALOGUE, work / "django.po")
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    merged = (work / "django.po").read_text(encoding="utf-8")
    missing = [i for i, s in po_entries(merged) if i and not s]
    assert not missing, f"run makemessages and translate: {missing[:10]}"
    assert "#, fuzzy" not in merged, "a source string changed: translate it again"


@pytest.mark.django_db
def test_pages_speak_chinese_by_default_and_english_on_request(world):
    client = Client()
    client.force_login(world.users["city"])
    chinese = client.get("/stations/").content.decode()
    assert "社工站" in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/stations/").content.decode()
    assert "Stations" in english
