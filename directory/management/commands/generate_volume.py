"""Bulk realistic records for benchmarks (``wrc.lib.volume``), on a developer's database only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from directory.management.commands.create_demo_accounts import demo_password
from wrc.lib import volume

PRODUCTION_SETTINGS = "wrc.settings_production"


def refusal(*, force: bool) -> str:
    """Why the command must not run here, or "".

    Production settings are refused outright, ``--force`` or not: that database holds real
    people's records, and thousands of invented people with addresses would get the forum's
    reminders and letters. With DEBUG off on other settings (a staging copy, a benchmark box run
    like production) it takes ``--force``: such a database is less likely to be throwaway."""
    if settings.SETTINGS_MODULE == PRODUCTION_SETTINGS:
        return "generate_volume never runs under production settings: they hold real records."
    if not settings.DEBUG and not force:
        return "DEBUG is off, so this may not be a throwaway database: add --force if it is."
    return ""


class Command(BaseCommand):
    help = (
        "Add invented but realistic records for benchmarks: forums with memberships, meetings "
        "with attendance and agenda items, actions (owned by people, organisations and roles, "
        "with due dates, statuses and progress notes), letters with deliveries, and a member "
        f"account {volume.MEMBER_USERNAME!r} who owns {volume.MEMBER_ACTIONS} of the actions. "
        "Reproducible from --seed. Refused under production settings, and with DEBUG off "
        "unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=2000, help="people (default 2000)")
        parser.add_argument(
            "--organisations", type=int, default=300, help="organisations (default 300)"
        )
        parser.add_argument("--meetings", type=int, default=1000, help="meetings (default 1000)")
        parser.add_argument("--actions", type=int, default=10000, help="actions (default 10000)")
        parser.add_argument("--forums", type=int, default=3, help="forums (default 3)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--force", action="store_true", help="run with DEBUG off (never under production)"
        )

    def handle(self, *args, **options):
        reason = refusal(force=options["force"])
        if reason:
            raise CommandError(reason)
        size = volume.VolumeSize(
            **{key: options[key] for key in ("people", "organisations", "meetings", "actions")},
            forums=options["forums"],
        )
        if min(vars(size).values()) < 0 or (size.actions and not size.meetings):
            raise CommandError("Counts must be 0 or more, and actions need at least one meeting.")
        try:
            result = volume.volume_generate(
                size=size, seed=options["seed"], password=demo_password(settings.VAR_DIR)
            )
        except volume.AlreadyGenerated as error:
            raise CommandError(str(error)) from error
        for model, count in sorted(result.counts.items()):
            self.stdout.write(f"{model}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Sign in as {volume.MEMBER_USERNAME} with the password in "
                f"{settings.VAR_DIR / 'demo-password'}."
            )
        )
