"""The one builder of letter emails: what a recipient receives, also shown in the preview."""

import mimetypes
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from correspondence.models import Delivery, LanguageMode, Letter
from directory.models import Language, Organisation, Person

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


def letter_message(*, delivery: Delivery) -> EmailMultiAlternatives:
    """The email for one delivery: To is that recipient only, never anybody else (a cc copy
    goes to the organisation's contact alone too, never as a Cc header)."""
    letter = delivery.letter
    context = letter_context(
        letter=letter,
        person=delivery.person,
        email=delivery.email,
        preferred=delivery.language,
        copy_to=delivery.copy_to,
    )
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=render_to_string("email/letter.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.email],
        headers={"Message-ID": delivery.message_id},
    )
    message.attach_alternative(render_to_string("email/letter.html", context), "text/html")
    for enclosure in context["enclosures"]:
        if enclosure.file:
            with enclosure.file.open("rb") as handle:
                content = handle.read()
            name = os.path.basename(enclosure.file.name)
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            message.attach(name, content, mimetype)
    return message
