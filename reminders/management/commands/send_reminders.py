import datetime

from django.core.management.base import BaseCommand, CommandError

from reminders.services import reminders_send_due


class Command(BaseCommand):
    help = (
        "Run the deadline reminder sweep now (the worker runs it each working morning): record "
        "the reminders that are due and queue one email per person in the outbox, which the "
        "worker sends. Safe to repeat: reminders already recorded are never queued again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", help="Sweep as of this day (YYYY-MM-DD) instead of today, e.g. to catch up."
        )

    def handle(self, *args, day=None, **options):
        try:
            today = datetime.date.fromisoformat(day) if day else None
        except ValueError as error:
            raise CommandError(f"--day must be a date such as 2026-09-01: {error}") from error
        result = reminders_send_due(today=today)
        self.stdout.write(
            f"Reminders: {result.queued} emails queued ({result.reminders} reminders)."
        )
        if result.dispatched is False:
            self.stdout.write(
                "The worker could not be reached: the emails stay queued and are sent when it "
                "is reachable again."
            )
