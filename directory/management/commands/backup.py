"""``manage.py backup``: the database and the uploaded files in one archive (``make backup``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wrc.lib.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup of the database (SQLite online backup or pg_dump -Fc) and of the "
        "uploaded files under MEDIA_ROOT to one .tar.gz, and print its path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="Where to write the archive (default: var/backups/wrc-<UTC time>.tar.gz).",
        )
        parser.add_argument("--database", default="default", help="The database alias to back up.")

    def handle(self, *args, output=None, database="default", **options):
        try:
            path = backup_create(output=output, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        # Only the path on stdout, so that scripts can capture it: `path=$(make -s backup)`.
        self.stdout.write(str(path))
