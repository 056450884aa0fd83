"""Importing a meeting's published notes: the meeting, attendance, numbered agenda items with
their discussion and "Action:" lines, and the Summary of Actions.

The parser reads the notes as exported to plain text and the same layout written as Markdown
(headings with "#", bold with "**", bullets with "- ", the summary as a "|" table), so a Markdown
export of a meeting can be imported again.
"""

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings

from actions.deadlines import MONTHS, NEXT_MEETING, interpret_deadline
from actions.models import ActionItem
from actions.services import next_meeting_date, refresh_next_meeting_due_dates, resolve_owner
from directory.models import Organisation
from directory.services import (
    forum_ensure,
    known_organisation,
    membership_for_attendee,
    organisation_ensure,
    person_resolve,
)
from meetings.models import AgendaItem, Attendance, Meeting
from wrc.lib.importing import (
    ImportFormatError,
    ImportReport,
    Piece,
    delete_rest,
    html_to_pieces,
    render_pieces,
    run_import,
    squash,
    strip_markdown,
    sync_object,
)

HEADINGS = {
    "attendance": "attendance",
    "present": "attendance",
    "apologies": "apologies",
    "meeting notes": "discussion",
    "discussion": "discussion",
    "summary of actions": "summary",
}
DATE_LINE = re.compile(
    r"(?P<start>\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)\s*(?:[–—-]|to)\s*"
    r"(?P<end>\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)\s*,?\s*(?:[A-Za-z]+day\s+)?"
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[A-Za-z]+)\s+(?P<year>\d{4})"
    r"(?:\s*[–—-]\s*(?P<place>.+))?",
    re.IGNORECASE,
)
CLOCK = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<suffix>am|pm)?", re.I)
PLACE = re.compile(r"^(?:(?P<venue>.+?)\s+and\s+)?via\s+(?P<platform>.+)$", re.IGNORECASE)
ITEM_HEADING = re.compile(r"^(?P<number>\d+)\.\s+(?P<title>\S.*)$")
ACTION_LINE = re.compile(r"^action\s*:\s*(?P<text>.+)$", re.IGNORECASE)
BULLET = re.compile(r"^(?:[-*•])\s+")
HTML = re.compile(r"</?[a-zA-Z][^>]*>")
TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@dataclass
class ParsedAttendee:
    as_written: str
    name: str
    organisation_text: str
    status: str


@dataclass
class ParsedItem:
    number: int
    title: str
    line: int
    pieces: list = field(default_factory=list)
    actions: list = field(default_factory=list)  # the "Action:" lines, in order

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


@dataclass
class ParsedMeeting:
    title: str = ""
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    venue: str = ""
    online_platform: str = ""
    attendance: list = field(default_factory=list)
    items: list = field(default_factory=list)
    summary: list = field(default_factory=list)


def split_attendee(text: str) -> tuple[str, str]:
    """("Name", "Organisation") for "Name - Organisation"; ("", text) when there is no name.

    Only a spaced hyphen outside brackets separates: "WG (CSI - Statistical services Division)"
    is one organisation.
    """
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith(" - ", index):
            return text[:index].strip(), text[index + 3 :].strip()
    return "", text.strip()


def _clock(value: str) -> tuple[int, int, str]:
    match = CLOCK.fullmatch(value.strip())
    return int(match["hour"]), int(match["minute"] or 0), (match["suffix"] or "").lower()


def _hour24(hour: int, suffix: str) -> int:
    if suffix == "pm" and hour != 12:
        return hour + 12
    if suffix == "am" and hour == 12:
        return 0
    return hour


def _parse_date_line(match, number: int, meeting: ParsedMeeting) -> None:
    month = MONTHS.get(match["month"].lower().rstrip("."))
    if month is None:
        raise ImportFormatError(number, f'"{match["month"]}" is not a month')
    start_h, start_m, start_suffix = _clock(match["start"])
    end_h, end_m, end_suffix = _clock(match["end"])
    end_hour = _hour24(end_h, end_suffix)
    start_hour = _hour24(start_h, start_suffix or end_suffix)
    if not start_suffix and start_hour > end_hour:
        start_hour = _hour24(start_h, "am")
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    try:
        day = datetime.date(int(match["year"]), month, int(match["day"]))
        meeting.starts_at = datetime.datetime.combine(day, datetime.time(start_hour, start_m), zone)
        meeting.ends_at = datetime.datetime.combine(day, datetime.time(end_hour, end_m), zone)
    except ValueError as error:
        raise ImportFormatError(
            number, f"the meeting date or time is not valid ({error})"
        ) from None
    place = squash(match["place"] or "")
    if found := PLACE.match(place):
        meeting.venue, meeting.online_platform = found["venue"] or "", found["platform"]
    else:
        meeting.venue = place


def _table_cells(line: str) -> list[str]:
    if "\t" in line:
        return [cell.strip() for cell in line.split("\t")]
    # A "|" inside a cell is written "\|" (as the Markdown export does); it does not split.
    cells = UNESCAPED_PIPE.split(line.strip().strip("|"))
    return [strip_markdown(cell).replace("\\|", "|") for cell in cells]


class _NotesParser:
    def __init__(self):
        self.meeting = ParsedMeeting()
        self.section = "header"

    def line(self, number: int, raw: str) -> None:
        text = strip_markdown(raw)
        if not text:
            return
        heading = HEADINGS.get(BULLET.sub("", text).lower().rstrip(":"))
        if heading:
            self.heading(number, heading)
        elif self.section == "header":
            self.header(number, text)
        elif self.section in ("attendance", "apologies"):
            self.attendee(text)
        elif self.section == "discussion":
            self.discussion(number, raw)
        else:
            self.summary_row(number, raw)

    def heading(self, number: int, heading: str) -> None:
        if self.meeting.starts_at is None:
            raise ImportFormatError(
                number,
                'no date line (such as "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams") '
                "before this heading",
            )
        self.section = heading

    def header(self, number: int, text: str) -> None:
        if match := DATE_LINE.search(text):
            _parse_date_line(match, number, self.meeting)
        elif not self.meeting.title:
            self.meeting.title = text

    def attendee(self, text: str) -> None:
        text = BULLET.sub("", text)
        name, organisation = split_attendee(text)
        if name.lower() == "name" and organisation.lower() == "organisation":
            return  # the column headings
        status = (
            Attendance.Status.APOLOGIES
            if self.section == "apologies"
            else Attendance.Status.PRESENT
        )
        self.meeting.attendance.append(ParsedAttendee(text, name, organisation, status))

    def discussion(self, number: int, raw: str) -> None:
        if HTML.search(raw):
            pieces = html_to_pieces(raw)
        elif BULLET.match(raw.strip()):
            pieces = [Piece("li", squash(BULLET.sub("", strip_markdown(raw.strip()))))]
        else:
            pieces = [Piece("p", squash(strip_markdown(raw)))]
        for piece in pieces:
            self.discussion_piece(number, piece)

    def discussion_piece(self, number: int, piece: Piece) -> None:
        items = self.meeting.items
        heading = ITEM_HEADING.match(piece.text) if piece.kind == "p" else None
        if heading and int(heading["number"]) == len(items) + 1:
            items.append(ParsedItem(int(heading["number"]), heading["title"].strip(), number))
            return
        if not items:
            raise ImportFormatError(number, 'discussion before agenda item "1. …"')
        if action := ACTION_LINE.match(piece.text):
            items[-1].actions.append(squash(action["text"]))
        else:
            items[-1].pieces.append(piece)

    def summary_row(self, number: int, raw: str) -> None:
        if TABLE_RULE.match(raw.strip()):
            return
        cells = _table_cells(raw)
        if cells and cells[0].lower().rstrip(".") in ("no", "#", "number"):
            return  # the column headings
        if len(cells) != 4:
            raise ImportFormatError(
                number,
                f"a Summary of Actions row needs 4 columns (No., action, owner, "
                f"deadline); found {len(cells)}",
            )
        if not cells[0].rstrip(".").isdigit():
            raise ImportFormatError(number, f'the action number "{cells[0]}" is not a number')
        self.meeting.summary.append(
            ParsedSummaryRow(int(cells[0].rstrip(".")), cells[1], cells[2], cells[3], number)
        )


def parse_meeting_notes(text: str) -> ParsedMeeting:
    """The notes' structure; raises ``ImportFormatError`` naming the line of the first problem."""
    parser = _NotesParser()
    for number, raw in enumerate(text.splitlines(), start=1):
        parser.line(number, raw)
    meeting = parser.meeting
    if meeting.starts_at is None:
        raise ImportFormatError(
            None,
            'no date line such as "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams" was found',
        )
    if not meeting.items:
        raise ImportFormatError(None, 'no numbered agenda items ("1. Welcome") under Discussion')
    numbers = [row.number for row in meeting.summary]
    if len(set(numbers)) != len(numbers):
        duplicate = next(r for r in meeting.summary if numbers.count(r.number) > 1)
        raise ImportFormatError(duplicate.line, f"action {duplicate.number} appears twice")
    return meeting


# --- linking summary rows to "Action:" lines -----------------------------------------------


def _words(text: str) -> set:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 3}


def link_summary_to_inline(meeting: ParsedMeeting) -> list[tuple]:
    """Pairs (summary row or None, item, inline text or "") covering every action.

    When the counts agree the notes list them in the same order; otherwise each row takes the
    unused "Action:" line sharing the most words with it.
    """
    inline = [(item, text) for item in meeting.items for text in item.actions]
    if len(inline) == len(meeting.summary):
        return [
            (row, item, text) for row, (item, text) in zip(meeting.summary, inline, strict=True)
        ]
    pairs, unused = [], list(inline)
    for row in meeting.summary:
        best = max(unused, key=lambda pair: len(_words(pair[1]) & _words(row.text)), default=None)
        if best is not None and len(_words(best[1]) & _words(row.text)) >= 2:
            unused.remove(best)
            pairs.append((row, best[0], best[1]))
        else:
            pairs.append((row, None, ""))
    pairs.extend((None, item, text) for item, text in unused)
    return pairs


# --- saving --------------------------------------------------------------------------------


def _attendee_links(attendee: ParsedAttendee, *, forum, report) -> dict:
    if attendee.name:
        person = person_resolve(attendee.name)
        organisation = person.organisation if person else None
        if organisation is None and (
            known_organisation(attendee.organisation_text)
            or Organisation.objects.resolve(attendee.organisation_text)
        ):
            organisation = organisation_ensure(name=attendee.organisation_text, report=report)
        return {"person": person, "organisation": organisation}
    organisation = organisation_ensure(name=attendee.organisation_text, report=report)
    membership_for_attendee(forum=forum, organisation=organisation, report=report)
    return {"person": None, "organisation": organisation}


def _save_meeting(parsed: ParsedMeeting, *, forum, source_name, report) -> Meeting:
    # A meeting is its forum and its start (the unique constraint): notes of another forum on
    # the same day, or of this forum at another time that day, are another meeting.
    title = "" if parsed.title in (forum.name, forum.name_cy) else parsed.title
    return sync_object(
        Meeting,
        lookup={"forum": forum, "starts_at": parsed.starts_at},
        values={
            "title": title,
            "ends_at": parsed.ends_at,
            "venue": parsed.venue,
            "online_platform": parsed.online_platform,
            # Published notes are of a meeting that took place and whose notes were agreed.
            "status": Meeting.Status.HELD,
            "notes_status": Meeting.NotesStatus.APPROVED,
            "source_document": source_name,
        },
        report=report,
    )


def _save_attendance(parsed: ParsedMeeting, meeting: Meeting, *, forum, report) -> None:
    for order, attendee in enumerate(parsed.attendance, start=1):
        sync_object(
            Attendance,
            lookup={"meeting": meeting, "order": order},
            values={
                "as_written": attendee.as_written,
                "name": attendee.name,
                "organisation_text": attendee.organisation_text,
                "status": attendee.status,
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
            values={"title": item.title, "discussion": item.discussion},
            report=report,
        )
    delete_rest(meeting.items.exclude(number__in=list(saved)), report=report)
    return saved


def _action_values(row, item, inline_text, *, meeting, forum, items) -> dict:
    text = row.text if row else inline_text
    owner_text = row.owner_text if row else ""
    deadline_text = row.deadline_text if row else ""
    due_date, due_rule = interpret_deadline(deadline_text, parsed_date(meeting))
    if due_rule == NEXT_MEETING:
        due_date = next_meeting_date(meeting)
    return {
        "agenda_item": items[item.number] if item else None,
        "text": text,
        "inline_text": inline_text,
        "owner_text": owner_text,
        **resolve_owner(owner_text, forum=forum).as_fields(),
        "deadline_text": deadline_text,
        "due_date": due_date,
        "due_rule": due_rule,
    }


def parsed_date(meeting: Meeting) -> datetime.date:
    return meeting.starts_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def _save_actions(parsed: ParsedMeeting, meeting: Meeting, *, forum, items, report) -> None:
    for row, item, inline_text in link_summary_to_inline(parsed):
        values = _action_values(row, item, inline_text, meeting=meeting, forum=forum, items=items)
        lookup = {"meeting": meeting, "number": row.number if row else None}
        if row is None:
            lookup["inline_text"] = inline_text
            values.pop("inline_text")
        sync_object(ActionItem, lookup=lookup, values=values, report=report)


def save_meeting_notes(
    parsed: ParsedMeeting, *, source_name: str, report: ImportReport, forum=None
):
    forum = forum_ensure(report=report, forum=forum)
    meeting = _save_meeting(parsed, forum=forum, source_name=source_name, report=report)
    _save_attendance(parsed, meeting, forum=forum, report=report)
    items = _save_items(parsed, meeting, report=report)
    _save_actions(parsed, meeting, forum=forum, items=items, report=report)
    changed = refresh_next_meeting_due_dates(forum=forum)
    if changed:
        report.updated[str(ActionItem._meta.verbose_name_plural)] += changed
    return meeting


def import_meeting_notes(*, text: str, source_name: str = "", dry_run: bool = False, forum=None):
    """Parse, then save in one transaction (rolled back on a dry run). The meeting, the
    memberships of its attendees and the roles owning its actions are ``forum``'s (the first
    forum by default; an unsaved forum is created)."""
    parsed = parse_meeting_notes(text)
    label = f"Meeting of {parsed.starts_at:%-d %B %Y} ({len(parsed.summary)} actions)"

    def write():
        report = ImportReport(label)
        save_meeting_notes(parsed, source_name=source_name, report=report, forum=forum)
        return report

    return run_import(write, dry_run=dry_run)
