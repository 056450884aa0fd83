"""Sending a letter: one delivery per recipient, each claimed before it reaches the mail server.

Each organisation on the letter's cc list gets one copy too, through its main contact, marked
as a copy; a person who is also a recipient gets the letter once, as a recipient.

The rules that make a letter arrive exactly once:
- a delivery is claimed (queued → sending) in its own committed update before SMTP, and marked
  sent right after; a duplicate task finds nothing to claim and does nothing;
- only errors where the mail server cannot have accepted the message are retried (a refused
  connection, a 4xx reply); a 5xx reply fails the delivery with the server's reason;
- anything ambiguous (the connection dropped mid-message, the worker died) leaves the delivery
  "uncertain" for the secretariat to confirm or resend: it is never re-sent silently.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from correspondence.emails import letter_message
from correspondence.models import CarbonCopy, Delivery, Letter
from directory.contacts import main_contacts
from directory.models import Membership, Organisation, Person

logger = logging.getLogger(__name__)

Status = Delivery.Status

# Enqueued in batches so that a sweep over a very large backlog stays bounded.
SWEEP_BATCH = 5000


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery attempt; ``retry_in`` seconds when it is to be tried again."""

    status: str
    retry_in: float | None = None


@dataclass(frozen=True)
class SweepResult:
    uncertain: int
    requeued: int
    letters_finished: int


# Recipients ---------------------------------------------------------------------------------


def letter_recipients(*, letter: Letter):
    """Everyone the letter is addressed to, with or without an email address."""
    if letter.audience == Letter.Audience.ALL_MEMBERS:
        # The letter's forum only, and the one rule of who is a member today.
        current = Membership.objects.current().filter(forum_id=letter.forum_id)
        # A member organisation is reached through the people the directory lists for it.
        condition = Q(pk__in=current.filter(person__isnull=False).values("person")) | Q(
            organisation__in=current.filter(person__isnull=True).values("organisation")
        )
    elif letter.audience == Letter.Audience.ORGANISATIONS:
        condition = Q(organisation__in=letter.recipient_organisations.values("pk"))
    else:
        condition = Q(pk__in=letter.recipient_people.values("pk"))
    return Person.objects.filter(condition).select_related("organisation").distinct()


@dataclass(frozen=True)
class CopyContact:
    """Who receives the copy for one entry of the cc list: nobody when ``person`` is None."""

    as_written: str
    organisation: Organisation | None
    person: Person | None


def letter_cc_contacts(*, letter: Letter) -> list[CopyContact]:
    """Each entry of the cc list with the main contact who receives its copy, in the letter's
    order; an organisation written twice is listed once.

    The main contact is the person the directory marks as the organisation's contact and who
    has an email address (the first by name if several are marked), as for action reminders.
    """
    # Into the letter's own cc list, which the letter's email then reads without a query more.
    cc_rows = CarbonCopy.objects.select_related("organisation")
    prefetch_related_objects([letter], Prefetch("cc", queryset=cc_rows))
    copies = list(letter.cc.all())
    contacts = main_contacts(copy.organisation_id for copy in copies if copy.organisation_id)
    result, seen = [], set()
    for copy in copies:
        if copy.organisation_id is not None:
            if copy.organisation_id in seen:
                continue
            seen.add(copy.organisation_id)
        person = contacts.get(copy.organisation_id)
        result.append(CopyContact(copy.as_written, copy.organisation, person))
    return result


# Starting, resending and confirming ---------------------------------------------------------


class SendProblem(str):
    """A reason the letter may not be sent as it is."""

    refuses = True


class SendWarning(SendProblem):
    """Something the sender should know before sending, which does not stop the letter."""

    refuses = False


class SendProblems(list):
    """The problems of a letter, refusals and warnings, in the order they are shown."""

    @property
    def refusals(self) -> list[SendProblem]:
        return [problem for problem in self if problem.refuses]

    @property
    def warnings(self) -> list[SendProblem]:
        return [problem for problem in self if not problem.refuses]


def letter_send_problems(letter: Letter) -> SendProblems:
    """What stops the letter being sent as it is (``refusals``), and what the sender should know
    first (``warnings``: a cc organisation nobody can receive the copy for)."""
    problems = SendProblems(map(SendProblem, _refusals(letter)))
    problems += map(SendWarning, _cc_warnings(letter))
    return problems


def _cc_warnings(letter: Letter) -> list[str]:
    warnings = []
    for contact in letter_cc_contacts(letter=letter):
        if contact.organisation is None:
            warnings.append(
                _("%(name)s will not receive a copy: it is not an organisation in the directory.")
                % {"name": contact.as_written}
            )
        elif contact.person is None:
            warnings.append(
                _("%(name)s will not receive a copy: no main contact with an email.")
                % {"name": contact.organisation.name}
            )
    return warnings


def _refusals(letter: Letter) -> list[str]:
    problems = []
    if not letter.welsh_language_statement_en.strip():
        problems.append(
            _(
                "Add the Welsh language statement in English before sending: the Welsh Language "
                "Standards require every letter to say that correspondence in Welsh is welcome."
            )
        )
    if not letter.welsh_language_statement_cy.strip():
        problems.append(
            _(
                "Add the Welsh language statement in Welsh before sending: the Welsh Language "
                "Standards require every letter to say that correspondence in Welsh is welcome."
            )
        )
    return problems


def letter_send(*, letter: Letter) -> int:
    """Queue one delivery per recipient with an email address and hand them to the worker.

    Each cc organisation's main contact gets a delivery marked as a copy, unless they are a
    recipient already. Returns the number of deliveries queued. Sending twice (a double click,
    two tabs) is refused: only a draft can be sent (an archived letter never is).
    """
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.status != Letter.Status.DRAFT:
            raise ValidationError(_("This letter has already been sent."))
        problems = letter_send_problems(letter)
        if problems.refusals:
            # All of them: the preview explains every one, warnings included.
            raise ValidationError(list(problems))
        people = list(letter_recipients(letter=letter).exclude(email=""))
        if not people:
            raise ValidationError(
                _("Nobody would receive this letter: no recipient has an email address.")
            )
        addressed = {person.pk for person in people}
        copies = [
            contact
            for contact in letter_cc_contacts(letter=letter)
            if contact.person is not None and contact.person.pk not in addressed
        ]
        now = timezone.now()
        deliveries = [_queued(letter, person, None, now) for person in people]
        deliveries += [_queued(letter, c.person, c.organisation, now) for c in copies]
        Delivery.objects.bulk_create(
            deliveries,
            ignore_conflicts=True,  # the unique (letter, person) constraint already holds them
            batch_size=500,
        )
        letter.status, letter.sent_at = Letter.Status.SENDING, now
        letter.version += 1  # the row is locked: a draft form still open refuses to save over it
        letter.save(update_fields=["status", "sent_at", "version"])
        _dispatch_on_commit(letter.pk)
    return len(deliveries)


def _queued(letter: Letter, person: Person, copy_to: Organisation | None, now) -> Delivery:
    return Delivery(
        letter=letter,
        person=person,
        copy_to=copy_to,
        email=person.email,
        language=person.preferred_language,
        queued_at=now,
        enqueued_at=now,
    )


def letter_resend_failed(*, letter: Letter) -> int:
    """Queue again only the deliveries that failed; returns how many."""
    return _requeue(letter=letter, deliveries=letter.deliveries.filter(status=Status.FAILED))


def delivery_resend(*, delivery: Delivery) -> bool:
    """Queue an uncertain delivery again: someone has checked it did not arrive."""
    return bool(
        _requeue(
            letter=delivery.letter,
            deliveries=Delivery.objects.filter(pk=delivery.pk, status=Status.UNCERTAIN),
        )
    )


def delivery_confirm_sent(*, delivery: Delivery, confirmed_by) -> bool:
    """Record that an uncertain delivery did arrive (checked with the recipient or mail logs)."""
    changed = Delivery.objects.filter(pk=delivery.pk, status=Status.UNCERTAIN).update(
        status=Status.SENT, confirmed_by=confirmed_by, sent_at=timezone.now()
    )
    letter_finish_if_done(letter_id=delivery.letter_id)
    return bool(changed)


def _requeue(*, letter: Letter, deliveries) -> int:
    with transaction.atomic():
        now = timezone.now()
        count = deliveries.update(
            status=Status.QUEUED,
            attempts=0,
            reason="",
            queued_at=now,
            enqueued_at=now,
            claimed_at=None,
        )
        if count:
            Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.SENDING)
            _dispatch_on_commit(letter.pk)
    return count


def _dispatch_on_commit(letter_id: int) -> None:
    from correspondence.tasks import dispatch_letter

    transaction.on_commit(lambda: dispatch_letter.delay(letter_id))


def letter_enqueue(*, letter_id: int) -> int:
    """Put one task per queued delivery of the letter on the broker (the worker fans out)."""
    ids = list(
        Delivery.objects.filter(letter_id=letter_id, status=Status.QUEUED).values_list(
            "pk", flat=True
        )
    )
    return _enqueue(ids)


def _enqueue(ids: list[int]) -> int:
    from correspondence.tasks import send_letter_delivery

    Delivery.objects.filter(pk__in=ids, status=Status.QUEUED).update(enqueued_at=timezone.now())
    for delivery_id in ids:
        send_letter_delivery.delay(delivery_id)
    return len(ids)


# One delivery ---------------------------------------------------------------------------------


def delivery_send(*, delivery_id: int) -> Outcome | None:
    """Send one delivery if it is still queued; None if another task has it or it is done."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=Status.QUEUED).update(
        status=Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("letter", "person", "copy_to").get(pk=delivery_id)
    try:
        message = letter_message(delivery=delivery)
    except Exception as error:  # nothing has reached the mail server: safe to report as failed
        logger.exception("Letter delivery %s could not be composed", delivery_id)
        return _finish(
            delivery,
            Status.FAILED,
            _("The letter could not be composed: %(error)s") % {"error": error},
        )
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        # The message was not handed over: retrying cannot duplicate it.
        return _after_refusal(delivery, error)
    try:
        connection.send_messages([message])
    except (
        smtplib.SMTPRecipientsRefused,
        smtplib.SMTPSenderRefused,
        smtplib.SMTPDataError,
    ) as error:
        return _after_refusal(delivery, error)
    except Exception as error:  # the server may or may not have taken it: a person must check
        logger.warning("Letter delivery %s ended uncertain: %r", delivery_id, error)
        return _finish(
            delivery,
            Status.UNCERTAIN,
            _("Interrupted while sending (%(error)s): check before resending.")
            % {"error": _describe(error)},
        )
    finally:
        _close_quietly(connection)
    return _finish(delivery, Status.SENT, "")


def _after_refusal(delivery: Delivery, error: Exception) -> Outcome:
    code, reason = smtp_reply(error)
    if code is not None and code >= 500:
        return _finish(delivery, Status.FAILED, reason)
    if delivery.attempts >= settings.LETTER_MAX_ATTEMPTS:
        return _finish(
            delivery,
            Status.FAILED,
            _("Gave up after %(n)s attempts: %(reason)s")
            % {"n": delivery.attempts, "reason": reason},
        )
    delay = settings.LETTER_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)
    Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
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
    return None, _describe(error)


def _decode(text) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _finish(delivery: Delivery, status: str, reason: str) -> Outcome:
    fields = {"status": status, "reason": reason}
    if status == Status.SENT:
        fields["sent_at"] = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(**fields)
    letter_finish_if_done(letter_id=delivery.letter_id)
    return Outcome(status)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # the message is already accounted for; a failed QUIT changes nothing
        logger.debug("Closing the mail connection failed", exc_info=True)


def letter_finish_if_done(*, letter_id: int) -> bool:
    """Mark a letter sent once none of its deliveries is waiting or being sent."""
    # A read first: on all but the last delivery it ends here, without taking a write lock.
    if Delivery.objects.pending().filter(letter_id=letter_id).exists():
        return False
    pending = Delivery.objects.pending().filter(letter=OuterRef("pk"))
    return bool(
        Letter.objects.filter(pk=letter_id, status=Letter.Status.SENDING)
        .filter(~Exists(pending))
        .update(status=Letter.Status.SENT)
    )


# The sweeper -----------------------------------------------------------------------------------


def deliveries_sweep(
    *, now=None, sending_timeout: timedelta | None = None, queue_stale: timedelta | None = None
) -> SweepResult:
    """Recover from lost tasks and dead workers; run periodically by beat.

    Broker redelivery after a killed worker is not relied on: a queued delivery whose task has
    not run long after it was enqueued gets a new task (a duplicate task is harmless), and a
    delivery stuck in "sending" becomes uncertain.
    """
    now = now or timezone.now()
    if sending_timeout is None:
        sending_timeout = timedelta(seconds=settings.LETTER_SENDING_TIMEOUT_SECONDS)
    if queue_stale is None:
        queue_stale = timedelta(seconds=settings.LETTER_QUEUE_STALE_SECONDS)
    uncertain = Delivery.objects.filter(
        status=Status.SENDING, claimed_at__lte=now - sending_timeout
    ).update(
        status=Status.UNCERTAIN,
        reason=_("The worker stopped while sending: the mail server may have accepted it."),
    )
    stale = Delivery.objects.filter(status=Status.QUEUED, enqueued_at__lte=now - queue_stale)
    requeued = _enqueue(list(stale.values_list("pk", flat=True)[:SWEEP_BATCH]))
    finished = sum(
        letter_finish_if_done(letter_id=pk)
        for pk in Letter.objects.filter(status=Letter.Status.SENDING).values_list("pk", flat=True)
    )
    return SweepResult(uncertain=uncertain, requeued=requeued, letters_finished=finished)
