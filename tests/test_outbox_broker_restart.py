"""The outbox across a Redis restart that loses every queued task (no persistence): letters,
reminders and diary invitations each reach every recipient exactly once, with the sweeper
handing over again what the broker forgot.

The test brings its own Redis server (``private_redis``) whatever the configured broker, so it
runs on SQLite and PostgreSQL alike.
"""

import datetime
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction

from outbox import services as outbox
from outbox.models import OutgoingMail
from reminders.tasks import send_due_reminders
from tests import factories
from tests.test_invitations_sending import a_meeting_with, press_send
from tests.test_letters_sending import draft_letter, people, send
from tests.test_reminders import at_morning
from tests.worker import wait_until

pytestmark = pytest.mark.worker

Status = OutgoingMail.Status
RECIPIENTS = 60
TUESDAY = datetime.date(2026, 9, 1)
# Beat's sweeper with short waits: a row queued this long without being sent has lost its task;
# a row "sending" this long belongs to no living task (sending to the loopback server takes
# milliseconds).
QUEUE_STALE = timedelta(seconds=2)
SENDING_TIMEOUT = timedelta(seconds=15)


@dataclass
class Started:
    emails: set
    kind: str


def start_letter() -> Started:
    recipients = people(RECIPIENTS)
    send(draft_letter(recipients))
    return Started({p.email.lower() for p in recipients}, OutgoingMail.Kind.LETTER)


def start_reminders() -> Started:
    meeting = factories.MeetingFactory(starts_at=at_morning(datetime.date(2026, 7, 16), 12))
    with transaction.atomic():
        owners = factories.PersonFactory.create_batch(RECIPIENTS)
        for person in owners:
            factories.ActionItemFactory(meeting=meeting, owner_person=person, due_date=TUESDAY)
    send_due_reminders.delay(day=TUESDAY.isoformat())  # the morning's beat
    return Started({p.email.lower() for p in owners}, OutgoingMail.Kind.REMINDER)


def start_invitations() -> Started:
    meeting, invitees = a_meeting_with(RECIPIENTS)
    assert press_send(meeting)
    return Started({p.email.lower() for p in invitees}, OutgoingMail.Kind.DIARY_INVITATION)


def report(kind) -> str:
    rows = OutgoingMail.objects.filter(kind=kind).values_list("email", "status", "reason")
    return "\n".join(" | ".join(map(str, row)) for row in rows)


def reconnections(worker) -> int:
    """How many times the worker has connected to the broker (its log says so each time)."""
    return worker.log().count("Connected to redis://")


def settled(smtp_server, seconds=2.0):
    """Until no message has arrived for ``seconds``: what the worker will do by itself is done."""
    last, since = len(smtp_server.messages), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.1)
        if len(smtp_server.messages) != last:
            last, since = len(smtp_server.messages), time.monotonic()
    return last


@pytest.mark.parametrize(
    "start",
    [start_letter, start_reminders, start_invitations],
    ids=["letter", "reminders", "invitations"],
)
def test_a_redis_restart_that_loses_the_queue_sends_each_message_exactly_once(
    start, private_redis, private_redis_worker, smtp_server, capsys
):
    worker, began = private_redis_worker, time.monotonic()
    started = start()
    rows = OutgoingMail.objects.filter(kind=started.kind)
    wait_until(lambda: len(smtp_server.messages) >= 10, timeout=30, message=worker.log)

    private_redis.kill()  # every task waiting on the broker is gone with it
    arrived_at_kill = len(smtp_server.messages)
    assert rows.pending().exists(), "the broker was killed too late: nothing was left to send"
    killed_after = time.monotonic() - began
    private_redis.start()  # on the same port, empty
    back = time.monotonic()

    # The worker reconnects by itself (Celery retries the broker connection); if it did not,
    # the operator's supervisor would restart it, as this does.
    try:
        wait_until(lambda: reconnections(worker) >= 2, timeout=20)
        restarted = False
    except AssertionError:
        worker.kill()
        worker.start()
        restarted = True
    reconnected_after = time.monotonic() - back
    arrived_before_sweep = settled(smtp_server)
    left_before_sweep = rows.pending().count()
    assert left_before_sweep, "nothing was lost with the broker: the restart proved nothing"

    sweeps = 0
    while rows.pending().exists():
        waited = time.monotonic() - began
        assert waited < 60, f"still pending after a minute:\n{report(started.kind)}"
        outbox.sweep(sending_timeout=SENDING_TIMEOUT, queue_stale=QUEUE_STALE)
        sweeps += 1
        time.sleep(0.5)

    with capsys.disabled():
        print(
            f"\n[{started.kind}] Redis killed at {killed_after:.1f} s with {arrived_at_kill} "
            f"arrived; worker {'restarted' if restarted else 'reconnected by itself'} "
            f"{reconnected_after:.1f} s after Redis was back; {arrived_before_sweep} arrived and "
            f"{left_before_sweep} were left pending before the sweeper; {sweeps} sweeps; "
            f"all done in {time.monotonic() - began:.1f} s"
        )

    received = smtp_server.count_by_recipient()
    assert max(received.values()) == 1, f"someone got it twice: {received}"
    assert set(received) <= started.emails, "a message reached someone it was not for"
    assert rows.count() == RECIPIENTS, report(started.kind)
    counts = rows.status_counts()
    assert counts[Status.SENT] + counts[Status.UNCERTAIN] == RECIPIENTS, report(started.kind)
    assert counts[Status.UNCERTAIN] <= 1, "only the message in flight may be uncertain"
    for mail in rows:
        if mail.status == Status.SENT:
            assert received[mail.email.lower()] == 1, mail.email
    assert len(received) >= RECIPIENTS - counts[Status.UNCERTAIN]
