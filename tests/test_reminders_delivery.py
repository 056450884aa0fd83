"""Reminders through the outbox and a real SMTP server on loopback: deferrals, refusals, a line
dropped after the message, concurrent sweeps, query counts, and the ledger's migration."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.test import override_settings

from outbox import services as outbox
from outbox.models import OutgoingMail
from reminders.models import ReminderClaim, SweepRun
from reminders.services import reminder_plan_build, reminder_plan_queue, reminders_send_due
from tests import factories
from tests.test_reminders import (
    ALICE,
    BETHAN,
    CARYS,
    DAFYDD,
    EXPECTED,
    REMINDER_SETTINGS,
    at_morning,
    deliver_queued,
    make_cast,
    without_forum,
)
from tests.worker import free_port

TUESDAY = datetime.date(2026, 9, 1)
EVERYONE = {ALICE: 1, BETHAN: 1, CARYS: 1, DAFYDD: 1}
Status = OutgoingMail.Status


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.REMINDERS = REMINDER_SETTINGS
    settings.SITE_URL = "https://forum.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_RETRY_BASE_SECONDS = 3, 10
    return smtp_server


@pytest.fixture
def cast(db):
    with time_machine.travel(at_morning(datetime.date(2026, 8, 20), 10), tick=False):
        return make_cast()


def sweep(day=TUESDAY, deliver=True):
    with time_machine.travel(at_morning(day), tick=False):
        result = reminders_send_due(today=day)
        if deliver:
            deliver_queued()
        return result


def subjects_by_recipient(smtp_server):
    return {
        message.rcpt_tos[0]: without_forum(str(message.message["Subject"]))
        for message in smtp_server.messages
    }


def mail_of(address) -> OutgoingMail:
    return OutgoingMail.objects.get(kind=OutgoingMail.Kind.REMINDER, email=address)


def test_each_person_gets_one_message_with_text_and_html_at_the_smtp_server(cast, smtp_settings):
    first = sweep()
    again = sweep()
    assert (first.queued, again.queued) == (4, 0)
    assert smtp_settings.count_by_recipient() == EVERYONE
    expected = {email: subject for email, (subject, _) in EXPECTED[TUESDAY].items()}
    assert subjects_by_recipient(smtp_settings) == expected
    message = next(m.message for m in smtp_settings.messages if m.rcpt_tos == (BETHAN,))
    kinds = [part.get_content_type() for part in message.walk()]
    assert kinds == ["multipart/alternative", "text/plain", "text/html"]
    assert message["To"] == BETHAN  # one address per message, never the others'
    assert message["Content-Language"] == "cy"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None  # no page to change one's reminders
    bethan = mail_of(BETHAN)
    assert message["Message-ID"] == bethan.message_id
    assert bethan.status == Status.SENT and without_forum(bethan.subject) == expected[BETHAN]
    assert bethan.key.startswith(f"reminder:{TUESDAY}:forum:{bethan.forum_id}:person:")
    assert set(ReminderClaim.objects.values_list("mail__status", flat=True)) == {Status.SENT}


def test_a_refused_address_fails_its_email_keeps_its_reminders_and_is_resent_by_hand(
    cast, smtp_settings, official
):
    smtp_settings.refuse([CARYS])
    sweep()
    carys = mail_of(CARYS)
    assert carys.status == Status.FAILED and "Mailbox unavailable" in carys.reason
    claims = ReminderClaim.objects.filter(recipient__email=CARYS)
    assert claims.exists() and set(claims.values_list("mail", flat=True)) == {carys.pk}
    smtp_settings.accept_all()
    assert sweep().queued == 0  # a refusal is not retried behind the secretariat's back
    assert CARYS not in smtp_settings.count_by_recipient()
    # The outbox page resends it: the same email, rebuilt from the same reminders.
    outbox.resend(OutgoingMail.objects.filter(pk=carys.pk), user=official, reason="New address")
    deliver_queued()
    assert smtp_settings.count_by_recipient() == EVERYONE
    assert subjects_by_recipient(smtp_settings)[CARYS] == EXPECTED[TUESDAY][CARYS][0]
    assert mail_of(CARYS).status == Status.SENT


def test_a_deferral_is_retried_by_the_outbox_and_sent_once(cast, smtp_settings):
    smtp_settings.defer(CARYS, times=1)
    result = sweep()
    assert result.queued == 4
    carys = mail_of(CARYS)
    assert carys.status == Status.QUEUED and carys.reason.startswith("451")
    assert SweepRun.objects.filter(day=TUESDAY).exists()  # recorded and queued: the day is done
    assert sweep().queued == 0
    deliver_queued()  # the retry, when its backoff has passed
    assert smtp_settings.count_by_recipient() == EVERYONE
    carys.refresh_from_db()
    assert (carys.status, carys.attempts) == (Status.SENT, 2)


def test_an_unreachable_mail_server_loses_nothing_and_the_retry_sends(cast, smtp_settings):
    with override_settings(EMAIL_PORT=free_port()):  # nothing listens there
        sweep()
    assert OutgoingMail.objects.status_counts()[Status.QUEUED] == 4
    deliver_queued()
    assert smtp_settings.count_by_recipient() == EVERYONE
    assert OutgoingMail.objects.status_counts()[Status.SENT] == 4


def test_a_line_dropped_after_the_message_is_uncertain_and_never_sent_again(cast, smtp_settings):
    smtp_settings.hang_up_after_data()
    sweep()
    assert OutgoingMail.objects.status_counts()[Status.UNCERTAIN] == 4
    smtp_settings.accept_all()
    assert sweep().queued == 0
    outbox.sweep()
    deliver_queued()
    assert smtp_settings.count_by_recipient() == EVERYONE  # each had it once, never twice


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Real concurrent transactions need PostgreSQL; on SQLite the ledger's unique "
    "constraint is tested directly and two worker processes run in test_reminders_worker.",
)
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_queue_each_reminder_once(smtp_settings):
    with time_machine.travel(at_morning(datetime.date(2026, 8, 20), 10), tick=False):
        make_cast()
    start, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            # Both plans are built before either records, so both want every reminder.
            plan = reminder_plan_build(today=TUESDAY)
            start.wait(timeout=10)
            results.append(reminder_plan_queue(plan=plan))
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
        deliver_queued()
    assert errors == []
    assert sum(result.queued for result in results) == 4
    assert OutgoingMail.objects.count() == 4
    assert smtp_settings.count_by_recipient() == EVERYONE


# Query counts: the same whatever the number of people or of actions per person.

SWEEP_QUERIES = 20  # reading the plan, the emails and claims in batches, the finished sweep
SEND_QUERIES = 16  # the outbox's claim and outcome, and reading one email's reminders back


# SQLite caps a statement's parameters, so the largest case stays well under one batch.
@pytest.mark.parametrize(("people", "actions_per_person"), [(3, 1), (3, 30), (30, 3)])
def test_the_sweep_s_queries_do_not_grow_with_people_or_actions(
    db, settings, django_assert_max_num_queries, people, actions_per_person
):
    settings.REMINDERS = REMINDER_SETTINGS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    meeting = factories.MeetingFactory()
    owners = factories.PersonFactory.create_batch(people)
    role = factories.OwnerRoleFactory()
    role.holders.set(owners[:2])
    for person in owners:
        factories.ActionItemFactory.create_batch(
            actions_per_person, meeting=meeting, owner_person=person, due_date=TUESDAY
        )
    factories.ActionItemFactory.create_batch(actions_per_person, meeting=meeting, owner_role=role)
    with django_assert_max_num_queries(SWEEP_QUERIES):
        result = sweep(deliver=False)
    assert result.queued == people
    assert ReminderClaim.objects.count() == (
        actions_per_person * people * 2 + actions_per_person * 2  # the role's: assigned only
    )
    for mail_id in result.mail_ids:
        with django_assert_max_num_queries(SEND_QUERIES):
            assert outbox.send(mail_id=mail_id).status == Status.SENT


def test_planning_reads_in_a_fixed_number_of_queries(db, settings, django_assert_num_queries):
    settings.REMINDERS = REMINDER_SETTINGS
    factories.ActionItemFactory.create_batch(
        20, owner_person=factories.PersonFactory(), due_date=TUESDAY
    )
    with django_assert_num_queries(9):  # one of them reads the forums that send reminders
        plan = reminder_plan_build(today=TUESDAY)
    assert len(plan.reminders) == 1
