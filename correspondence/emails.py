"""The one builder of letter emails: what a recipient receives, also shown in the preview.

The outbox (outbox/builders.py) calls ``letter_build`` for each letter row when it is sent; the
envelope itself (sender, Message-ID, header checks) is the outbox's.
"""

import mimetypes
import os
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from correspondence.models import LanguageMode, Letter
from directory.models import Language, Organisation, Person
from outbox.email import Attachment, Composed

# The letter's own wording, in the language of each part of the letter, whatever language the
# site is shown in: this is the letter's content, so it is not passed through gettext.
LETTER_WORDING = {
    Language.ENGLISH: {
        "greeting": "Dear {name},",
        "our_ref": "Our ref",
        "cc": "Cc",
        "enclosures": "Enclosures",
        "restricted": "Please do not share",
        "copy_for": "Copy for information: you receive this letter as a copy to {organisation}.",
    },
    Language.WELSH: {
        "greeting": "Annwyl {name},",
        "our_ref": "Ein cyf",
        "cc": "Copi",
        "enclosures": "Amgaeëdig",
        "restricted": "Peidiwch â rhannu",
        # "ar gyfer" leaves the organisation's name as it is written (no mutation).
        "copy_for": (
            "Copi er gwybodaeth: rydych yn cael y llythyr hwn fel copi ar gyfer {organisation}."
        ),
    },
}


@dataclass(frozen=True)
class LetterPart:
    """The letter's text in one language, as one recipient reads it."""

    language: str
    greeting: str
    subject: str
    body: str
    closing: str
    sender_titles: str
    wording: dict


@dataclass(frozen=True)
class Bilingual:
    """Something the letter always carries in both languages it has (letterhead, statement)."""

    language: str
    text: str
    extra: str = ""


def by_preference(languages, preferred: str) -> list[str]:
    return sorted(languages, key=lambda language: language != preferred)


def letter_languages(*, letter: Letter, preferred: str) -> list[str]:
    """The languages of a recipient's copy of the text, their preferred one first."""
    available = [Language.ENGLISH] + ([Language.WELSH] if letter.body_cy.strip() else [])
    if letter.language_mode == LanguageMode.PREFERRED:
        return [preferred if preferred in available else Language.ENGLISH]
    return by_preference(available, preferred)


def letter_parts(*, letter: Letter, person: Person, preferred: str) -> list[LetterPart]:
    return [
        _part(letter, person, language)
        for language in letter_languages(letter=letter, preferred=preferred)
    ]


def _part(letter: Letter, person: Person, language: str) -> LetterPart:
    def field(name):
        return getattr(letter, f"{name}_{language}", "") or getattr(letter, f"{name}_en", "")

    wording = LETTER_WORDING[language]
    return LetterPart(
        language=language,
        greeting=wording["greeting"].format(name=person.display_name),
        subject=field("subject"),
        body=field("body"),
        closing=field("closing"),
        sender_titles=field("sender_titles"),
        wording=wording,
    )


def _bilingual(letter: Letter, preferred: str, name: str, extra: str = "") -> list[Bilingual]:
    """The Welsh and English versions of a field that has them, the preferred one first.

    The letterhead and the Welsh language statement stay bilingual even in a copy whose text is
    in one language, as the Welsh Government's letters are.
    """
    items = []
    for language in by_preference([Language.ENGLISH, Language.WELSH], preferred):
        text = getattr(letter, f"{name}_{language}", "")
        extra_text = getattr(letter, f"{extra}_{language}", "") if extra else ""
        if text or extra_text:
            items.append(Bilingual(language, text, extra_text))
    return items


@dataclass(frozen=True)
class CopyNotice:
    """What tells a cc organisation's contact that their copy is for information."""

    language: str
    text: str


def copy_notice(*, copy_to: Organisation | None, preferred: str) -> CopyNotice | None:
    """The notice in the reader's preferred language, whatever languages the letter's text is
    in: it is about their copy, not part of the letter."""
    if copy_to is None:
        return None
    language = preferred if preferred in LETTER_WORDING else Language.ENGLISH
    text = LETTER_WORDING[language]["copy_for"].format(organisation=copy_to.name)
    return CopyNotice(language, text)


def letter_context(
    *,
    letter: Letter,
    person: Person,
    email: str,
    preferred: str,
    copy_to: Organisation | None = None,
) -> dict:
    """What the letter templates show one reader; ``copy_to`` is the cc organisation whose copy
    this is (None for a recipient)."""
    parts = letter_parts(letter=letter, person=person, preferred=preferred)
    return {
        "copy_notice": copy_notice(copy_to=copy_to, preferred=preferred),
        "letter": letter,
        "person": person,
        "email": email,
        "parts": parts,
        "letterhead": _bilingual(letter, preferred, "sender_titles", extra="organisation"),
        "statements": _bilingual(letter, preferred, "welsh_language_statement"),
        "subject": " / ".join(dict.fromkeys(part.subject for part in parts)),
        "cc": [cc.as_written for cc in letter.cc.all()],
        "enclosures": list(letter.enclosures.all()),
    }


def letter_subject(*, letter: Letter, preferred: str) -> str:
    """The subject of a reader's copy: each language of its text once, their preferred first."""
    languages = letter_languages(letter=letter, preferred=preferred)
    subjects = (
        getattr(letter, f"subject_{language}", "") or letter.subject_en for language in languages
    )
    return " / ".join(dict.fromkeys(subjects))


def letter_message(
    *,
    letter: Letter,
    person: Person,
    email: str,
    language: str,
    copy_to: Organisation | None = None,
    with_files: bool = True,
) -> Composed:
    """One reader's copy: the text and HTML in their languages, the restricted-sharing note, the
    cc notice for a copy, and the enclosures attached (``with_files=False`` leaves the files
    unread, for the preview, which lists them only).

    It goes to that reader alone, never with anybody else's address: a cc copy goes to the
    organisation's contact alone too, never as a Cc header.
    """
    context = letter_context(
        letter=letter, person=person, email=email, preferred=language, copy_to=copy_to
    )
    with translation.override(language):
        text = render_to_string("email/letter.txt", context)
        html = render_to_string("email/letter.html", context)
    attachments = []
    for enclosure in context["enclosures"]:
        if not enclosure.file:
            continue  # named in the letter, its document never uploaded
        name = os.path.basename(enclosure.file.name)
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        content = b""
        if with_files:
            with enclosure.file.open("rb") as handle:
                content = handle.read()
        attachments.append(Attachment(name, content, mimetype))
    return Composed(subject=context["subject"], text=text, html=html, attachments=attachments)


def letter_build(mail) -> Composed:
    """The outbox's builder for a letter row: read the letter, the reader and the cc
    organisation (``payload["copy_to"]``) as they are at send time."""
    copy_to_id = (mail.payload or {}).get("copy_to")
    copy_to = Organisation.objects.filter(pk=copy_to_id).first() if copy_to_id else None
    return letter_message(
        letter=mail.letter,
        person=mail.person,
        email=mail.email,
        language=mail.language,
        copy_to=copy_to,
    )
