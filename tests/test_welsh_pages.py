"""Every page, read in Welsh, shows no English interface text.

tests/test_welsh_catalogue.py proves that every string that goes through gettext has Welsh. This
walk catches the English that never went through it: text written straight into a template or
a view, month and day names from strftime, True/False shown as "Yes"/"No", choice labels without
gettext. Every page of the permission matrix (tests/test_permissions.py: its URLs, its dataset and
its roles) is opened with Welsh chosen; each page that answers with HTML has its visible text
collected, the records' own text taken out (whatever the dataset stored in the database), and what
is left must hold none of the frequent English words of an interface. For the public pages and an
official's, each text is also compared with the English page: a text that reads the same in both
was not translated, whatever its words.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models

from tests.test_permissions import (
    ACCESS,
    ALLOWED_ROLES,
    ROLES,
    ROUTES,
    url_for,
    world,  # noqa: F401  (the matrix's dataset, as a fixture)
)

# Pages being reworked: their strings are translated with that work, so they are not held to
# this walk meanwhile. Each entry is a URL name with the reason it is left out.
REWORKED_PAGES: dict[str, str] = {}
# Every part of the product is walked.
REWORKED_PREFIXES = ()

# Frequent English words of an interface that are not also Welsh words. Left out on purpose:
# "a", "i", "am", "at", "to", "all", "an", "hi", "he", "me", "be", "man", "pan", "ran", "hen",
# "pen", "dim", "is", "log", "agenda", "panel" (Welsh words, or the same in both languages).
ENGLISH_WORDS = frozenset(
    """
    the and of for with your you this that these those from into not are was were has have had
    will can may must should would could there their they them our its it if or but by on off in
    out up down no yes none any every each other some more less than then when where which who what
    how why about after before between during under over also only just here now today tomorrow
    yesterday ago
    edit save saved add added remove removed delete deleted change changed changes search cancel
    confirm continue submit send sent sending resend view show hide back next previous page pages
    download downloads upload uploaded import imported export print copy create created update
    updated archive archived undo discard commit review preview choose select set sign signed
    password reset login logout account accounts help contact details name names title
    email address phone role roles
    meeting meetings action actions notes note minutes item items attendance present
    apologies absent venue online invitation invitations calendar
    organisation organisations people person member members forum forums board secretariat
    official officials chair directory membership main
    letter letters enclosure enclosures draft drafts outbox recipient recipients delivery
    deliveries failed subject
    plan plans objective objectives area areas lead leads progress report reports
    date dates time status open done overdue due deadline completed complete cancelled planned
    held new old first last latest total
    file files format language english welsh
    january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    pm via th st nd rd midnight noon
    true false
    """.split()
)
# The words of a text: letters, with hyphens and apostrophes inside a word kept, so that Welsh
# such as "is-bennawd" or "i'r" is one word and is not read as English "is" or "i".
WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Text that is not language: addresses, links, numbers, times and references.
NOT_LANGUAGE = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"\b(?:https?://|www\.)\S+"),
    re.compile(r"\S*/\S*"),  # paths and references such as JH/PO/1000/2025
]
# Words written the same in Welsh and English: names of products and formats, abbreviations,
# words Welsh shares (docs/welsh-glossary.md) and "Cymraeg", which names itself in both.
SAME_IN_BOTH_LANGUAGES = frozenset(
    "pdf markdown csv excel json word docx xlsx ics teams outlook google gov uk agenda panel "
    "cymraeg".split()
)
# The roles whose pages are also compared with their English: the public pages, and an official,
# who may open nearly every other page (the other roles' pages are the same templates).
COMPARED_ROLES = {"anonymous", "official"}
# Those who keep the records, who also see the records not shared with members.
STAFF_ROLES = ALLOWED_ROLES["staff"]
# Answers that are pages: the page itself, and the pages that refuse it.
PAGE_STATUSES = (200, 403, 404)
# Names of products, the same in every language.
PROPER_NAMES = ("Google Calendar", "Microsoft Teams", "Outlook")
# Elements whose text is not shown, or is code or a document's own text. Elements marked
# lang="en" are skipped too: English on purpose, as the language switch's "English" and records
# shown in English where they have no Welsh.
HIDDEN_ELEMENTS = {"script", "style", "template", "noscript", "code", "pre"}
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
VOID_ELEMENTS = set("area base br col embed hr img input link meta param source track wbr".split())


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes, the text of labelling attributes and the
    words on submit buttons, outside <script>/<style> and outside anything marked lang="en"."""

    def __init__(self, skipped_languages=("en",)):
        super().__init__(convert_charrefs=True)
        self.skipped_languages = skipped_languages
        self.stack = []  # (tag, skipped) for every open element
        self.texts = []

    @property
    def skipping(self):
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        language = (attrs.get("lang") or "")[:2] if tag != "html" else ""
        skipped = tag in HIDDEN_ELEMENTS or language in self.skipped_languages
        if not (skipped or self.skipping):
            self.texts += [attrs[name] for name in SHOWN_ATTRIBUTES if attrs.get(name)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag):
        # Close up to the matching element (browsers forgive unclosed <p> and <li>).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if data.strip() and not self.skipping:
            self.texts.append(" ".join(data.split()))


def visible_texts(html, skipped_languages=("en",)):
    parser = VisibleText(skipped_languages)
    parser.feed(html)
    parser.close()
    return parser.texts


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def record_models():
    """The project's own models and the user accounts (a username is shown as the name of whoever
    signed in); not Django's content types, permissions or sessions, whose texts ("meeting",
    "person") are the very words an interface uses."""
    project = Path(settings.BASE_DIR).resolve()
    for model in apps.get_models():
        path = Path(model._meta.app_config.path).resolve()
        if model is get_user_model() or (project in path.parents and ".venv" not in path.parts):
            yield model


def record_texts():
    """Every text the dataset stored: the values of text fields (not choice fields, whose labels
    are interface text) and the strings inside JSON fields, with their lines and sentences, as a
    page may show a long text a paragraph or a sentence at a time."""
    texts = set()
    tables = set(connection.introspection.table_names())
    for model in record_models():
        if model._meta.db_table not in tables:
            continue  # a model whose migration is not written yet holds nothing
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
            and not field.choices
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                for text in strings_in(value):
                    texts.add(text)
                    texts.update(re.split(r"\s*\n\s*", text))
                    texts.update(re.split(r"(?<=[.!?])\s+", text))
    # Longest first, so that a record's whole text goes before the shorter texts inside it.
    return sorted(
        {" ".join(text.split()) for text in texts if len(text.strip()) > 2},
        key=len,
        reverse=True,
    )


def without_records(text, records):
    for record in [*records, *PROPER_NAMES]:
        if record in text:
            # Whole words only: a record "Teams" leaves "Teamster" alone.
            text = re.sub(rf"(?<!\w){re.escape(record)}(?!\w)", " ", text)
    for pattern in NOT_LANGUAGE:
        text = pattern.sub(" ", text)
    return text


def english_words(text):
    return [word for word in WORD.findall(text) if word.lower() in ENGLISH_WORDS]


@dataclass(frozen=True)
class Finding:
    page: str
    url: str
    text: str
    words: tuple[str, ...]
    why: str = "has English"

    def __str__(self):
        return f"{self.page} ({self.url}): {self.text!r} {self.why}: {', '.join(self.words)}"


def fill_url(route, values):
    """The URL of the route from the matrix's dataset, or None for a route the matrix cannot
    fill yet (its own test reports that)."""
    try:
        return url_for(route, values)
    except pytest.fail.Exception:
        return None


def reworked(route):
    return route.name in REWORKED_PAGES or route.name.startswith(REWORKED_PREFIXES)


def pages_for(role):
    """The matrix's pages that the role may open, except those being reworked."""
    for route in ROUTES:
        if reworked(route) or route.name not in ACCESS:
            continue
        if role in ALLOWED_ROLES[ACCESS[route.name]]:
            yield route


@dataclass(frozen=True)
class Address:
    page: str
    url: str
    route: object = None


def addresses(role, world):  # noqa: F811
    """What the role is walked through: each page it may open; for those who keep the records,
    the same pages about records not shared with members (draft notes, unsent letters), which
    show what the others' do not; a page it may not open and a page that does not exist, for
    the pages that refuse."""
    # The Welsh reader's copy of a meeting's notes, not the English one the matrix opens.
    shared = world["shared"] | {"language": "cy"}
    hidden = world["hidden"] | {"language": "cy"}
    seen = set()
    for route in pages_for(role):
        datasets = [shared, hidden] if role in STAFF_ROLES else [shared]
        for url in {fill_url(route, values) for values in datasets} - {None} - seen:
            seen.add(url)
            yield Address(route.name, url, route)
    refused = [
        route
        for route in ROUTES
        if route.name in ACCESS and not reworked(route) and not route.kwargs
        if role not in ALLOWED_ROLES[ACCESS[route.name]]
    ]
    if refused:
        yield Address(refused[0].name, fill_url(refused[0], shared), refused[0])
    yield Address("a page that does not exist", "/no-such-page/")


def page_in(client, url, language):
    """The page's HTML in the language, or None when it answers with anything else (a
    redirect, a download)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # GET only: a POST would change the dataset the later pages are read from.
    response = client.get(url)
    if response.status_code not in PAGE_STATUSES:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    html = response.content.decode()
    assert f'<html lang="{language}"' in html, f"{url} is not served in {language}"
    return html


def english_on_page(address, html, records):
    findings = []
    for text in visible_texts(html):
        words = english_words(without_records(text, records))
        if words:
            findings.append(Finding(address.page, address.url, text, tuple(words)))
    return findings


def untranslated_on_page(address, english_html, welsh_html, records):
    """Texts that read the same in the Welsh page as in the English one: whatever their words,
    they were not translated (records, numbers and names of products aside)."""
    english = set(visible_texts(english_html))
    findings = []
    # Text marked lang="cy" on the Welsh page is Welsh on purpose (a letter's own "Ein cyf", a
    # record's Welsh text), shown the same on the English page; the English-word check above
    # still reads it.
    for text in dict.fromkeys(visible_texts(welsh_html, skipped_languages=("en", "cy"))):
        if text not in english:
            continue
        words = [
            word
            for word in WORD.findall(without_records(text, records))
            if word.lower() not in SAME_IN_BOTH_LANGUAGES
        ]
        if words:
            findings.append(
                Finding(address.page, address.url, text, tuple(words), "is as in English")
            )
    return findings


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_welsh_shows_no_english_interface_text(client, world, role):  # noqa: F811
    """Each page the role may open, requested with Welsh chosen, with the records' own text
    taken out, holds none of the frequent English words of an interface; for the roles in
    COMPARED_ROLES, no text of it reads as it does on the English page either."""
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    records = record_texts()
    findings, checked = [], 0
    for address in addresses(role, world):
        welsh = page_in(client, address.url, "cy")
        if not welsh:
            continue
        checked += 1
        findings += english_on_page(address, welsh, records)
        # A page that shows a document in the language its address names (the notes in Welsh)
        # reads the same whatever the interface's language.
        if role in COMPARED_ROLES and "language" not in getattr(address.route, "kwargs", ()):
            english = page_in(client, address.url, "en")
            findings += untranslated_on_page(address, english or "", welsh, records)
    assert checked, f"no page answered in HTML for {role}"
    assert not findings, f"{len(findings)} English texts on Welsh pages:\n" + "\n".join(
        str(finding) for finding in findings
    )


def test_the_walk_finds_english_text_that_never_went_through_gettext():
    """The check itself: hard-coded English, an English date and a Yes are found; Welsh, the
    records' own text and the language switch's "English" are not."""
    html = """<html lang="cy"><head><title>Cyfarfodydd</title><style>.the{}</style></head><body>
      <button lang="en">English</button><h1>Cyfarfodydd</h1>
      <p>Cyfarfod Share document 3 with Forum members. ar 3 Mawrth 2025</p>
      <p>Save changes</p><td>Monday 3 March 2025</td><dd>Yes</dd>
      <a href="/x" aria-label="Open the letter">Agor</a><script>var the = 1;</script>
      <p>E-bost: olu@example.org, i'r is-bennawd</p></body></html>"""
    address = Address("a page", "/x")
    findings = english_on_page(address, html, ["Share document 3 with Forum members."])
    assert [finding.text for finding in findings] == [
        "Save changes",
        "Monday 3 March 2025",
        "Yes",
        "Open the letter",
    ]
