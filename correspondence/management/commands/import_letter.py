from django.core.management.base import BaseCommand

from correspondence.importers import import_letter
from wrc.lib.importing import add_import_arguments, forum_from_arguments, import_file


class Command(BaseCommand):
    help = (
        "Import a letter to forum members (reference, date, sender, body, cc list, enclosures) "
        "from its plain-text export into one forum (--forum, required when there are several). "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, file, dry_run, forum=None, **options):
        chosen = forum_from_arguments(forum)
        report = import_file(import_letter, file, dry_run=dry_run, forum=chosen)
        self.stdout.write(report.summary())
