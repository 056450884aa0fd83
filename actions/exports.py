"""Downloads of a filtered list of actions as CSV or XLSX.

The list page and the download share one filter (``ActionFilter``) and one ordering, so the file
holds exactly the rows the page lists, on every page of it. Owners are given as written and as
resolved by name only: the file never carries anyone's contact details.
"""

import copy
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from actions.models import ActionItem
from directory.models import Language
from wrc.lib.exporting import TEXT_FORMAT, spreadsheet_safe

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
    content: bytes | Iterator[bytes]
    content_type: str
    filename: str

    @property
    def streaming(self) -> bool:
        return not isinstance(self.content, bytes)


# What a row needs, read as plain values: 10,000 rows as model instances (an action, its
# meeting, forum and owner each) cost more than writing the file.
VALUES = [
    "pk", "meeting_id", "meeting__title", "meeting__starts_at", "meeting__forum__name",
    "meeting__forum__name_cy", "number", "text", "owner_text", "owner_person__full_name",
    "owner_person__honorific", "owner_organisation__name", "owner_role__name", "deadline_text",
    "due_date", "status", "completed_on", "completion_note",
]  # fmt: skip
ROWS_PER_FETCH = 2000
LINES_PER_CHUNK = 500


def resolved_owner(values) -> str:
    if values["owner_person__full_name"] is not None:
        name = values["owner_person__full_name"]
        return f"{name} {values['owner_person__honorific']}".strip()
    return values["owner_organisation__name"] or values["owner_role__name"] or ""


def link_maker(base_url: str):
    """The action's address from its id: one ``reverse()`` for the file, not one per row."""
    marker = 987654321
    before, after = reverse("actions:detail", args=[marker]).split(str(marker))
    return lambda pk: f"{base_url}{before}{pk}{after}"


def action_rows(actions, *, base_url: str) -> Iterator[dict]:
    """Each action as typed values (dates stay dates for the spreadsheet), fetched in chunks.
    The language and labels are fixed now, not when the rows are read: a streamed file is
    written after the view has returned."""
    welsh = (translation.get_language() or "en")[:2] == Language.WELSH
    statuses = {value: str(label) for value, label in ActionItem.Status.choices}
    link = link_maker(base_url)
    values = actions.values(*VALUES).iterator(chunk_size=ROWS_PER_FETCH)
    return (_row(v, welsh=welsh, statuses=statuses, link=link) for v in values)


def _row(v, *, welsh, statuses, link) -> dict:
    held = v["meeting_id"] is not None
    forum = (welsh and v["meeting__forum__name_cy"]) or v["meeting__forum__name"] or ""
    return {
        "forum": forum,
        "meeting": (v["meeting__title"] or v["meeting__forum__name"]) if held else "",
        "meeting_date": timezone.localdate(v["meeting__starts_at"]) if held else None,
        "number": v["number"],
        "action": v["text"],
        "owner_as_written": v["owner_text"],
        "owner": resolved_owner(v),
        "deadline_as_written": v["deadline_text"],
        "due_date": v["due_date"],
        "status": statuses.get(v["status"], v["status"]),
        "completed_on": v["completed_on"],
        "completion_note": v["completion_note"],
        "link": link(v["pk"]),
    }


class Echo:
    """A file-like object that hands back what is written: csv.writer into a stream."""

    def write(self, value):
        return value


def render_csv(actions, *, base_url: str) -> Iterator[bytes]:
    """The CSV as a stream of lines: memory stays flat however many rows there are. Values are
    written as they are, guarded against formulas only; the spreadsheet is ``render_xlsx``
    (why: ``hatecrime.reports.render_csv``)."""
    rows = action_rows(actions, base_url=base_url)  # built now, in the request's language
    writer = csv.writer(Echo())

    def chunks():
        # The byte-order mark makes Excel read the file as UTF-8 (ŵ, ŷ, curly quotes).
        lines = ["\ufeff" + writer.writerow([h for _key, h, _width in COLUMNS])]
        for row in rows:
            cells = [spreadsheet_safe("" if row[key] is None else row[key]) for key, *_ in COLUMNS]
            lines.append(writer.writerow(cells))
            if len(lines) == LINES_PER_CHUNK:  # a few hundred lines per write, not one
                yield "".join(lines).encode()
                lines = []
        yield "".join(lines).encode()

    return chunks()


def render_xlsx(actions, *, base_url: str) -> bytes:
    """A write-only workbook: each row is written once, styled as it is made (appending to a
    normal sheet and styling ``sheet[sheet.max_row]`` rescanned every cell: quadratic)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Actions")[:31])
    # Column widths and the frozen heading go in the sheet's head, before the first row.
    for index, (_key, _heading, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    styles = CellStyles(sheet)
    sheet.append([styles.cell(heading, heading=True) for _key, heading, _width in COLUMNS])
    count = 0
    for row in action_rows(actions, base_url=base_url):
        sheet.append([styles.cell(row[key]) for key, *_ in COLUMNS])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class CellStyles:
    """Cells of the actions sheet, styled by copying one styled cell's style: setting a font or
    an alignment on each of 130,000 cells hashes the style every time (half of the file's
    time). Copying ``_style`` is how openpyxl copies cells itself (``WorksheetCopy``)."""

    def __init__(self, sheet):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        self.sheet, self.new = sheet, WriteOnlyCell
        wrap = Alignment(wrap_text=True, vertical="top")
        self.heading = self.new(sheet)
        self.heading.font = Font(bold=True)
        self.text = self.new(sheet)
        # "Text" format: what is typed over a cell stays text (a reference "1.10" not 1.1).
        self.text.alignment, self.text.number_format = wrap, TEXT_FORMAT
        self.other = self.new(sheet)
        self.other.alignment = wrap
        self.date = self.new(sheet)
        self.date.alignment, self.date.number_format = wrap, "yyyy-mm-dd"

    def cell(self, value, *, heading=False):
        if value is None:
            return None  # an empty cell is not written at all
        cell = self.new(self.sheet, value)
        if isinstance(value, str):
            # Text is text: a value starting with "=" must never become a formula.
            cell.data_type = "s"
        is_date = isinstance(value, datetime.date)
        if heading:
            template = self.heading
        elif is_date:
            template = self.date
        else:
            template = self.text if isinstance(value, str) else self.other
        cell._style = copy.copy(template._style)
        return cell


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
