from django.core.management.base import BaseCommand

from meetings.importers import import_meeting_notes
from wrc.lib.importing import add_import_arguments, forum_from_arguments, import_file


class Command(BaseCommand):
    help = (
        "Import a meeting's notes (attendance, agenda items, discussion, actions and the Summary "
        "of Actions) from plain text or Markdown into one forum (--forum, required when there "
        "are several). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser, create_forum=True)

    def handle(self, *args, file, dry_run, forum=None, create_forum=False, **options):
        chosen = forum_from_arguments(forum, create=create_forum, can_create=True)
        report = import_file(import_meeting_notes, file, dry_run=dry_run, forum=chosen)
        self.stdout.write(report.summary())
