"""Bringing a document into the records: read it, parse it, show what would change, and save
it in one transaction only when nothing needs review or the reviewer accepted it; undo it
while nothing has changed since.

The command-line importers and the browser review both go through ``run_document_import``,
so they read, flag and save a document the same way.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.services import forum_ensure
from imports import changes
from imports.baselines import Baselines
from imports.kinds import kind as document_kind
from imports.models import DocumentImport
from wrc.lib.importing import ImportFormatError, ImportReport, Notice

UndoRefused = changes.UndoRefused


@dataclass
class ImportOutcome:
    report: ImportReport
    parsed: object
    record: object = None
    saved: bool = False
    document_import: DocumentImport | None = None
    notices: list = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return bool(self.report.points_to_review)


@dataclass
class Preview:
    parsed: object
    report: ImportReport | None
    error: ImportFormatError | None = None


def _apply_corrections(code: str, parsed, corrections: dict) -> None:
    if not corrections:
        return
    from imports.corrections import apply_corrections

    apply_corrections(code, parsed, corrections)


def parse_document(code: str, text: str, corrections: dict | None = None):
    """The parsed document, after the reviewer's corrections; ``ImportFormatError`` when it is
    not a document of this kind or is damaged."""
    from wrc.lib.documents import kind_mismatch_message

    mismatch = kind_mismatch_message(code, text)
    if mismatch:
        raise ImportFormatError(None, mismatch)
    parsed = document_kind(code).parse(text)
    _apply_corrections(code, parsed, corrections or {})
    return parsed


def run_document_import(
    *,
    code: str,
    text: str,
    source_name: str,
    forum,
    dry_run: bool = False,
    accept: bool = False,
    user=None,
    document_import: DocumentImport | None = None,
    source_format: str = "",
    encoding: str = "",
    via: str = DocumentImport.Via.COMMAND,
) -> ImportOutcome:
    """Parse ``text`` as a document of kind ``code`` and save it into ``forum`` in one
    transaction. Nothing is saved on a dry run, nor when the import has points to review
    (lines not placed, guesses, changes to existing records, conflicts) and ``accept`` is
    false. A saved import is recorded as a ``DocumentImport`` with every row it wrote."""
    kind = document_kind(code)
    corrections = document_import.corrections if document_import else {}
    parsed = parse_document(code, text, corrections)
    with transaction.atomic():
        report = ImportReport(kind.label(parsed))
        forum = forum_ensure(report=report, forum=forum)
        report.baselines = Baselines()
        report.notices.extend(getattr(parsed, "notices", []))
        with changes.capture_changes() as log:
            record = kind.save(parsed, source_name=source_name, report=report, forum=forum)
        outcome = ImportOutcome(report=report, parsed=parsed, record=record)
        report.dry_run = dry_run
        if dry_run or (outcome.needs_review and not accept):
            transaction.set_rollback(True)
            return outcome
        now = timezone.now()
        if document_import is None:
            document_import = DocumentImport(
                forum=forum,
                kind=code,
                via=via,
                source_name=source_name,
                source_format=source_format,
                encoding=encoding,
                source_text=text,
                created_by=user,
            )
        document_import.status = DocumentImport.Status.COMMITTED
        document_import.changes = log.entries
        document_import.summary = report.summary()
        document_import.notices = [notice.as_dict() for notice in report.notices]
        document_import.committed_by = user
        document_import.committed_at = now
        document_import.record_label = str(record)[:255]
        url = getattr(record, "get_absolute_url", None)
        document_import.record_url = url() if url else ""
        document_import.save()
        outcome.saved = True
        outcome.document_import = document_import
    return outcome


# --- the browser review ---------------------------------------------------------------------


def document_import_start(*, user, forum, kind: str, name: str, data: bytes) -> DocumentImport:
    """Read an uploaded document and keep it for review; nothing in the records changes.
    ``ImportFormatError`` names what is wrong with the file."""
    from wrc.lib.documents import read_document_bytes

    document = read_document_bytes(data, name)
    parse_document(kind, document.text)  # refuse the wrong kind or a damaged document now
    return DocumentImport.objects.create(
        forum=forum,
        kind=kind,
        via=DocumentImport.Via.BROWSER,
        source_name=name[:255],
        source_format=document.format,
        encoding=document.encoding,
        source_text=document.text,
        created_by=user,
    )


def document_import_preview(document_import: DocumentImport) -> Preview:
    """What the import would record and change, computed in a transaction rolled back."""
    try:
        outcome = run_document_import(
            code=document_import.kind,
            text=document_import.source_text,
            source_name=document_import.source_name,
            forum=document_import.forum,
            dry_run=True,
            document_import=document_import,
        )
    except ImportFormatError as error:
        try:
            parsed = parse_document(document_import.kind, document_import.source_text)
        except ImportFormatError:
            parsed = None
        return Preview(parsed=parsed, report=None, error=error)
    return Preview(parsed=outcome.parsed, report=outcome.report)


def _locked(document_import: DocumentImport) -> DocumentImport:
    return DocumentImport.objects.select_for_update().get(pk=document_import.pk)


def document_import_commit(document_import: DocumentImport, *, user) -> ImportReport:
    """Save what the review shows, in one transaction; the reviewer has seen every point."""
    with transaction.atomic():
        locked = _locked(document_import)
        if locked.status != DocumentImport.Status.REVIEWING:
            raise ImportFormatError(None, _("This import is no longer under review."))
        outcome = run_document_import(
            code=locked.kind,
            text=locked.source_text,
            source_name=locked.source_name,
            forum=locked.forum,
            accept=True,
            user=user,
            document_import=locked,
            via=DocumentImport.Via.BROWSER,
        )
    document_import.refresh_from_db()
    return outcome.report


def _describe_since(what: str, obj) -> str:
    label = obj._meta.verbose_name
    messages = {
        "changed": _("%(label)s “%(record)s” has been changed since the import."),
        "removed": _("%(label)s “%(record)s” has been removed since the import."),
        "re-created": _("%(label)s “%(record)s” has been added again since the import."),
        "added": _("%(label)s “%(record)s” has been added since the import and depends on it."),
    }
    return messages[what] % {"label": str(label).capitalize(), "record": obj}


def undo_refusal(document_import: DocumentImport) -> str:
    """Why ``document_import`` cannot be undone now, or "" when it can."""
    if document_import.status != DocumentImport.Status.COMMITTED:
        return _("Only an import that was saved can be undone.")
    try:
        changes.check_unchanged(document_import.changes, describe=_describe_since)
    except UndoRefused as refusal:
        return refusal.message
    return ""


def document_import_undo(document_import: DocumentImport, *, user) -> None:
    """Put the records back as they were before the import, while nothing it wrote has been
    changed since; ``UndoRefused`` says what has."""
    with transaction.atomic():
        locked = _locked(document_import)
        if locked.status != DocumentImport.Status.COMMITTED:
            raise UndoRefused(_("Only an import that was saved can be undone."))
        changes.check_unchanged(locked.changes, describe=_describe_since)
        changes.undo_entries(locked.changes)
        locked.status = DocumentImport.Status.UNDONE
        locked.undone_by = user
        locked.undone_at = timezone.now()
        locked.save(update_fields=["status", "undone_by", "undone_at"])
    document_import.refresh_from_db()


def document_import_discard(document_import: DocumentImport, *, user) -> None:
    with transaction.atomic():
        locked = _locked(document_import)
        if locked.status == DocumentImport.Status.REVIEWING:
            locked.status = DocumentImport.Status.DISCARDED
            locked.save(update_fields=["status"])
    document_import.refresh_from_db()


def notices_by_line(notices: list[Notice]) -> dict[int, list[Notice]]:
    grouped: dict[int, list[Notice]] = {}
    for notice in notices:
        if notice.line:
            grouped.setdefault(notice.line, []).append(notice)
    return grouped
