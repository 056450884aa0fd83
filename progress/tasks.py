"""Worker task chasing progress returns: a thin wrapper around progress.reminders."""

import datetime

from celery import shared_task

from progress import reminders


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def send_progress_return_reminders(day: str | None = None) -> dict:
    """The daily chase of due and overdue returns. Run twice, it queues nothing twice: each
    message's key names its period, organisation and stage. ``day`` (ISO date) runs it as of
    another day."""
    today = datetime.date.fromisoformat(day) if day else None
    run = reminders.send_due_return_reminders(today=today)
    return {"queued": run.queued, "dispatched": run.dispatched}
