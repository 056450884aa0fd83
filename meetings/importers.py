"""Importing a meeting's published notes: the meeting, attendance, agenda items with their
discussion and actions, and the table or list of actions.

Real notes come in many layouts: the date with or without a time, in English or Welsh, in the
title or on a "Date:" line; "Present", "Attendees", "Yn bresennol" and "Apologies" in any order,
with group headings ("Officials", "Secretariat") inside them and rows written "Name - Organisation",
"Name, Job title, Organisation", as table cells or run together by a PDF; items numbered "1.",
"Item 1:" or given as headings; actions written "Action:", "Action point:", "AP1", "Cam
gweithredu:", under their item or gathered in a table whose columns the header names.

The parser reads the notes as plain text and the same layout written as Markdown (headings with
"#", bold with "**", bullets with "- ", tables with "|"), so a Markdown export of a meeting can be
imported again. Whatever it cannot place, and every guess worth checking, becomes a ``Notice``
that the review page and the command line show; a damaged table or a document that is not notes
is refused with an ``ImportFormatError`` naming the line.
"""

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext

from actions.deadlines import MONTHS, NEXT_MEETING, interpret_deadline
from actions.models import ActionItem
from actions.services import next_meeting_date, refresh_next_meeting_due_dates, resolve_owner
from directory.known_organisations import KNOWN_ORGANISATIONS
from directory.models import Organisation, Person
from directory.naming import (
    ORGANISATION_LEADING_WORDS,
    POST_NOMINALS,
    initials_of,
    looks_like_job_title,
    looks_like_organisation,
    looks_like_person_name,
    looks_like_place,
    organisation_in,
    split_outside_brackets,
    starts_like_organisation,
    strip_titles,
)
from directory.services import (
    forum_ensure,
    known_organisation,
    membership_for_attendee,
    organisation_ensure,
    person_name_without_post_nominals,
    person_resolve,
)
from meetings.models import AgendaItem, Attendance, Meeting
from wrc.lib.importing import (
    ImportFormatError,
    ImportReport,
    Notice,
    Piece,
    delete_rest,
    ensure_object,
    html_to_pieces,
    render_pieces,
    run_import,
    squash,
    strip_markdown,
    sync_object,
)

PRESENT, APOLOGIES, ABSENT = (
    Attendance.Status.PRESENT.value,
    Attendance.Status.APOLOGIES.value,
    Attendance.Status.ABSENT.value,
)
SECTION_HEADINGS = {
    PRESENT: (
        "present", "attendance", "attendees", "attending", "members present", "in attendance",
        "those present", "attendance list", "participants", "yn bresennol", "presenoldeb",
        "aelodau yn bresennol", "yn mynychu", "attendance and apologies", "present and apologies",
    ),
    APOLOGIES: (
        "apologies", "apologies received", "apologies for absence", "apologies and absences",
        "ymddiheuriadau", "ymddiheuriadau a dderbyniwyd",
    ),
    ABSENT: ("absent", "not present", "absences", "yn absennol", "absennol"),
    "discussion": (
        "meeting notes", "discussion", "notes", "minutes", "notes of the meeting",
        "minutes of the meeting", "note of the meeting", "notes of meeting", "record of meeting",
        "nodiadau'r cyfarfod", "nodiadau", "cofnodion", "trafodaeth", "cofnodion y cyfarfod",
    ),
    "summary": (
        "summary of actions", "action points", "actions summary", "summary of action points",
        "action log", "actions log", "actions arising", "table of actions", "actions table",
        "action table", "action tracker", "new actions", "list of actions", "agreed actions",
        "crynodeb o'r camau gweithredu", "crynodeb o gamau gweithredu", "pwyntiau gweithredu",
        "camau gweithredu", "crynodeb o'r pwyntiau gweithredu",
    ),
}  # fmt: skip
SECTION_HEADINGS["agenda"] = ("agenda", "agenda items", "agenda'r cyfarfod", "eitemau'r agenda")
HEADINGS = {text: kind for kind, texts in SECTION_HEADINGS.items() for text in texts}
# "Actions" under an item lists that item's actions; before any item (after the agenda of notes
# that record only their agenda and actions) it heads the meeting's actions.
ACTIONS_HEADINGS = ("actions", "action", "camau gweithredu", "camau")
# Small words that do not make a line prose ("Churches Together in Wales").
LINKING_WORDS = {
    "and", "of", "the", "for", "in", "on", "to", "at", "a", "an", "y", "yr", "ac", "o", "ar",
    "i", "a'r", "&", "with", "by",
}  # fmt: skip
ATTENDANCE = (PRESENT, APOLOGIES, ABSENT)
# Headings inside an attendance section that say who the rows under them are. Staff, guests
# and speakers attend to support or brief the forum: they are present even when the notes list
# them after the apologies, and their organisations do not become members.
STAFF_GROUP = re.compile(
    r"^(?:(?:welsh government|wg|uk government|the|other|invited|forum|board|senedd|committee"
    r"|assembly|secretariat)\s+)?"
    r"(?:officials?|secretariat|guests?|observers?|speakers?|presenters?|advisers?|advisors?"
    r"|in attendance|also present|also in attendance|attending|support|staff|note ?takers?"
    r"|swyddogion(?: llywodraeth cymru)?|ysgrifenyddiaeth|gwesteion|sylwedyddion|siaradwyr"
    r"|cyflwynwyr|hefyd yn bresennol)$"
    r"|^(?:for\s+)?items?\s+\d+(?:\s*(?:,|and|&|-|–)\s*\d+)*(?:\s+only)?$"
    r"|^(?:ar gyfer\s+)?eitem(?:au)?\s+\d+(?:\s+yn unig)?$",
    re.IGNORECASE,
)
MEMBER_GROUP = re.compile(
    r"^(?:[\w'’ -]+\s+)?(?:members|member organisations|representatives|co-chairs?|chairs?"
    r"|aelodau|cyd-gadeiryddion|cadeirydd|members present)$",
    re.IGNORECASE,
)
ATTENDANCE_COLUMNS = re.compile(
    r"^(?:name|enw)\s*(?:[-–—/|,]|and)\s*(?:organisation|organization|role|sefydliad|rôl)"
    r"(?:\s*/\s*role)?$",
    re.IGNORECASE,
)
NAME_COLUMN = re.compile(r"^(?:name|enw|attendee|member|person)s?$", re.IGNORECASE)
ORGANISATION_COLUMN = re.compile(
    r"^(?:organisation|organization|representing|role|job title|title|position|sefydliad|rôl"
    r"|swydd|body|organisation / role|organisation/role)$",
    re.IGNORECASE,
)

WEEKDAY = (
    r"(?:(?:dydd\s+)?(?:llun|mawrth|mercher|iau|gwener|sadwrn|sul)|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?"
)
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_WORDS = re.compile(
    rf"(?:\b{WEEKDAY}\s+)?(?:the\s+)?\b(?P<day>\d{{1,2}})(?:st|nd|rd|th|af|ed|ain|fed|eg)?"
    rf"\s+(?:of\s+)?(?P<month>{MONTH_NAMES})\.?,?\s+(?P<year>\d{{4}})\b",
    re.IGNORECASE,
)
DATE_MONTH_FIRST = re.compile(
    rf"(?:\b{WEEKDAY}\s+)?\b(?P<month>{MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?"
    rf"\s+(?P<year>\d{{4}})\b",
    re.IGNORECASE,
)
DATE_NUMERIC = re.compile(
    rf"(?:\b{WEEKDAY}\s+)?\b(?P<day>\d{{1,2}})[/.](?P<month>\d{{1,2}})[/.](?P<year>\d{{4}}|\d{{2}})\b",
    re.IGNORECASE,
)
DATE_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
MERIDIEM = r"(?:a\.?m\.?|p\.?m\.?|yb|yp|y\.b\.|y\.p\.)"
CLOCK_TEXT = (
    rf"(?:\d{{1,2}}(?:[:.]\d{{2}})?\s*-?\s*{MERIDIEM}|\d{{1,2}}[:.]\d{{2}}|noon|midday|hanner dydd)"
)
TIME_RANGE = re.compile(
    rf"(?<![\d/])(?P<start>\d{{1,2}}(?:[:.]\d{{2}})?(?:\s*{MERIDIEM})?|noon|midday)\s*"
    rf"(?:[–—-]|to|until|till|tan|hyd at)\s*(?P<end>{CLOCK_TEXT})(?![\d/])",
    re.IGNORECASE,
)
TIME_SINGLE = re.compile(rf"(?<![\d/])(?P<start>{CLOCK_TEXT})(?![\d/])", re.IGNORECASE)
CLOCK = re.compile(
    rf"^(?P<hour>\d{{1,2}})(?:[:.](?P<minute>\d{{2}}))?\s*-?\s*(?P<suffix>{MERIDIEM})?$", re.I
)
LABELLED = re.compile(
    r"^(?P<label>date|dyddiad|time|amser|venue|location|place|where|lleoliad|lle|meeting date"
    r"|date and time|date & time|dyddiad ac amser|chair|cadeirydd|chaired by)\s*[:–-]\s*"
    r"(?P<value>.*)$",
    re.IGNORECASE,
)
PLATFORM = re.compile(
    r"\b(?P<platform>microsoft teams|ms teams|teams|zoom|webex|google meet|skype)\b", re.I
)
PLACE = re.compile(r"^(?:(?P<venue>.+?)\s+(?:and|&|a)\s+)?(?:via|on|ar)\s+(?P<platform>.+)$", re.I)
TITLE_PREFIX = re.compile(
    r"^(?:(?:draft\s+)?(?:meeting\s+)?(?:notes|minutes|note|record)\s+of\s+(?:the\s+)?"
    r"(?:meeting\s+of\s+(?:the\s+)?)?|nodiadau\s+cyfarfod\s+)",
    re.IGNORECASE,
)
NOISE = re.compile(
    r"^(?:draft|final|approved|official(?:\s*[-–]\s*sensitive)?|agreed|notes|minutes"
    r"|meeting notes|nodiadau|cofnodion|page \d+(?: of \d+)?|tudalen \d+"
    # What a published web page puts around the notes
    r"|skip to main content|neidio i'r prif gynnwys?|in this page|ar y dudalen hon|contents"
    r"|cynnwys|print this page|share this page|first published:?.*|last updated:?.*"
    r"|cyhoeddwyd gyntaf:?.*|diweddarwyd ddiwethaf:?.*"
    r"|a pdf download of this document will be available soon\.?"
    r"|this was published under the .+ administration.*)$",
    re.IGNORECASE,
)
# Words that name a building or room: a line of them after the title is where the meeting was.
VENUE_WORDS = re.compile(
    r"\b(?:building|buildings|room|rooms|house|hall|centre|center|park|bay|street|road"
    r"|offices?|suite|chamber|hotel|tŷ|ty|adeilad|canolfan|neuadd|ystafell|swyddfeydd|parc)\b",
    re.IGNORECASE,
)

ITEM_WORD = re.compile(
    r"^(?:agenda\s+)?(?:item|eitem)\s+(?P<number>\d+)\s*(?:[:.)–—-]\s*|\s+)(?P<title>\S.*)?$",
    re.IGNORECASE,
)
ITEM_NUMBER = re.compile(r"^(?P<number>\d+)(?:[.)]\s+|\s+(?=[A-ZÀ-ÖØ-ÞŴŶ]))(?P<title>\S.*)$")
NUMBERING = re.compile(r"^\(?\d+[.)]\s+")
BULLET = re.compile(r"^(?:[-*•◦▪–]|\d+[.)])\s+")
PLAIN_BULLET = re.compile(r"^[-*•◦▪]\s+")
ACTION_LINE = re.compile(
    r"^(?:(?:new\s+|agreed\s+)?action(?:\s+point)?s?|ap|cam(?:au)?\s+gweithredu|pwynt\s+gweithredu)"
    r"\s*(?P<number>\d+)?\s*(?:[:–—-]|\.(?=\s))\s*(?P<text>.*)$"
    r"|^ap\s*(?P<apnumber>\d+)\s*[:.–—-]?\s+(?P<aptext>.+)$",
    re.IGNORECASE,
)
HTML = re.compile(r"</?[a-zA-Z][^>]*>")
TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
HEADING_MARK = re.compile(r"^\s*(?P<hashes>#{1,6})\s+")
BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<text>[^*_].*?)(?:\*\*|__):?\s*$")
SPACED_DASH = (" - ", " – ", " — ")

# --- the parsed notes ------------------------------------------------------------------------


@dataclass
class ParsedAttendee:
    as_written: str
    name: str
    organisation_text: str
    status: str
    group: str = ""
    initials: str = ""
    deputy_for: str = ""
    line: int | None = None
    is_chair: bool = False
    # Chosen by a reviewer: when set, saving uses this Person / Organisation as it is.
    person_id: int | None = None
    organisation_id: int | None = None

    @property
    def organisation_name(self) -> str:
        """The organisation the row names ("" for a job title, a place or nothing)."""
        text = self.organisation_text
        if not text or _sentence(text):
            return ""  # "Members of … Senedd Staffing teams were present" names no body
        found = organisation_in(text)
        if found or self.name:
            return found
        # A row that is only an organisation may read like a name ("Travelling Ahead"); only a
        # post or a place is not an organisation.
        first = split_outside_brackets(text, ",")[0]
        return "" if looks_like_job_title(first) or looks_like_place(text) else text


@dataclass
class ParsedAction:
    text: str
    owner_text: str = ""
    deadline_text: str = ""
    line: int | None = None
    number: int | None = None  # as the notes number it ("Action 3:", "AP3")


@dataclass
class ParsedItem:
    number: int
    title: str
    line: int
    presenter: str = ""
    pieces: list = field(default_factory=list)
    actions: list = field(default_factory=list)  # ParsedAction, in order
    piece_lines: list = field(default_factory=list)  # the line of each piece

    @property
    def discussion(self) -> str:
        return render_pieces(self.pieces)


@dataclass
class ParsedSummaryRow:
    number: int
    text: str
    owner_text: str
    deadline_text: str
    line: int
    status_text: str = ""


@dataclass
class ParsedMeeting:
    title: str = ""
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    time_recorded: bool = True
    venue: str = ""
    online_platform: str = ""
    attendance: list = field(default_factory=list)
    items: list = field(default_factory=list)
    summary: list = field(default_factory=list)
    notices: list = field(default_factory=list)

    def notice(self, line: int | None, message: str, kind: str = "guess") -> None:
        self.notices.append(Notice(line, message, kind))


# --- dates and times -------------------------------------------------------------------------


def _zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def find_date(text: str) -> tuple[datetime.date, tuple[int, int]] | None:
    """The first date in ``text`` and where it is; None when there is none."""
    for pattern in (DATE_WORDS, DATE_MONTH_FIRST, DATE_NUMERIC, DATE_ISO):
        for match in pattern.finditer(text):
            month = match["month"]
            month = int(month) if month.isdigit() else MONTHS.get(month.lower().rstrip("."))
            year = int(match["year"])
            year = year + 2000 if year < 100 else year
            try:
                return datetime.date(year, month, int(match["day"])), match.span()
            except (TypeError, ValueError):
                continue
    return None


def _clock(value: str) -> tuple[int, int, str]:
    value = value.strip().lower()
    if value in ("noon", "midday", "hanner dydd"):
        return 12, 0, "pm"
    match = CLOCK.match(value)
    suffix = (match["suffix"] or "").replace(".", "")
    suffix = {"yb": "am", "yp": "pm"}.get(suffix, suffix)
    return int(match["hour"]), int(match["minute"] or 0), suffix


def _hour24(hour: int, suffix: str) -> int:
    if suffix == "pm" and hour != 12:
        return hour + 12
    if suffix == "am" and hour == 12:
        return 0
    return hour


def find_times(text: str) -> tuple[datetime.time, datetime.time | None, tuple] | None:
    """(start, end or None, span) of the first time or time range in ``text``."""
    if match := TIME_RANGE.search(text):
        start_h, start_m, start_suffix = _clock(match["start"])
        end_h, end_m, end_suffix = _clock(match["end"])
        end_hour = _hour24(end_h, end_suffix)
        start_hour = _hour24(start_h, start_suffix or end_suffix)
        if not start_suffix and start_hour > end_hour:
            start_hour = _hour24(start_h, "am")  # "11:30 – 1:00 pm" starts in the morning
        if end_suffix == "pm" and end_hour - start_hour > 9 and end_hour - 12 > start_hour:
            end_hour -= 12  # "10.00am – 11.30-pm": a meeting of 13 hours is a slip of the pen
        if start_hour < 24 and end_hour < 24 and start_m < 60 and end_m < 60:
            return datetime.time(start_hour, start_m), datetime.time(end_hour, end_m), match.span()
    for match in TIME_SINGLE.finditer(text):
        hour, minute, suffix = _clock(match["start"])
        hour = _hour24(hour, suffix)
        if hour < 24 and minute < 60:
            return datetime.time(hour, minute), None, match.span()
    return None


def _cut(text: str, span: tuple[int, int]) -> str:
    return f"{text[: span[0]]} {text[span[1] :]}"


TIME_NOT_RECORDED = re.compile(
    r"\b(?:time not recorded|time not given|time tbc|amser heb ei gofnodi)\b", re.IGNORECASE
)


def _leftover(text: str) -> str:
    """What a date line says besides the date and time: the place, or a title."""
    text = TIME_NOT_RECORDED.sub(" ", text)
    text = re.sub(rf"\b{WEEKDAY}(?=\s|$)", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:at|from|on|between|am|ar|o|rhwng)\b(?=\s*(?:[,–—-]|$))", " ", text)
    text = re.sub(r"^\s*(?:[,–—:|-]|\bat\b|\bon\b|\bfrom\b)\s*", "", squash(text))
    text = re.sub(r"\s*(?:[,–—:|(-]|\bat\b|\bon\b)\s*$", "", text)
    text = re.sub(r"^\s*(?:[,–—:|-]|\bat\b|\bon\b)\s*", "", text)
    return squash(text.strip(" ,–—-:|()"))


def _set_place(meeting: ParsedMeeting, place: str) -> None:
    place = squash(place).rstrip(".")
    if not place:
        return
    if found := PLACE.match(place):
        meeting.venue = meeting.venue or (found["venue"] or "")
        meeting.online_platform = found["platform"]
        return
    if found := PLATFORM.search(place):
        meeting.online_platform = meeting.online_platform or (
            "Teams" if "teams" in found["platform"].lower() else found["platform"]
        )
        rest = squash(
            re.sub(
                r"\b(?:and|&|a|via|online|hybrid|microsoft|ms)\b",
                " ",
                _cut(place, found.span()),
                flags=re.I,
            )
        )
        rest = rest.strip(" ,–—-:()/")
        if rest:
            meeting.venue = meeting.venue or rest
        return
    if place.lower() in ("online", "virtual", "ar-lein", "remote"):
        meeting.online_platform = meeting.online_platform or place
        return
    meeting.venue = meeting.venue or place


# --- attendance rows -------------------------------------------------------------------------


def split_attendee(text: str) -> tuple[str, str]:
    """("Name", "Organisation") for "Name - Organisation"; ("", text) when there is no name.

    Only a spaced hyphen outside brackets separates: "WG (CSI - Statistical services Division)"
    is one organisation.
    """
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and any(text.startswith(dash, index) for dash in SPACED_DASH):
            return text[:index].strip(), text[index + 3 :].strip()
    return "", text.strip()


CHAIR_MARK = re.compile(
    r"\s*\((?:co-?)?(?:chair|chairperson|chairing|cadeirydd|cyd-gadeirydd|yn cadeirio)"
    r"(?:\s+for\s+[^)]*)?\)"
    r"|(?<=\w)(?<!deputy)(?<!vice)(?<!co-)\s+(?:chair|chairperson|cadeirydd)$"
    r"|\s*[–—-]\s*(?:co-?)?(?:chair|cadeirydd)\s*$|^(?:co-?)?(?:chair|cadeirydd)\s*[:–—-]\s*",
    re.IGNORECASE,
)
DEPUTY = re.compile(
    r"\s*\(?\b(?:deputising for|deputy for|substituting for|substitute for|on behalf of"
    r"|attending for|representing|for|ar ran|yn lle)\s+(?P<for>[A-Z][^,()–—]*?)\)?"
    r"(?=\s*(?:,|\s[-–—]\s|$|\)))",
)
INITIALS = re.compile(r"^(?P<name>.+?)\s*\((?P<initials>[A-Z][A-Za-z]{0,2}[A-Z])\)(?P<rest>.*)$")


def _bare_name(text: str) -> str:
    return squash(text).strip(" ,;:–—-")


def _name_prefix(words: list[str]) -> tuple[int, bool]:
    """(how many leading words are a person's name, whether the split is clear) in a row run
    together without a separator ("Riaz Hassan Community Cohesion Co-ordinator"); (0, False)
    when none are. The split is clear when exactly one length of name leaves the rest starting
    the way a body or a post starts ("Gurmit Singh Randhawa | Sikh Council of Wales")."""
    titles = 0
    while titles < len(words) - 1 and words[titles].lower().rstrip(".") in _TITLE_WORDS:
        titles += 1
    best, clear = 0, []
    for size in (2, 3):
        count = titles + size
        if count >= len(words):
            break
        candidate = " ".join(words[:count])
        rest = " ".join(words[count:])
        if not looks_like_person_name(candidate) or not rest[:1].isupper() and rest[:1] != "(":
            continue
        opens = _opens_body(words[count - 1 :], rest)
        if (
            len(split_outside_brackets(rest, ",")[0].split()) < 2
            and not (looks_like_organisation(rest) and not looks_like_job_title(rest))
            and not opens
        ):
            continue  # "Community Cohesion | Co-ordinator": the rest is the end of a post
        if opens:
            clear.append(count)
        if best and not (looks_like_organisation(rest) or looks_like_job_title(rest)):
            continue
        if best and (
            looks_like_organisation(" ".join(words[best:]))
            or looks_like_job_title(" ".join(words[best:]))
        ):
            continue
        best = count
    if len(clear) == 1:
        best = clear[0]
    while best < len(words) and words[best].lower().rstrip(".,") in POST_NOMINALS:
        best += 1
    return best, len(clear) == 1


def _opens_body(tail: list[str], rest: str) -> bool:
    """Whether ``rest`` starts a body or a post and the name before it ends with a word no
    body's name starts with ("Thomas | Free Church Council", not "Thomas Free | Church…")."""
    last = tail[0].lower().strip("'’,")
    first = rest.split()[0].lower().rstrip(".,")
    one_word = len(split_outside_brackets(rest, ",")[0].split()) < 2
    if first in POST_NOMINALS or last in ORGANISATION_LEADING_WORDS:
        return False
    if one_word and not (ACRONYM_WORD.match(rest.strip()) or first in ORGANISATION_LEADING_WORDS):
        return False  # "Shahien Taj Henna | Foundation" is no clearer than "Taj | Henna…"
    return starts_like_organisation(rest)


ACRONYM_WORD = re.compile(r"^\(?[A-Z][A-Z0-9&]{1,9}\)?$")


def _title_words() -> set:
    from directory.naming import TITLES

    return TITLES


_TITLE_WORDS = _title_words()


@dataclass
class _Row:
    name: str = ""
    organisation_text: str = ""
    initials: str = ""
    deputy_for: str = ""
    is_chair: bool = False
    guessed: bool = False
    split: bool = False  # a name and a body run together, told apart by their words


def read_attendee(text: str, *, name_first: bool = False) -> _Row:
    """One person or organisation as an attendance list writes it. ``name_first``: the list
    declared "Name - Organisation", so a row without the separator is an organisation."""
    row = _Row()
    text = squash(text)
    if CHAIR_MARK.search(text):
        row.is_chair = True
        text = squash(CHAIR_MARK.sub(" ", text, count=1))
    name, rest = "", text
    dashed_name, dashed_rest = split_attendee(text)
    if dashed_name and not looks_like_organisation(dashed_name):
        name, rest = dashed_name, dashed_rest
    elif name_first:
        name, rest = "", text
    elif deputised := _deputised(text):
        name, row.deputy_for, rest, row.guessed = deputised
    elif organisation_first := _organisation_first(text):
        name, rest, row.initials = organisation_first
    else:
        words = text.split()
        prefix, clear = _name_prefix(words)
        for separator in (", ", ": ", "\t"):
            head, *tail = split_outside_brackets(text, separator)
            head_name = INITIALS.match(head)
            candidate = head_name["name"] if head_name and not head_name["rest"] else head
            candidate = DEPUTY.sub("", candidate).strip() if DEPUTY.search(candidate) else candidate
            if tail and looks_like_person_name(candidate):
                if clear and prefix < len(head.split()):
                    # "Aled Edwards Cytun: Churches Together in Wales"
                    name, rest = " ".join(words[:prefix]), " ".join(words[prefix:])
                    row.split = True
                else:
                    name, rest = head, separator.join(tail).strip()
                break
        else:
            if looks_like_person_name(_without_brackets(text)) and not looks_like_organisation(
                text
            ):
                name, rest = text, ""
                if clear and len(strip_titles(text)[0].split()) > 2:
                    # "Vivian Bartlett Baha’i Faith": a name, then a body that reads like one
                    name, rest = " ".join(words[:prefix]), " ".join(words[prefix:])
                    row.split = True
            else:
                words = text.split()
                size, clear = prefix, clear
                if size:
                    name, rest = " ".join(words[:size]), " ".join(words[size:])
                    row.guessed, row.split = not clear, clear
    if name:
        if match := INITIALS.match(name):
            name = squash(match["name"] + match["rest"])
            row.initials = match["initials"]
        elif match := re.match(r"^\((?P<initials>[A-Z][A-Za-z]{0,2}[A-Z])\)\s*(?P<rest>.*)$", rest):
            row.initials, rest = match["initials"], match["rest"]
        if deputy := DEPUTY.search(name):
            if looks_like_person_name(deputy["for"].strip()):
                row.deputy_for = deputy["for"].strip()
                name = squash(name[: deputy.start()] + name[deputy.end() :])
    if not row.deputy_for and (deputy := DEPUTY.search(rest)) and name:
        if looks_like_person_name(deputy["for"].strip()) and deputy.start() == 0:
            row.deputy_for = deputy["for"].strip()
            rest = rest[deputy.end() :]
    row.name = _bare_name(name)
    row.organisation_text = _bare_name(rest)
    return row


DEPUTISING = re.compile(
    r"^(?P<name>.+?)\s+(?P<word>for|on behalf of|deputising for|substituting for|representing"
    r"|ar ran|yn lle)\s+(?P<rest>[A-Z].+)$"
)


def _deputised(text: str) -> tuple[str, str, str, bool] | None:
    """(name, deputising for, organisation, guessed) for "Kate Mills for Sunil Patel Show
    Racism the Red Card", a row that names who the attendee stands in for before the body."""
    match = DEPUTISING.match(text)
    if not match or not looks_like_person_name(match["name"]) or "," in text or " - " in text:
        return None  # "Ann Lee for John Hughes, NPCC" separates them already
    words = match["rest"].split()
    size, clear = _name_prefix(words)
    if size and looks_like_person_name(" ".join(words[:size])):
        return match["name"], " ".join(words[:size]), " ".join(words[size:]), not clear
    if match["word"] in ("representing", "on behalf of", "ar ran"):
        # "Philip Manghan representing Archbishop of Cardiff (Roman Catholic)": a post or a
        # body stands behind the attendee, not a person
        rest = match["rest"]
        if not (looks_like_organisation(rest) and not looks_like_job_title(rest)):
            rest = f"{match['word']} {rest}"
        return match["name"], "", rest, False
    return None


def _organisation_first(text: str) -> tuple[str, str, str] | None:
    """(name, organisation) for a row that gives the body or post first and the person last:
    "Tai Pawb, David Rowlands (TP)", "Head of Human Rights, Katy Benson (WG)"."""
    parts = split_outside_brackets(text, ", ")
    if len(parts) < 2:
        return None
    last = parts[-1]
    bare = _without_brackets(CHAIR_MARK.sub(" ", last)) if "(" in last else last
    first = _without_brackets(parts[0])
    if looks_like_person_name(first) or not looks_like_person_name(bare):
        return None
    # The label the notes use for the speaker ("(TP)", "(CSSJTCW)") follows the name.
    label = re.search(r"\s*\((?P<label>[A-Z][A-Za-z&]{0,9}[A-Z])\)\s*$", last)
    name = last[: label.start()] if label else last
    return name.strip(), ", ".join(parts[:-1]), label["label"] if label else ""


def _without_brackets(text: str) -> str:
    return squash(re.sub(r"\([^)]*\)", " ", text))


def split_run_together(text: str) -> list[str]:
    """Several people a PDF ran into one line ("Jane Smith, WLGA Tom Jones, Wales TUC"), one
    string each; the line itself when it is one person."""
    for separator in (", ", *SPACED_DASH):
        parts = split_outside_brackets(text, separator)
        if len(parts) < 3 or not looks_like_person_name(_without_brackets(parts[0])):
            continue
        people, current = [], [parts[0]]
        for part in parts[1:]:
            words = part.split()
            for size in (3, 2):
                lead, tail = " ".join(words[:-size]), " ".join(words[-size:])
                if (
                    len(words) > size
                    and looks_like_person_name(tail)
                    and not lead.split()[-1].islower()
                    and not looks_like_person_name(lead)
                ):
                    current.append(lead)
                    people.append(separator.join(current))
                    current = [tail]
                    break
            else:
                current.append(part)
        people.append(separator.join(current))
        if len(people) > 1:
            return people
    return [text]


# --- actions ---------------------------------------------------------------------------------

OWNER_TAIL = re.compile(
    r"\s*(?:[–—-]|\.|,|;)?\s*\(?\b(?:owner|lead|responsible|by whom|who|perchennog|arweinydd)"
    r"\s*[:–—-]\s*(?P<owner>[^()]+?)\)?\s*(?=$|[,;]|\s[–—-]\s|\s*\(|\s*(?:deadline|due|by when)\b)",
    re.IGNORECASE,
)
DEADLINE_TAIL = re.compile(
    r"\s*(?:[–—-]|\.|,|;)?\s*\(?\b(?:deadline|due(?: date)?|by when|timescale|target date"
    r"|dyddiad cau|erbyn pryd)\s*[:–—-]\s*(?P<deadline>[^()]+?)\)?\s*\.?$",
    re.IGNORECASE,
)
DEADLINE_PHRASE = re.compile(
    r"(?P<deadline>\b(?:by|before|ahead of|in advance of|no later than|prior to|erbyn|cyn)\s+"
    r"(?:the\s+|y\s+|yr\s+)?(?:end of\s+|diwedd\s+)?(?:next\s+(?:forum\s+|board\s+)?meeting"
    r"|cyfarfod nesaf|\d{1,2}(?:st|nd|rd|th)?\s+\w+(?:\s+\d{4})?|(?:"
    + MONTH_NAMES
    + r")(?:\s+\d{4})?|(?:spring|summer|autumn|winter)(?:\s+\d{4})?|financial year"
    r"|\d{1,2}/\d{1,2}/\d{2,4})"
    r"|\bwithin\s+(?:\d+|one|two|three|four|six|a|an)\s+(?:day|week|month)s?"
    r"|\b(?:at|for)\s+the\s+next\s+(?:forum\s+|board\s+)?meeting|\byn y cyfarfod nesaf"
    r"|\b(?:ongoing|asap|as soon as possible|in due course|parhaus|cyn gynted â phosibl))"
    r"\s*\)?\.?\s*$",
    re.IGNORECASE,
)
TRAILING_BRACKET = re.compile(r"\s*\((?P<inside>[^()]+)\)\s*\.?\s*$")
LEADING_OWNER = re.compile(
    r"^(?P<owner>[A-Z][^.;:]{0,80}?)\s+(?:to|i)\s+(?!be\b|take place\b|cael\b)(?=[a-zA-Z])"
)
NOT_OWNER = re.compile(
    r"\b(?:meeting|date|paper|item|update|minutes|notes|agenda|it|this|was|were|is|are|has"
    r"|have|will|would|agreed|asked|needs?|cyfarfod)\b",
    re.IGNORECASE,
)


def _owner_like(text: str) -> bool:
    text = text.strip()
    if not text or len(text.split()) > 8 or NOT_OWNER.search(text):
        return False
    if re.fullmatch(r"[A-Z]{2,4}(?:\s*(?:,|/|and|&)\s*[A-Z]{2,4})*", text):
        return True  # initials: "SE", "SE/TJ"
    if text.lower() in ("all", "all members", "members", "everyone", "pawb", "pob aelod"):
        return True
    return (
        looks_like_person_name(text)
        or looks_like_organisation(text)
        or looks_like_job_title(text)
        or bool(re.match(r"^(?:the\s+)?[A-Z]", text))
    )


def read_action(text: str, line: int | None = None, number: int | None = None) -> ParsedAction:
    """An action as the notes write it, with its owner and deadline picked out: "(Gwent Police)",
    "– Owner: WLGA", "SE to circulate…", "… by 30 June", "Deadline: next meeting"."""
    text = squash(text)
    body, owner, deadline = text, "", ""
    for _ in range(4):
        tail = DEADLINE_PHRASE.search(body)
        if tail and re.search(r"(?:\s[–—-]|,|;)\s*$", body[: tail.start()]) and not deadline:
            deadline = squash(tail["deadline"]).rstrip(".)")
            body = re.sub(r"(?:\s[–—-]|,|;)\s*$", "", body[: tail.start()]).rstrip()
        elif match := DEADLINE_TAIL.search(body):
            deadline = deadline or squash(match["deadline"]).rstrip(".")
            body = body[: match.start()].rstrip()
        elif match := OWNER_TAIL.search(body):
            owner = owner or squash(match["owner"]).rstrip(".")
            body = (body[: match.start()] + body[match.end() :]).rstrip()
        elif (match := TRAILING_BRACKET.search(body)) and not owner:
            inside = match["inside"].strip()
            if DEADLINE_PHRASE.fullmatch(inside) or interpret_deadline(inside)[1]:
                deadline = deadline or inside
            elif _owner_like(inside) and not looks_like_place(inside):
                owner = inside
            else:
                break
            body = body[: match.start()].rstrip()
        else:
            break
    if not deadline and (match := DEADLINE_PHRASE.search(body)):
        deadline = squash(match["deadline"]).rstrip(".)")
    if not owner and (match := LEADING_OWNER.match(body)) and _owner_like(match["owner"]):
        owner = match["owner"].strip()
        owner = re.sub(r"^(?:the)\s+(?=[A-Z])", "", owner)
    body = body.rstrip(" –—-,;")
    if body and not body.endswith((".", "?", "!")) and text.endswith("."):
        body += "."
    return ParsedAction(body or text, owner, deadline, line, number)


# --- the parser ------------------------------------------------------------------------------


def _table_cells(line: str) -> list[str]:
    if "\t" in line:
        return [strip_markdown(cell) for cell in line.strip("\n").split("\t")]
    # A "|" inside a cell is written "\|" (as the Markdown export does); it does not split.
    cells = UNESCAPED_PIPE.split(line.strip().strip("|"))
    return [strip_markdown(cell).replace("\\|", "|") for cell in cells]


def _is_table(raw: str) -> bool:
    stripped = raw.strip()
    return "\t" in stripped or (stripped.startswith("|") and stripped.count("|") >= 2)


def heading_key(text: str) -> str:
    """A line as a heading would be looked up: no marks, numbering, colon or case."""
    text = BULLET.sub("", strip_markdown(HTML.sub("", text))).strip()
    text = re.sub(r"^(?:\d+(?:\.\d+)*[.)]?|item\s+\d+\s*[:.–-]?)\s*", "", text, flags=re.I)
    return squash(text.replace("’", "'")).lower().rstrip(":.–- ").strip()


NUMBER_COLUMN = r"^(?:action\s+)?(?:no\.?|number|ref\.?|reference|#|id|rhif|cyf\.?|ap)$"
DEADLINE_COLUMN = r"deadline|\bdue\b|by when|timescale|target|dyddiad|erbyn pryd|^date$|^when$"
OWNER_COLUMN = r"owner|\blead\b|^who$|by whom|responsib|perchennog|arweinydd|^pwy$|^person$"
SUMMARY_COLUMNS = (
    ("number", re.compile(NUMBER_COLUMN, re.I)),
    ("deadline", re.compile(DEADLINE_COLUMN, re.I)),
    ("owner", re.compile(OWNER_COLUMN, re.I)),
    ("status", re.compile(r"status|update|progress|statws|diweddariad|^rag$|outcome", re.I)),
    ("action", re.compile(r"action|description|task|cam|^item$|^details$|what", re.I)),
)  # fmt: skip


def summary_columns(cells: list[str]) -> list[str] | None:
    """The column each header cell names, or None when the row is not a header."""
    columns = []
    for cell in cells:
        name = next((n for n, pattern in SUMMARY_COLUMNS if pattern.search(cell.strip())), "")
        columns.append(name)
    named = [c for c in columns if c]
    if "action" not in named or len(named) < 2 or len(set(named)) != len(named):
        return None
    return columns


def _shorten(text: str, room: int = 60) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


class _NotesParser:
    def __init__(self, lines: list[str], *, unnumbered_items: bool = False):
        self.lines = lines
        self.meeting = ParsedMeeting()
        self.section = "header"
        self.loose_line = None  # the first discussion line before any agenda item
        self.status = PRESENT
        self.group = ""
        self.rows_in_status = 0
        self.name_first = False
        self.attendance_columns = None  # cell positions of name and organisation
        self.attendance_level = 0
        self.numbered_rows = 0
        self.unnumbered_items = unnumbered_items
        self.item_words = any(ITEM_WORD.match(heading_text(line)) for line in lines)
        self.action_list = False
        self.summary_header = None  # (line, columns)
        self.summary_rows_seen = 0
        self.header_lines = []
        self.agenda = []  # (line, text, number as written) of each entry of an agenda list
        self.last_action = None  # (line, item, index, text) of the action on the line above
        # Notes that mark their headings ("## Welcome", "**Welcome**") mark all of them; only
        # notes that mark none give an item a plain line as its heading.
        self.marked_headings = any(
            HEADING_MARK.match(line) or BOLD_LINE.match(line) for line in lines
        )

    # -- dispatch

    def run(self) -> ParsedMeeting:
        for number, raw in enumerate(self.lines, start=1):
            self.line(number, raw)
        self.finish_summary()
        self.clear_shared_labels()
        if not self.meeting.items and self.agenda:
            # Notes that publish only the agenda and the actions: the agenda's entries are the
            # items.
            for index, (number, text, _) in enumerate(self.agenda, start=1):
                self.start_item(number, index, text)
        if not self.meeting.items and self.loose_line:
            raise ImportFormatError(self.loose_line, 'discussion before agenda item "1. …"')
        return self.meeting

    def clear_shared_labels(self) -> None:
        """A bracket several attendees share ("(WG)", "(IN)") labels their organisation, not
        each of them: it cannot say which of them owns an action."""
        labels = [a.initials for a in self.meeting.attendance if a.initials]
        for attendee in self.meeting.attendance:
            if attendee.initials and labels.count(attendee.initials) > 1:
                attendee.initials = ""

    def line(self, number: int, raw: str) -> None:
        text = strip_markdown(raw)
        if not text or TABLE_RULE.match(raw.strip()) and "-" in raw:
            return
        kind = (
            None if _is_table(raw) and self.section != "header" else HEADINGS.get(heading_key(raw))
        )
        if (
            kind is None
            and heading_key(raw) in ACTIONS_HEADINGS
            and not self.meeting.items
            and self.section in ("agenda", *ATTENDANCE)
            and not _is_table(raw)
        ):
            kind = "summary"
        if kind and not (kind == "summary" and self.section == "summary"):
            if kind == "discussion" and self.section == "discussion":
                return  # "Meeting notes" followed by "Discussion"
            if kind in ("present", "apologies", "absent") and self.section in ATTENDANCE:
                if kind == PRESENT and heading_key(raw) in ("members present", "in attendance"):
                    return self.group_heading(number, text)
            return self.heading(number, kind, raw)
        if self.section == "header":
            self.header(number, text)
        elif self.section in ATTENDANCE:
            self.attendance_line(number, raw, text)
        elif self.section == "discussion":
            self.discussion(number, raw)
        elif self.section == "agenda":
            self.agenda_line(number, raw, text)
        else:
            self.summary_line(number, raw, text)

    def heading(self, number: int, kind: str, raw: str) -> None:
        if self.meeting.starts_at is None:
            raise ImportFormatError(
                number,
                gettext(
                    'no date line (such as "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams") '
                    "before this heading"
                ),
            )
        self.finish_summary()
        self.section = kind
        self.action_list = False
        if kind in ATTENDANCE:
            self.status, self.group, self.rows_in_status = kind, "", 0
            self.attendance_columns = None
            hashes = HEADING_MARK.match(raw)
            self.attendance_level = len(hashes["hashes"]) if hashes else 0

    # -- before the first section: title, date, time, place

    def header(self, number: int, text: str) -> None:
        text = squash(HTML.sub(" ", text))
        labelled = LABELLED.match(text)
        if labelled:
            label, value = labelled["label"].lower(), labelled["value"]
            if label in ("chair", "cadeirydd", "chaired by"):
                return self.header_chair(number, value)
            if label in ("venue", "location", "place", "where", "lleoliad", "lle"):
                return _set_place(self.meeting, value)
            text = value
        found_date = find_date(text) if self.meeting.starts_at is None else None
        if self.meeting.starts_at is not None and not labelled and self.restates_date(text):
            return
        rest = text
        if found_date:
            self.date = found_date[0]
            rest = _cut(rest, found_date[1])
        times = (
            find_times(rest)
            if (
                found_date
                or self.meeting.starts_at is not None
                or (labelled and labelled["label"].lower() in ("time", "amser"))
            )
            else None
        )
        if times and getattr(self, "times", None) is None:
            self.times = times[:2]
            rest = _cut(rest, times[2])
        if found_date or times:
            self.set_when(number)
            leftover = _leftover(rest)
            if leftover and not self.meeting.title and not self.header_lines:
                title = TITLE_PREFIX.sub("", leftover)
                # "Independent Commission …: meeting 16 February 2022"
                self.meeting.title = MEETING_WORD.sub("", title)
            elif leftover:
                _set_place(self.meeting, leftover)
            self.header_lines.append(number)
            return
        if not self.meeting.title:
            self.meeting.title = TITLE_PREFIX.sub("", text).strip(" –—-:")
        elif PLACE.match(text) or PLATFORM.search(text) and len(text.split()) <= 8:
            _set_place(self.meeting, text)
        elif VENUE_WORDS.search(text) and not text.endswith(".") and len(text.split()) <= 12:
            _set_place(self.meeting, text)
        elif not NOISE.match(text):
            self.meeting.notice(
                number,
                gettext('"%(text)s" was not understood and is not imported') % {"text": text},
                "unplaced",
            )
        self.header_lines.append(number)

    def restates_date(self, text: str) -> bool:
        """Whether ``text`` repeats the meeting's date in a sentence ("Minutes from the Board
        meeting held on 24 January 2025."); what it says about the place is kept."""
        found = find_date(text)
        if found is None or found[0] != self.date:
            return False
        rest = _cut(text, found[1])
        times = find_times(rest)
        if times and getattr(self, "times", None) is None:
            self.times = times[:2]
            self.set_when(0)
            rest = _cut(rest, times[2])
        if found := PLATFORM.search(rest):
            self.meeting.online_platform = self.meeting.online_platform or (
                "Teams" if "teams" in found["platform"].lower() else found["platform"]
            )
        return True

    def set_when(self, number: int) -> None:
        date = getattr(self, "date", None)
        if date is None:
            return
        start, end = getattr(self, "times", None) or (None, None)
        zone = _zone()
        meeting = self.meeting
        meeting.time_recorded = start is not None
        meeting.starts_at = datetime.datetime.combine(date, start or datetime.time(0, 0), zone)
        meeting.ends_at = datetime.datetime.combine(date, end, zone) if end else None

    def header_chair(self, number: int, value: str) -> None:
        row = read_attendee(value)
        self.meeting.attendance.append(
            ParsedAttendee(
                value,
                row.name,
                row.organisation_text,
                PRESENT,
                line=number,
                initials=row.initials,
                is_chair=True,
            )
        )

    # -- attendance

    def attendance_line(self, number: int, raw: str, text: str) -> None:
        plain_text = squash(PLAIN_BULLET.sub("", text)).rstrip(":").strip()
        if STAFF_GROUP.match(plain_text) and len(plain_text.split()) <= 6:
            # "Item 2 only": those who joined for an item, not the item itself
            return self.group_heading(number, plain_text)
        if self.item_heading(number, raw):
            self.section = "discussion"
            return
        if _is_table(raw):
            return self.attendance_cells(number, _table_cells(raw), raw)
        plain = PLAIN_BULLET.sub("", text).strip()
        numbered = NUMBERING.match(plain)
        if numbered:
            self.numbered_rows += 1
            plain = plain[numbered.end() :]
        if ATTENDANCE_COLUMNS.match(plain):
            self.name_first = True
            return
        if self.is_group_heading(raw, plain):
            return self.group_heading(number, plain)
        if self.labelled_list(number, plain):
            return
        for part in split_run_together(plain):
            self.add_attendee(number, part, as_written=plain if part == plain else part)

    def labelled_list(self, number: int, plain: str) -> bool:
        """A group or status and its people on one line, as web pages and PDFs write them:
        "Members: Llyr Gruffydd MS (Plaid Cymru – Chair), James Evans MS (Conservative)",
        "Apologies: Alun Davies MS (Labour)", "External: Jack Barton and Zoe Elliott (BHA)"."""
        match = INLINE_LABEL.match(plain)
        if not match or CHAIR_MARK.match(plain):
            return False  # "Chair: Jane Hutt MS" marks one person, not a group
        label, rest = match["label"].strip(), match["rest"].strip()
        kind = HEADINGS.get(heading_key(label))
        if kind in ATTENDANCE:
            self.status, self.group, self.rows_in_status = kind, "", 0
        elif len(label.split()) <= 4 and not looks_like_person_name(label):
            if looks_like_organisation(label) and not MEMBER_GROUP.match(heading_key(label)):
                if not STAFF_GROUP.match(heading_key(label)) and "staff" not in label.lower():
                    return False  # "Cytun: Churches Together in Wales" is a body's name
            self.group_heading(number, label)
        else:
            return False
        people = _listed_people(rest)
        for person in people or [rest]:
            self.add_attendee(number, person, as_written=person)
        return True

    def is_group_heading(self, raw: str, plain: str) -> bool:
        key = heading_key(plain)
        title = heading_key(self.meeting.title)
        if len(key.split()) >= 2 and title and (title == key or title.startswith(key + " ")):
            return True  # "Wales Race Forum": the forum's own members
        if STAFF_GROUP.match(key) or MEMBER_GROUP.match(key) and len(key.split()) <= 4:
            return True
        styled = HEADING_MARK.match(raw) or BOLD_LINE.match(raw)
        ends_colon = plain.rstrip().endswith(":") and ":" not in plain.rstrip()[:-1]
        return bool((styled or ends_colon) and len(plain.split()) <= 6)

    def group_heading(self, number: int, text: str) -> None:
        group = squash(text).rstrip(":").strip()
        key = heading_key(group)
        if self.status != PRESENT and self.rows_in_status and STAFF_GROUP.match(key):
            self.status = PRESENT
            self.meeting.notice(
                number,
                (
                    gettext(
                        '"%(group)s" after the apologies: the people under it are recorded as '
                        "present"
                    )
                    if self.section == APOLOGIES
                    else gettext(
                        '"%(group)s" after the absences: the people under it are recorded as '
                        "present"
                    )
                )
                % {"group": group},
                # The heading says who they are; the reading needs no one's check.
                "info",
            )
        self.group = group
        self.rows_in_status = 0 if self.status != PRESENT else self.rows_in_status

    def attendance_cells(self, number: int, cells: list[str], raw: str) -> None:
        if self.attendance_columns is None:
            name_at = next((i for i, c in enumerate(cells) if NAME_COLUMN.match(c.strip())), None)
            org_at = [i for i, c in enumerate(cells) if ORGANISATION_COLUMN.match(c.strip())]
            if name_at is not None or org_at:
                self.attendance_columns = (name_at, org_at, len(cells), number)
                return
        columns = self.attendance_columns
        if columns and len(cells) < columns[2]:
            raise ImportFormatError(
                number,
                gettext("an attendance row needs %(needed)s cells; found %(found)s")
                % {"needed": columns[2], "found": len(cells)},
            )
        filled = [c for c in cells if c.strip()]
        if not filled:
            return
        if (
            len(filled) == 1
            and self.is_group_heading("**x**", filled[0])
            and (
                STAFF_GROUP.match(heading_key(filled[0]))
                or MEMBER_GROUP.match(heading_key(filled[0]))
            )
        ):
            return self.group_heading(number, filled[0])
        as_written = " | ".join(c for c in cells if c.strip())
        if columns:
            name_at, org_at, _, _ = columns
            name = cells[name_at].strip() if name_at is not None else ""
            organisation = ", ".join(cells[i].strip() for i in org_at if cells[i].strip())
            extra = [
                c.strip()
                for i, c in enumerate(cells)
                if i != name_at and i not in org_at and c.strip()
            ]
            organisation = ", ".join([organisation, *extra]) if extra else organisation
            return self.add_attendee(
                number,
                f"{name}, {organisation}" if name and organisation else name or organisation,
                as_written=as_written,
                split=(name, organisation),
            )
        first, rest = filled[0], ", ".join(filled[1:])
        if looks_like_person_name(_without_brackets(first)):
            return self.add_attendee(number, first, as_written=as_written, split=(first, rest))
        self.add_attendee(number, as_written, as_written=as_written, split=("", ", ".join(filled)))

    def add_attendee(self, number: int, text: str, *, as_written: str, split=None) -> None:
        if split is not None:
            row = read_attendee(split[0]) if split[0] else _Row()
            row.organisation_text = row.organisation_text or split[1]
            if split[0] and row.organisation_text != split[1] and split[1]:
                row.organisation_text = split[1]
        else:
            row = read_attendee(text, name_first=self.name_first)
        if not row.name and not row.organisation_text:
            return self.meeting.notice(
                number,
                gettext('"%(text)s" is not an attendee and is not imported') % {"text": as_written},
                "unplaced",
            )
        if row.split:
            self.meeting.notice(
                number,
                gettext(
                    '"%(text)s" has no separator: read as the person "%(name)s" and '
                    '"%(organisation)s"'
                )
                % {"text": as_written, "name": row.name, "organisation": row.organisation_text},
                "info",
            )
        if row.guessed:
            self.meeting.notice(
                number,
                gettext(
                    '"%(text)s" has no separator: read as the person "%(name)s" and '
                    '"%(organisation)s"; check the split'
                )
                % {"text": as_written, "name": row.name, "organisation": row.organisation_text},
            )
        self.meeting.attendance.append(
            ParsedAttendee(
                as_written=squash(as_written),
                name=row.name,
                organisation_text=row.organisation_text,
                status=self.status,
                group=self.group,
                initials=row.initials,
                deputy_for=row.deputy_for,
                line=number,
                is_chair=row.is_chair,
            )
        )
        self.rows_in_status += 1

    # -- the agenda list

    def agenda_line(self, number: int, raw: str, text: str) -> None:
        plain = squash(PLAIN_BULLET.sub("", text))
        numbered = AGENDA_ENTRY.match(plain)
        repeated = numbered and any(n == numbered["n"] for _, _, n in self.agenda)
        listed = numbered or PLAIN_BULLET.match(text) or BULLET.match(raw.strip())
        if repeated or not listed and (_prose(plain) or ACTION_LINE.match(plain)):
            # The minutes begin: the agenda's numbers come again, or a paragraph does.
            self.section = "discussion"
            return self.discussion(number, raw)
        if listed:
            entry = (numbered["t"], numbered["n"]) if numbered else (plain, None)
            self.agenda.append((number, *entry))
            return
        self.meeting.notice(
            number,
            gettext('"%(text)s" under the agenda is not imported') % {"text": _shorten(plain)},
            "info",
        )

    # -- agenda items and discussion

    def item_heading(self, number: int, raw: str) -> bool:
        """Whether ``raw`` starts an agenda item (and if so, start it)."""
        text = heading_text(raw)
        items = self.meeting.items
        if match := ITEM_WORD.match(text):
            title = match["title"] or ""
            return self.start_item(number, int(match["number"]), title)
        if self.item_words:
            return False
        if match := ITEM_NUMBER.match(text):
            if self.section in ATTENDANCE and _reads_as_attendee(match["title"]):
                return False
            wanted = items[-1].number + 1 if items else None
            found = int(match["number"])
            if wanted is None:
                if self.section in ATTENDANCE and self.numbered_rows and found != 1:
                    return False
                if (
                    found > 2
                    or self.section in ATTENDANCE
                    and not re.match(r"[A-ZÀ-ÞŴŶ]", match["title"])
                ):
                    return False
            elif found != wanted:
                return False
            if (
                ITEM_NUMBER.match(text)
                and not NUMBERING.match(text)
                and not HEADING_MARK.match(raw)
            ):
                # "1 Welcome": a number and a space only counts for a short title
                if len(match["title"].split()) > 8:
                    return False
            return self.start_item(number, found, match["title"])
        if self.unnumbered_items and (HEADING_MARK.match(raw) or BOLD_LINE.match(raw)):
            if ACTION_LINE.match(text):
                return False
            return self.start_item(number, (items[-1].number + 1) if items else 1, text)
        if self.unnumbered_items and self.plain_heading(number, raw, text):
            return self.start_item(number, (items[-1].number + 1) if items else 1, text)
        return False

    def plain_heading(self, number: int, raw: str, text: str) -> bool:
        """Whether an unmarked line heads an item in notes whose items have no number and no
        mark, as web pages and PDFs give them as text: a short line standing alone after a
        blank line, that does not end like a sentence, followed by a paragraph."""
        if self.marked_headings or not text or _is_table(raw) or BULLET.match(raw.strip()):
            return False
        if number > 1 and self.lines[number - 2].strip():
            return False
        if len(text.split()) > 12 or not text[:1].isupper() or text.endswith((".", ",", ";", ":")):
            return False
        if ACTION_LINE.match(text) or STAFF_GROUP.match(heading_key(text)):
            return False
        following = next((line for line in self.lines[number:] if line.strip()), "")
        following = strip_markdown(following).strip()
        return bool(following) and (bool(ACTION_LINE.match(following)) or _prose(following))

    def start_item(self, number: int, item_number: int, title: str) -> bool:
        # "1 Item Welcome and Introductions": a table's number and "Item" columns run together
        title = re.sub(r"^(?:item|eitem)\s+(?=[A-ZÀ-ÞŴŶ])", "", squash(title), flags=re.I)
        title, presenter = split_presenter(title)
        if any(item.number == item_number for item in self.meeting.items):
            return False
        self.meeting.items.append(ParsedItem(item_number, title, number, presenter=presenter))
        self.action_list = False
        return True

    def discussion(self, number: int, raw: str) -> None:
        if self.continues_action(number, raw):
            return
        if not HTML.search(raw) and self.item_heading(number, raw):
            return
        if HTML.search(raw):
            pieces = html_to_pieces(raw)
        elif BULLET.match(raw.strip()) and not ITEM_NUMBER.match(raw.strip()):
            pieces = [Piece("li", squash(BULLET.sub("", strip_markdown(raw.strip()))))]
        else:
            pieces = [Piece("p", squash(strip_markdown(raw)))]
        for piece in pieces:
            self.discussion_piece(number, piece)

    def continues_action(self, number: int, raw: str) -> bool:
        """Whether ``raw`` is the rest of the action on the line above, which the document
        broke across lines ("…at the next" / "meeting.", "– Owner:" / "Equality Team – …")."""
        last, self.last_action = self.last_action, None
        text = squash(strip_markdown(raw))
        if last is None or last[0] != number - 1 or not text or HTML.search(raw):
            return False
        if _is_table(raw) or BULLET.match(raw.strip()) or ACTION_LINE.match(text):
            return False
        if ITEM_WORD.match(text) or ITEM_NUMBER.match(text):
            return False
        previous = last[3]
        joins = text[:1].islower() or re.search(
            r"(?:[:–—,-]|\b(?:and|or|the|of|to|by|at|for|with|a|an|on|in))$", previous, re.I
        )
        if not joins:
            return False
        _, item, index, _ = last
        joined = f"{previous} {text}"
        old = item.actions[index]
        item.actions[index] = read_action(joined, old.line, old.number)
        self.last_action = (number, item, index, joined)
        return True

    def discussion_piece(self, number: int, piece: Piece) -> None:
        items = self.meeting.items
        if piece.kind == "p" and not self.item_words and (heading := ITEM_NUMBER.match(piece.text)):
            if int(heading["number"]) == (items[-1].number + 1 if items else 1):
                self.start_item(number, int(heading["number"]), heading["title"])
                return
        if piece.kind == "p" and (heading := ITEM_WORD.match(piece.text)):
            if self.start_item(number, int(heading["number"]), heading["title"] or ""):
                return
        if not items:
            # A welcome or opening paragraph before the first numbered item: kept for the
            # reviewer to place rather than refusing notes that are otherwise whole.
            self.loose_line = self.loose_line or number
            self.meeting.notices.append(
                Notice(
                    number,
                    gettext('"%(text)s" comes before the first agenda item and is not in any item')
                    % {"text": _shorten(piece.text)},
                    "unplaced",
                )
            )
            return
        item = items[-1]
        if action := ACTION_LINE.match(piece.text):
            text = squash(action["text"] if action["text"] is not None else action["aptext"] or "")
            numbered = action["number"] or action["apnumber"]
            if not text:
                self.action_list = True
                return
            item.actions.append(read_action(text, number, int(numbered) if numbered else None))
            self.last_action = (number, item, len(item.actions) - 1, text)
            return
        if self.action_list and piece.kind == "li":
            item.actions.append(read_action(piece.text, number))
            self.last_action = (number, item, len(item.actions) - 1, piece.text)
            return
        self.action_list = False
        if (
            piece.kind == "p"
            and item.pieces
            and item.pieces[-1].kind == "p"
            and item.piece_lines[-1] == number - 1
            and piece.text[:1].islower()
            and not item.pieces[-1].text.endswith((".", "!", "?", ":", ";"))
        ):
            # A sentence a PDF broke across lines: the line goes on the paragraph above.
            item.pieces[-1] = Piece("p", f"{item.pieces[-1].text} {piece.text}")
            item.piece_lines[-1] = number
            return
        item.pieces.append(piece)
        item.piece_lines.append(number)

    # -- the actions gathered after the items

    def summary_line(self, number: int, raw: str, text: str) -> None:
        if self.section == "after":
            return self.meeting.notice(
                number,
                gettext('"%(text)s" was not understood and is not imported')
                % {"text": squash(text)},
                "unplaced",
            )
        if _is_table(raw):
            return self.summary_row(number, _table_cells(raw))
        if self.summary_header is not None and self.summary_header[1] is not None:
            self.finish_summary()
            self.section = "after"
            return self.summary_line(number, raw, text)
        if (action := ACTION_LINE.match(squash(text))) and (action["text"] or action["aptext"]):
            # "Action: circulate the draft workplan (Welsh Government)."
            written = action["number"] or action["apnumber"]
            parsed = read_action(action["text"] or action["aptext"], number)
            self.meeting.summary.append(
                ParsedSummaryRow(
                    int(written) if written else len(self.meeting.summary) + 1,
                    parsed.text,
                    parsed.owner_text,
                    parsed.deadline_text,
                    number,
                )
            )
            return
        listed = re.match(
            r"^(?:[-*•]\s+)?(?:(?:action|ap|cam gweithredu)\s*)?(?P<n>\d+)[.):]?\s+(?P<text>.+)$",
            text,
            re.I,
        )
        bullet = PLAIN_BULLET.match(text)
        if listed or bullet:
            body = listed["text"] if listed else text[bullet.end() :]
            wanted = len(self.meeting.summary) + 1
            action = read_action(body, number)
            self.meeting.summary.append(
                ParsedSummaryRow(
                    int(listed["n"]) if listed else wanted,
                    action.text,
                    action.owner_text,
                    action.deadline_text,
                    number,
                )
            )
            return
        self.meeting.notice(
            number,
            gettext('"%(text)s" was not understood and is not imported') % {"text": squash(text)},
            "unplaced",
        )

    def summary_row(self, number: int, cells: list[str]) -> None:
        if self.summary_header is None:
            columns = summary_columns(cells)
            if columns is None and cells and cells[0].lower().rstrip(".") in ("no", "#", "number"):
                columns = ["number", "action", "owner", "deadline"][: len(cells)]
            if columns is not None:
                self.summary_header = (number, columns)
                return
            self.summary_header = (number, ["number", "action", "owner", "deadline"])
        columns = self.summary_header[1]
        if len(cells) != len(columns):
            names = ", ".join(c or gettext("unnamed") for c in columns)
            raise ImportFormatError(
                number,
                gettext(
                    "a Summary of Actions row needs %(needed)s columns (%(names)s); found %(found)s"
                )
                % {"needed": len(columns), "names": names, "found": len(cells)},
            )
        values = dict(zip(columns, cells, strict=True))
        self.summary_rows_seen += 1
        raw_number = values.get("number", "").strip()
        if "number" in values:
            digits = re.fullmatch(r"(?:AP|A|Action|Cam)?\s*(\d+)\.?", raw_number, re.I)
            if not digits:
                raise ImportFormatError(
                    number,
                    gettext('the action number "%(number)s" is not a number')
                    % {"number": raw_number},
                )
            row_number = int(digits[1])
        else:
            row_number = len(self.meeting.summary) + 1
        self.meeting.summary.append(
            ParsedSummaryRow(
                row_number,
                values.get("action", "").strip(),
                values.get("owner", "").strip(),
                values.get("deadline", "").strip(),
                number,
                values.get("status", "").strip(),
            )
        )

    def finish_summary(self) -> None:
        if (
            self.summary_header is not None
            and not self.summary_rows_seen
            and self.section == "summary"
        ):
            raise ImportFormatError(
                self.summary_header[0],
                gettext("the Summary of Actions table has a header but no rows"),
            )


ITEM_TITLE_WORDS = re.compile(
    r"^(?:welcome|introductions?|apologies|minutes|notes|matters arising|actions|any other"
    r"|aob|date|update|croeso|cyflwyniad|cofnodion|unrhyw fater)\b",
    re.IGNORECASE,
)


def _reads_as_attendee(title: str) -> bool:
    """Whether a numbered line in an attendance list is a row ("1. Dr Rhian Morgan Disability
    Wales") rather than the first agenda item ("1. Welcome")."""
    if ITEM_TITLE_WORDS.match(title):
        return False
    row = read_attendee(title)
    return bool(row.name) or looks_like_organisation(title)


MEETING_WORD = re.compile(r"\s*[:–—-]\s*(?:meeting|cyfarfod)$", re.IGNORECASE)
AGENDA_ENTRY = re.compile(
    r"^(?:(?:agenda\s+)?(?:item|eitem)\s+)?(?P<n>\d+)[.):]?\s+(?P<t>\S.*)$", re.IGNORECASE
)


INLINE_LABEL = re.compile(r"^(?P<label>[^:,()]{2,40}):\s+(?P<rest>\S.*)$")


def _listed_people(text: str) -> list[str]:
    """The people of "A MS (Labour), B MS (Conservative)" or "A and B (Body)", each written
    "Name, Body"; [] when the text is not such a list (a sentence, a body's name)."""
    people = []
    for part in split_outside_brackets(text.rstrip("."), ", "):
        bracket = re.match(r"^(?P<names>[^()]+?)\s*\((?P<inside>[^()]+)\)$", part)
        names, inside = (bracket["names"], bracket["inside"]) if bracket else (part, "")
        chair = re.search(r"\s*[–—-]\s*(?:co-?)?chair$", inside, re.I)
        if chair:
            inside = inside[: chair.start()]
        together = re.split(r"\s+(?:and|&|a)\s+", names)
        if not all(looks_like_person_name(name) for name in together):
            return []
        for name in together:
            written = f"{name}, {inside}" if inside else name
            people.append(f"{written} (Chair)" if chair else written)
    return people


def _sentence(text: str) -> bool:
    """Whether ``text`` has the lower-case words of a sentence, which no body's name has."""
    words = re.findall(r"[\w'’-]+", _without_brackets(text))
    return len([w for w in words if w.islower() and w not in LINKING_WORDS]) >= 3


def _prose(text: str) -> bool:
    """Whether a line reads as a sentence of the notes rather than a row or a heading: it ends
    like a sentence, or it has three or more lower-case words that are not linking words."""
    text = squash(text)
    if text.endswith((".", "?", "!")):
        return True  # "None." under "Any other business"
    lower = [w for w in re.findall(r"[\w'’-]+", text) if w.islower() and w not in LINKING_WORDS]
    return len(lower) >= 3 or len(lower) >= 2 and len(text.split()) >= 8


def heading_text(raw: str) -> str:
    return squash(PLAIN_BULLET.sub("", strip_markdown(HTML.sub(" ", raw))))


PRESENTER_WORDS = re.compile(
    r"^(?:presented by|led by|presenter|speaker|cyflwynwyd gan|dan arweiniad)\s*:?\s*", re.I
)
NOT_PRESENTER = re.compile(
    r"^(?:paper|papur|oral|verbal|for (?:information|discussion|decision|noting|approval)"
    r"|i'w nodi|er gwybodaeth|\d+|closed|confidential|cont(?:inued|\.)?|if required)\b",
    re.I,
)


def split_presenter(title: str) -> tuple[str, str]:
    """("Hate crime update", "Gwent Police") for "Hate crime update (Gwent Police)"; a bracket
    that abbreviates the title ("Anti-racist Wales Action Plan (ArWAP)") or describes the paper
    ("(for information)") stays in the title."""
    match = re.search(r"\s*[–—-]\s*(?:presented by|led by)\s+(?P<who>.+)$", title, re.I)
    if match:
        return title[: match.start()].strip(), match["who"].strip()
    match = re.search(r"\s*\((?P<who>[^()]+)\)\s*$", title)
    if not match:
        return title, ""
    who = PRESENTER_WORDS.sub("", match["who"]).strip()
    head = title[: match.start()].strip()
    if NOT_PRESENTER.match(who) or not head:
        return title, ""
    if re.fullmatch(r"[A-Za-z&]{2,10}", who) and who[0].isupper():
        capitals = "".join(w[0] for w in re.findall(r"[\w'-]+", head) if w[0].isupper())
        if (
            who.upper()[:2] in capitals.upper()
            or who.isupper()
            and len(who) <= 3
            and who in capitals
        ):
            return title, ""
    return head, who


def parse_meeting_notes(text: str) -> ParsedMeeting:
    """The notes' structure; raises ``ImportFormatError`` naming the line of the first problem."""
    lines = text.splitlines()
    try:
        meeting = _NotesParser(lines).run()
        if meeting.starts_at is None:
            _check(meeting)
        if not meeting.items:
            raise ImportFormatError(None, "no agenda items")
    except ImportFormatError as error:
        if "agenda item" not in error.message:
            raise
        # Notes without numbered items give each item a heading ("## Welcome").
        retry = _NotesParser(lines, unnumbered_items=True)
        try:
            meeting = retry.run()
        except ImportFormatError:
            raise error from None
        if not meeting.items:
            raise error from None
    _check(meeting)
    _resolve_owner_initials(meeting)
    return meeting


def _check(meeting: ParsedMeeting) -> None:
    if meeting.starts_at is None:
        raise ImportFormatError(
            None,
            gettext(
                'no date line such as "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams" was '
                "found"
            ),
        )
    if not meeting.items:
        raise ImportFormatError(None, 'no numbered agenda items ("1. Welcome") under Discussion')
    numbers = [row.number for row in meeting.summary]
    if len(set(numbers)) != len(numbers):
        duplicate = next(r for r in meeting.summary if numbers.count(r.number) > 1)
        raise ImportFormatError(
            duplicate.line,
            gettext("action %(number)s appears twice") % {"number": duplicate.number},
        )


def attendee_for_owner(meeting: ParsedMeeting, owner_text: str) -> ParsedAttendee | None:
    """The attendee an owner such as "SE" or "Sarah Evans" names, through the attendance list."""
    key = squash(owner_text).strip(".")
    if not key:
        return None
    for attendee in meeting.attendance:
        if attendee.initials and attendee.initials.lower() == key.lower():
            return attendee
        if (
            attendee.name
            and person_name_without_post_nominals(strip_titles(attendee.name)[0]).lower()
            == person_name_without_post_nominals(strip_titles(key)[0]).lower()
        ):
            return attendee
    if re.fullmatch(r"[A-Z]{2,4}", key):
        matches = [a for a in meeting.attendance if a.name and initials_of(a.name) == key]
        if len(matches) == 1:
            return matches[0]
    return None


def _resolve_owner_initials(meeting: ParsedMeeting) -> None:
    """Initials used as owners that only the attendance list explains are noted for checking."""
    actions = [a for item in meeting.items for a in item.actions] + meeting.summary
    for action in actions:
        owner = action.owner_text
        if re.fullmatch(r"[A-Z]{2,4}", owner or "") and not _known_short_name(owner):
            attendee = attendee_for_owner(meeting, owner)
            if attendee is None:
                meeting.notice(
                    action.line,
                    gettext('the owner "%(owner)s" is not in the attendance list')
                    % {"owner": owner},
                )
            elif not attendee.initials:
                meeting.notice(
                    action.line,
                    gettext('the owner "%(owner)s" is read as %(name)s (their initials)')
                    % {"owner": owner, "name": attendee.name},
                )


def _known_short_name(owner: str) -> bool:
    """Whether ``owner`` is an organisation's short name ("WG", "WLGA"), however short."""
    return bool(known_organisation(owner)) or any(
        known.get("short") == owner for known in KNOWN_ORGANISATIONS
    )


def mark_line_as_action(parsed: ParsedMeeting, line: int, text: str) -> None:
    """Record ``text`` as an action of the item that contains ``line`` (a line a reviewer marks
    as an action); the line's discussion and notices go, since the line is now placed."""
    item = None
    for candidate in sorted(parsed.items, key=lambda i: i.line):
        if candidate.line <= line:
            item = candidate
    if item is None:
        raise ImportFormatError(line, gettext("the line is before the first agenda item"))
    keep = [(p, n) for p, n in zip(item.pieces, item.piece_lines, strict=True) if n != line]
    item.pieces = [p for p, _ in keep]
    item.piece_lines = [n for _, n in keep]
    action = read_action(text, line)
    position = sum(1 for a in item.actions if (a.line or 0) <= line)
    item.actions.insert(position, action)
    parsed.notices = [n for n in parsed.notices if n.line != line]


# --- linking summary rows to the actions under the items -----------------------------------


def _words(text: str) -> set:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 3}


def link_summary_to_inline(meeting: ParsedMeeting) -> list[tuple]:
    """Triples (summary row or None, item or None, ParsedAction or None) covering every action.

    When the counts agree the notes list them in the same order; otherwise each row takes the
    unused action under an item sharing the most words with it.
    """
    inline = [(item, action) for item in meeting.items for action in item.actions]
    if len(inline) == len(meeting.summary):
        return [
            (row, item, action) for row, (item, action) in zip(meeting.summary, inline, strict=True)
        ]
    pairs, unused = [], list(inline)

    def shared(pair, row):
        return len(_words(pair[1].text) & _words(row.text))

    for row in meeting.summary:
        best = max(unused, key=lambda pair: shared(pair, row), default=None)
        if best is not None and shared(best, row) >= 2:
            unused.remove(best)
            pairs.append((row, best[0], best[1]))
        else:
            pairs.append((row, None, None))
    pairs.extend((None, item, action) for item, action in unused)
    return pairs


# --- saving --------------------------------------------------------------------------------


def _is_staff(attendee: ParsedAttendee) -> bool:
    group = squash(attendee.group).rstrip(":").strip()
    return bool(group and (STAFF_GROUP.match(heading_key(group)) or STAFF_GROUP.match(group)))


def person_ensure(name: str, *, organisation, report) -> Person:
    """The person a row names, created (with the organisation the row gives) if new."""
    found = person_resolve(name)
    if found is not None:
        return found
    bare, _ = strip_titles(name)
    words = name.split()
    honorific = " ".join(w for w in words[len(bare.split()) :] if w.lower() in POST_NOMINALS)
    full_name = person_name_without_post_nominals(bare) or bare
    return ensure_object(
        Person,
        lookup={"full_name": full_name},
        defaults={"honorific": honorific[:30], "organisation": organisation},
        report=report,
    )


def _attendee_links(attendee: ParsedAttendee, *, forum, report) -> dict:
    if attendee.organisation_id is not None:
        organisation = Organisation.objects.get(pk=attendee.organisation_id)
    else:
        name = attendee.organisation_name
        organisation = organisation_ensure(name=name, report=report) if name else None
    if attendee.person_id is not None:
        person = Person.objects.get(pk=attendee.person_id)
    elif attendee.name and looks_like_person_name(_without_brackets(attendee.name)):
        person = person_ensure(attendee.name, organisation=organisation, report=report)
    else:
        person = person_resolve(attendee.name) if attendee.name else None
    if organisation is not None and not attendee.name and not _is_staff(attendee):
        membership_for_attendee(forum=forum, organisation=organisation, report=report)
    elif organisation is not None and attendee.name and not _is_staff(attendee):
        if attendee.organisation_id is None and attendee.organisation_name:
            membership_for_attendee(forum=forum, organisation=organisation, report=report)
    if organisation is None and person is not None:
        organisation = person.organisation
    return {"person": person, "organisation": organisation}


def _save_meeting(parsed: ParsedMeeting, *, forum, source_name, report) -> Meeting:
    # A meeting is its forum and its start (the unique constraint): notes of another forum on
    # the same day, or of this forum at another time that day, are another meeting.
    # "Welsh Government Board meeting" is the forum's name, not a title of the meeting's own.
    bare = re.sub(r"\s+(?:meeting|cyfarfod)$", "", parsed.title, flags=re.I)
    title = "" if {parsed.title, bare} & {forum.name, forum.name_cy} - {""} else parsed.title
    return sync_object(
        Meeting,
        lookup={"forum": forum, "starts_at": parsed.starts_at},
        values={
            "title": title[:200],
            "ends_at": parsed.ends_at,
            "time_recorded": parsed.time_recorded,
            "venue": parsed.venue[:255],
            "online_platform": parsed.online_platform[:100],
            # Published notes are of a meeting that took place and whose notes were agreed.
            "status": Meeting.Status.HELD,
            "notes_status": Meeting.NotesStatus.APPROVED,
            "source_document": source_name,
        },
        report=report,
    )


def _refuse_losing_records(parsed: ParsedMeeting, *, forum) -> None:
    """A document without an attendance list or actions does not empty a meeting that has them:
    the notes are more likely cut than the records wrong."""
    existing = Meeting.objects.filter(forum=forum, starts_at=parsed.starts_at).first()
    if existing is None:
        return
    rows = existing.attendance.count()
    if rows and not parsed.attendance:
        raise ImportFormatError(
            None,
            gettext(
                "the notes have no attendance list, but the meeting has %(rows)s attendance "
                "rows; nothing was saved"
            )
            % {"rows": rows},
        )
    numbered = existing.actions.filter(number__isnull=False).count()
    has_actions = parsed.summary or any(item.actions for item in parsed.items)
    if numbered and not has_actions:
        raise ImportFormatError(
            None,
            gettext(
                "the notes have no actions, but the meeting has %(count)s numbered actions; "
                "nothing was saved"
            )
            % {"count": numbered},
        )


def _save_attendance(parsed: ParsedMeeting, meeting: Meeting, *, forum, report) -> None:
    for order, attendee in enumerate(parsed.attendance, start=1):
        sync_object(
            Attendance,
            lookup={"meeting": meeting, "order": order},
            values={
                "as_written": attendee.as_written[:255],
                "name": attendee.name[:200],
                "organisation_text": attendee.organisation_text[:255],
                "status": attendee.status,
                "group": attendee.group[:120],
                "initials": attendee.initials[:12],
                "deputy_for": attendee.deputy_for[:200],
                **_attendee_links(attendee, forum=forum, report=report),
            },
            report=report,
        )
    delete_rest(meeting.attendance.filter(order__gt=len(parsed.attendance)), report=report)


def _save_items(parsed: ParsedMeeting, meeting: Meeting, *, report) -> dict:
    saved = {}
    for item in parsed.items:
        saved[item.number] = sync_object(
            AgendaItem,
            lookup={"meeting": meeting, "number": item.number},
            values={
                "title": item.title[:255],
                "presenter": item.presenter[:200],
                "discussion": item.discussion,
            },
            report=report,
        )
    delete_rest(meeting.items.exclude(number__in=list(saved)), report=report)
    return saved


def _owner_fields(owner_text: str, *, parsed, forum, line, report) -> dict:
    owner = resolve_owner(owner_text, forum=forum)
    if owner.found or not owner_text:
        return owner.as_fields()
    attendee = attendee_for_owner(parsed, owner_text)
    if attendee is not None and attendee.name:
        person = person_resolve(attendee.name)
        if person is not None:
            return {"owner_person": person, "owner_organisation": None, "owner_role": None}
    for candidate in parsed.attendance:
        if candidate.organisation_name and squash(candidate.organisation_name).lower() == (
            squash(owner_text).lower()
        ):
            organisation = organisation_ensure(name=candidate.organisation_name, report=report)
            return {"owner_person": None, "owner_organisation": organisation, "owner_role": None}
    if known_organisation(owner_text) or (
        looks_like_organisation(owner_text) and not looks_like_job_title(owner_text)
    ):
        if known_organisation(owner_text) or Organisation.objects.resolve(owner_text):
            organisation = organisation_ensure(name=owner_text, report=report)
            return {"owner_person": None, "owner_organisation": organisation, "owner_role": None}
    report.notices.append(
        Notice(
            line,
            gettext('the owner "%(owner)s" is not a person, organisation or role on record')
            % {"owner": owner_text},
        )
    )
    return owner.as_fields()


def _action_values(row, item, action, *, parsed, meeting, forum, items, report) -> dict:
    inline_text = action.text if action else ""
    text = row.text if row else inline_text
    owner_text = (row.owner_text if row else "") or (action.owner_text if action else "")
    deadline_text = (row.deadline_text if row else "") or (action.deadline_text if action else "")
    due_date, due_rule = interpret_deadline(deadline_text, parsed_date(meeting))
    if due_rule == NEXT_MEETING:
        due_date = next_meeting_date(meeting)
    line = row.line if row else action.line
    return {
        "agenda_item": items[item.number] if item else None,
        "text": text,
        "inline_text": inline_text,
        "owner_text": owner_text[:255],
        **_owner_fields(owner_text, parsed=parsed, forum=forum, line=line, report=report),
        "deadline_text": deadline_text[:255],
        "due_date": due_date,
        "due_rule": due_rule,
    }


def parsed_date(meeting: Meeting) -> datetime.date:
    return meeting.starts_at.astimezone(_zone()).date()


def _save_actions(parsed: ParsedMeeting, meeting: Meeting, *, forum, items, report) -> None:
    # Notes without a table of actions number them in the order they are written, as "Action
    # 1", "Action 2"; with a table, the table's numbers are the actions' numbers.
    sequence = 0
    for row, item, action in link_summary_to_inline(parsed):
        values = _action_values(
            row,
            item,
            action,
            parsed=parsed,
            meeting=meeting,
            forum=forum,
            items=items,
            report=report,
        )
        if row is not None:
            number = row.number
        elif not parsed.summary:
            sequence += 1
            number = action.number or sequence
        else:
            number = None
        lookup = {"meeting": meeting, "number": number}
        if number is None:
            lookup["inline_text"] = values.pop("inline_text")
        sync_object(ActionItem, lookup=lookup, values=values, report=report)


def save_meeting_notes(
    parsed: ParsedMeeting, *, source_name: str, report: ImportReport, forum=None
):
    forum = forum_ensure(report=report, forum=forum)
    _refuse_losing_records(parsed, forum=forum)
    meeting = _save_meeting(parsed, forum=forum, source_name=source_name, report=report)
    _save_attendance(parsed, meeting, forum=forum, report=report)
    items = _save_items(parsed, meeting, report=report)
    _save_actions(parsed, meeting, forum=forum, items=items, report=report)
    changed = refresh_next_meeting_due_dates(forum=forum)
    if changed:
        report.updated[str(ActionItem._meta.verbose_name_plural)] += changed
    return meeting


def action_count(parsed: ParsedMeeting) -> int:
    return len(link_summary_to_inline(parsed))


def import_meeting_notes(*, text: str, source_name: str = "", dry_run: bool = False, forum=None):
    """Parse, then save in one transaction (rolled back on a dry run). The meeting, the
    memberships of its attendees and the roles owning its actions are ``forum``'s (the first
    forum by default; an unsaved forum is created). The report's notices list every line the
    parser could not place and every guess worth checking."""
    parsed = parse_meeting_notes(text)
    return import_parsed_meeting(parsed, source_name=source_name, dry_run=dry_run, forum=forum)


def import_parsed_meeting(parsed: ParsedMeeting, *, source_name="", dry_run=False, forum=None):
    """Save notes already parsed (and perhaps corrected by a reviewer)."""
    label = gettext("Meeting of %(date)s (%(count)s actions)") % {
        "date": f"{parsed.starts_at:%-d %B %Y}",
        "count": action_count(parsed),
    }

    def write():
        report = ImportReport(label)
        report.notices.extend(parsed.notices)
        save_meeting_notes(parsed, source_name=source_name, report=report, forum=forum)
        return report

    return run_import(write, dry_run=dry_run)
