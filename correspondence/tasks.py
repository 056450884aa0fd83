"""Worker tasks for letters: thin wrappers that take ids and call correspondence.sending."""

from celery import shared_task

from correspondence import sending


@shared_task(bind=True, max_retries=None, acks_late=True, soft_time_limit=120, time_limit=180)
def send_letter_delivery(self, delivery_id: int) -> str | None:
    """Send one delivery; a duplicate message for a delivery already claimed does nothing."""
    outcome = sending.delivery_send(delivery_id=delivery_id)
    if outcome is not None and outcome.retry_in is not None:
        # The attempt count in the database bounds the retries (LETTER_MAX_ATTEMPTS).
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status if outcome else None


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def dispatch_letter(letter_id: int) -> int:
    """Fan a letter out into one task per queued delivery."""
    return sending.letter_enqueue(letter_id=letter_id)


@shared_task(soft_time_limit=300, time_limit=360)
def sweep_letter_deliveries() -> dict:
    result = sending.deliveries_sweep()
    return {
        "uncertain": result.uncertain,
        "requeued": result.requeued,
        "letters_finished": result.letters_finished,
    }
