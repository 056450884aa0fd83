"""What the review page shows: the numbered source lines with what the parser said about each,
every attendance row with what it would be recorded as (an existing person or organisation, the
nearest ones in the directory, or new), and what the import would change in existing records.
"""

import difflib
import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.models import Organisation, Person, normalise_name
from directory.services import person_resolve
from imports import corrections, services
from imports.models import DocumentImport
from wrc.lib.importing import ImportFormatError, Notice

CHANGE_KINDS = ("change", "conflict")
STATUS_LABELS = {
    "present": gettext_lazy("Present"),
    "apologies": gettext_lazy("Apologies"),
    "absent": gettext_lazy("Absent"),
}
NEAREST = 3
SEARCH_LIMIT = 8
# Below this similarity a directory entry is not offered as a candidate.
NEAREST_CUTOFF = 0.6


def as_notice(value) -> Notice:
    if isinstance(value, Notice):
        return value
    return Notice(value.get("line"), value.get("message", ""), value.get("kind", "guess"))


@dataclass
class SourceLine:
    number: int
    text: str
    notices: list = field(default_factory=list)

    @property
    def unplaced(self) -> bool:
        return any(notice.kind == "unplaced" for notice in self.notices)

    @property
    def anchor(self) -> str:
        return f"line-{self.number}"


def source_lines(document_import: DocumentImport, notices: list) -> list[SourceLine]:
    by_line: dict[int, list] = {}
    for notice in map(as_notice, notices):
        if notice.line:
            by_line.setdefault(notice.line, []).append(notice)
    return [
        SourceLine(number, text, by_line.get(number, []))
        for number, text in enumerate(document_import.lines, start=1)
    ]


def unplaced_lines(lines: list[SourceLine]) -> list[SourceLine]:
    return [line for line in lines if line.unplaced]


def general_notices(notices: list) -> list[Notice]:
    """Notices about the whole document, not one line, other than record changes."""
    return [n for n in map(as_notice, notices) if not n.line and n.kind not in CHANGE_KINDS]


# --- what the import changes ------------------------------------------------------------------


@dataclass
class Count:
    label: str
    created: int = 0
    updated: int = 0
    deleted: int = 0


@dataclass
class Changes:
    notices: list
    counts: list
    summary: str

    @property
    def conflicts(self) -> list:
        return [notice for notice in self.notices if notice.kind == "conflict"]


def import_changes(report) -> Changes | None:
    if report is None:
        return None
    labels = sorted(set(report.created) | set(report.updated) | set(report.deleted))
    counts = [
        Count(label, report.created[label], report.updated[label], report.deleted[label])
        for label in labels
        if report.created[label] or report.updated[label] or report.deleted[label]
    ]
    notices = [n for n in map(as_notice, report.notices) if n.kind in CHANGE_KINDS]
    return Changes(notices=notices, counts=counts, summary=report.summary())


# --- attendance rows and the directory ----------------------------------------------------------


@dataclass
class Candidate:
    value: str  # "person:12" or "organisation:7", the review form's choice
    label: str
    kind: str


@dataclass
class Resolution:
    """What a row would be recorded as. ``chosen`` when the reviewer picked it."""

    person: Person | None = None
    organisation: Organisation | None = None
    chosen: bool = False

    @property
    def is_new(self) -> bool:
        return self.person is None and self.organisation is None

    @property
    def value(self) -> str:
        if not self.chosen:
            return ""
        if self.person is not None:
            return f"person:{self.person.pk}"
        return f"organisation:{self.organisation.pk}" if self.organisation else ""


@dataclass
class AttendanceRow:
    key: str
    row: object  # ParsedAttendee
    resolution: Resolution  # the reviewer's choice, else what the import finds
    automatic: Resolution  # what the import finds by itself
    candidates: list

    @property
    def group(self) -> str:
        return getattr(self.row, "group", "") or ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.row.status, self.row.status))

    @property
    def automatic_label(self) -> str:
        """The form's first choice: what the import records when the reviewer picks nothing."""
        found = self.automatic
        if found.person is not None:
            return _("%(person)s, found by name") % {"person": person_label(found.person)}
        if found.organisation is not None:
            return _("%(organisation)s, found by name") % {
                "organisation": organisation_label(found.organisation)
            }
        return _("New: recorded as written")


def person_label(person: Person) -> str:
    organisation = person.organisation.name if person.organisation_id else ""
    return f"{person.display_name}, {organisation}" if organisation else person.display_name


def organisation_label(organisation: Organisation) -> str:
    if organisation.short_name:
        return f"{organisation.name} ({organisation.short_name})"
    return organisation.name


class Directory:
    """The names of the people and organisations a row may be matched to, loaded once for the
    page (normalised name → ids)."""

    @cached_property
    def people(self) -> dict:
        return self._index(Person.objects.values_list("pk", "full_name"))

    @cached_property
    def organisations(self) -> dict:
        return self._index(Organisation.objects.values_list("pk", "name"))

    @staticmethod
    def _index(rows) -> dict:
        names: dict[str, list] = {}
        for pk, name in rows:
            names.setdefault(normalise_name(name), []).append(pk)
        return names

    @staticmethod
    def nearest(text: str, names: dict) -> list[int]:
        key = normalise_name(text)
        if not key:
            return []
        found = difflib.get_close_matches(key, list(names), n=NEAREST, cutoff=NEAREST_CUTOFF)
        return [pk for name in found for pk in names[name]][:NEAREST]


def automatic_resolution(row) -> Resolution:
    """What the import finds by the row's name alone (an exact match), or nothing: new."""
    person = person_resolve(row.name) if row.name else None
    if person is not None:
        return Resolution(person=person, organisation=person.organisation)
    return Resolution(organisation=Organisation.objects.resolve(row.organisation_text or ""))


def chosen_resolution(row) -> Resolution | None:
    """The person or organisation the reviewer picked for the row, if any."""
    person_id = getattr(row, "person_id", None)
    organisation_id = getattr(row, "organisation_id", None)
    if person_id:
        person = Person.objects.select_related("organisation").filter(pk=person_id).first()
        if person is not None:
            return Resolution(person=person, organisation=person.organisation, chosen=True)
    if organisation_id:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is not None:
            return Resolution(organisation=organisation, chosen=True)
    return None


def search_candidates(query: str) -> list[Candidate]:
    query = " ".join(query.split())
    if not query:
        return []
    people = Person.objects.select_related("organisation").filter(full_name__icontains=query)
    organisations = Organisation.objects.filter(
        Q(name__icontains=query) | Q(short_name__iexact=query) | Q(aliases__alias__icontains=query)
    ).distinct()
    return [
        *(Candidate(f"person:{p.pk}", person_label(p), "person") for p in people[:SEARCH_LIMIT]),
        *(
            Candidate(f"organisation:{o.pk}", organisation_label(o), "organisation")
            for o in organisations[:SEARCH_LIMIT]
        ),
    ]


def _record_candidate(person=None, organisation=None) -> Candidate:
    if person is not None:
        return Candidate(f"person:{person.pk}", person_label(person), "person")
    return Candidate(
        f"organisation:{organisation.pk}", organisation_label(organisation), "organisation"
    )


def row_candidates(row, resolution: Resolution, directory: Directory, search: str = ""):
    """The reviewer's choice first, then the nearest people (by the name) and organisations
    (by the organisation), then what a search found; each once."""
    people_ids = Directory.nearest(row.name, directory.people) if row.name else []
    organisation_ids = Directory.nearest(row.organisation_text, directory.organisations)
    people = Person.objects.select_related("organisation").in_bulk(people_ids)
    organisations = Organisation.objects.in_bulk(organisation_ids)
    found = []
    if resolution.chosen:
        found.append(_record_candidate(resolution.person, resolution.organisation))
    found += [_record_candidate(person=people[pk]) for pk in people_ids if pk in people]
    found += [
        _record_candidate(organisation=organisations[pk])
        for pk in organisation_ids
        if pk in organisations
    ]
    found += search_candidates(search)
    unique, seen = [], set()
    for candidate in found:
        if candidate.value not in seen:
            seen.add(candidate.value)
            unique.append(candidate)
    return unique


def attendance_rows(parsed, searches: dict | None = None) -> list[AttendanceRow]:
    """Each row of the (corrected) attendance with its match and candidates; ``searches`` maps
    a row's key to what the reviewer searched the directory for."""
    searches = searches or {}
    attendance = list(getattr(parsed, "attendance", None) or [])
    fallback = corrections.row_keys(attendance)
    directory = Directory()
    rows = []
    for row, default_key in zip(attendance, fallback, strict=True):
        key = corrections.key_of(row, default_key)
        automatic = automatic_resolution(row)
        resolution = chosen_resolution(row) or automatic
        candidates = row_candidates(row, resolution, directory, searches.get(key, ""))
        rows.append(AttendanceRow(key, row, resolution, automatic, candidates))
    return rows


def grouped_rows(rows: list[AttendanceRow]) -> list[tuple[str, list]]:
    """The rows under their groups, the groups in the order the notes first list them."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    return list(groups.items())


def groups_of(parsed) -> list[str]:
    """The groups the attendance is listed under, in the notes' order ("" is the main list)."""
    groups = [""]
    for row in getattr(parsed, "attendance", None) or []:
        group = getattr(row, "group", "") or ""
        if group not in groups:
            groups.append(group)
    return groups


def corrections_digest(document_import: DocumentImport) -> str:
    """Identifies the corrections a page showed, so a commit saves what the reviewer saw."""
    text = json.dumps(document_import.corrections or {}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


undo_refusal = services.undo_refusal


# --- reading an upload --------------------------------------------------------------------------


def guess_kind(name: str, data: bytes) -> str:
    """The kind of document the text looks like; ``ImportFormatError`` for an unreadable file."""
    from wrc.lib.documents import guess_document_kind, read_document_bytes

    document = read_document_bytes(data, name)
    guessed = guess_document_kind(document.text)
    if guessed not in DocumentImport.Kind.values:
        raise ImportFormatError(
            None,
            _(
                "It is not clear whether this is meeting notes, a delivery plan or a letter. "
                "Choose the kind of document."
            ),
        )
    return guessed


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_BYTES
