"""The letter page writes the letter as it was sent: its own wording ("Ein cyf/Our ref", the
date) is in the languages the letter is written in, whatever the interface's language, each
part marked with its language so screen readers say it right. These labels are the letter's
text, as the Welsh Government's letterhead prints them, so they do not go through gettext."""

from django import template
from django.utils import formats, translation
from django.utils.html import format_html, format_html_join

register = template.Library()

WELSH, ENGLISH = "cy", "en"
# The letterhead's labels: Welsh first, as Welsh Government letters print them.
REFERENCE_LABELS = {
    "ours": {WELSH: "Ein cyf", ENGLISH: "Our ref"},
    "theirs": {WELSH: "Eich cyf", ENGLISH: "Your ref"},
}
WELSH_FIELDS = ("organisation_cy", "sender_titles_cy", "subject_cy", "body_cy")
ENGLISH_FIELDS = ("organisation_en", "sender_titles_en", "subject_en", "body_en")


def letter_languages(letter) -> list[str]:
    """The languages the letter is written in (its letterhead, titles, subject or body),
    Welsh first."""
    languages = [
        language
        for language, fields in ((WELSH, WELSH_FIELDS), (ENGLISH, ENGLISH_FIELDS))
        if any(getattr(letter, name) for name in fields)
    ]
    return languages or [ENGLISH]


@register.simple_tag
def reference_label(letter, whose="ours"):
    """ "Ein cyf/Our ref" for a bilingual letter, "Our ref" or "Ein cyf" for a letter in one
    language; ``whose`` is "ours" or "theirs" ("Eich cyf/Your ref")."""
    labels = REFERENCE_LABELS[whose]
    parts = ((language, labels[language]) for language in letter_languages(letter))
    return format_html_join("/", '<span lang="{}">{}</span>', parts)


@register.simple_tag
def letter_date(letter):
    """The date as each version of the letter writes it ("30 Ionawr 2025 / 30 January 2025"),
    in a <time> element."""
    versions = [lang for lang, body in ((WELSH, letter.body_cy), (ENGLISH, letter.body_en)) if body]
    parts = []
    for language in versions or letter_languages(letter)[-1:]:
        with translation.override(language):
            written = formats.date_format(letter.date, "DATE_FORMAT")
        parts.append((language, written))
    return format_html(
        '<time datetime="{}">{}</time>',
        letter.date.isoformat(),
        format_html_join(" / ", '<span lang="{}">{}</span>', parts),
    )


@register.filter
def blocks(text: str) -> list[list[str]]:
    """Text as its blocks (parted by blank lines), each a list of its lines: an address, then
    the contact lines, as the letterhead sets them apart."""
    found, lines = [], []
    for line in (text or "").splitlines():
        if line.strip():
            lines.append(line.strip())
        elif lines:
            found.append(lines)
            lines = []
    if lines:
        found.append(lines)
    return found
