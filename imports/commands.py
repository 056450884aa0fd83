"""The command-line importers (``import_meeting_notes``, ``import_delivery_plan``,
``import_letter``, ``load_seed_documents``): the same reading, review points and save as the
browser review, printed with line numbers instead of shown beside the source."""

from django.core.management.base import CommandError

from imports.models import DocumentImport
from imports.services import ImportOutcome, run_document_import
from wrc.lib.importing import ImportFormatError, add_forum_arguments


def add_import_arguments(parser, *, create_forum: bool = False) -> None:
    parser.add_argument("file", help="The document: .txt, .md, .docx or a PDF with a text layer")
    parser.add_argument(
        "--dry-run", action="store_true", help="Report what would change and save nothing"
    )
    parser.add_argument(
        "--accept",
        action="store_true",
        help=(
            "Save what was read even when there are points to review (lines not placed, "
            "guesses, changes to existing records); fields changed in the product since the "
            "last import are kept either way"
        ),
    )
    add_forum_arguments(parser, create_forum=create_forum)


def _ordered(notices):
    return sorted(notices, key=lambda n: (n.line is None, n.line or 0))


def import_document_file(
    command, *, code: str, path, forum, dry_run: bool = False, accept: bool = False
) -> ImportOutcome:
    """Read, parse and save ``path``; print the review points and what changed. Raises
    ``CommandError`` (nothing saved) for an unreadable or damaged document, and when there are
    points to review and ``accept`` is false."""
    from wrc.lib.documents import read_document_path

    try:
        document = read_document_path(path)
        outcome = run_document_import(
            code=code,
            text=document.text,
            source_name=document.name,
            forum=forum,
            dry_run=dry_run,
            accept=accept,
            source_format=document.format,
            encoding=document.encoding,
            via=DocumentImport.Via.COMMAND,
        )
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error}") from error
    except ImportFormatError as error:
        raise CommandError(f"{path}, {error}. Nothing was saved.") from error
    points = outcome.report.points_to_review
    if points:
        command.stdout.write(f"{path}: {len(points)} points to review")
        for notice in _ordered(points):
            command.stdout.write(f"  [{notice.kind}] {notice}")
    if not outcome.saved and not dry_run:
        raise CommandError(
            f"{path}: nothing was saved, because of the {len(points)} points to review above. "
            "Check them (or use the review in the browser), then run again with --accept to "
            "save what was read; fields changed in the product since the last import are kept."
        )
    command.stdout.write(outcome.report.summary())
    return outcome


def already_imported(*, forum, source_name: str, code: str) -> bool:
    return DocumentImport.objects.filter(
        forum=forum, source_name=source_name, kind=code, status=DocumentImport.Status.COMMITTED
    ).exists()
