from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.text import slugify

from directory.models import Forum
from imports.commands import already_imported, import_document_file
from wrc.lib.importing import add_forum_arguments, forum_from_arguments

SEEDS_DIR = Path(settings.BASE_DIR) / "data" / "seeds"
# The plan first (it names most organisations), then the meeting (it sets up the forum's roles
# and chair), then the letter (it is signed by the chair).
SEED_DOCUMENTS = [
    ("plan", "delivery-plan-2016-17.txt"),
    ("meeting", "meeting-notes-2025-03-17.txt"),
    ("letter", "letter-2025-01-30-JH-PO-31-2025.txt"),
]


class Command(BaseCommand):
    help = (
        "Fill an installation with the delivery plan, meeting notes and letter shipped in "
        "data/seeds/, into one forum: the first forum (FORUM_NAME, the Wales Race Forum, whose "
        "documents they are) unless --forum names another. A document loaded once is never "
        "loaded again, so officials' corrections to the records it made are kept (the web "
        "service runs this at every start)."
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
        for code, filename in SEED_DOCUMENTS:
            target = chosen or Forum.objects.filter(slug=slugify(settings.FORUM_NAME)).first()
            if target is not None and already_imported(
                forum=target, source_name=filename, code=code
            ):
                self.stdout.write(f"{filename}: loaded before, left as it is; nothing changed")
                continue
            # The seeds are read as they were published; their few review points (if any) are
            # known and accepted.
            import_document_file(
                self,
                code=code,
                path=Path(seeds_dir) / filename,
                forum=chosen,
                dry_run=dry_run,
                accept=True,
            )
