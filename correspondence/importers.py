"""Importing a ministerial letter from its plain-text export.

The layout: sender and titles (Welsh, then English), the letterhead, "Ein cyf/Our ref: …", the
addressee, the date, "Dear …", the subject, the body, "Yours sincerely,", the signature, "Cc." and
"Enc." lists. The export drops the letterhead's address block and the Welsh-language statement
into the middle of the body (where the first page ended); they are separated out here.
"""

import datetime
import re
from dataclasses import dataclass, field

from actions.deadlines import MONTHS
from correspondence.models import CarbonCopy, Enclosure, Letter
from directory.models import Organisation
from directory.services import (
    forum_ensure,
    known_organisation,
    organisation_ensure,
    person_resolve,
)
from wrc.lib.importing import (
    ImportFormatError,
    ImportReport,
    delete_rest,
    refuse_other_forum,
    run_import,
    squash,
    sync_object,
)

REFERENCE = re.compile(r"^(?:Ein cyf\s*/\s*)?Our ref\s*:\s*(?P<reference>\S+)\s*$", re.IGNORECASE)
DATE = re.compile(r"^(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[A-Za-z]+)\s+(?P<year>\d{4})$")
SALUTATION = re.compile(r"^(?:Dear|Annwyl)\b", re.IGNORECASE)
CLOSING = re.compile(r"^(?:Yours sincerely|Yours faithfully|Best wishes|Yn gywir)\b", re.I)
CC = re.compile(r"^cc(?:[.:]\s*|\s+)(?P<rest>.*)$", re.IGNORECASE)
ENCLOSURE = re.compile(r"^enc(?:losures?|s)?\s*[.:]\s*(?P<rest>.*)$", re.IGNORECASE)
WELSH_WORDS = re.compile(
    r"\b(?:y|yr|dros|a'r|ac|Ysgrifennydd|Gweinidog|Prif|Cwnsler|Dirprwy|Llywodraeth)\b"
)
LETTERHEAD = {"llywodraeth cymru", "welsh government"}
CONTACT_SIGNS = re.compile(
    r" • |\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|^\+?[\d ]{10,}$|@|First Point of Contact|"
    r"Canolfan Cyswllt",
)
STATEMENT_EN = re.compile(r"correspondence in Welsh", re.IGNORECASE)
STATEMENT_CY = re.compile(r"gohebiaeth yn Gymraeg", re.IGNORECASE)
RESTRICTED = re.compile(r"[^.]*\bnot to be shared\b[^.]*\.", re.IGNORECASE)
AUTOLINK = re.compile(r"<(?P<url>https?://[^>\s]+)>")
MARKDOWN_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>[^)]*)\)")


@dataclass
class ParsedLetter:
    reference: str = ""
    date: datetime.date | None = None
    sender_name: str = ""
    titles_en: list = field(default_factory=list)
    titles_cy: list = field(default_factory=list)
    addressee: str = ""
    salutation: str = ""
    subject: str = ""
    closing: str = ""
    body: list = field(default_factory=list)
    address: list = field(default_factory=list)
    statement_en: str = ""
    statement_cy: str = ""
    restricted_note: str = ""
    cc: list = field(default_factory=list)
    enclosures: list = field(default_factory=list)


def clean_inline(text: str) -> str:
    """Plain text from the export's Markdown: links written out, emphasis removed."""
    text = AUTOLINK.sub(lambda m: m["url"], text)

    def link(match):
        url = match["url"].strip()
        return match["text"] if url in ("", "#") else f"{match['text']} ({url})"

    text = MARKDOWN_LINK.sub(link, text)
    return squash(text.replace("**", "").replace("__", ""))


def _paragraphs(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    paragraphs, current = [], []
    for number, line in lines:
        if line.strip():
            current.append((number, line.strip()))
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _find(lines, pattern, start: int = 0):
    for index in range(start, len(lines)):
        if match := pattern.match(lines[index][1].strip()):
            return index, match
    return None, None


def _parse_sender(lines, letter: ParsedLetter) -> None:
    head = _paragraphs(lines)
    if not head:
        raise ImportFormatError(None, "the letter is empty")
    (first_number, first_line), *titles = head[0]
    letter.sender_name = first_line
    for _number, title in titles:
        welsh = WELSH_WORDS.search(title) and not letter.titles_en
        (letter.titles_cy if welsh else letter.titles_en).append(title)


def _parse_heading(lines, letter: ParsedLetter) -> int:
    """Reference, addressee, date, salutation and subject; returns where the body starts."""
    ref_at, ref = _find(lines, REFERENCE)
    hello_at, _hello = _find(lines, SALUTATION)
    if ref is None or (hello_at is not None and ref_at > hello_at):
        raise ImportFormatError(
            lines[hello_at][0] if hello_at is not None else None,
            'no reference line ("Our ref: …") before the salutation',
        )
    letter.reference = ref["reference"]
    _parse_sender(lines[:ref_at], letter)
    if hello_at is None:
        raise ImportFormatError(None, 'no salutation ("Dear …") after the reference')
    for number, line in lines[ref_at + 1 : hello_at]:
        line = line.strip()
        if match := DATE.match(line):
            letter.date = _date(match, number)
        elif line and not letter.addressee:
            letter.addressee = line
    if letter.date is None:
        raise ImportFormatError(lines[hello_at][0], "no date (such as 30 January 2025) before here")
    letter.salutation = lines[hello_at][1].strip()
    subject_at = next((i for i in range(hello_at + 1, len(lines)) if lines[i][1].strip()), None)
    if subject_at is None:
        raise ImportFormatError(lines[hello_at][0], "no subject line after the salutation")
    letter.subject = clean_inline(lines[subject_at][1])
    return subject_at + 1


def _date(match, number: int) -> datetime.date:
    month = MONTHS.get(match["month"].lower())
    try:
        return datetime.date(int(match["year"]), month or 0, int(match["day"]))
    except ValueError:
        raise ImportFormatError(number, f'"{match.group(0)}" is not a date') from None


def _is_contact_block(lines: list[str]) -> bool:
    """Short lines of address, phone, email: the letterhead, not a sentence of the body."""
    return all(len(line) < 80 for line in lines) and any(map(CONTACT_SIGNS.search, lines))


def _parse_body(paragraphs, letter: ParsedLetter) -> None:
    removed_since_last = False
    for paragraph in paragraphs:
        texts = [line for _number, line in paragraph]
        joined = " ".join(texts)
        if _is_contact_block(texts):
            letter.address.append("\n".join(clean_inline(line) for line in texts))
            removed_since_last = True
        elif STATEMENT_EN.search(joined):
            letter.statement_en, removed_since_last = clean_inline(joined), True
        elif STATEMENT_CY.search(joined):
            letter.statement_cy, removed_since_last = clean_inline(joined), True
        else:
            text = clean_inline(joined)
            # A sentence cut by the letterhead block continues after it.
            if removed_since_last and letter.body and re.match(r"^(?:[a-z]|https?:)", text):
                letter.body[-1] = f"{letter.body[-1]} {text}"
            else:
                letter.body.append(text)
            removed_since_last = False


def _restricted_note(letter: ParsedLetter) -> str:
    for paragraph in letter.body:
        if sentence := RESTRICTED.search(paragraph):
            link = re.search(r"https?://\S+?(?=[.,;]?(?:\s|$))", paragraph)
            note = squash(sentence.group(0))
            return f"{link.group(0)}\n{note}" if link else note
    return ""


def _parse_footer(lines, letter: ParsedLetter) -> None:
    target = None
    for _number, line in lines:
        line = line.strip()
        if not line:
            target = None
        elif match := CC.match(line):
            target = letter.cc
            line = match["rest"]
        elif match := ENCLOSURE.match(line):
            target = letter.enclosures
            line = match["rest"]
        if target is not None and line:
            target.append(line.rstrip(".") if target is letter.enclosures else line)


def parse_letter(text: str) -> ParsedLetter:
    """The letter's parts; raises ``ImportFormatError`` naming the line of the first problem."""
    lines = list(enumerate(text.splitlines(), start=1))
    letter = ParsedLetter()
    body_start = _parse_heading(lines, letter)
    close_at, _close = _find(lines, CLOSING, body_start)
    if close_at is None:
        raise ImportFormatError(None, 'no closing ("Yours sincerely,") after the body')
    letter.closing = lines[close_at][1].strip()
    _parse_body(_paragraphs(lines[body_start:close_at]), letter)
    if not letter.body:
        raise ImportFormatError(lines[close_at][0], "the letter has no body")
    letter.restricted_note = _restricted_note(letter)
    _parse_footer(lines[close_at + 1 :], letter)
    return letter


def _cc_organisation(text: str, report: ImportReport) -> Organisation | None:
    if known_organisation(text) or Organisation.objects.resolve(text):
        return organisation_ensure(name=text, report=report)
    return None


def save_letter(
    parsed: ParsedLetter, *, source_name: str, report: ImportReport, forum=None
) -> Letter:
    forum = forum_ensure(report=report, forum=forum)
    lookup = {"reference": parsed.reference}
    refuse_other_forum(Letter, lookup=lookup, forum=forum, what=f"Letter {parsed.reference}")
    letter = sync_object(
        Letter,
        lookup=lookup,
        values={
            "forum": forum,
            "date": parsed.date,
            "sender": person_resolve(parsed.sender_name),
            "sender_name": parsed.sender_name,
            "sender_titles_en": " ".join(parsed.titles_en),
            "sender_titles_cy": " ".join(parsed.titles_cy),
            "sender_address": "\n\n".join(parsed.address),
            "addressee": parsed.addressee,
            "salutation_en": parsed.salutation,
            "subject_en": parsed.subject,
            "body_en": "\n\n".join(parsed.body),
            "closing_en": parsed.closing,
            "welsh_language_statement_en": parsed.statement_en,
            "welsh_language_statement_cy": parsed.statement_cy,
            "restricted_note": parsed.restricted_note,
            # A letter "to Wales Race Forum Members" that was published has gone to all members.
            "audience": Letter.Audience.ALL_MEMBERS,
            "status": Letter.Status.SENT,
            "source_document": source_name,
        },
        report=report,
    )
    for order, written in enumerate(parsed.cc, start=1):
        sync_object(
            CarbonCopy,
            lookup={"letter": letter, "order": order},
            values={"as_written": written, "organisation": _cc_organisation(written, report)},
            report=report,
        )
    delete_rest(letter.cc.filter(order__gt=len(parsed.cc)), report=report)
    for order, title in enumerate(parsed.enclosures, start=1):
        sync_object(
            Enclosure,
            lookup={"letter": letter, "order": order},
            values={"title": title},
            report=report,
        )
    delete_rest(letter.enclosures.filter(order__gt=len(parsed.enclosures)), report=report)
    return letter


def import_letter(
    *, text: str, source_name: str = "", dry_run: bool = False, forum=None
) -> ImportReport:
    """Parse, then save in one transaction (rolled back on a dry run), as a letter of ``forum``
    (the first forum by default)."""
    parsed = parse_letter(text)

    def write():
        report = ImportReport(f"Letter {parsed.reference}")
        save_letter(parsed, source_name=source_name, report=report, forum=forum)
        return report

    return run_import(write, dry_run=dry_run)
