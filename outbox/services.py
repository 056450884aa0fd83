"""Queueing, sending and settling outgoing mail: the one state machine and its one classifier.

The rules that make every message arrive exactly once:
- a row is claimed (queued → sending) in its own committed update before SMTP, and marked sent
  right after; a duplicate task finds nothing to claim and does nothing;
- only errors where the mail server cannot have accepted the message are retried (a refused
  connection, a 4xx reply), with backoff and a bounded number of attempts; a 5xx reply fails the
  row with the server's reason;
- a message that cannot be built (a header with a line break) fails before SMTP with the reason;
- anything ambiguous (the connection dropped after the message was handed over, the worker died)
  leaves the row "uncertain" for a person to confirm or resend: it is never re-sent silently.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox import builders
from outbox.email import MessageRefused
from outbox.models import OutgoingMail

logger = logging.getLogger(__name__)

Status = OutgoingMail.Status

# Enqueued in batches so that a sweep over a very large backlog stays bounded.
SWEEP_BATCH = 5000


@dataclass(frozen=True)
class Outcome:
    """What happened to one attempt; ``retry_in`` seconds when it is to be tried again."""

    status: str
    retry_in: float | None = None


@dataclass(frozen=True)
class SweepResult:
    uncertain: int
    requeued: int


# Queueing --------------------------------------------------------------------------------------


def queue_many(mails: list[OutgoingMail]) -> list[int]:
    """Save the unsaved rows ``mails``; a (kind, key) already in the outbox is left as it is.

    Returns the ids of the rows of these keys still waiting to be sent, for ``dispatch`` once
    the caller's transaction has committed. Queueing the same keys again queues nothing new.
    """
    if not mails:
        return []
    now = timezone.now()
    for mail in mails:
        mail.queued_at = mail.enqueued_at = now
        mail.status = Status.QUEUED
    OutgoingMail.objects.bulk_create(mails, ignore_conflicts=True, batch_size=500)
    ids = []
    by_kind: dict[str, list[str]] = {}
    for mail in mails:
        by_kind.setdefault(mail.kind, []).append(mail.key)
    for kind, keys in by_kind.items():
        for start in range(0, len(keys), 500):
            ids += OutgoingMail.objects.filter(
                kind=kind, key__in=keys[start : start + 500], status=Status.QUEUED
            ).values_list("pk", flat=True)
    return ids


def queue(mail: OutgoingMail) -> int | None:
    """Queue one message; the id to dispatch, or None when that key is already done."""
    ids = queue_many([mail])
    return ids[0] if ids else None


def dispatch(ids: list[int]) -> bool:
    """Hand the rows to the worker. Call it after the rows are committed (``dispatch_on_commit``
    inside a transaction).

    Returns False when the broker cannot be reached: the rows stay queued and the sweeper hands
    them over when it is back, so the caller tells the person "queued" rather than failing.
    """
    if not ids:
        return True
    from outbox.tasks import dispatch_mails, send_outgoing_mail

    try:
        if len(ids) == 1:
            send_outgoing_mail.delay(ids[0])
        else:
            # One task that fans out: a letter to a thousand people costs the request one call.
            dispatch_mails.delay(list(ids))
    except Exception:  # the broker is down or refused: the sweeper will hand them over
        logger.warning("The broker could not take %s outgoing messages", len(ids), exc_info=True)
        return False
    return True


def dispatch_on_commit(ids: list[int]) -> None:
    transaction.on_commit(lambda: dispatch(ids))


def enqueue(ids: list[int]) -> int:
    """One task per row still queued (run by the worker's fan-out and by the sweeper)."""
    from outbox.tasks import send_outgoing_mail

    ids = list(ids)
    OutgoingMail.objects.filter(pk__in=ids, status=Status.QUEUED).update(enqueued_at=timezone.now())
    for mail_id in ids:
        send_outgoing_mail.delay(mail_id)
    return len(ids)


# Sending one message ------------------------------------------------------------------------


def send(*, mail_id: int) -> Outcome | None:
    """Send one row if it is still queued; None if another task has it or it is done."""
    claimed = OutgoingMail.objects.filter(pk=mail_id, status=Status.QUEUED).update(
        status=Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    mail = OutgoingMail.objects.get(pk=mail_id)
    try:
        message = builders.build(mail)
    except MessageRefused as error:
        return _finish(mail, Status.FAILED, str(error))
    except Exception as error:  # nothing has reached the mail server: safe to report as failed
        logger.exception("Outgoing mail %s could not be composed", mail_id)
        return _finish(
            mail,
            Status.FAILED,
            _("The message could not be composed: %(error)s") % {"error": describe(error)},
        )
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        # The message was not handed over: retrying cannot duplicate it.
        return _after_refusal(mail, error)
    try:
        connection.send_messages([message])
    except (
        smtplib.SMTPRecipientsRefused,
        smtplib.SMTPSenderRefused,
        smtplib.SMTPDataError,
    ) as error:
        return _after_refusal(mail, error)
    except Exception as error:  # the server may or may not have taken it: a person must check
        logger.warning("Outgoing mail %s ended uncertain: %r", mail_id, error)
        return _finish(
            mail,
            Status.UNCERTAIN,
            _("Interrupted while sending (%(error)s): check before resending.")
            % {"error": describe(error)},
        )
    finally:
        _close_quietly(connection)
    return _finish(mail, Status.SENT, "")


def is_worth_retrying(error: Exception) -> bool:
    """The one classifier: True when the mail server cannot have accepted the message and may
    take it later (no connection, a 4xx reply); False for a refusal (5xx)."""
    code, _reason = smtp_reply(error)
    return code is None or code < 500


def _after_refusal(mail: OutgoingMail, error: Exception) -> Outcome:
    code, reason = smtp_reply(error)
    if not is_worth_retrying(error):
        return _finish(mail, Status.FAILED, reason)
    if mail.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        return _finish(
            mail,
            Status.FAILED,
            _("Gave up after %(n)s attempts: %(reason)s") % {"n": mail.attempts, "reason": reason},
        )
    delay = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (mail.attempts - 1)
    OutgoingMail.objects.filter(pk=mail.pk, status=Status.SENDING).update(
        status=Status.QUEUED, reason=reason, enqueued_at=timezone.now() + timedelta(seconds=delay)
    )
    return Outcome(Status.QUEUED, retry_in=delay)


def smtp_reply(error: Exception) -> tuple[int | None, str]:
    """The SMTP reply code (None for a network error) and a reason a person can read."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, text = next(iter(error.recipients.values()))
        return code, f"{code} {_decode(text)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code, f"{error.smtp_code} {_decode(error.smtp_error)}"
    return None, describe(error)


def _decode(text) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _finish(mail: OutgoingMail, status: str, reason: str) -> Outcome:
    fields = {"status": status, "reason": reason}
    if status == Status.SENT:
        fields["sent_at"] = timezone.now()
    OutgoingMail.objects.filter(pk=mail.pk, status=Status.SENDING).update(**fields)
    mail.status = status
    builders.finished(mail.kind, [mail])
    return Outcome(status)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # the message is already accounted for; a failed QUIT changes nothing
        logger.debug("Closing the mail connection failed", exc_info=True)


# Settling by hand ------------------------------------------------------------------------------


def confirm_sent(mails, *, user, reason: str) -> int:
    """Record that uncertain messages did arrive (checked with the recipients or the mail
    logs), with who said so and why. Returns how many were settled."""
    rows = list(mails.filter(status=Status.UNCERTAIN))
    now = timezone.now()
    count = OutgoingMail.objects.filter(
        pk__in=[row.pk for row in rows], status=Status.UNCERTAIN
    ).update(
        status=Status.SENT,
        sent_at=now,
        resolved_by=user,
        resolved_at=now,
        resolution=reason,
    )
    _finished_by_kind(rows)
    return count


def resend(mails, *, user, reason: str) -> int:
    """Queue again uncertain or failed messages someone has checked did not arrive. Returns
    how many; they go once the transaction commits."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            mails.filter(status__in=[Status.UNCERTAIN, Status.FAILED]).values_list("pk", flat=True)
        )
        count = OutgoingMail.objects.filter(
            pk__in=ids, status__in=[Status.UNCERTAIN, Status.FAILED]
        ).update(
            status=Status.QUEUED,
            attempts=0,
            reason="",
            queued_at=now,
            enqueued_at=now,
            claimed_at=None,
            resolved_by=user,
            resolved_at=now,
            resolution=reason,
        )
        if count:
            dispatch_on_commit(ids)
    return count


def _finished_by_kind(rows) -> None:
    by_kind: dict[str, list[OutgoingMail]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for kind, kind_rows in by_kind.items():
        builders.finished(kind, kind_rows)


# The sweeper -----------------------------------------------------------------------------------


def sweep(
    *, now=None, sending_timeout: timedelta | None = None, queue_stale: timedelta | None = None
) -> SweepResult:
    """Recover from lost tasks and dead workers; run periodically by beat.

    Broker redelivery after a killed worker is not relied on: a queued row whose task has not
    run long after it was enqueued gets a new task (a duplicate task is harmless), and a row
    stuck in "sending" becomes uncertain.
    """
    now = now or timezone.now()
    if sending_timeout is None:
        sending_timeout = timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
    if queue_stale is None:
        queue_stale = timedelta(seconds=settings.OUTBOX_QUEUE_STALE_SECONDS)
    stuck = OutgoingMail.objects.filter(
        status=Status.SENDING, claimed_at__lte=now - sending_timeout
    )
    stuck_rows = list(stuck.only("pk", "kind", "letter_id", "meeting_id", "payload"))
    uncertain = OutgoingMail.objects.filter(
        pk__in=[row.pk for row in stuck_rows], status=Status.SENDING
    ).update(
        status=Status.UNCERTAIN,
        reason=_("The worker stopped while sending: the mail server may have accepted it."),
    )
    _finished_by_kind(stuck_rows)
    builders.catch_up()
    stale = OutgoingMail.objects.filter(status=Status.QUEUED, enqueued_at__lte=now - queue_stale)
    requeued = enqueue(list(stale.values_list("pk", flat=True)[:SWEEP_BATCH]))
    return SweepResult(uncertain=uncertain, requeued=requeued)
