from django.core.management.base import BaseCommand

from imports.commands import add_import_arguments, import_document_file
from wrc.lib.importing import forum_from_arguments


class Command(BaseCommand):
    help = (
        "Import a delivery plan (objectives, delivery areas, numbered actions and their lead "
        "organisations) from .txt, .md, .docx or PDF, as monitored by one forum (--forum, "
        "required when there are several)."
        " Points to review are printed with their line numbers and hold the import back "
        "unless --accept is given; running it again changes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, file, dry_run, accept, forum=None, **options):
        chosen = forum_from_arguments(forum)
        import_document_file(
            self, code="plan", path=file, forum=chosen, dry_run=dry_run, accept=accept
        )
