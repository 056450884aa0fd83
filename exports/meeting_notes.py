"""Meeting notes as the secretariat sends them: Word, PDF, Markdown and a printable page.

Every format is drawn from one language-aware context (``notes_parts``) so the documents agree
with each other and with the notes the forum already publishes: the forum's name; time, date and
venue; Attendance; Meeting notes with numbered items, their discussion and their "Action:" lines;
and the Summary of Actions table. A bilingual export is the English notes followed by the Welsh.

The Markdown export is the layout ``meetings.importers.import_meeting_notes`` reads, so a meeting
survives export and re-import unchanged (attendance, items, actions, owners and deadlines).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from actions.models import ActionItem
from meetings.models import Attendance, Meeting
from wrc.lib.exporting import PdfUnavailable, html_to_pdf  # noqa: F401 (callers catch PdfUnavailable here)

LANGUAGES = ("en", "cy", "both")
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "exports"
DOCX_TEMPLATE = TEMPLATE_DIR / "meeting_notes.docx"


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str


FORMATS = {
    "md": Format("md", "text/markdown; charset=utf-8"),
    "docx": Format(
        "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "pdf": Format("pdf", "application/pdf"),
}

# The document's own wording, in the language of the document rather than of the person
# downloading it: a Welsh export made from an English session must still say "Presenoldeb".
# These are the headings the published notes use, so they are fixed text, not UI strings.
LABELS = {
    "en": {
        "attendance": "Attendance",
        "attendance_columns": "Name - Organisation",
        "apologies": "Apologies",
        "absent": "Absent",
        "meeting_notes": "Meeting notes",
        "action": "Action:",
        "no_actions": "No actions were recorded.",
        "summary": "Summary of Actions",
        "number": "No.",
        "action_item": "Action Item",
        "owner": "Owner",
        "deadline": "Deadline / Status",
        "draft": "Draft – not yet approved",
        "time_not_recorded": "Time not recorded",
    },
    "cy": {
        "attendance": "Presenoldeb",
        "attendance_columns": "Enw - Sefydliad",
        "apologies": "Ymddiheuriadau",
        "absent": "Yn absennol",
        "meeting_notes": "Nodiadau'r cyfarfod",
        "action": "Camau gweithredu:",
        "no_actions": "Ni chofnodwyd unrhyw gamau gweithredu.",
        "summary": "Crynodeb o'r Camau Gweithredu",
        "number": "Rhif",
        "action_item": "Cam Gweithredu",
        "owner": "Perchennog",
        "deadline": "Dyddiad cau / Statws",
        "draft": "Drafft – heb ei gymeradwyo eto",
        "time_not_recorded": "Amser heb ei gofnodi",
    },
}

WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "cy": [
        "Dydd Llun",
        "Dydd Mawrth",
        "Dydd Mercher",
        "Dydd Iau",
        "Dydd Gwener",
        "Dydd Sadwrn",
        "Dydd Sul",
    ],
}
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],  # fmt: skip
    "cy": [
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ],  # fmt: skip
}
MERIDIEM = {"en": ("am", "pm"), "cy": ("yb", "yp")}
BULLET = re.compile(r"^\s*[-*•]\s+")
ACTION_PREFIX = re.compile(r"^\s*(?:\*\*)?(?:Action|Camau gweithredu)\s*:\s*(?:\*\*)?\s*", re.I)


@dataclass(frozen=True)
class Line:
    """One paragraph or bullet of an item's discussion."""

    text: str
    bullet: bool = False


@dataclass
class ItemPart:
    number: int
    title: str
    lines: list[Line]
    actions: list[str]

    @property
    def blocks(self) -> list[dict]:
        """Paragraphs, with each run of bullets gathered into one list (for HTML)."""
        blocks: list[dict] = []
        for line in self.lines:
            if not line.bullet:
                blocks.append({"text": line.text, "bullets": []})
            elif blocks and blocks[-1]["bullets"]:
                blocks[-1]["bullets"].append(line.text)
            else:
                blocks.append({"text": "", "bullets": [line.text]})
        return blocks


@dataclass
class ActionRow:
    number: str
    text: str
    owner: str
    deadline: str


@dataclass
class AttendanceLine:
    """One line of an attendance list: a row, or the heading of the group the rows after it
    belong to ("Welsh Government officials"), which the notes print in bold."""

    text: str
    is_group: bool = False

    def __str__(self):
        return self.text


def attendance_lines(rows: list[Attendance]) -> list[AttendanceLine]:
    lines, group = [], ""
    for row in rows:
        if row.group and row.group != group:
            lines.append(AttendanceLine(row.group, is_group=True))
        group = row.group
        lines.append(AttendanceLine(attendance_row(row)))
    return lines


@dataclass
class NotesPart:
    """The notes in one language: everything a renderer needs, already worded."""

    language: str
    labels: dict
    heading: str
    when: str
    draft: bool
    attendance: list[AttendanceLine] = field(default_factory=list)
    apologies: list[AttendanceLine] = field(default_factory=list)
    absent: list[AttendanceLine] = field(default_factory=list)
    items: list[ItemPart] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes


def meetings_for_export(queryset=None):
    """Meetings with everything the notes show, in a fixed number of queries."""
    queryset = Meeting.objects.all() if queryset is None else queryset
    actions = ActionItem.objects.select_related(
        "owner_person", "owner_organisation", "owner_role"
    ).order_by("number", "pk")
    return queryset.select_related("forum").prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.order_by("order", "pk")),
        "items",
        Prefetch("actions", queryset=actions),
    )


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}: use one of {', '.join(LANGUAGES)}.")
    return language


def notes_parts(meeting: Meeting, language: str) -> list[NotesPart]:
    languages = ["en", "cy"] if check_language(language) == "both" else [language]
    return [notes_part(meeting, lang) for lang in languages]


def notes_part(meeting: Meeting, language: str) -> NotesPart:
    actions = list(meeting.actions.all())
    people = list(meeting.attendance.all())
    return NotesPart(
        language=language,
        labels=LABELS[language],
        heading=heading(meeting, language),
        when=when_line(meeting, language),
        draft=meeting.notes_status != Meeting.NotesStatus.APPROVED,
        attendance=attendance_lines([a for a in people if a.status == Attendance.Status.PRESENT]),
        apologies=attendance_lines([a for a in people if a.status == Attendance.Status.APOLOGIES]),
        absent=attendance_lines([a for a in people if a.status == Attendance.Status.ABSENT]),
        items=[item_part(item, actions, language) for item in meeting.items.all()],
        actions=summary_rows(actions, language),
    )


def heading(meeting: Meeting, language: str) -> str:
    """The forum's name, as the published notes open; a meeting with a title of its own (a
    special session) opens with that title instead."""
    forum = meeting.forum
    if meeting.title and meeting.title != forum.name:
        return meeting.title
    return forum.name_cy if language == "cy" and forum.name_cy else forum.name


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def clock(moment, language: str) -> tuple[str, str]:
    """'1:00' and its half of the day; noon is 12:00 pm as the published notes write it."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M}", MERIDIEM[language][moment.hour >= 12]


def time_range(meeting: Meeting, language: str) -> str:
    """The times ("12:00 – 1:00 pm"); "Time not recorded" for a meeting whose notes gave only
    the date (its stored midnight is a placeholder, never a time to state)."""
    if not meeting.time_recorded:
        return LABELS[language]["time_not_recorded"]
    start, start_half = clock(timezone.localtime(meeting.starts_at), language)
    if not meeting.ends_at:
        return f"{start} {start_half}"
    end, end_half = clock(timezone.localtime(meeting.ends_at), language)
    if start_half == end_half:
        return f"{start} – {end} {end_half}"
    return f"{start} {start_half} – {end} {end_half}"


def date_text(meeting: Meeting, language: str) -> str:
    local = timezone.localtime(meeting.starts_at)
    weekday = WEEKDAYS[language][local.weekday()]
    month = MONTHS[language][local.month - 1]
    day = ordinal(local.day) if language == "en" else str(local.day)
    return f"{weekday} {day} {month} {local.year}"


def venue_text(meeting: Meeting, language: str) -> str:
    if language == "en":
        return meeting.where
    if meeting.venue and meeting.online_platform:
        return f"{meeting.venue} a thrwy {meeting.online_platform}"
    if meeting.online_platform:
        return f"Drwy {meeting.online_platform}"
    return meeting.venue


def when_line(meeting: Meeting, language: str) -> str:
    """The line the notes open with: "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams", or
    "Time not recorded, Monday 17th March 2025 – Via Teams" when the notes gave no time (in the
    time's place, so the line still reads as the notes' date line)."""
    line = f"{time_range(meeting, language)}, {date_text(meeting, language)}"
    venue = venue_text(meeting, language)
    return f"{line} – {venue}" if venue else line


def attendance_row(attendance: Attendance) -> str:
    if attendance.name and attendance.organisation_text:
        return f"{attendance.name} - {attendance.organisation_text}"
    return attendance.name or attendance.organisation_text or attendance.as_written


def discussion_lines(text: str) -> list[Line]:
    """Paragraphs (lines run together until a blank line) and bullets, in order."""
    lines: list[Line] = []
    paragraph: list[str] = []

    def close_paragraph():
        if paragraph:
            lines.append(Line(" ".join(paragraph)))
            paragraph.clear()

    for raw in (text or "").splitlines():
        if not raw.strip():
            close_paragraph()
        elif BULLET.match(raw):
            close_paragraph()
            lines.append(Line(BULLET.sub("", raw).strip(), bullet=True))
        else:
            paragraph.append(raw.strip())
    close_paragraph()
    return lines


def item_part(item, actions: list[ActionItem], language: str) -> ItemPart:
    welsh = language == "cy"
    discussion = (item.discussion_cy if welsh else "") or item.discussion
    return ItemPart(
        number=item.number,
        title=(item.title_cy if welsh else "") or item.title,
        lines=discussion_lines(discussion),
        actions=[inline_action(a) for a in actions if a.agenda_item_id == item.pk],
    )


def inline_action(action: ActionItem) -> str:
    return ACTION_PREFIX.sub("", action.inline_text or action.text).strip()


def deadline_status(action: ActionItem, language: str) -> str:
    """The deadline as written; a finished or dropped action also says so."""
    if action.is_open:
        return action.deadline_text
    status = STATUS_WORDS[language][action.status]
    return f"{action.deadline_text} ({status})" if action.deadline_text else status


STATUS_WORDS = {
    "en": {ActionItem.Status.DONE: "Done", ActionItem.Status.CANCELLED: "Cancelled"},
    "cy": {ActionItem.Status.DONE: "Wedi'i wneud", ActionItem.Status.CANCELLED: "Wedi'i ganslo"},
}


def summary_rows(actions: list[ActionItem], language: str) -> list[ActionRow]:
    """Numbered actions in their order, then any without a number numbered after them: every
    row of the published table has a number (and the importer requires one)."""
    last = max((a.number or 0 for a in actions), default=0)
    ordered = sorted(actions, key=lambda a: (a.number is None, a.number or 0, a.pk))
    unnumbered = (a for a in ordered if a.number is None)
    numbers = {a.pk: last + offset for offset, a in enumerate(unnumbered, start=1)}
    return [action_row(a, a.number or numbers[a.pk], language) for a in ordered]


def action_row(action: ActionItem, number: int, language: str) -> ActionRow:
    return ActionRow(
        number=str(number),
        text=action.text,
        owner=action.owner_display,
        deadline=deadline_status(action, language),
    )


def notes_filename(meeting: Meeting, language: str, extension: str) -> str:
    """'wales-race-forum-2025-03-17-notes-en.docx', 'fforwm-hil-cymru-2025-03-17-notes-cy.docx':
    the forum's name in the notes' language (English for both), the date and the language."""
    local = timezone.localtime(meeting.starts_at)
    suffix = "en-cy" if language == "both" else language
    forum = slugify(meeting.forum.name_in(language)) or meeting.forum.slug
    return f"{forum}-{local:%Y-%m-%d}-notes-{suffix}.{extension}"


# Markdown -------------------------------------------------------------------------------


def md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown_discussion(lines: list[Line]) -> list[str]:
    """Paragraphs end with a blank line; a run of bullets is one list with a blank line after."""
    out: list[str] = []
    for position, line in enumerate(lines):
        if not line.bullet:
            out += [line.text, ""]
            continue
        out.append(f"- {line.text}")
        if position + 1 == len(lines) or not lines[position + 1].bullet:
            out.append("")
    return out


def markdown_attendance(lines: list[AttendanceLine]) -> list[str]:
    out = []
    for line in lines:
        if line.is_group:
            out += ["" if out and out[-1] else None, f"**{line.text}**", ""]
        else:
            out.append(f"- {line.text}")
    return [text for text in out if text is not None] + [""]


def markdown_part(part: NotesPart) -> list[str]:
    labels = part.labels
    out = [f"# {part.heading}", "", part.when, ""]
    if part.draft:
        out += [f"*{labels['draft']}*", ""]
    out += [f"## {labels['attendance']}", "", labels["attendance_columns"], ""]
    out += markdown_attendance(part.attendance)
    for key, lines in (("apologies", part.apologies), ("absent", part.absent)):
        if lines:
            out += [f"## {labels[key]}", ""] + markdown_attendance(lines)
    out += [f"## {labels['meeting_notes']}", ""]
    for item in part.items:
        out += [f"### {item.number}. {item.title}", ""]
        out += markdown_discussion(item.lines)
        for action in item.actions:
            out += [f"{labels['action']} {action}", ""]
    out += [f"## {labels['summary']}", ""]
    header = (labels["number"], labels["action_item"], labels["owner"], labels["deadline"])
    out += ["| " + " | ".join(header) + " |", "| --- | --- | --- | --- |"]
    for row in part.actions:
        cells = (row.number, row.text, row.owner, row.deadline)
        out.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    return out + [""]


def render_markdown(meeting: Meeting, language: str) -> str:
    parts = [markdown_part(part) for part in notes_parts(meeting, language)]
    return "\n---\n\n".join("\n".join(lines) for lines in parts)


# Word -----------------------------------------------------------------------------------


def render_docx(meeting: Meeting, language: str) -> bytes:
    # Imported here: docxtpl pulls in lxml and jinja2, which most requests never need.
    from docxtpl import DocxTemplate

    from wrc.lib.word_documents import finish_document

    template = DocxTemplate(DOCX_TEMPLATE)
    parts = notes_parts(meeting, language)
    template.render({"parts": parts}, autoescape=True)
    first = parts[0]
    finish_document(
        template.docx,
        title=f"{first.heading} – {first.when}",
        author=meeting.forum.name_in(first.language),
        language=language,
        subject=first.labels["meeting_notes"],
        status=first.labels["draft"] if first.draft else "",
        part_languages=[part.language for part in parts],
    )
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


# HTML, print and PDF --------------------------------------------------------------------


def html_context(meeting: Meeting, language: str) -> dict:
    parts = notes_parts(meeting, language)
    lang = parts[0].language
    return {
        "meeting": meeting,
        "parts": parts,
        "lang": lang,
        "author": meeting.forum.name_in(lang),
    }


def render_html(meeting: Meeting, language: str) -> str:
    """The standalone document WeasyPrint turns into the PDF."""
    return render_to_string("exports/meeting_notes_pdf.html", html_context(meeting, language))


def render_pdf(meeting: Meeting, language: str) -> bytes:
    return html_to_pdf(render_html(meeting, language))


RENDERERS = {
    "md": lambda meeting, language: render_markdown(meeting, language).encode("utf-8"),
    "docx": render_docx,
    "pdf": render_pdf,
}


def export_meeting_notes(meeting: Meeting, *, language: str, fmt: str) -> Export:
    """The notes of ``meeting`` as a file: its name, content type and bytes."""
    check_language(language)
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    content = RENDERERS[fmt](meeting, language)
    chosen = FORMATS[fmt]
    return Export(notes_filename(meeting, language, chosen.extension), chosen.content_type, content)
