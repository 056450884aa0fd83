from django.core.management.base import BaseCommand

from hatecrime.importers import import_delivery_plan
from wrc.lib.importing import add_import_arguments, forum_from_arguments, import_file


class Command(BaseCommand):
    help = (
        "Import a delivery plan (objectives, delivery areas, numbered actions and their lead "
        "organisations) from its plain-text export, as monitored by one forum (--forum, "
        "required when there are several). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, file, dry_run, forum=None, **options):
        chosen = forum_from_arguments(forum)
        report = import_file(import_delivery_plan, file, dry_run=dry_run, forum=chosen)
        self.stdout.write(report.summary())
