from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from correspondence.importers import import_letter
from hatecrime.importers import import_delivery_plan
from meetings.importers import import_meeting_notes
from wrc.lib.importing import add_forum_arguments, forum_from_arguments, import_file

SEEDS_DIR = Path(settings.BASE_DIR) / "data" / "seeds"
# The plan first (it names most organisations), then the meeting (it sets up the forum's roles
# and chair), then the letter (it is signed by the chair).
SEED_DOCUMENTS = [
    (import_delivery_plan, "delivery-plan-2016-17.txt"),
    (import_meeting_notes, "meeting-notes-2025-03-17.txt"),
    (import_letter, "letter-2025-01-30-JH-PO-31-2025.txt"),
]


class Command(BaseCommand):
    help = (
        "Load the delivery plan, meeting notes and letter shipped in data/seeds/ with the "
        "product's importers, into one forum: the first forum (FORUM_NAME, the Wales Race "
        "Forum, whose documents they are) unless --forum names another. Running it again "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change and save nothing"
        )
        parser.add_argument(
            "--seeds-dir", default=str(SEEDS_DIR), help="Folder holding the seed documents"
        )
        add_forum_arguments(parser)

    def handle(self, *args, dry_run, seeds_dir, forum=None, **options):
        # The seeds are the first forum's documents: with several forums there is no doubt
        # which one they belong to, so no --forum is needed (make run, docker-compose).
        chosen = forum_from_arguments(forum) if forum else None
        for importer, filename in SEED_DOCUMENTS:
            path = Path(seeds_dir) / filename
            report = import_file(importer, path, dry_run=dry_run, forum=chosen)
            self.stdout.write(report.summary())
