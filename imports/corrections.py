"""The reviewer's corrections to what the parser understood, kept on the import as JSON and
applied to a fresh parse of the same text each time the review is shown and at the commit.

Only meeting notes take corrections (plans and letters are reviewed and committed as read).
Their shape::

    {
        "attendance": [
            {"from": "14.0", "line": 14, "text": "Jane Hughes - Tai Pawb", "group": "Guests",
             "status": "present", "person_id": 12, "organisation_id": null},
            ...
        ],
        "actions": [{"line": 41, "text": "Secretariat to circulate the paper"}],
    }

Once saved, "attendance" is the whole list: a row the reviewer emptied is gone, a row whose text
holds several lines became several rows. "from" names the parsed row an entry came from (its
source line and its place among that line's rows), so a row whose text was not edited keeps
everything the parser read from it (initials, whom the person deputised for); an edited text is
read again as "Name - Organisation".
"""

from dataclasses import replace

from meetings.importers import ParsedAttendee, split_attendee
from wrc.lib.importing import squash

STATUSES = ("present", "apologies", "absent")


def row_keys(attendance: list) -> list[str]:
    """A key for each parsed row: its source line and its place among the rows of that line
    ("14.0", "14.1"). The parse of the same text always gives the same keys."""
    seen: dict[int, int] = {}
    keys = []
    for row in attendance:
        line = row.line or 0
        keys.append(f"{line}.{seen.get(line, 0)}")
        seen[line] = seen.get(line, 0) + 1
    return keys


def key_of(row, fallback: str) -> str:
    """The key of a row of the corrected attendance (the parsed row it came from)."""
    return getattr(row, "review_key", None) or fallback


def _mark(row, key: str):
    try:
        row.review_key = key
    except AttributeError:  # a row class without a __dict__ keeps no key; rows are then positional
        pass
    return row


def _as_int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def corrected_row(entry: dict, original) -> ParsedAttendee | None:
    """The row an entry describes, built on the parsed row it came from; None when emptied."""
    text = squash(str(entry.get("text") or ""))
    if not text:
        return None
    line = _as_int(entry.get("line")) or (original.line if original else None)
    if original is not None and text == squash(original.as_written):
        row = replace(original)
    else:
        name, organisation = split_attendee(text)
        if original is not None:
            row = replace(
                original,
                as_written=text,
                name=name,
                organisation_text=organisation,
                initials="",
                deputy_for="",
                line=line,
                person_id=None,
                organisation_id=None,
            )
        else:
            row = ParsedAttendee(
                as_written=text,
                name=name,
                organisation_text=organisation,
                status="present",
                group="",
                initials="",
                deputy_for="",
                line=line,
            )
    status = entry.get("status")
    if status in STATUSES:
        row.status = status
    if "group" in entry:
        row.group = squash(str(entry.get("group") or ""))[:120]
    row.person_id = _as_int(entry.get("person_id"))
    row.organisation_id = _as_int(entry.get("organisation_id"))
    return row


def _apply_attendance(parsed, entries: list) -> None:
    originals = dict(zip(row_keys(parsed.attendance), parsed.attendance, strict=True))
    rows = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        key = str(entry.get("from") or "")
        row = corrected_row(entry, originals.get(key))
        if row is not None:
            rows.append(_mark(row, key))
    parsed.attendance = rows


def apply_corrections(kind: str, parsed, corrections: dict) -> None:
    """Change ``parsed`` in place as the reviewer asked (see the module's docstring)."""
    if kind != "meeting" or not isinstance(corrections, dict):
        return
    entries = corrections.get("attendance")
    if isinstance(entries, list):
        _apply_attendance(parsed, entries)
    else:
        for key, row in zip(row_keys(parsed.attendance), parsed.attendance, strict=True):
            _mark(row, key)
    from meetings.importers import mark_line_as_action

    for entry in corrections.get("actions") or []:
        line, text = _as_int(entry.get("line")), squash(str(entry.get("text") or ""))
        if line and text:
            mark_line_as_action(parsed, line, text)


# --- from the review's forms ----------------------------------------------------------------


def attendance_entries(rows: list[dict]) -> list[dict]:
    """Entries from the review's row forms (cleaned data: key, line, text, group, status,
    person_id, organisation_id). A text of several lines is split into one row a line: the
    first keeps the chosen person or organisation, the others are read afresh."""
    entries = []
    for row in rows:
        pieces = [squash(piece) for piece in str(row.get("text") or "").splitlines()]
        pieces = [piece for piece in pieces if piece] or [""]
        for index, piece in enumerate(pieces):
            first = index == 0
            entries.append(
                {
                    "from": row.get("key") or "",
                    "line": row.get("line"),
                    "text": piece,
                    "group": row.get("group") or "",
                    "status": row.get("status") or "present",
                    "person_id": row.get("person_id") if first else None,
                    "organisation_id": row.get("organisation_id") if first else None,
                }
            )
    return [entry for entry in entries if entry["text"]]


def action_entries(lines: list[dict]) -> list[dict]:
    """Lines the reviewer marked as actions, with the action's text as they left it."""
    return [
        {"line": line["line"], "text": squash(line.get("text") or "")}
        for line in lines
        if line.get("make_action") and squash(line.get("text") or "")
    ]
