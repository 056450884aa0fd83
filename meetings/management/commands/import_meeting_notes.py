from django.core.management.base import BaseCommand

from imports.commands import add_import_arguments, import_document_file
from wrc.lib.importing import forum_from_arguments


class Command(BaseCommand):
    help = (
        "Import a meeting's notes (attendance, agenda items, discussion, actions and the Summary "
        "of Actions) from .txt, .md, .docx or PDF into one forum (--forum, required when there "
        "are several)."
        " Points to review are printed with their line numbers and hold the import back "
        "unless --accept is given; running it again changes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser, create_forum=True)

    def handle(self, *args, file, dry_run, accept, forum=None, create_forum=False, **options):
        chosen = forum_from_arguments(forum, create=create_forum, can_create=True)
        import_document_file(
            self, code="meeting", path=file, forum=chosen, dry_run=dry_run, accept=accept
        )
