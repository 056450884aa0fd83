from celery import shared_task

from calendars import services


@shared_task(bind=True, max_retries=5, time_limit=600, soft_time_limit=570, acks_late=True)
def send_meeting_invitations(self, meeting_id: int):
    """Send the current version of a meeting's invitation; retried only for temporary mail
    failures, and a retry sends only to those not yet sent it."""
    result = services.invitations_send(meeting_id=meeting_id)
    if result is not None and result.retry_later:
        raise self.retry(countdown=60 * 2**self.request.retries)
    return None if result is None else {"sent": result.sent, "skipped": result.skipped}
