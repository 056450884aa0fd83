"""Bringing a forum's people into the directory from a spreadsheet, and taking them out again.

A contacts file (CSV in any common encoding, or XLSX) has a row per person: name, job title,
email, phone, organisation, role, forums, preferred language and whether they are their
organisation's main contact. Headings are recognised in English or Welsh, in any order and in the
common variants; other columns are ignored and said so.

Nothing is saved when a file is read: ``preview`` says, row by row, what importing it would do
(a new person, or changes to the person it matches; a new or existing organisation; memberships
of the forums the user keeps), and ``commit`` does it in one transaction, skipping the rows with
errors. ``export_contacts`` writes a forum's people in the same columns, so an exported file
imports again changing nothing.

Each organisation has one main contact, who receives the reminders of the actions it owns:
``main_contact_set`` makes someone the main contact and clears the one before.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from directory.models import (
    Forum,
    Language,
    Membership,
    MembershipRole,
    Organisation,
    Person,
    normalise_name,
)
from directory.naming import looks_like_job_title
from directory.services import WG_TEAM, WITH_ACRONYM, known_organisation, organisation_ensure
from wrc import access
from wrc.lib.documents import DocumentError, decode_text, human_size
from wrc.lib.importing import ImportReport

# The columns of an export, in order, with the heading each is written under. The headings and
# the "yes"/"no" of Main contact stay in English whatever the page's language, so that a file
# reads the same whoever exported it (the import reads the Welsh headings too).
COLUMNS = [
    ("name", "Name"),
    ("title", "Job title"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("organisation", "Organisation"),
    ("role", "Role"),
    ("forums", "Forums"),
    ("language", "Preferred language"),
    ("main_contact", "Main contact"),
]
FIELDS = [key for key, _heading in COLUMNS]

# Headings as spreadsheets write them, compared through ``normalise_name`` (case, accents and
# punctuation ignored). Welsh headings too: the secretariat keeps lists in both languages.
HEADINGS = {
    "name": [
        "name", "full name", "fullname", "person", "contact", "contact name", "person name",
        "name of person", "member name", "attendee", "enw", "enw llawn",
    ],
    "first_name": ["first name", "firstname", "given name", "forename", "enw cyntaf"],
    "last_name": ["last name", "lastname", "surname", "family name", "cyfenw"],
    "title": [
        "title", "job title", "jobtitle", "job", "position", "post", "job role", "role title",
        "designation", "teitl", "teitl swydd", "swydd",
    ],
    "email": [
        "email", "e-mail", "email address", "e-mail address", "mail", "work email",
        "e-bost", "ebost", "cyfeiriad e-bost",
    ],
    "phone": [
        "phone", "telephone", "phone number", "telephone number", "tel", "tel no", "mobile",
        "mobile number", "contact number", "ffon", "rhif ffon", "ffon symudol",
    ],
    "organisation": [
        "organisation", "organization", "organisation name", "organization name", "org",
        "employer", "company", "body", "agency", "sefydliad", "enw'r sefydliad", "mudiad",
    ],
    "role": ["role", "membership role", "forum role", "membership", "rol", "rol aelodaeth"],
    "forums": [
        "forums", "forum", "forum name", "forum names", "forums and boards", "groups",
        "fforwm", "fforymau",
    ],
    "language": [
        "language", "preferred language", "language preference", "language of choice",
        "iaith", "dewis iaith", "iaith dewisol",
    ],
    "main_contact": [
        "main contact", "main", "primary contact", "lead contact", "organisation contact",
        "organisation main contact", "main contact for the organisation", "key contact",
        "prif gyswllt", "prif berson cyswllt",
    ],
}  # fmt: skip
HEADING_FIELDS = {normalise_name(h): key for key, headings in HEADINGS.items() for h in headings}
# Words that say what an unlisted heading holds, tried in this order: "Organisation email" is an
# email address, "Organisation name" an organisation, "Contact name" a name.
HEADING_CLUES = [
    ("email", {"email", "e mail", "ebost", "e bost"}),
    ("phone", {"phone", "telephone", "tel", "mobile", "ffon"}),
    ("language", {"language", "iaith"}),
    ("forums", {"forum", "forums", "fforwm", "fforymau"}),
    ("main_contact", {"main contact", "primary contact", "lead contact", "prif gyswllt"}),
    ("organisation", {"organisation", "organization", "sefydliad", "employer", "mudiad"}),
    ("title", {"job", "position", "swydd"}),
    ("name", {"name", "enw"}),
]
# Headings that may mean something else ("Title" for Mr or Dr): used only when no other heading
# names their column.
WEAK_HEADINGS = {normalise_name(h) for h in ("title", "teitl", "contact", "main", "person", "job")}

LANGUAGES = {
    "en": Language.ENGLISH, "eng": Language.ENGLISH, "english": Language.ENGLISH,
    "saesneg": Language.ENGLISH, "cy": Language.WELSH, "cym": Language.WELSH,
    "welsh": Language.WELSH, "cymraeg": Language.WELSH,
}  # fmt: skip
LANGUAGE_LABELS = dict(Language.choices)
YES = {"yes", "y", "true", "1", "x", "ie", "oes", "do", "main", "main contact"}
NO = {"no", "n", "false", "0", "na", "nac oes", "naddo"}
# Forums are listed in one cell, one per line or separated by semicolons or bars; commas only
# when the whole cell is not a forum's name.
FORUM_SEPARATORS = re.compile(r"\s*(?:;|\||\n)\s*")
# A cell written by ``spreadsheet_safe``: the quote keeps a spreadsheet from running it.
QUOTED_FORMULA = re.compile(r"^'(?=[=+\-@])")

MAX_ROWS = 1000  # people in one file: the preview lists each, and one request imports them
MAX_COLUMNS = 60
MAX_CELL_CHARS = 1000
# An XLSX is a zip: refuse one that would unpack to far more than any contacts list needs.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
HEADING_SEARCH_ROWS = 10  # a title or a note may stand above the headings
DELIMITERS = (",", ";", "\t", "|")

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_SIGNATURES = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!")


class ContactFileError(Exception):
    """The file cannot be read as a contacts list; the message is a sentence to show."""


# --- reading a file --------------------------------------------------------------------------


@dataclass
class ContactFile:
    """A contacts file as read: its rows (``line`` is the file's row number), the encoding a
    CSV was decoded from, and the headings that name no column the import uses."""

    name: str
    format: str  # "csv" or "xlsx"
    encoding: str
    rows: list = field(default_factory=list)
    ignored: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def as_data(self) -> dict:
        return {
            "name": self.name,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "ignored": self.ignored,
            "notes": [str(note) for note in self.notes],
        }

    @classmethod
    def from_data(cls, data: dict) -> "ContactFile":
        return cls(
            name=str(data["name"]),
            format=str(data["format"]),
            encoding=str(data.get("encoding", "")),
            rows=list(data["rows"]),
            ignored=list(data.get("ignored", [])),
            notes=list(data.get("notes", [])),
        )


def read_contacts(data: bytes, name: str) -> ContactFile:
    """The rows of a CSV or XLSX contacts file; ``ContactFileError`` when it cannot be read."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ContactFileError(
            _("%(name)s is %(size)s; the import reads files of up to %(limit)s.")
            % {
                "name": name,
                "size": human_size(len(data)),
                "limit": human_size(settings.IMPORT_MAX_BYTES),
            }
        )
    if not data.strip():
        raise ContactFileError(_("%(name)s is empty.") % {"name": name})
    if data.startswith(ZIP_SIGNATURES):
        table, file_format, encoding = _xlsx_table(data, name), "xlsx", ""
    elif data.startswith(OLE_SIGNATURE):
        raise ContactFileError(
            _(
                "%(name)s is an older Excel workbook (.xls) or another Office 97-2003 file; "
                "save it as .xlsx or .csv and upload that."
            )
            % {"name": name}
        )
    elif data.startswith(BINARY_SIGNATURES):
        raise _not_a_contacts_file(name)
    else:
        text, encoding = _decode(data, name)
        table, file_format = _csv_table(text), "csv"
    return _contact_file(table, name=name, file_format=file_format, encoding=encoding)


def _not_a_contacts_file(name: str) -> ContactFileError:
    return ContactFileError(
        _("%(name)s is not a spreadsheet the import reads: upload a .csv or .xlsx file.")
        % {"name": name}
    )


def _decode(data: bytes, name: str) -> tuple[str, str]:
    try:
        text, encoding = decode_text(data, name)
    except DocumentError as error:
        raise _not_a_contacts_file(name) from error
    # Text in any encoding has no NUL characters (UTF-16 is decoded by then): binary content.
    if "\x00" in text:
        raise _not_a_contacts_file(name)
    return text.replace("\r\n", "\n"), encoding


def _csv_table(text: str) -> list[list[str]]:
    """The cells of a CSV, split at the delimiter its headings are separated by: Excel writes
    semicolons where the comma is the decimal separator, and some systems write tabs."""
    head = "\n".join(text.split("\n", HEADING_SEARCH_ROWS)[:HEADING_SEARCH_ROWS])
    delimiter = max(DELIMITERS, key=lambda d: _headings_found(_parse(head, d)))
    try:
        return _parse(text, delimiter, limit=MAX_ROWS + HEADING_SEARCH_ROWS + 2)
    except csv.Error as error:
        raise ContactFileError(
            _("The file could not be read as CSV: %(reason)s.") % {"reason": error}
        ) from error


def _parse(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    if limit is None:
        try:
            return list(reader)
        except csv.Error:
            return []
    return list(islice(reader, limit))


def _headings_found(table) -> int:
    index = _heading_row(table)
    if index is None:
        return 0
    return len({heading_field(cell) for cell in table[index]} - {None})


def _xlsx_table(data: bytes, name: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise _damaged(name) from error
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise ContactFileError(
                _("%(name)s is a Word document; upload the contacts as a .csv or .xlsx file.")
                % {"name": name}
            )
        raise _not_a_contacts_file(name)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ContactFileError(
            _("%(name)s is too large a workbook for a contacts list.") % {"name": name}
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in workbook.worksheets:
                table = []
                rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
                for row in islice(rows, MAX_ROWS + HEADING_SEARCH_ROWS + 2):
                    table.append([_cell_text(value) for value in row])
                if _heading_row(table) is not None:
                    return table
            return []
        finally:
            workbook.close()
    except Exception as error:  # openpyxl raises many kinds of error on a damaged file
        raise _damaged(name) from error


def _damaged(name: str) -> ContactFileError:
    return ContactFileError(
        _("%(name)s could not be read as an Excel workbook; it may be damaged.") % {"name": name}
    )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def heading_field(heading: str) -> str | None:
    """The field a heading names: a known heading, else one of the words that give its subject
    away ("Email address (work)", "Name of organisation", "Job title/role")."""
    key = normalise_name(heading)
    if key in HEADING_FIELDS:
        return HEADING_FIELDS[key]
    words = set(key.split())
    if {"name", "enw"} & words and {"contact", "person", "member", "attendee", "cyswllt"} & words:
        return "name"  # "Organisation contact name"
    for field_name, clues in HEADING_CLUES:
        if words & clues or any(" " in clue and clue in key for clue in clues):
            return field_name
    return None


def _heading_row(table) -> int | None:
    """The index of the row of headings: the first of the top rows naming a name column."""
    for index, row in enumerate(table[:HEADING_SEARCH_ROWS]):
        keys = {heading_field(cell) for cell in row}
        if "name" in keys or {"first_name", "last_name"} <= keys:
            return index
    return None


def _contact_file(table, *, name, file_format, encoding) -> ContactFile:
    heading_index = _heading_row(table)
    if heading_index is None:
        raise ContactFileError(
            _(
                "%(name)s has no “Name” column. Its first row should be headings such as "
                "Name, Job title, Email, Phone, Organisation, Role, Forums, Preferred language "
                "and Main contact."
            )
            % {"name": name}
        )
    columns, ignored = _columns(table[heading_index])
    rows = []
    for offset, cells in enumerate(table[heading_index + 1 :], start=heading_index + 2):
        values = {key: "" for key in FIELDS}
        parts = {}
        for index, key in columns.items():
            cell = cells[index] if index < len(cells) else ""
            cell = QUOTED_FORMULA.sub("", cell.strip())[: MAX_CELL_CHARS + 1]
            if key in ("first_name", "last_name"):
                parts[key] = cell
            else:
                values[key] = cell
        if not values["name"] and parts:
            names = (parts.get("first_name"), parts.get("last_name"))
            values["name"] = " ".join(part for part in names if part)
        if not any(values.values()):
            continue  # a blank row
        if len(rows) == MAX_ROWS:
            raise ContactFileError(
                _("%(name)s has more than %(count)d people; split it into smaller files.")
                % {"name": name, "count": MAX_ROWS}
            )
        rows.append({"line": offset, **values})
    if not rows:
        raise ContactFileError(_("%(name)s has headings but no people.") % {"name": name})
    notes = []
    if "title" not in columns.values() and _roles_are_job_titles(rows):
        # Contact lists often call the job title "Role": read it as one when its values are
        # posts rather than roles in a forum.
        for row in rows:
            row["title"], row["role"] = row["role"], ""
        notes.append(_("The “Role” column holds job titles, so it is read as the job title."))
    return ContactFile(
        name=name,
        format=file_format,
        encoding=encoding,
        rows=rows,
        ignored=ignored,
        notes=notes,
    )


def _columns(headings) -> tuple[dict, list]:
    """{column index: field} and the headings ignored. A bare "Title" or "Contact" gives way to a
    clearer heading ("Job title", "Name") elsewhere in the row."""
    found = [(index, heading, heading_field(heading)) for index, heading in enumerate(headings)]
    columns = {}
    for weak in (False, True):
        for index, heading, key in found:
            if key is None or key in columns.values():
                continue
            key_is_weak = normalise_name(heading) not in HEADING_FIELDS
            key_is_weak = key_is_weak or normalise_name(heading) in WEAK_HEADINGS
            if key_is_weak == weak:
                columns[index] = key
    ignored = [h.strip() for index, h, _key in found if index not in columns and h.strip()]
    return dict(sorted(columns.items())), ignored


def _roles_are_job_titles(rows) -> bool:
    roles = _role_names()
    values = [normalise_name(row["role"]) for row in rows if row["role"].strip()]
    return bool(values) and sum(1 for v in values if v not in roles) * 2 > len(values)


# --- what importing would do -----------------------------------------------------------------


@dataclass
class RowOutcome:
    """What importing one row does, or why it cannot."""

    line: int
    name: str
    email: str = ""
    title: str = ""
    phone: str = ""
    language: str = ""  # "" when the file does not say
    main_contact: bool | None = None  # None when the file does not say
    person: Person | None = None
    matched_by: str = ""
    organisation: Organisation | None = None
    new_organisation: str = ""  # the name an organisation would be created under
    memberships: list = field(default_factory=list)  # (forum, role) to add
    changes: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    replaces_contact: Person | None = None

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        if self.person is None:
            return "new"
        return "update" if self.changes or self.memberships else "unchanged"

    @property
    def joins(self) -> list:
        """(forum, role label) for each membership the row adds."""
        return [(forum, MembershipRole(role).label) for forum, role in self.memberships]

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation else self.new_organisation


@dataclass
class ContactPreview:
    file: ContactFile
    rows: list

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def new_count(self) -> int:
        return self.count("new")

    @property
    def update_count(self) -> int:
        return self.count("update")

    @property
    def unchanged_count(self) -> int:
        return self.count("unchanged")

    @property
    def error_rows(self) -> list:
        return [row for row in self.rows if row.status == "error"]

    @property
    def to_import(self) -> int:
        """People the import creates or changes."""
        return self.new_count + self.update_count

    @property
    def new_organisations(self) -> list[str]:
        names = {}
        for row in self.rows:
            if row.status != "error" and row.new_organisation:
                names.setdefault(normalise_name(row.new_organisation), row.new_organisation)
        return sorted(names.values())


def preview(contact_file: ContactFile, *, user) -> ContactPreview:
    """What importing ``contact_file`` would do for ``user``; saves nothing."""
    context = _PreviewContext(user, contact_file.rows)
    return ContactPreview(contact_file, [context.outcome(row) for row in contact_file.rows])


class _PreviewContext:
    """What one preview knows across rows: the file's earlier emails, people and main contacts,
    and the organisations and forums already looked up."""

    def __init__(self, user, rows):
        self.user = user
        self._index_people(rows)
        self.emails, self.people, self.main_contacts, self.matched = {}, {}, {}, {}
        self.organisations, self.forums = {}, {}
        self.roles = _role_names()

    def outcome(self, values: dict) -> RowOutcome:
        row = RowOutcome(line=int(values["line"]), name=" ".join(values["name"].split()))
        self._check_simple_fields(row, values)
        self._resolve_organisation(row, values["organisation"])
        role = self._role(row, values["role"])
        forums = self._forums(row, values["forums"])
        self._check_duplicates(row)
        if row.errors:
            return row
        self._match(row)
        if row.person is not None:
            earlier = self.matched.setdefault(row.person.pk, row.line)
            if earlier != row.line:
                row.errors.append(
                    _("Row %(line)d is the same person (%(name)s).")
                    % {"line": earlier, "name": row.person.full_name}
                )
                return row
        has_organisation = row.organisation_name or (row.person and row.person.organisation_id)
        if row.main_contact and not has_organisation:
            row.errors.append(_("A main contact needs an organisation."))
            return row
        self._compare(row)
        self._memberships(row, forums, role)
        return row

    # fields of the row on their own

    def _check_simple_fields(self, row: RowOutcome, values: dict) -> None:
        limits = {"name": 200, "title": 255, "phone": 40, "email": 254, "organisation": 255}
        for key, limit in limits.items():
            if len(values[key]) > limit:
                row.errors.append(
                    _("The %(column)s is longer than %(limit)d characters.")
                    % {"column": _column_label(key), "limit": limit}
                )
        if not row.name:
            row.errors.append(_("There is no name."))
        row.title = " ".join(values["title"].split())
        row.phone = " ".join(values["phone"].split())
        email = _clean_email(values["email"])
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.errors.append(_("“%(email)s” is not a valid email address.") % {"email": email})
        row.email = email
        language = normalise_name(values["language"])
        if language:
            row.language = LANGUAGES.get(language, "")
            if not row.language:
                row.notes.append(
                    _(
                        "“%(value)s” is not a language the import knows (English or Welsh): the "
                        "preferred language is left as it is."
                    )
                    % {"value": values["language"]}
                )
        main = normalise_name(values["main_contact"])
        if main:
            if main in YES or main == normalise_name(_("Yes")):
                row.main_contact = True
            elif main in NO or main == normalise_name(_("No")):
                row.main_contact = False
            else:
                row.errors.append(
                    _("“%(value)s” in Main contact is neither yes nor no.")
                    % {"value": values["main_contact"]}
                )

    def _resolve_organisation(self, row: RowOutcome, name: str) -> None:
        name = " ".join(name.split())
        if not name:
            return
        key = normalise_name(name)
        if key not in self.organisations:
            self.organisations[key] = organisation_lookup(name)
        found = self.organisations[key]
        if found is not None:
            row.organisation = found
        elif looks_like_job_title(name):
            # A post is not a body: creating "Head of Policy" as an organisation would scatter
            # people across invented organisations.
            row.errors.append(
                _(
                    "“%(name)s” looks like a job title, not an organisation: put it in the Job "
                    "title column, or add the organisation to the directory first."
                )
                % {"name": name}
            )
        else:
            row.new_organisation = new_organisation_name(name)

    def _role(self, row: RowOutcome, text: str) -> str:
        key = normalise_name(text)
        if not key:
            return MembershipRole.MEMBER
        role = self.roles.get(key)
        if role is None:
            row.errors.append(
                _("“%(value)s” is not a role: use %(roles)s.")
                % {
                    "value": text,
                    "roles": ", ".join(str(label) for _value, label in MembershipRole.choices),
                }
            )
        return role or MembershipRole.MEMBER

    def _forums(self, row: RowOutcome, text: str) -> list[Forum]:
        forums = []
        for name in split_forum_names(text, lookup=self._forum):
            forum = self._forum(name)
            if forum is None:
                row.errors.append(_("There is no forum called “%(name)s”.") % {"name": name})
            elif not access.can_manage_forum(self.user, forum):
                row.errors.append(
                    _("You do not keep the records of %(forum)s, so you cannot add people to it.")
                    % {"forum": forum.name}
                )
            elif forum not in forums:
                forums.append(forum)
        return forums

    def _forum(self, name: str) -> Forum | None:
        key = " ".join(name.lower().split())
        if key not in self.forums:
            self.forums[key] = Forum.lookup(name)
        return self.forums[key]

    def _check_duplicates(self, row: RowOutcome) -> None:
        if row.email:
            earlier = self.emails.setdefault(row.email.lower(), row.line)
            if earlier != row.line:
                row.errors.append(
                    _("The email address is also on row %(line)d.") % {"line": earlier}
                )
        if row.name:
            key = (normalise_name(row.name), normalise_name(row.organisation_name))
            earlier = self.people.setdefault(key, row.line)
            if earlier != row.line and not row.email:
                row.errors.append(_("The same person is also on row %(line)d.") % {"line": earlier})
        if row.main_contact and (row.organisation or row.new_organisation):
            key = normalise_name(row.organisation_name)
            earlier = self.main_contacts.setdefault(key, row.line)
            if earlier != row.line:
                row.errors.append(
                    _("Row %(line)d is already the main contact for %(organisation)s.")
                    % {"line": earlier, "organisation": row.organisation_name}
                )

    # the person it is, and what changes

    def _index_people(self, rows) -> None:
        """The directory's people that the file's emails and names may mean, and their current
        memberships: a few queries for the whole file rather than a few per row."""
        emails = {_clean_email(row["email"]) for row in rows} - {""}
        names = {" ".join(row["name"].split()) for row in rows} - {""}
        # As written and in lower case: SQLite lowers only ASCII letters ("Ŵ" stays).
        people = (
            Person.objects.select_related("organisation")
            .annotate(email_key=Lower("email"), name_key=Lower("full_name"))
            .filter(
                Q(email_key__in={e.lower() for e in emails})
                | Q(email__in=emails)
                | Q(name_key__in={n.lower() for n in names})
                | Q(full_name__in=names)
            )
            .order_by("pk")
        )
        self.by_email, self.by_name = {}, {}
        for person in people:
            if person.email:
                self.by_email.setdefault(person.email.casefold(), person)
            self.by_name.setdefault((person.full_name.casefold(), person.organisation_id), person)
        self.current = {}
        known = {person.pk for person in self.by_email.values()}
        known |= {person.pk for person in self.by_name.values()}
        for membership in Membership.objects.current().filter(person__in=known).order_by("pk"):
            self.current.setdefault(membership.person_id, {}).setdefault(
                membership.forum_id, membership
            )

    def _match(self, row: RowOutcome) -> None:
        if row.email:
            found = self.by_email.get(row.email.casefold())
            if found is not None:
                row.person, row.matched_by = found, "email"
                return
        if row.new_organisation:
            return  # nobody can be in an organisation that does not exist yet
        organisation_id = row.organisation.pk if row.organisation else None
        found = self.by_name.get((row.name.casefold(), organisation_id))
        if found is not None:
            row.person, row.matched_by = found, "name"

    def _compare(self, row: RowOutcome) -> None:
        person = row.person
        if person is None:
            if row.main_contact:
                row.replaces_contact = self._current_contact(row.organisation)
            return
        # Addresses are compared without case: "Uzo@…" and "uzo@…" reach the same mailbox.
        new_email = row.email if row.email.casefold() != person.email.casefold() else ""
        for label, old, new in (
            (_("Name"), person.full_name, row.name),
            (_("Job title"), person.title_en, row.title),
            (_("Email"), person.email, new_email),
            (_("Phone"), person.phone, row.phone),
        ):
            if new and new != old:
                row.changes.append(_change(label, old, new))
        if row.language and row.language != person.preferred_language:
            row.changes.append(
                _change(
                    _("Preferred language"),
                    LANGUAGE_LABELS.get(person.preferred_language, person.preferred_language),
                    LANGUAGE_LABELS[row.language],
                )
            )
        organisation = person.organisation
        if row.organisation_name and (row.new_organisation or row.organisation != organisation):
            row.changes.append(
                _change(
                    _("Organisation"),
                    organisation.name if organisation else "",
                    row.organisation_name,
                )
            )
        # The organisation they will be in: the file's, or the one they have when it names none.
        target = None if row.new_organisation else (row.organisation or organisation)
        if row.main_contact is True:
            moves = row.new_organisation or (target is not None and target != organisation)
            if moves or not person.is_organisation_contact:
                row.replaces_contact = self._current_contact(target, exclude=person)
                row.changes.append(
                    _("Becomes the main contact of %(organisation)s")
                    % {
                        "organisation": row.organisation_name
                        or (organisation and organisation.name)
                    }
                )
        elif row.main_contact is False and person.is_organisation_contact:
            row.changes.append(_("No longer the main contact of their organisation"))
        elif (
            person.is_organisation_contact
            and row.organisation_name
            and (row.new_organisation or target != organisation)
        ):
            row.notes.append(
                _("They stop being the main contact of %(organisation)s, which they leave.")
                % {"organisation": organisation.name if organisation else ""}
            )

    @staticmethod
    def _current_contact(organisation, exclude=None):
        if organisation is None:
            return None
        contacts = Person.objects.filter(organisation=organisation, is_organisation_contact=True)
        if exclude is not None:
            contacts = contacts.exclude(pk=exclude.pk)
        return contacts.first()

    def _memberships(self, row: RowOutcome, forums: list, role: str) -> None:
        current = self.current.get(row.person.pk, {}) if row.person is not None else {}
        for forum in forums:
            existing = current.get(forum.pk)
            if existing is None:
                row.memberships.append((forum, role))
            elif existing.role != role:
                row.notes.append(
                    _("Already %(role)s of %(forum)s; the role is not changed.")
                    % {"role": existing.get_role_display(), "forum": forum.name}
                )


def _clean_email(text: str) -> str:
    """The address in a cell as mail programs copy it: "<a@b.cymru>", "mailto:a@b.cymru"."""
    return text.strip().strip("<>").removeprefix("mailto:").strip()


def _role_names() -> dict:
    names = {}
    for value, label in MembershipRole.choices:
        names[normalise_name(value)] = value
        names[normalise_name(str(label))] = value
    return names


def _column_label(key: str) -> str:
    labels = {
        "name": _("name"),
        "title": _("job title"),
        "phone": _("phone number"),
        "email": _("email address"),
        "organisation": _("organisation"),
    }
    return labels[key]


def _change(label, old, new) -> str:
    if not old:
        return _("%(field)s: “%(new)s” (none before)") % {"field": label, "new": new}
    return _("%(field)s: “%(old)s” becomes “%(new)s”") % {"field": label, "old": old, "new": new}


def split_forum_names(text: str, *, lookup=Forum.lookup) -> list[str]:
    """The forum names in a cell: "Wales Race Forum; HCTB", one per line, or with commas."""
    text = text.strip()
    if not text:
        return []
    if lookup(text) is not None:
        return [" ".join(text.split())]
    names = []
    for part in FORUM_SEPARATORS.split(text):
        if part and "," in part and lookup(part) is None:
            names.extend(p.strip() for p in part.split(",") if p.strip())
        elif part:
            names.append(" ".join(part.split()))
    return names


def organisation_lookup(name: str) -> Organisation | None:
    """The organisation already in the directory that ``name`` means, as
    ``directory.services.organisation_ensure`` would find it; None if it would create one."""
    known = known_organisation(name)
    spellings = [name, *(known.spellings() if known is not None else [])]
    for spelling in spellings:
        found = Organisation.objects.resolve(spelling)
        if found is not None:
            return found
    canonical = new_organisation_name(name)
    return Organisation.objects.resolve(canonical) if canonical != name else None


def new_organisation_name(name: str) -> str:
    """The name ``organisation_ensure`` creates an organisation under for ``name``."""
    name = " ".join(name.split())
    known = known_organisation(name)
    if known is not None:
        return known.name
    if team := WG_TEAM.match(name):
        return team["team"].strip()
    if acronym := WITH_ACRONYM.match(name):
        return acronym["name"]
    return name


# --- importing -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    organisations: int = 0
    memberships: int = 0
    skipped: list = field(default_factory=list)  # the rows' line numbers


def commit(contact_file: ContactFile, *, user) -> ImportResult:
    """Import the rows without errors, all in one transaction. The preview is worked out again
    inside it, so what is saved follows the directory as it is now."""
    result = ImportResult()
    report = ImportReport("contacts")
    with transaction.atomic():
        checked = preview(contact_file, user=user)
        for row in checked.rows:
            if row.status == "error":
                result.skipped.append(row.line)
            elif row.status != "unchanged":
                _apply(row, report=report, result=result)
        result.organisations = report.created.get(str(Organisation._meta.verbose_name_plural), 0)
    return result


def _apply(row: RowOutcome, *, report: ImportReport, result: ImportResult) -> None:
    organisation = row.organisation
    if row.new_organisation:
        organisation = organisation_ensure(name=row.new_organisation, report=report)
    person = row.person
    if person is None:
        person = Person(full_name=row.name, organisation=organisation)
        result.created += 1
    else:
        person.full_name = row.name or person.full_name
        if organisation is not None and organisation != person.organisation:
            person.organisation = organisation
            person.is_organisation_contact = False  # the contact of the one they left
        result.updated += 1
    person.title_en = row.title or person.title_en
    if row.email and row.email.casefold() != person.email.casefold():
        person.email = row.email
    person.phone = row.phone or person.phone
    person.preferred_language = row.language or person.preferred_language
    if row.main_contact is False:
        person.is_organisation_contact = False
    person.save()
    if row.main_contact and person.organisation_id:
        main_contact_set(person.organisation, person)
    for forum, role in row.memberships:
        _membership_add(forum=forum, person=person, role=role)
        result.memberships += 1


def _membership_add(*, forum, person, role) -> None:
    earlier = Membership.objects.filter(
        forum=forum, person=person, organisation=None, role=role
    ).first()
    if earlier is not None:
        earlier.left_on = None
        earlier.save(update_fields=["left_on"])
    else:
        Membership.objects.create(forum=forum, person=person, organisation=None, role=role)


def main_contact_set(organisation: Organisation, person: Person | None) -> None:
    """Make ``person`` (one of ``organisation``'s people) its one main contact; None for no
    main contact. Each earlier contact is saved, so the change is in their history."""
    with transaction.atomic():
        others = Person.objects.select_for_update().filter(
            organisation=organisation, is_organisation_contact=True
        )
        if person is not None:
            others = others.exclude(pk=person.pk)
        for other in others:
            other.is_organisation_contact = False
            other.save(update_fields=["is_organisation_contact"])
        if person is not None and not person.is_organisation_contact:
            person.is_organisation_contact = True
            person.save(update_fields=["is_organisation_contact"])


def main_contacts(organisation_ids) -> dict:
    """Organisation id → its main contact who can be written to: the person marked as its
    contact who has an email address (the first by name, should several be marked). Letters'
    cc copies and action reminders go to this person."""
    contacts = {}
    marked = (
        Person.objects.filter(is_organisation_contact=True, organisation__in=list(organisation_ids))
        .exclude(email="")
        .order_by("full_name", "pk")
    )
    for person in marked:
        contacts.setdefault(person.organisation_id, person)
    return contacts


# --- exporting -------------------------------------------------------------------------------

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ContactsDownload:
    content: bytes
    content_type: str
    filename: str


def forum_people(forum: Forum):
    """The forum's people today: its members in person, and the people of its member
    organisations."""
    current = Membership.objects.current().filter(forum=forum)
    return (
        Person.objects.filter(
            Q(pk__in=current.filter(person__isnull=False).values("person"))
            | Q(organisation__in=current.filter(organisation__isnull=False).values("organisation"))
        )
        .select_related("organisation")
        .order_by("organisation__name", "full_name", "pk")
        .distinct()
    )


def export_rows(forum: Forum, *, user) -> list[list[str]]:
    """A row per person, in ``COLUMNS`` order. Forums are those the user keeps, where the person
    is a member in person; the role is their role in ``forum``."""
    people = list(forum_people(forum))
    managed = access.managed_forums(user)
    memberships = (
        Membership.objects.current()
        .filter(person__in=people, forum__in=managed)
        .select_related("forum")
        .order_by("forum__name", "role")
    )
    forums_of, role_of = {}, {}
    for membership in memberships:
        forums_of.setdefault(membership.person_id, {}).setdefault(
            membership.forum_id, membership.forum.name
        )
        if membership.forum_id == forum.pk:
            role_of.setdefault(membership.person_id, membership.role)
    rows = []
    for person in people:
        rows.append(
            [
                person.full_name,
                person.title_en,
                person.email,
                person.phone,
                person.organisation.name if person.organisation else "",
                role_of.get(person.pk, ""),
                "; ".join(forums_of.get(person.pk, {}).values()),
                person.preferred_language,
                ("yes" if person.is_organisation_contact else "no")
                if person.organisation_id
                else "",
            ]
        )
    return rows


def export_contacts(forum: Forum, *, user, fmt: str) -> ContactsDownload:
    """The forum's people as CSV or XLSX: "wales-race-forum-contacts-2026-03-17.csv"."""
    rows = export_rows(forum, user=user)
    headings = [heading for _key, heading in COLUMNS]
    content = _render_xlsx(headings, rows) if fmt == "xlsx" else _render_csv(headings, rows)
    filename = f"{slugify(forum.name) or 'forum'}-contacts-{timezone.localdate():%Y-%m-%d}.{fmt}"
    return ContactsDownload(content, FORMATS[fmt], filename)


def _spreadsheet_safe(value: str) -> str:
    """Stop a cell that starts like a formula being run by a spreadsheet (CSV injection); the
    import takes the quote off again."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _render_csv(headings, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([_spreadsheet_safe(cell) for cell in row])
    # The byte-order mark makes Excel read the file as UTF-8 (ŵ, ŷ, curly quotes).
    return buffer.getvalue().encode("utf-8-sig")


def _render_xlsx(headings, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Contacts")[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def text_cell(value, *, heading=False):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # text stays text: a value starting with "=" is never a formula
        if heading:
            cell.font = bold
        return cell

    sheet.append([text_cell(h, heading=True) for h in headings])
    for row in rows:
        sheet.append([text_cell(cell) if cell else None for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
