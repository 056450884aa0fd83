from django.core.management.base import BaseCommand

from meetings.importers import import_meeting_notes
from wrc.lib.importing import add_import_arguments, import_file


class Command(BaseCommand):
    help = (
        "Import a meeting's notes (attendance, agenda items, discussion, actions and the Summary "
        "of Actions) from plain text or Markdown. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, file, dry_run, **options):
        report = import_file(import_meeting_notes, file, dry_run=dry_run)
        self.stdout.write(report.summary())
