"""Every interface string has Welsh: the Welsh Language Standards require that Welsh is not
treated less favourably than English.

The project keeps one catalogue, locale/cy/LC_MESSAGES/django.po (terms in
docs/welsh-glossary.md), and commits its compiled django.mo so that a fresh clone serves Welsh
without a build step. These tests fail when a string has no Welsh, when a translation is
marked fuzzy, when the committed .mo is older than the .po, and when the source holds a string
the catalogue does not (found by running makemessages on a copy of the source tree).

After adding or changing interface strings:

    .venv/bin/python manage.py makemessages -l cy --no-obsolete --ignore=.venv \
        --ignore=node_modules --ignore=frontend --ignore=var --ignore=bench-reports \
        --ignore=test-artifacts
    # translate the new entries in locale/cy/LC_MESSAGES/django.po, then
    .venv/bin/python manage.py compilemessages -l cy --ignore=.venv --ignore=node_modules
"""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
WELSH_PLURALS = (
    "nplurals=6; plural=(n==0) ? 0 : (n==1) ? 1 : (n==2) ? 2 : (n==3) ? 3 : (n==6) ? 4 : 5;"
)
# Directories that hold no interface strings of the project (or are not in git).
NOT_SOURCE = {".git", ".venv", "node_modules", "frontend", "var", "bench-reports", "test-artifacts"}
NOT_SOURCE |= {"media", "staticfiles", "build", "__pycache__", ".pytest_cache", ".ruff_cache"}
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".po"}


def parse_po(path):
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (a dict from
    the plural index, or None, to the text) and flags. Obsolete (#~) entries are skipped."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip() or line.startswith("#~"):
            if not line.strip():
                flush()
                entry = None
            continue
        if entry is None:
            entry = {"msgstr": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += text
            else:
                entry[field[0]] += text
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else None
                field = ("msgstr", index)
                entry["msgstr"][index] = text
            else:
                field = (keyword, None)
                entry[keyword] = text
    return entries


def catalogue_key(entry):
    return (entry.get("msgctxt"), entry["msgid"])


def label(entry):
    return repr(entry["msgid"])[:100]


def problems_in(path):
    """Entries without Welsh (or with a form missing) and entries marked fuzzy."""
    untranslated, fuzzy = [], []
    for entry in parse_po(path):
        if entry["msgid"] == "":
            continue
        forms = entry["msgstr"]
        expected = range(6) if "msgid_plural" in entry else [None]
        if any(not forms.get(index) for index in expected):
            untranslated.append(label(entry))
        if "fuzzy" in entry["flags"]:
            fuzzy.append(label(entry))
    return untranslated, fuzzy


def catalogue_files(root):
    return sorted(
        path
        for path in root.rglob("django*.po")
        if not NOT_SOURCE.intersection(path.relative_to(root).parts)
    )


def test_the_project_keeps_one_welsh_catalogue():
    assert catalogue_files(ROOT) == [CATALOGUE]
    assert [str(path) for path in settings.LOCALE_PATHS] == [str(CATALOGUE.parents[2])]


def test_every_string_in_the_catalogue_has_welsh_and_none_is_fuzzy():
    untranslated, fuzzy = problems_in(CATALOGUE)
    assert untranslated == [], f"{len(untranslated)} strings have no Welsh: {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} Welsh strings are marked fuzzy: {fuzzy[:20]}"


def test_the_catalogue_uses_the_six_welsh_plural_forms():
    (header,) = [entry for entry in parse_po(CATALOGUE) if entry["msgid"] == ""]
    assert f"Plural-Forms: {WELSH_PLURALS}\n" in header["msgstr"][None]
    assert "Language: cy\n" in header["msgstr"][None]
    plurals = [entry for entry in parse_po(CATALOGUE) if "msgid_plural" in entry]
    assert plurals, "the catalogue has plural entries"
    assert all(sorted(entry["msgstr"]) == list(range(6)) for entry in plurals)


def test_no_welsh_string_is_a_copy_of_the_english():
    # Names, codes and formats that are the same in both languages.
    same_in_welsh = {"Cymraeg", "Panel", "Agenda:", "%(forum)s: %(subject)s", "%(kind)s: %(name)s"}
    copies = [
        label(entry)
        for entry in parse_po(CATALOGUE)
        if entry["msgid"]
        and entry["msgid"] not in same_in_welsh
        and entry["msgid"].strip().lower()
        in {text.strip().lower() for text in entry["msgstr"].values()}
    ]
    assert copies == [], f"these Welsh strings are the English text: {copies}"


def test_the_committed_mo_file_matches_the_catalogue():
    """The .mo is committed so that a fresh clone serves Welsh; it must hold exactly the .po's
    translations (compare what Python's gettext reads, not bytes, so gettext versions agree)."""
    assert COMPILED.exists(), "compile the catalogue: manage.py compilemessages -l cy"
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for entry in parse_po(CATALOGUE):
        if entry["msgid"] == "" or "fuzzy" in entry["flags"]:
            continue
        msgid = entry["msgid"]
        if entry.get("msgctxt") is not None:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            expected.update({(msgid, index): text for index, text in entry["msgstr"].items()})
        else:
            expected[msgid] = entry["msgstr"][None]
    compiled = {key: text for key, text in compiled.items() if key != ""}
    stale = sorted(str(key)[:80] for key in expected.keys() ^ compiled.keys())
    stale += sorted(
        str(key)[:80] for key in expected.keys() & compiled.keys() if expected[key] != compiled[key]
    )
    assert stale == [], f"django.mo is out of date; run compilemessages -l cy: {stale[:10]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_msgfmt_accepts_the_catalogue(tmp_path):
    """msgfmt --check: placeholders match the English, the plural header is well formed."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


def copy_source_tree(destination):
    def ignore(directory, names):
        here = Path(directory)
        return [
            name
            for name in names
            if name in NOT_SOURCE
            or ((here / name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES)
        ]

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="GNU gettext (xgettext, msgmerge) is not installed",
)
def test_every_string_in_the_source_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the source tree (so the working tree is never touched)
    adds no entry without Welsh and no fuzzy guess, and writes no other catalogue."""
    copy = tmp_path / "wrc"
    copy_source_tree(copy)
    ignores = [f"--ignore={name}" for name in sorted(NOT_SOURCE)]
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "cy", *ignores],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert [path.relative_to(copy) for path in catalogue_files(copy)] == [
        CATALOGUE.relative_to(ROOT)
    ], "makemessages wrote strings to an app catalogue: keep every string in locale/"
    untranslated, fuzzy = problems_in(copy / CATALOGUE.relative_to(ROOT))
    missing = untranslated + fuzzy
    assert missing == [], (
        f"{len(missing)} strings in the source have no Welsh in locale/cy/LC_MESSAGES/django.po "
        f"(run makemessages -l cy and translate them): {missing[:20]}"
    )


@pytest.mark.django_db
def test_pages_render_in_welsh_when_chosen(client):
    from tests import factories

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    sign_in = client.get(reverse("login")).content.decode()
    assert '<html lang="cy"' in sign_in
    assert "Neidio i'r prif gynnwys" in sign_in and "Skip to main content" not in sign_in
    assert "Mewngofnodi" in sign_in

    client.force_login(factories.member_user(username="aelod"))
    home = client.get(reverse("home")).content.decode()
    assert "Hafan" in home and "Allgofnodi" in home and "Sign out" not in home
    meetings = client.get(reverse("meetings:list")).content.decode()
    assert "Cyfarfodydd" in meetings and "There are no meetings to show." not in meetings
    assert "Datganiad hygyrchedd" in client.get(reverse("accessibility")).content.decode()
