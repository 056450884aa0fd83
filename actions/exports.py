"""Downloads of a filtered list of actions as CSV or XLSX.

The list page and the download share one filter (``ActionFilter``) and one ordering, so the file
holds exactly the rows the page lists, on every page of it. Owners are given as written and as
resolved by name only: the file never carries anyone's contact details.
"""

import csv
import io
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hatecrime.reports import spreadsheet_safe

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# (column, heading, width in the spreadsheet)
COLUMNS = [
    ("forum", "Forum", 30),
    ("meeting", "Meeting", 30),
    ("meeting_date", "Meeting date", 14),
    ("number", "Number", 9),
    ("action", "Action", 60),
    ("owner_as_written", "Owner (as written)", 25),
    ("owner", "Owner (resolved)", 25),
    ("deadline_as_written", "Deadline (as written)", 25),
    ("due_date", "Due date", 14),
    ("status", "Status", 14),
    ("completed_on", "Completed on", 14),
    ("completion_note", "Completion note", 40),
    ("link", "Link", 40),
]


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    filename: str


def resolved_owner(action) -> str:
    if action.owner_person_id:
        return action.owner_person.display_name
    if action.owner_organisation_id:
        return action.owner_organisation.name
    if action.owner_role_id:
        return action.owner_role.name
    return ""


def action_row(action, *, base_url: str) -> dict:
    """One action as typed values: dates stay dates for the spreadsheet."""
    meeting = action.meeting
    language = (translation.get_language() or "en")[:2]
    return {
        "forum": meeting.forum.name_in(language) if meeting else "",
        "meeting": (meeting.title or meeting.forum.name) if meeting else "",
        "meeting_date": timezone.localdate(meeting.starts_at) if meeting else None,
        "number": action.number,
        "action": action.text,
        "owner_as_written": action.owner_text,
        "owner": resolved_owner(action),
        "deadline_as_written": action.deadline_text,
        "due_date": action.due_date,
        "status": str(action.get_status_display()),
        "completed_on": action.completed_on,
        "completion_note": action.completion_note,
        "link": base_url + action.get_absolute_url(),
    }


def render_csv(actions, *, base_url: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([heading for _key, heading, _width in COLUMNS])
    for action in actions:
        row = action_row(action, base_url=base_url)
        writer.writerow(
            [spreadsheet_safe("" if row[key] is None else row[key]) for key, *_ in COLUMNS]
        )
    # The byte-order mark makes Excel read the file as UTF-8 (ŵ, ŷ, curly quotes).
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(actions, *, base_url: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Actions")[:31]
    sheet.append([heading for _key, heading, _width in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for action in actions:
        row = action_row(action, base_url=base_url)
        sheet.append([row[key] for key, *_ in COLUMNS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                # Text is text: a value starting with "=" must never become a formula.
                cell.data_type = "s"
            elif cell.is_date:
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, (_key, _heading, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_actions(actions, *, fmt: str, base_url: str, forum=None) -> Download:
    """The actions as a file; named after ``forum`` (in the current language) when the list is
    narrowed to one forum: "wales-race-forum-actions-2025-03-17.csv"."""
    render = {"csv": render_csv, "xlsx": render_xlsx}[fmt]
    return Download(render(actions, base_url=base_url), FORMATS[fmt], actions_filename(fmt, forum))


def actions_filename(fmt: str, forum=None) -> str:
    day = f"{timezone.localdate():%Y-%m-%d}"
    if forum is None:
        return f"actions-{day}.{fmt}"
    name = slugify(forum.name_in((translation.get_language() or "en")[:2])) or forum.slug
    return f"{name}-actions-{day}.{fmt}"
