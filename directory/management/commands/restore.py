"""``manage.py restore PATH``: a backup back into an empty database (``make restore``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wrc.lib.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into an empty database and an empty "
        "MEDIA_ROOT; refuses a database that already has tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup archive (.tar.gz).")
        parser.add_argument(
            "--database", default="default", help="The database alias to restore into."
        )

    def handle(self, *args, path, database="default", **options):
        try:
            result = backup_restore(path=path, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.records} records and {result.files} uploaded files from "
                f"{path}. Run `manage.py migrate` if this code is newer than the backup."
            )
        )
