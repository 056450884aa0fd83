"""Worker task for deadline reminders: a thin wrapper around reminders.services."""

import datetime
import smtplib

from celery import shared_task
from django.utils import timezone

from reminders import calendar, services

# A transient SMTP failure gives its claims back; the task then retries the whole sweep, which
# skips everything already sent.
RETRY_DELAYS = (60, 300, 900)


@shared_task(bind=True, acks_late=True, max_retries=len(RETRY_DELAYS), soft_time_limit=1800,
             time_limit=1900)  # fmt: skip
def send_due_reminders(self, day: str | None = None) -> dict:
    """The morning sweep. On weekends and Welsh bank holidays it does nothing; the next working
    day's sweep catches up what fell due meanwhile. ``day`` (ISO date) runs it as of another
    day, for a sweep started by hand."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    if not calendar.is_working_day(today):
        return {"skipped": today.isoformat()}
    delay = RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)]
    try:
        result = services.reminders_send_due(today=today)
    except (smtplib.SMTPException, OSError) as error:  # the mail server could not be reached
        raise self.retry(exc=error, countdown=delay) from error
    if result.released and self.request.retries < len(RETRY_DELAYS):
        raise self.retry(countdown=delay)
    return {"sent": result.sent, "failed": result.failed, "released": result.released}
