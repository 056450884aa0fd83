"""Worker task for deadline reminders: a thin wrapper around reminders.services."""

import datetime

from celery import shared_task
from django.utils import timezone

from reminders import calendar, services


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def send_due_reminders(day: str | None = None) -> dict:
    """The morning sweep: record what is due and queue one email per person in the outbox,
    which sends, retries and settles them. On weekends and Welsh bank holidays it does nothing;
    the next working day's sweep catches up what fell due meanwhile. ``day`` (ISO date) runs it
    as of another day, for a sweep started by hand. Run twice, or killed and run again, it
    queues nothing twice: what was recorded is skipped."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    if not calendar.is_working_day(today):
        return {"skipped": today.isoformat()}
    result = services.reminders_send_due(today=today)
    return {
        "queued": result.queued,
        "reminders": result.reminders,
        "dispatched": result.dispatched,
    }
