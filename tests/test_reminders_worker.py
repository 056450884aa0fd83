"""The reminder sweep and its emails run by real Celery worker processes on the real broker,
through the outbox, mailing a real SMTP server on loopback (fixtures in tests/worker.py).

Every fault counts the same two things: no one gets a reminder email twice, and every reminder
the sweep recorded is in an email that was sent, or that is failed or uncertain on the outbox
page for a person to settle — never lost silently."""

import datetime
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from outbox import services as outbox
from outbox.models import OutgoingMail
from reminders.models import ReminderClaim
from reminders.tasks import send_due_reminders
from tests import factories
from tests.test_reminders import (
    ALICE,
    BETHAN,
    CARYS,
    DAFYDD,
    EXPECTED,
    at_morning,
    make_cast,
    without_forum,
)
from tests.worker import WorkerProcess, wait_until

pytestmark = pytest.mark.worker

TUESDAY = datetime.date(2026, 9, 1)
EVERYONE = {ALICE: 1, BETHAN: 1, CARYS: 1, DAFYDD: 1}
Status = OutgoingMail.Status


@pytest.fixture
def celery_worker_env():
    return {
        "REMINDERS_DUE_SOON_DAYS": "7",
        "REMINDERS_DIGEST_WEEKDAY": "0",
        "REMINDERS_NO_DATE_EVERY_DAYS": "28",
        "REMINDERS_BEFORE_MEETING_DAYS": "7",
        "OUTBOX_RETRY_BASE_SECONDS": "0.2",
    }


@pytest.fixture
def cast(transactional_db):
    with time_machine.travel(at_morning(datetime.date(2026, 8, 20), 10), tick=False):
        return make_cast()


def finished_sweeps(*workers) -> int:
    marker = "reminders.tasks.send_due_reminders["
    return sum(
        line.count("succeeded")
        for worker in workers
        for line in worker.log().splitlines()
        if marker in line
    )


def subjects(smtp_server):
    return {m.rcpt_tos[0]: without_forum(str(m.message["Subject"])) for m in smtp_server.messages}


def sweep(times=1):
    for _ in range(times):
        send_due_reminders.delay(day=TUESDAY.isoformat())


def wait_for_sweeps(count, *workers, timeout=60):
    wait_until(lambda: finished_sweeps(*workers) >= count, timeout=timeout, message=workers[0].log)
    wait_until(
        lambda: not OutgoingMail.objects.pending().exists(), timeout=timeout, message=workers[0].log
    )


def assert_nothing_lost(smtp_server, *, settled=(Status.SENT,)):
    """No duplicates, and every recorded reminder rides in an email that was sent (or that is
    ``settled`` otherwise, on the outbox page); a sent one reached its recipient exactly once."""
    received = smtp_server.count_by_recipient()
    assert max(received.values(), default=0) <= 1, f"an email went twice: {received}"
    claims = ReminderClaim.objects.values_list("mail__status", "mail__email")
    assert claims and {status for status, _email in claims} <= set(settled)
    for mail in OutgoingMail.objects.filter(kind=OutgoingMail.Kind.REMINDER):
        assert mail.reminder_claims.exists(), f"an email that carries nothing: {mail.key}"
        if mail.status == Status.SENT:
            assert received[mail.email.lower()] == 1, mail.email
    per_person = Counter(OutgoingMail.objects.values_list("email", flat=True))
    assert max(per_person.values()) == 1, f"two emails queued for one person: {per_person}"


def test_the_sweep_run_twice_sends_each_reminder_once(cast, celery_worker_process, smtp_server):
    sweep(times=2)  # two beats, or a sweep started by hand on top of the morning's
    wait_for_sweeps(2, celery_worker_process)
    assert smtp_server.count_by_recipient() == EVERYONE
    expected = {email: subject for email, (subject, _) in EXPECTED[TUESDAY].items()}
    assert subjects(smtp_server) == expected
    assert OutgoingMail.objects.status_counts()[Status.SENT] == 4
    assert_nothing_lost(smtp_server)


def test_two_workers_sweeping_at_once_send_each_reminder_once(
    cast, celery_worker_process, celery_broker, smtp_server, celery_worker_env, tmp_path
):
    second = WorkerProcess(
        broker=celery_broker, smtp=smtp_server, log_dir=tmp_path, env=celery_worker_env
    ).start()
    try:
        sweep(times=4)
        wait_for_sweeps(4, celery_worker_process, second, timeout=90)
    finally:
        second.stop()
    assert smtp_server.count_by_recipient() == EVERYONE
    assert OutgoingMail.objects.count() == 4
    assert_nothing_lost(smtp_server)


def test_a_worker_killed_mid_sweep_loses_nothing_and_sends_nothing_twice(
    transactional_db, celery_worker_process, smtp_server
):
    meeting = factories.MeetingFactory(starts_at=at_morning(datetime.date(2026, 7, 16), 12))
    with transaction.atomic():
        people = factories.PersonFactory.create_batch(150)
        for person in people:
            factories.ActionItemFactory(meeting=meeting, owner_person=person, due_date=TUESDAY)
    sweep()
    wait_until(
        lambda: len(smtp_server.messages) >= 20, timeout=90, message=celery_worker_process.log
    )
    celery_worker_process.kill()
    assert OutgoingMail.objects.pending().exists(), "killed too late"
    # The outbox's sweeper (beat runs it every minute) with its waits elapsed.
    outbox.sweep(sending_timeout=timedelta(0), queue_stale=timedelta(0))
    celery_worker_process.start()
    sweep()  # the next beat, or the sweep's own task redelivered: it finds everything recorded
    wait_for_sweeps(1, celery_worker_process, timeout=120)

    assert_nothing_lost(smtp_server, settled=(Status.SENT, Status.UNCERTAIN))
    counts = OutgoingMail.objects.status_counts()
    assert counts[Status.SENT] + counts[Status.UNCERTAIN] == 150
    assert counts[Status.UNCERTAIN] <= 1, "only the email in flight may be uncertain"
    for mail in OutgoingMail.objects.filter(status=Status.UNCERTAIN):
        assert "may have accepted" in mail.reason
    # Each person's two reminders (the new action, due today) are in their one email.
    per_person = Counter(ReminderClaim.objects.values_list("recipient", flat=True))
    assert set(per_person.values()) == {2} and len(per_person) == 150


def test_a_deferral_then_acceptance_sends_once(cast, celery_worker_process, smtp_server):
    smtp_server.defer(CARYS, times=1)
    sweep()
    wait_for_sweeps(1, celery_worker_process)
    assert smtp_server.count_by_recipient() == EVERYONE
    carys = OutgoingMail.objects.get(email=CARYS)
    assert (carys.status, carys.attempts) == (Status.SENT, 2)
    assert_nothing_lost(smtp_server)


def test_a_refusal_fails_with_the_reason_and_a_resend_reaches_only_that_person(
    cast, celery_worker_process, smtp_server, official
):
    smtp_server.refuse([CARYS])
    sweep()
    wait_for_sweeps(1, celery_worker_process)
    carys = OutgoingMail.objects.get(email=CARYS)
    assert carys.status == Status.FAILED and carys.reason.startswith("550")
    assert_nothing_lost(smtp_server, settled=(Status.SENT, Status.FAILED))
    sweep()  # the next morning's sweep does not retry a refusal behind anyone's back
    wait_for_sweeps(2, celery_worker_process)
    assert CARYS not in smtp_server.count_by_recipient()

    smtp_server.accept_all()
    with transaction.atomic():
        outbox.resend(OutgoingMail.objects.filter(pk=carys.pk), user=official, reason="Fixed")
    wait_until(
        lambda: OutgoingMail.objects.get(pk=carys.pk).status == Status.SENT,
        timeout=60,
        message=celery_worker_process.log,
    )
    assert smtp_server.count_by_recipient() == EVERYONE
    assert_nothing_lost(smtp_server)


def test_a_line_dropped_after_the_message_leaves_it_uncertain_and_it_is_not_resent(
    cast, celery_worker_process, smtp_server
):
    smtp_server.hang_up_after_data()
    sweep()
    wait_for_sweeps(1, celery_worker_process)
    assert OutgoingMail.objects.status_counts()[Status.UNCERTAIN] == 4
    smtp_server.accept_all()
    sweep()
    outbox.sweep(sending_timeout=timedelta(0), queue_stale=timedelta(0))
    wait_for_sweeps(2, celery_worker_process)
    assert smtp_server.count_by_recipient() == EVERYONE  # each arrived once, none twice
    assert OutgoingMail.objects.status_counts()[Status.UNCERTAIN] == 4
    assert_nothing_lost(smtp_server, settled=(Status.UNCERTAIN,))
