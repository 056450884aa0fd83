"""Importing a ministerial letter from its plain-text export.

A letter has a head (the sender and their titles, the letterhead, "Ein cyf/Our ref: …", the
addressee's name and address, the date), then one or two versions (Welsh and English, one after
the other or paragraph by paragraph), each "Dear …"/"Annwyl …", an optional subject, the body,
"Yours sincerely,"/"Yn gywir," and the signature, then "Cc." and "Enc." lists. Exports drop the
letterhead's address block and the Welsh-language statement into the middle of the body (where a
page ended); they are separated out here.

An imported letter was sent outside this service: it is archived, with the audience the letter
itself names. It is shown to every member of the forum only when it says it is written to all of
them; otherwise only to the forum's staff and the person it is addressed to.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.deadlines import MONTHS as ENGLISH_MONTHS
from correspondence.models import CarbonCopy, Enclosure, Letter
from directory.models import Organisation, Person, normalise_name
from directory.services import (
    forum_ensure,
    known_organisation,
    organisation_ensure,
    person_resolve,
)
from wrc.lib.importing import (
    ImportFormatError,
    ImportReport,
    Notice,
    delete_rest,
    refuse_other_forum,
    run_import,
    squash,
    sync_object,
)

WELSH, ENGLISH = "cy", "en"
LANGUAGE_NAMES = {WELSH: gettext_lazy("Welsh"), ENGLISH: gettext_lazy("English")}

# --- the head: references, dates, letterhead ----------------------------------------------

_LONG_LABEL = r"(?:(?:Eich|Ein)\s+cyf(?:eirnod)?|(?:Your|Our)\s+ref(?:erence)?)\b\.?"
_SHORT_LABEL = r"(?:Ref(?:erence)?|Cyf(?:eirnod)?)\b\.?"
# "Ein cyf/Our ref:", "Our ref/Ein cyf", "Our ref", "Ref:", "Cyf:" (a bare "Ref" needs its colon,
# so that a sentence starting "Reference…" is not taken for one).
REFERENCE_LABEL = re.compile(
    rf"(?P<label>{_LONG_LABEL}(?:\s*/\s*(?:{_LONG_LABEL}|{_SHORT_LABEL}))?\s*:?"
    rf"|{_SHORT_LABEL}(?:\s*/\s*{_SHORT_LABEL})?\s*:)\s*",
    re.IGNORECASE,
)
THEIRS = re.compile(r"\b(?:your|eich)\b", re.IGNORECASE)

WELSH_MONTHS = {
    "ionawr": 1,
    "ion": 1,
    "chwefror": 2,
    "chwef": 2,
    "mawrth": 3,
    "fawrth": 3,
    "ebrill": 4,
    "ebr": 4,
    "mai": 5,
    "fai": 5,
    "mehefin": 6,
    "fehefin": 6,
    "meh": 6,
    "gorffennaf": 7,
    "orffennaf": 7,
    "ngorffennaf": 7,
    "gorff": 7,
    "awst": 8,
    "medi": 9,
    "fedi": 9,
    "hydref": 10,
    "hyd": 10,
    "tachwedd": 11,
    "dachwedd": 11,
    "nhachwedd": 11,
    "tach": 11,
    "rhagfyr": 12,
    "ragfyr": 12,
    "rhag": 12,
}
MONTHS = {**ENGLISH_MONTHS, **WELSH_MONTHS}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = (
    r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|Dydd\s+(?:Llun|Mawrth|Mercher|Iau|Gwener|Sadwrn|Sul)),?\s+"
)
# English and Welsh ordinals: 1st, 30th, 1af, 2il, 3ydd, 5ed, 7fed, 11eg, 21ain.
_ORDINAL = r"(?:st|nd|rd|th|af|il|ydd|ed|fed|eg|ain)?"
_DATE_LABEL = r"(?:(?:Dyddiad\s*/\s*Date|Date\s*/\s*Dyddiad|Dyddiad|Date)\s*:?\s*)?"
DATE_FORMS = [
    re.compile(
        rf"^{_DATE_LABEL}(?:{_WEEKDAY})?(?P<date>(?P<day>\d{{1,2}}){_ORDINAL}\.?\s+(?:o\s+)?"
        rf"{_MONTH},?\s+(?P<year>\d{{4}}))\.?$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^{_DATE_LABEL}(?:{_WEEKDAY})?(?P<date>{_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+"
        rf"(?P<year>\d{{4}}))\.?$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^{_DATE_LABEL}(?P<date>(?P<day>\d{{1,2}})[/.](?P<month>\d{{1,2}})[/.](?P<year>\d{{4}}))$",
        re.IGNORECASE,
    ),
]
_GOVERNMENT = r"(?:Llywodraeth Cymru|Welsh Government)"
LETTERHEAD = re.compile(rf"^{_GOVERNMENT}(?:\s*[/|•]?\s*{_GOVERNMENT})?$", re.IGNORECASE)
ADDRESSED_TO = re.compile(r"^(?:To|At|I)\s*:\s*(?P<rest>.+)$", re.IGNORECASE)
SUBJECT_LABEL = re.compile(
    r"^(?:Re|Subject|Pwnc|Ynghylch|Testun)\s*:\s*(?P<rest>.+)$", re.IGNORECASE
)

# --- greetings, closings, footer ----------------------------------------------------------

SALUTATION = re.compile(r"^(?:Dear|Annwyl)\b", re.IGNORECASE)
SALUTATION_LANGUAGE = {"dear": ENGLISH, "annwyl": WELSH}
CLOSING = re.compile(
    r"^(?P<words>Yours\s+(?:sincerely|faithfully|truly)|(?:With\s+)?(?:kind|best|warm)\s+"
    r"(?:regards|wishes)|Regards|Yr\s+eiddoch\s+yn\s+gywir|Yn\s+gywir|Yn\s+ddiffuant|"
    r"Cofion(?:\s+(?:gorau|cynnes|caredig))?|Gyda\s+(?:chofion|dymuniadau)\s+gorau)\b",
    re.IGNORECASE,
)
WELSH_CLOSINGS = re.compile(r"^(?:Yr eiddoch|Yn gywir|Yn ddiffuant|Cofion|Gyda)", re.IGNORECASE)
# "cc" or "Enc" may stand alone on a line, the list in the paragraph below it.
CC = re.compile(
    r"^(?:cc|copi(?:au)?(?:\s+at)?|copïau)(?:[.:]\s*|\s+|$)(?P<rest>.*)$", re.IGNORECASE
)
ENCLOSURE = re.compile(
    r"^(?:enc(?:losures?|s)?|amg(?:aeedig|aeëdig)?|atodiad(?:au)?)(?:\s*[.:]\s*|\s*$)(?P<rest>.*)$",
    re.IGNORECASE,
)
PAGE_FURNITURE = re.compile(r"^(?:\d{1,3}|(?:Page|Tudalen)\s+\d+(?:\s+(?:of|o)\s+\d+)?)$", re.I)
CONTACT_SIGNS = re.compile(
    r" • |\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|^\+?[\d ]{10,}$|@|First Point of Contact|"
    r"Canolfan Cyswllt",
)
# Signs of the sender's own letterhead, as opposed to the addressee's postal address.
LETTERHEAD_CONTACT = re.compile(
    r" • |First Point of Contact|Canolfan Cyswllt|@(?:gov\.wales|llyw\.cymru)\b", re.IGNORECASE
)
STATEMENT_EN = re.compile(r"correspondence in Welsh", re.IGNORECASE)
STATEMENT_CY = re.compile(r"gohebiaeth yn Gymraeg", re.IGNORECASE)
RESTRICTED = re.compile(r"[^.]*\bnot to be shared\b[^.]*\.", re.IGNORECASE)
# A Word text box exported as text starts with its label ("Text Box: Y Gwir Anrhydeddus …").
TEXT_BOX = re.compile(r"^\s*(?:Text Box|Blwch Testun)\s*:\s*", re.IGNORECASE)
# Bullets from a symbol font ("·         y wybodaeth …"), written as Markdown ones.
SYMBOL_BULLET = re.compile(r"^\s*[·•▪●◦\uf0b7]\s+")
AUTOLINK = re.compile(r"<(?P<url>https?://[^>\s]+)>")
MARKDOWN_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>[^)]*)\)")

# --- people -------------------------------------------------------------------------------

HONORIFIC = re.compile(
    r"^(?:(?:The\s+)?(?:Rt\.?|Right)\s+Hon(?:ourable)?\.?|Y\s+Gwir\s+Anrh(?:ydeddus)?\.?"
    r"(?:\s*/\s*(?:The\s+)?Rt\.?\s+Hon\.?)?|Mr|Mrs|Ms|Miss|Mx|Dr|Prof(?:essor)?|Yr\s+Athro|Sir|"
    r"Dame|Lord|Baroness|Cllr|Councillor|Y\s+Cynghorydd|Rev(?:erend)?|Parch(?:edig)?)\.?\s+",
    re.IGNORECASE,
)
POST_NOMINAL = re.compile(
    r"(?:,?\s+(?:AS|MS|AM|AC|MP|AoS|MSP|MLA|MBE|OBE|CBE|KC|QC|FRSA|PhD|DL|JP)"
    r"(?:\s*/\s*(?:AS|MS|AM|AC|MP))?\.?)+$"
)
NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’-]+|ap|ab|de|van|von|ferch)"
PERSON_NAME = re.compile(rf"^{NAME_WORD}(?:\s+{NAME_WORD}){{0,4}}$")
# Words that make a line a body or a place, not a person's name.
NOT_A_NAME = re.compile(
    r"\b(?:Forum|Fforwm|Committee|Pwyllgor|Council|Cyngor|Government|Llywodraeth|Senedd|"
    r"Parliament|Assembly|Cynulliad|Members?|Aelodau|Board|Bwrdd|Association|Cymdeithas|Trust|"
    r"Ltd|Limited|Office|Swyddfa|Department|Adran|Chair|Cadeirydd|Street|Road|Stryd|Heol|House|"
    r"Tŷ|Ty|Bay|Bae|Cardiff|Caerdydd|Wales|Cymru|Centre|Canolfan|Service|Gwasanaeth|Team|Tîm|"
    r"Commissioner|Comisiynydd|Minister|Gweinidog|Secretary|Ysgrifennydd|Colleagues?|All|Bawb)\b",
    re.IGNORECASE,
)
# Words of a post, which continue a block of names rather than start one.
TITLE_WORDS = re.compile(
    r"\b(?:Minister|Gweinidog|Weinidog|Secretary|Ysgrifennydd|Counsel|Cwnsler|Trefnydd|Whip|"
    r"Chwip|Deputy|Dirprwy|Director|Cyfarwyddwr|Chief|Prif|Head|Pennaeth|Llywydd|"
    r"Presiding Officer|Commissioner|Comisiynydd|Chair|Cadeirydd|Officer|Swyddog|Executive|"
    r"Weithredwr|Gweithredwr)\b",
    re.IGNORECASE,
)
# Salutations to a group: the letter is to everyone the words name.
COLLECTIVE = re.compile(
    r"\b(?:all|everyone|colleagues?|members?|friends|partners|stakeholders|bawb|pawb|aelodau|"
    r"aelod|gydweithwyr|cydweithwyr|gyfeillion|cyfeillion|bartneriaid|partneriaid|rhanddeiliaid)\b",
    re.IGNORECASE,
)
# Words that say nothing about who is meant, around the collective words.
FILLER_WORDS = {
    "dear",
    "annwyl",
    "to",
    "the",
    "of",
    "all",
    "and",
    "our",
    "my",
    "y",
    "yr",
    "r",
    "o",
    "a",
    "ac",
    "i",
    "forum",
    "fforwm",
    "fforwm's",
}

# --- language -----------------------------------------------------------------------------

WELSH_WORDS = frozenset(
    """y yr yn ac ar o mae ein eich gyda ond bod wedi fydd bydd byddwn hyn hefyd chi rydym rwyf
    rwy ni nid ddim gan er fel drwy trwy neu pob hwn hon sy sydd yw ydy oes dros gyfer â ag ei
    eu fy i'r o'r a'r yng ym mewn gael cael hynny rhai iawn diolch annwyl gywir bawb cymru
    llywodraeth wrth nad nag oedd fod nhw hoffwn ynghylch ynglŷn felly dweud gwaith ymlaen
    ysgrifennu ysgrifennydd gweinidog cyfer rydyn gallwch byddai gymaint gennym""".split()
)
ENGLISH_WORDS = frozenset(
    """the and of to is for that we you with this be on are have will it our your as by from
    not has was which would can their they there these been more about please also any my me
    if do should who thank were had what when its than them us into such could must those""".split()
)
WELSH_MARKS = re.compile(r"[ŵŷâêîôûŴŶÂÊÎÔÛïë]")
WORD = re.compile(r"[\wŵŷâêîôûïë']+", re.IGNORECASE)


def _language(text: str) -> str | None:
    """ "cy" or "en" from the function words and letters of ``text``; None when it cannot tell
    (a heading of names, a link)."""
    words = WORD.findall(text)
    welsh = english = 0
    for word in words:
        lower = word.lower()
        if lower == "i":  # Welsh "i" (to) is lower case; English "I" is not
            welsh += word == "i"
            english += word == "I"
        welsh += lower in WELSH_WORDS
        english += lower in ENGLISH_WORDS
    welsh += 2 * len(WELSH_MARKS.findall(text))
    if welsh == english:
        welsh += sum(bool(re.search(r"dd|wy|^rh|^ll|au$|ae", w.lower())) for w in words)
        english += sum(
            bool(re.search(r"[vqxzkj]|tion$|ing$|ment$|ness$|ity$", w.lower())) for w in words
        )
    if welsh == english:
        return None
    return WELSH if welsh > english else ENGLISH


# --- the parsed letter --------------------------------------------------------------------


@dataclass
class ParsedLetter:
    reference: str = ""
    their_reference: str = ""
    date: datetime.date | None = None
    sender_name: str = ""
    titles_en: list = field(default_factory=list)
    titles_cy: list = field(default_factory=list)
    addressee: str = ""
    addressee_address: list = field(default_factory=list)
    # The addressee's name reads as a person's (not a group, a body or a post).
    addressee_is_person: bool = False
    addressee_line: int | None = None
    salutation: str = ""
    salutation_cy: str = ""
    subject: str = ""
    subject_cy: str = ""
    closing: str = ""
    closing_cy: str = ""
    body: list = field(default_factory=list)
    body_cy: list = field(default_factory=list)
    address: list = field(default_factory=list)
    statement_en: str = ""
    statement_cy: str = ""
    restricted_note: str = ""
    cc: list = field(default_factory=list)
    enclosures: list = field(default_factory=list)
    # Lines not placed and guesses made, for the reader to check (wrc.lib.importing.Notice).
    notices: list = field(default_factory=list)
    salutation_line: int | None = None

    def note(self, line: int | None, message: str, kind: str = "guess") -> None:
        self.notices.append(Notice(line, message, kind))

    @property
    def label(self) -> str:
        if self.reference:
            return _("Letter %(reference)s") % {"reference": self.reference}
        return _("Letter of %(date)s: %(subject)s") % {
            "date": f"{self.date:%d %B %Y}",
            "subject": self.subject or self.subject_cy or _("(no subject)"),
        }


def clean_inline(text: str) -> str:
    """Plain text from the export's Markdown: links written out, emphasis removed."""
    text = AUTOLINK.sub(lambda m: m["url"], text)

    def link(match):
        url = match["url"].strip()
        return match["text"] if url in ("", "#") else f"{match['text']} ({url})"

    text = MARKDOWN_LINK.sub(link, text)
    text = re.sub(r"^\s*#{1,6}\s+", "", text)  # a Word heading, read as Markdown
    text = TEXT_BOX.sub("", text)
    text = SYMBOL_BULLET.sub("- ", text)
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


def core_name(text: str) -> str:
    """A person's name without honorifics before it or post-nominals after it."""
    name = clean_inline(text).strip(" ,.")
    while match := HONORIFIC.match(name + " "):
        name = name[match.end() :].strip()
    return POST_NOMINAL.sub("", name).strip(" ,")


def looks_like_person(text: str) -> bool:
    name = core_name(text)
    return bool(name) and bool(PERSON_NAME.match(name)) and not NOT_A_NAME.search(name)


def _same_person(first: str, second: str) -> bool:
    return bool(first and second) and normalise_name(core_name(first)) == normalise_name(
        core_name(second)
    )


# --- head ---------------------------------------------------------------------------------


def reference_parts(line: str) -> list[tuple[str, str]] | None:
    """("ours"/"theirs", value) for each labelled reference on a line that starts with one:
    "Eich cyf/Your ref: ABC Ein cyf/Our ref: XYZ" gives both. None for any other line."""
    line = clean_inline(line)
    if not REFERENCE_LABEL.match(line):
        return None
    labels = list(REFERENCE_LABEL.finditer(line))
    # Only labels at the start or after a space start a new reference.
    labels = [m for m in labels if m.start() == 0 or line[m.start() - 1].isspace()]
    parts = []
    for index, match in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(line)
        value = line[match.end() : end].strip(" ,;")
        parts.append(("theirs" if THEIRS.search(match["label"]) else "ours", value))
    return parts


def parse_date(line: str, number: int | None) -> datetime.date | None:
    """The date a line consists of (English or Welsh, "30/01/2025"; "30 Ionawr 2025 / 30 January
    2025" once), or None. An impossible date is an error."""
    text = clean_inline(line).strip()
    candidates = [text]
    if re.search(r"\s[/|]\s", text):
        candidates = [part.strip() for part in re.split(r"\s[/|]\s", text)]
    found = []
    for candidate in candidates:
        for form in DATE_FORMS:
            if match := form.match(candidate):
                found.append(_date(match, number))
                break
        else:
            return None
    return found[0] if len(set(found)) == 1 else None


def _date(match, number: int | None) -> datetime.date:
    month = match["month"]
    month = int(month) if month.isdigit() else MONTHS.get(month.lower().rstrip("."), 0)
    try:
        return datetime.date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        raise ImportFormatError(
            number, _('"%(date)s" is not a date') % {"date": match["date"]}
        ) from None


@dataclass
class Head:
    """What the lines before the first salutation hold, before it is known which block of
    names is the sender's and which the addressee's."""

    blocks: list = field(default_factory=list)  # runs of (number, line) not otherwise placed
    addressed_to: tuple | None = None  # (number, text) of a "To: …" line
    date_line: int | None = None  # the line the date is on


def _parse_head(lines, letter: ParsedLetter) -> Head:
    """Place the lines that say what they are; the others, in runs between those, become the
    blocks of names and addresses (see ``_blocks``)."""
    head = Head()
    segments, segment = [], []
    for paragraph in _paragraphs(lines):
        texts = [line for _number, line in paragraph]
        if all(map(CONTACT_SIGNS.search, texts)) or (
            _is_contact_block(texts) and any(map(LETTERHEAD_CONTACT.search, texts))
        ):
            letter.address.append("\n".join(clean_inline(line) for line in texts))
            segments.append(segment)
            segment = []
            continue
        if _statement(" ".join(texts), letter):
            continue
        run = []
        # "Welsh Government" among the lines of an address is the addressee's, not a letterhead.
        in_address = not all(LETTERHEAD.match(clean_inline(line)) for line in texts)
        for number, line in paragraph:
            line = _take_trailing_date(number, line, letter, head)
            if in_address and LETTERHEAD.match(clean_inline(line)):
                run.append((number, clean_inline(line)))
            elif line and _head_line(number, line, letter, head):
                if letter.date is not None and head.date_line is None:
                    head.date_line = number
                if run:
                    segment.append(run)
                segments.append(segment)
                segment, run = [], []
            elif line:
                run.append((number, clean_inline(line)))
        if run:
            segment.append(run)
    segments.append(segment)
    head.blocks = _blocks([s for s in segments if s])
    return head


TRAILING_DATE = re.compile(
    rf"^(?P<rest>.*?\S)(?P<gap>\s+)(?P<date>\d{{1,2}}{_ORDINAL}\.?\s+(?:o\s+)?{_MONTH},?\s+\d{{4}})\.?$",
    re.IGNORECASE,
)
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


def _take_trailing_date(number: int, line: str, letter: ParsedLetter, head: Head) -> str:
    """A text box beside the address puts the date at the end of its last line ("Cardiff
    CF99 1NA 18 March 2016"): the date is taken and the rest of the line returned."""
    if letter.date is not None:
        return line
    text = clean_inline(line)
    match = TRAILING_DATE.match(text)
    if match is None or parse_date(text, number) is not None:
        return line
    if not (POSTCODE.search(match["rest"]) or len(match["gap"]) > 1 or "\t" in line):
        return line
    date = parse_date(match["date"], number)
    if date is None:
        return line
    letter.date, head.date_line = date, number
    return match["rest"]


def _blocks(segments: list) -> list:
    """Blocks of names from runs of paragraphs: the first paragraph with the titles that follow
    it (the sender's, when the letter starts with them; one paragraph a line in a Word
    document), then the rest of that run; each later run is one block (an address)."""
    blocks = []
    for segment in segments:
        if blocks:
            blocks.append([line for paragraph in segment for line in paragraph])
            continue
        first, rest = list(segment[0]), list(segment[1:])
        while rest and all(TITLE_WORDS.search(line) for _number, line in rest[0]):
            first += rest.pop(0)
        blocks.append(first)
        if rest:
            blocks.append([line for paragraph in rest for line in paragraph])
    return blocks


def _head_line(number: int, line: str, letter: ParsedLetter, head: Head) -> bool:
    """Place a line of the head that says what it is (a reference, the date, the letterhead,
    "To:", "Subject:"); False for a line of names and addresses."""
    if LETTERHEAD.match(clean_inline(line)):
        return True
    if (parts := reference_parts(line)) is not None:
        for kind, value in parts:
            _set_reference(letter, kind, value, number)
        return True
    if (date := parse_date(line, number)) is not None:
        if letter.date is None:
            letter.date = date
        elif date != letter.date:
            letter.note(
                number,
                _("a second date (%(date)s) was not used") % {"date": f"{date:%-d %B %Y}"},
                "unplaced",
            )
        return True
    if match := ADDRESSED_TO.match(clean_inline(line)):
        head.addressed_to = (number, match["rest"].strip())
        return True
    if match := SUBJECT_LABEL.match(clean_inline(line)):
        _set_subject(letter, match["rest"].strip(), number)
        return True
    return False


def _set_reference(letter: ParsedLetter, kind: str, value: str, number: int) -> None:
    attribute = "reference" if kind == "ours" else "their_reference"
    if len(value) > 50:
        raise ImportFormatError(
            number,
            _('the reference "%(reference)s" is longer than 50 characters') % {"reference": value},
        )
    current = getattr(letter, attribute)
    if not current:
        setattr(letter, attribute, value)
    elif value and value != current:
        letter.note(
            number,
            _('a second reference ("%(reference)s") was not used') % {"reference": value},
            "unplaced",
        )


def _set_subject(letter: ParsedLetter, text: str, number: int) -> None:
    text = clean_inline(text)
    language = _language(text)
    if language == WELSH and not letter.subject_cy:
        letter.subject_cy = text
    elif not letter.subject:
        letter.subject = text
    else:
        letter.note(
            number, _('a second subject line was not used: "%(text)s"') % {"text": text}, "unplaced"
        )


def _split_bilingual(text: str) -> dict:
    """{"cy": …, "en": …} for "Welsh / English" text; {language: text} otherwise."""
    parts = [part.strip() for part in re.split(r"\s*/\s*|\s+\|\s+", text) if part.strip()]
    if len(parts) == 2:
        first, second = (_language(part) for part in parts)
        # "Cadeirydd / Chair": one side says its language, so the other is the other one.
        if bool(first) != bool(second) and all(re.search(r"[A-Za-z]{3}", p) for p in parts):
            known = first or second
            other = ENGLISH if known == WELSH else WELSH
            first, second = (known, other) if first else (other, known)
        if first and second and first != second:
            return {first: parts[0], second: parts[1]}
    return {_language(text) or ENGLISH: text}


def _take_titles(lines: list[tuple[int, str]], letter: ParsedLetter) -> None:
    """Sender's titles, Welsh and English; a line that cannot tell continues the one before."""
    titles = {WELSH: [], ENGLISH: []}
    previous = None
    for _number, line in lines:
        split = _split_bilingual(line)
        if len(split) == 2:
            titles[WELSH].append(split[WELSH])
            titles[ENGLISH].append(split[ENGLISH])
            previous = ENGLISH
            continue
        language = _language(line) or previous or ENGLISH
        # The Welsh titles come first: once English starts, a Welsh-looking word ("Trefnydd")
        # does not start Welsh again unless the line is plainly Welsh.
        titles[language].append(line)
        previous = language
    letter.titles_cy = letter.titles_cy or titles[WELSH]
    letter.titles_en = letter.titles_en or titles[ENGLISH]


def _assign_head(head: Head, letter: ParsedLetter, signature: str) -> None:
    """The first block of names is the sender's, unless the letter is signed by someone else
    and greets the person that block names (a letter with no sender above it); the next block
    is the addressee's. Others are reported."""
    blocks = list(head.blocks)
    if (subject := _subject_above_salutation(head, letter, signature)) is not None:
        blocks.remove(subject)
    sender_block = None
    if blocks:
        name = blocks[0][0][1]
        signed_by_other = bool(signature) and not _same_person(name, signature)
        if not (signed_by_other and (len(blocks) == 1 or _greets(letter, name))):
            sender_block = blocks.pop(0)
        elif not head.addressed_to:
            # Sender-less: the blocks are the addressee's name and address.
            blocks = [[line for block in blocks for line in block]]
    if sender_block:
        (_number, name), *titles = sender_block
        letter.sender_name = name
        _take_titles(titles, letter)
        if signature and not _same_person(name, signature):
            letter.note(
                sender_block[0][0],
                _('the letter is signed by "%(signature)s", not "%(name)s"')
                % {"signature": signature, "name": name},
            )
    if head.addressed_to:
        number, text = head.addressed_to
        _set_addressee(letter, [(number, text)])
    elif blocks:
        _set_addressee(letter, blocks.pop(0))
    for block in blocks:
        for number, line in block:
            letter.note(
                number, _('not placed in the letter: "%(text)s"') % {"text": line}, "unplaced"
            )


def _subject_above_salutation(head: Head, letter: ParsedLetter, signature: str):
    """The subject set above the salutation ("2 Gorffennaf 2015 / Sesiwn dystiolaeth: y
    Gymraeg / Annwyl Brif Weinidog"): a last block of one line, below the date, under the
    names of both sides (or of the addressee of a letter signed below), that names no person,
    group or post. It is taken as the subject and the block returned; otherwise None."""
    if not head.blocks or letter.subject or letter.subject_cy or head.date_line is None:
        return None
    last = head.blocks[-1]
    (number, text), *more = last
    if more or number < head.date_line or head.addressed_to:
        return None
    if looks_like_person(text) or COLLECTIVE.search(text) or TITLE_WORDS.search(text):
        return None
    others = head.blocks[:-1]
    if not others:
        return None
    signed_below = bool(signature) and not _same_person(others[0][0][1], signature)
    if len(others) < 2 and not signed_below:
        return None
    _set_subject(letter, text, number)
    return last


def _greets(letter: ParsedLetter, name: str) -> bool:
    """The salutation ("Dear Ms Okafor", "Annwyl Nick") greets the person ``name`` names."""
    greeting = core_name(
        re.sub(r"^(?:Dear|Annwyl)\s+", "", letter.salutation or letter.salutation_cy, flags=re.I)
    )
    words = normalise_name(core_name(name)).split()
    said = normalise_name(greeting).split()
    return bool(words and said) and (said[-1] == words[-1] or said[0] == words[0])


def _set_addressee(letter: ParsedLetter, block) -> None:
    (number, name), *rest = block
    letter.addressee = name[:255]
    letter.addressee_line = number
    letter.addressee_is_person = looks_like_person(name)
    letter.addressee_address = [line for _number, line in rest]


def _addressee_from_salutation(letter: ParsedLetter) -> None:
    """With no addressee above the salutation, "Dear Jane Hutt MS," names them; "Dear Mike"
    may give the first name of the addressee block's person."""
    words = re.sub(
        r"^(?:Dear|Annwyl)\s+", "", letter.salutation or letter.salutation_cy, flags=re.I
    )
    words = words.strip(" ,.:;")
    if not words or COLLECTIVE.search(words):
        return
    if letter.addressee:
        return
    letter.addressee = words
    letter.addressee_line = letter.salutation_line
    letter.addressee_is_person = looks_like_person(words)


# --- greetings and versions ---------------------------------------------------------------


@dataclass
class Greeting:
    """One salutation or closing, possibly in both languages ("Annwyl bawb / Dear all,")."""

    start: int  # index into the lines
    end: int  # index of its last line
    text: dict  # language → text


def _greeting_language(text: str, closing: bool) -> str:
    if closing:
        return WELSH if WELSH_CLOSINGS.match(text) else ENGLISH
    return SALUTATION_LANGUAGE[text.split()[0].lower()]


def _is_greeting(line: str, pattern, closing: bool) -> bool:
    """A salutation line is short; a closing line is the closing words alone ("Best wishes for
    the new year…" is a sentence of the body)."""
    if not pattern.match(line) or len(line) > 100:
        return False
    if not closing:
        return True
    parts = re.split(r"\s+/\s+|\s+\|\s+", line)
    return all(
        (match := CLOSING.match(part)) and re.fullmatch(r"\s*[,.!]?\s*", part[match.end() :])
        for part in parts
    )


def _greeting_at(lines, index: int, pattern, closing: bool) -> Greeting | None:
    """The salutation (or closing) starting at ``index``: one line, or a Welsh and an English
    one next to each other (a blank line between allowed)."""
    line = clean_inline(lines[index][1])
    if not _is_greeting(line, pattern, closing):
        return None
    text = {}
    for part in re.split(r"\s+/\s+|\s+\|\s+", line):
        if pattern.match(part):
            text.setdefault(_greeting_language(part, closing), part)
    end = index
    following = next((i for i in range(index + 1, len(lines)) if lines[i][1].strip()), None)
    if following is not None:
        other = clean_inline(lines[following][1])
        if _is_greeting(other, pattern, closing):
            language = _greeting_language(other, closing)
            if language not in text:
                text[language], end = other, following
    return Greeting(index, end, text)


def _find_greeting(lines, start: int, stop: int, pattern, closing: bool) -> Greeting | None:
    for index in range(start, stop):
        if greeting := _greeting_at(lines, index, pattern, closing):
            return greeting
    return None


@dataclass
class Version:
    salutation: Greeting
    closing: Greeting
    body_start: int
    tail_end: int  # index after the version's footer (the next salutation or the end)


def _versions(lines) -> list[Version]:
    versions = []
    start = 0
    while (hello := _find_greeting(lines, start, len(lines), SALUTATION, False)) is not None:
        nxt = _find_greeting(lines, hello.end + 1, len(lines), SALUTATION, False)
        stop = nxt.start if nxt else len(lines)
        close = _find_greeting(lines, hello.end + 1, stop, CLOSING, True)
        if close is None:
            raise ImportFormatError(
                lines[hello.start][0], _('no closing ("Yours sincerely,") after the body')
            )
        versions.append(Version(hello, close, hello.end + 1, stop))
        start = stop
    return versions


# --- body ---------------------------------------------------------------------------------


def _is_contact_block(lines: list[str]) -> bool:
    """Short lines of address, phone, email: the letterhead, not a sentence of the body."""
    return all(len(line) < 80 for line in lines) and any(map(CONTACT_SIGNS.search, lines))


def _statement(joined: str, letter: ParsedLetter) -> bool:
    if STATEMENT_EN.search(joined):
        letter.statement_en = clean_inline(joined)
        return True
    if STATEMENT_CY.search(joined):
        letter.statement_cy = clean_inline(joined)
        return True
    return False


SENTENCE_START = re.compile(
    r"^(?:I|I'm|I've|We|We're|Thank|Thanks|Further|Following|As|Many|Diolch|Rwy|Rwyf|Rydw|"
    r"Rydym|Hoffwn|Yn dilyn|Fel)\b"
)


def _is_heading(line: str) -> bool:
    text = clean_inline(line)
    return (
        0 < len(text) <= 200 and not re.search(r"[.!?,;]$", text) and not SENTENCE_START.match(text)
    )


def _take_subject(paragraphs, letter: ParsedLetter, bilingual: bool, language: str) -> list:
    """Take the subject (the heading right after the salutation, in one or both languages)
    off the front of the body; returns the paragraphs left."""
    paragraphs = [list(p) for p in paragraphs]
    wanted = {WELSH, ENGLISH} if bilingual else {language}
    found = {}
    while paragraphs and wanted - set(found):
        paragraph = paragraphs[0]
        heading = []
        while paragraph and _is_heading(paragraph[0][1]) and len(heading) < 2:
            # A first line followed by a sentence starting in lower case is a wrapped sentence.
            if len(paragraph) > 1 and not heading and paragraph[1][1][:1].islower():
                break
            heading.append(paragraph.pop(0))
        if not heading:
            break
        if not paragraph:
            paragraphs.pop(0)
        else:
            paragraphs[0] = paragraph
        texts = [clean_inline(line) for _number, line in heading]
        languages = [_language(text) for text in texts]
        if len(texts) == 2 and None not in languages and languages[0] != languages[1]:
            parts = dict(zip(languages, texts, strict=True))
        elif len(texts) == 1:
            split = _split_bilingual(texts[0])
            parts = split if len(split) == 2 else {(languages[0] or language): texts[0]}
        else:
            parts = {(_language(" ".join(texts)) or language): " ".join(texts)}
        if not bilingual:
            parts = {language: " ".join(parts.values())}
        if set(parts) & set(found):
            paragraphs.insert(0, heading)  # a sub-heading of the body, not a second subject
            break
        found.update(parts)
        if paragraph:
            break
    for lang, text in found.items():
        if lang == WELSH and not letter.subject_cy:
            letter.subject_cy = text
        elif lang == ENGLISH and not letter.subject:
            letter.subject = text
    return paragraphs


def _body_paragraphs(paragraphs, letter: ParsedLetter) -> list[tuple[int, str]]:
    """(line, text) of the body's paragraphs, with the letterhead blocks, page numbers and the
    Welsh-language statement taken out (and a sentence cut by them joined again)."""
    body = []
    removed_since_last = False
    for paragraph in paragraphs:
        texts = [line for _number, line in paragraph]
        joined = " ".join(texts)
        if _is_contact_block(texts):
            letter.address.append("\n".join(clean_inline(line) for line in texts))
            removed_since_last = True
        elif _statement(joined, letter):
            removed_since_last = True
        elif len(texts) == 1 and PAGE_FURNITURE.match(joined):
            letter.note(
                paragraph[0][0],
                _('"%(text)s" taken for a page number and left out') % {"text": joined},
                "info",
            )
            removed_since_last = True
        else:
            text = clean_inline(joined)
            # A sentence cut by the letterhead block continues after it.
            if removed_since_last and body and re.match(r"^(?:[a-z]|https?:)", text):
                body[-1] = (body[-1][0], f"{body[-1][1]} {text}")
            else:
                body.append((paragraph[0][0], text))
            removed_since_last = False
    return body


def _sort_languages(body, letter: ParsedLetter, *, bilingual: bool, language: str) -> None:
    """Each paragraph into the Welsh or the English body. In a letter of one language, a
    paragraph in the other (a Welsh link title, say) stays where it is, and is reported."""
    detected = [_language(text) for _number, text in body]
    if not bilingual:
        target = letter.body_cy if language == WELSH else letter.body
        for (number, text), lang in zip(body, detected, strict=True):
            if lang and lang != language:
                letter.note(
                    number,
                    _("this paragraph looks %(looks)s; it was kept in the %(language)s letter")
                    % {"looks": LANGUAGE_NAMES[lang], "language": LANGUAGE_NAMES[language]},
                    "info",
                )
            target.append(text)
        return
    for index, ((number, text), lang) in enumerate(zip(body, detected, strict=True)):
        if lang is None:
            # A heading takes the language of the paragraph it heads.
            after = next((d for d in detected[index + 1 :] if d), None)
            before = next((d for d in reversed(detected[:index]) if d), None)
            lang = after or before or language
            letter.note(
                number,
                _('language guessed (%(language)s): "%(text)s"')
                % {"language": LANGUAGE_NAMES[lang], "text": text[:60]},
            )
        (letter.body_cy if lang == WELSH else letter.body).append(text)


# --- footer -------------------------------------------------------------------------------


def _parse_footer(lines, letter: ParsedLetter) -> tuple[str, list]:
    """Signature, titles, cc and enclosures after a closing; returns the name signed and the
    titles under it."""
    target, listed = None, False
    signature, titles, signature_paragraphs = "", [], 0
    for paragraph in _paragraphs(lines):
        texts = [line for _number, line in paragraph]
        if _is_contact_block(texts) and not CC.match(texts[0]) and not ENCLOSURE.match(texts[0]):
            letter.address.append("\n".join(clean_inline(line) for line in texts))
            continue
        if _statement(" ".join(texts), letter):
            continue
        # A list under a label standing alone ("cc", then the names) goes on; otherwise a
        # paragraph starts afresh.
        target = target if target is not None and not listed else None
        listed = target is not None
        for number, line in paragraph:
            if match := CC.match(line):
                target, line = letter.cc, match["rest"]
            elif match := ENCLOSURE.match(line):
                target, line = letter.enclosures, match["rest"]
            if target is not None:
                if line:
                    target.append(line.rstrip(".") if target is letter.enclosures else line)
                    listed = True
                continue
            text = clean_inline(line)
            if LETTERHEAD.match(text) or _repeated_head_line(number, text, letter):
                continue
            if not signature and signature_paragraphs == 0 and len(text) <= 100:
                signature = text
                # "Ieuan Wyn (Ysgrifennydd, Cylch yr Iaith)": the name, then the post.
                if (match := SIGNED_WITH_POST.match(text)) and looks_like_person(match["name"]):
                    signature = match["name"]
                    titles.append((number, match["post"]))
            elif (
                signature
                and (signature_paragraphs <= 1 or TITLE_WORDS.search(text))
                and len(text) <= 150
            ):
                titles.append((number, text))
            else:
                letter.note(
                    number, _('not placed in the letter: "%(text)s"') % {"text": text}, "unplaced"
                )
        if signature:
            signature_paragraphs += 1
    return signature, titles


SIGNED_WITH_POST = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<post>[^()]+)\)$")


def _repeated_head_line(number: int, text: str, letter: ParsedLetter) -> bool:
    """A reference or date repeated above the second version of a bilingual letter."""
    if (parts := reference_parts(text)) is not None:
        for kind, value in parts:
            _set_reference(letter, kind, value, number)
        return True
    date = parse_date(text, number)
    if date is not None:
        if date != letter.date:
            letter.note(
                number,
                _("a second date (%(date)s) was not used") % {"date": f"{date:%-d %B %Y}"},
                "unplaced",
            )
        return True
    return bool(letter.addressee) and text == letter.addressee


def _restricted_note(letter: ParsedLetter) -> str:
    for paragraph in letter.body or letter.body_cy:
        if sentence := RESTRICTED.search(paragraph):
            link = re.search(r"https?://\S+?(?=[.,;]?(?:\s|$))", paragraph)
            note = squash(sentence.group(0))
            return f"{link.group(0)}\n{note}" if link else note
    return ""


MEETING_SIGNS = re.compile(
    r"^(?:#+\s*)?(?:Attendees|Present|Apologies|Agenda|Minutes|Action points|Actions|"
    r"Summary of actions|Yn bresennol|Ymddiheuriadau)\b",
    re.IGNORECASE,
)


def _not_a_letter(lines) -> ImportFormatError:
    first = next((number for number, line in lines if line.strip()), None)
    if first is None:
        return ImportFormatError(None, _("the letter is empty"))
    sign = next(((n, line.strip()) for n, line in lines if MEETING_SIGNS.match(line.strip())), None)
    if sign:
        return ImportFormatError(
            sign[0],
            _('"%(text)s" belongs to meeting notes: this is not a letter') % {"text": sign[1]},
        )
    return ImportFormatError(
        first, _('this is not a letter: there is no salutation ("Dear …" or "Annwyl …")')
    )


def parse_letter(text: str) -> ParsedLetter:
    """The letter's parts; raises ``ImportFormatError`` naming the line of the first problem."""
    lines = list(enumerate(text.splitlines(), start=1))
    letter = ParsedLetter()
    versions = _versions(lines)
    if not versions:
        raise _not_a_letter(lines)
    first = versions[0]
    head = _parse_head(lines[: first.salutation.start], letter)
    if letter.date is None:
        raise ImportFormatError(
            lines[first.salutation.start][0], _("no date (such as 30 January 2025) before here")
        )
    letter.salutation_line = lines[first.salutation.start][0]
    signature, signature_titles = "", []
    several = len(versions) > 1
    for version in versions:
        salutation, closing = version.salutation.text, version.closing.text
        language = next(iter(salutation))
        bilingual = not several and (len(salutation) == 2 or len(closing) == 2)
        letter.salutation = letter.salutation or salutation.get(ENGLISH, "")
        letter.salutation_cy = letter.salutation_cy or salutation.get(WELSH, "")
        letter.closing = letter.closing or closing.get(ENGLISH, "")
        letter.closing_cy = letter.closing_cy or closing.get(WELSH, "")
        paragraphs = _paragraphs(lines[version.body_start : version.closing.start])
        paragraphs = _take_subject(paragraphs, letter, bilingual, language)
        body = _body_paragraphs(paragraphs, letter)
        if not body:
            raise ImportFormatError(lines[version.closing.start][0], _("the letter has no body"))
        if not several and not bilingual:
            bilingual = _looks_bilingual(body, language, letter, lines[version.salutation.start][0])
        _sort_languages(body, letter, bilingual=bilingual, language=language)
        signed, titles = _parse_footer(lines[version.closing.end + 1 : version.tail_end], letter)
        if not signature:
            signature, signature_titles = signed, titles
        elif signed and not _same_person(signed, signature):
            letter.note(
                lines[version.closing.end][0],
                _('signed by "%(name)s" in this version') % {"name": signed},
            )
    _assign_head(head, letter, signature)
    if not letter.sender_name and signature:
        letter.sender_name = signature
    if not letter.titles_en and not letter.titles_cy:
        _take_titles(signature_titles, letter)
    _addressee_from_salutation(letter)
    if not letter.subject and not letter.subject_cy:
        # Many letters have none: for the record, not a point to check.
        letter.note(letter.salutation_line, _("the letter has no subject line"), "info")
    letter.restricted_note = _restricted_note(letter)
    return letter


def _looks_bilingual(body, language: str, letter: ParsedLetter, number: int) -> bool:
    """A letter greeting in one language whose paragraphs alternate: bilingual, reported."""
    detected = [_language(text) for _number, text in body]
    other = sum(1 for lang in detected if lang and lang != language)
    known = sum(1 for lang in detected if lang)
    if other >= 2 and other >= 0.4 * known:
        letter.note(number, _("paragraphs in both languages: the letter was taken as bilingual"))
        return True
    return False


# --- saving -------------------------------------------------------------------------------


def _cc_organisation(text: str, report: ImportReport) -> Organisation | None:
    if known_organisation(text) or Organisation.objects.resolve(text):
        return organisation_ensure(name=text, report=report)
    return None


def _forum_words(forum) -> set:
    names = [forum.name, getattr(forum, "name_cy", ""), getattr(forum, "short_name", "")]
    return {word for name in names if name for word in WORD.findall(name.lower())}


def _names_the_forums_members(text: str, forum) -> bool:
    """True when ``text`` ("Dear all", "Wales Race Forum Members", "Annwyl aelodau'r Fforwm")
    addresses a group and names no body other than the forum."""
    if not COLLECTIVE.search(text):
        return False
    words = {w.strip("'’") for w in WORD.findall(COLLECTIVE.sub(" ", text.lower()))}
    words = {w.removesuffix("'r").removesuffix("’r") for w in words} - FILLER_WORDS - {""}
    return words <= _forum_words(forum)


def letter_audience(parsed: ParsedLetter, forum) -> tuple[str, str]:
    """("all_members" or "people", why): every member only when the letter says so."""
    named = parsed.addressee if parsed.addressee_is_person else ""
    greeting = parsed.salutation or parsed.salutation_cy
    everyone = [
        text
        for text in (greeting, parsed.addressee)
        if text and _names_the_forums_members(text, forum)
    ]
    if everyone and not named:
        others = [t for t in (parsed.addressee,) if t and t not in everyone and t != greeting]
        if not others:
            return Letter.Audience.ALL_MEMBERS, ""
    if named:
        return Letter.Audience.PEOPLE, ""
    addressed = parsed.addressee or greeting
    return Letter.Audience.PEOPLE, (
        _(
            'addressed to "%(addressee)s", not to the members of %(forum)s: only the forum\'s '
            "staff can see it"
        )
        % {"addressee": addressed, "forum": forum.name}
    )


def addressee_person(parsed: ParsedLetter) -> tuple[Person | None, str]:
    """The directory's person the letter is addressed to, or None and why."""
    if not parsed.addressee_is_person:
        return None, ""
    name = core_name(parsed.addressee)
    matches = list(Person.objects.filter(full_name__iexact=name)[:2])
    if len(matches) == 1:
        return matches[0], ""
    if len(matches) > 1:
        return None, _('several people in the directory are called "%(name)s": none was linked') % {
            "name": name
        }
    person = person_resolve(parsed.addressee) or person_resolve(name)
    if person is not None:
        return person, ""
    return None, (
        _(
            '"%(addressee)s" is not in the directory: only the forum\'s staff can see the '
            "letter until the addressee is added as its recipient"
        )
        % {"addressee": parsed.addressee}
    )


def _sender(parsed: ParsedLetter) -> Person | None:
    return person_resolve(parsed.sender_name) or person_resolve(core_name(parsed.sender_name))


def save_letter(
    parsed: ParsedLetter, *, source_name: str, report: ImportReport, forum=None
) -> Letter:
    forum = forum_ensure(report=report, forum=forum)
    if parsed.reference:
        lookup = {"reference": parsed.reference}
        refuse_other_forum(
            Letter,
            lookup=lookup,
            forum=forum,
            what=_("Letter %(reference)s") % {"reference": parsed.reference},
        )
    else:
        # Without a reference a letter is known by its forum, date and subject.
        lookup = {
            "forum": forum,
            "reference": "",
            "date": parsed.date,
            "subject_en": parsed.subject,
            "subject_cy": parsed.subject_cy,
        }
        if not parsed.subject and not parsed.subject_cy:
            lookup["addressee"] = parsed.addressee
    audience, why = letter_audience(parsed, forum)
    person, not_found = addressee_person(parsed)
    for message in (why, not_found):
        if message:
            report.notices.append(Notice(parsed.addressee_line or parsed.salutation_line, message))
    values = {
        "forum": forum,
        "date": parsed.date,
        "their_reference": parsed.their_reference,
        "sender": _sender(parsed),
        "sender_name": parsed.sender_name,
        "sender_titles_en": " ".join(parsed.titles_en),
        "sender_titles_cy": " ".join(parsed.titles_cy),
        "sender_address": "\n\n".join(parsed.address),
        "addressee": parsed.addressee,
        "addressee_address": "\n".join(parsed.addressee_address),
        "salutation_en": parsed.salutation,
        "salutation_cy": parsed.salutation_cy,
        "subject_en": parsed.subject,
        "subject_cy": parsed.subject_cy,
        "body_en": "\n\n".join(parsed.body),
        "body_cy": "\n\n".join(parsed.body_cy),
        "closing_en": parsed.closing,
        "closing_cy": parsed.closing_cy,
        "welsh_language_statement_en": parsed.statement_en,
        "welsh_language_statement_cy": parsed.statement_cy,
        "restricted_note": parsed.restricted_note,
        "audience": audience,
        # Sent outside this service: kept as a record, never sent from here.
        "status": Letter.Status.ARCHIVED,
        "source_document": source_name,
    }
    letter = sync_object(
        Letter,
        lookup=lookup,
        values={k: v for k, v in values.items() if k not in lookup},
        report=report,
    )
    # Recipients linked by hand later (an addressee added to the directory) are kept.
    if person is not None and not letter.recipient_people.filter(pk=person.pk).exists():
        letter.recipient_people.add(person)
    _save_lists(letter, parsed, report)
    return letter


def _save_lists(letter: Letter, parsed: ParsedLetter, report: ImportReport) -> None:
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


def import_letter(
    *, text: str, source_name: str = "", dry_run: bool = False, forum=None
) -> ImportReport:
    """Parse, then save in one transaction (rolled back on a dry run), as a letter of ``forum``
    (the first forum by default)."""
    parsed = parse_letter(text)

    def write():
        report = ImportReport(parsed.label)
        report.notices.extend(parsed.notices)
        save_letter(parsed, source_name=source_name, report=report, forum=forum)
        return report

    return run_import(write, dry_run=dry_run)
