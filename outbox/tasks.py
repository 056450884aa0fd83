"""Worker tasks for the outbox: thin wrappers that take ids and call outbox.services."""

from celery import shared_task

from outbox import services


@shared_task(bind=True, max_retries=None, acks_late=True, soft_time_limit=120, time_limit=180)
def send_outgoing_mail(self, mail_id: int) -> str | None:
    """Send one row; a duplicate task for a row already claimed does nothing."""
    outcome = services.send(mail_id=mail_id)
    if outcome is not None and outcome.retry_in is not None:
        # The attempt count in the database bounds the retries (OUTBOX_MAX_ATTEMPTS).
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status if outcome else None


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def dispatch_mails(mail_ids: list[int]) -> int:
    """Fan a batch out into one task per row still queued."""
    return services.enqueue(mail_ids)


@shared_task(soft_time_limit=300, time_limit=360)
def sweep_outbox() -> dict:
    result = services.sweep()
    return {"uncertain": result.uncertain, "requeued": result.requeued}
