"""Reminders through a real SMTP server on loopback, concurrent sweeps, and query counts."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.test import override_settings

from reminders.models import ReminderClaim, SweepRun
from reminders.services import reminder_plan_build, reminder_plan_deliver, reminders_send_due
from reminders.tasks import send_due_reminders
from tests import factories
from tests.test_reminders import (
    ALICE,
    BETHAN,
    CARYS,
    DAFYDD,
    EXPECTED,
    REMINDER_SETTINGS,
    at_morning,
    make_cast,
    without_forum,
)
from tests.worker import free_port

TUESDAY = datetime.date(2026, 9, 1)


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.REMINDERS = REMINDER_SETTINGS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    return smtp_server


@pytest.fixture
def cast(db):
    with time_machine.travel(at_morning(datetime.date(2026, 8, 20), 10), tick=False):
        return make_cast()


def sweep(day=TUESDAY):
    with time_machine.travel(at_morning(day), tick=False):
        return reminders_send_due(today=day)


def subjects_by_recipient(smtp_server):
    return {
        message.rcpt_tos[0]: without_forum(str(message.message["Subject"]))
        for message in smtp_server.messages
    }


def test_each_person_gets_one_message_with_text_and_html_at_the_smtp_server(cast, smtp_settings):
    sweep()
    sweep()
    assert smtp_settings.count_by_recipient() == {ALICE: 1, BETHAN: 1, CARYS: 1, DAFYDD: 1}
    expected = {email: subject for email, (subject, _) in EXPECTED[TUESDAY].items()}
    assert subjects_by_recipient(smtp_settings) == expected
    message = next(m.message for m in smtp_settings.messages if m.rcpt_tos == (BETHAN,))
    kinds = [part.get_content_type() for part in message.walk()]
    assert kinds == ["multipart/alternative", "text/plain", "text/html"]
    assert message["To"] == BETHAN  # one address per message, never the others'


def test_a_refused_address_leaves_its_reminders_failed_with_the_reason(cast, smtp_settings):
    smtp_settings.refuse([CARYS])
    result = sweep()
    assert (result.sent, result.failed) == (3, 1)
    failed = ReminderClaim.objects.filter(recipient__email=CARYS)
    assert {c.status for c in failed} == {ReminderClaim.Status.FAILED}
    assert all("Mailbox unavailable" in c.failure_reason for c in failed)
    smtp_settings.accept_all()
    sweep()  # a permanent refusal is not retried behind the secretariat's back
    assert CARYS not in smtp_settings.count_by_recipient()


def test_a_deferred_address_is_given_back_and_sent_by_the_next_sweep(cast, smtp_settings):
    smtp_settings.defer(CARYS, times=1)
    first = sweep()
    assert (first.sent, first.released) == (3, 1)
    assert not ReminderClaim.objects.filter(recipient__email=CARYS).exists()
    assert not SweepRun.objects.exists()  # the day is not done: its digests may still be owed
    second = sweep()
    assert (second.sent, second.released) == (1, 0)
    assert smtp_settings.count_by_recipient() == {ALICE: 1, BETHAN: 1, CARYS: 1, DAFYDD: 1}


def test_an_unreachable_mail_server_loses_nothing_and_the_next_sweep_sends(cast, smtp_settings):
    with override_settings(EMAIL_PORT=free_port()):  # nothing listens there
        outcome = send_due_reminders.apply(kwargs={"day": TUESDAY.isoformat()})
    assert outcome.failed()  # retried, then given up until the next sweep
    assert not ReminderClaim.objects.exists()
    sweep()
    assert smtp_settings.count_by_recipient() == {ALICE: 1, BETHAN: 1, CARYS: 1, DAFYDD: 1}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Real concurrent transactions need PostgreSQL; on SQLite the ledger's unique "
    "constraint is tested directly and two worker processes run in test_reminders_worker.",
)
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_reminder_once(smtp_settings):
    with time_machine.travel(at_morning(datetime.date(2026, 8, 20), 10), tick=False):
        make_cast()
    start, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            # Both plans are built before either claims, so both want every reminder.
            plan = reminder_plan_build(today=TUESDAY)
            start.wait(timeout=10)
            results.append(reminder_plan_deliver(plan=plan))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with time_machine.travel(at_morning(TUESDAY), tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert sum(result.sent for result in results) == 4
    assert smtp_settings.count_by_recipient() == {ALICE: 1, BETHAN: 1, CARYS: 1, DAFYDD: 1}


# Query counts: the same whatever the number of actions per person.

FIXED_QUERIES = 10  # reading the plan (with the forums), and recording the finished sweep
QUERIES_PER_PERSON = 3  # claim, read what was won, record the send


# SQLite caps a statement at 999 parameters, so it inserts at most 111 claims per INSERT: the
# largest case stays under that (90 claims each). PostgreSQL takes any number in one INSERT.
@pytest.mark.parametrize("actions_per_person", [1, 10, 30])
def test_the_sweep_s_queries_do_not_grow_with_actions_per_person(
    db, settings, django_assert_max_num_queries, actions_per_person
):
    settings.REMINDERS = REMINDER_SETTINGS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    meeting = factories.MeetingFactory()
    people = factories.PersonFactory.create_batch(3)
    role = factories.OwnerRoleFactory()
    role.holders.set(people[:2])
    for person in people:
        factories.ActionItemFactory.create_batch(
            actions_per_person, meeting=meeting, owner_person=person, due_date=TUESDAY
        )
    factories.ActionItemFactory.create_batch(actions_per_person, meeting=meeting, owner_role=role)
    with django_assert_max_num_queries(FIXED_QUERIES + QUERIES_PER_PERSON * len(people)):
        result = sweep()
    assert result.sent == 3
    assert ReminderClaim.objects.filter(status=ReminderClaim.Status.SENT).count() == (
        actions_per_person * 3 * 2 + actions_per_person * 2
    )


def test_planning_reads_in_a_fixed_number_of_queries(db, settings, django_assert_num_queries):
    settings.REMINDERS = REMINDER_SETTINGS
    factories.ActionItemFactory.create_batch(
        20, owner_person=factories.PersonFactory(), due_date=TUESDAY
    )
    with django_assert_num_queries(9):  # one of them reads the forums that send reminders
        plan = reminder_plan_build(today=TUESDAY)
    assert len(plan.reminders) == 1
