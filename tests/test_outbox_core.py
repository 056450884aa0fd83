"""The outbox's one state machine: queued once per key, claimed before SMTP, one classifier,
settled by hand with a reason, swept when a worker dies — against a real SMTP server."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.models import OutgoingMail
from tests import factories
from tests.worker import wait_until

Status = OutgoingMail.Status


def notification(person, key="hello", subject="Meeting moved", body="The meeting has moved."):
    return OutgoingMail(
        kind=OutgoingMail.Kind.NOTIFICATION,
        key=f"{key}:person:{person.pk}",
        person=person,
        email=person.email,
        language=person.preferred_language,
        subject=subject,
        payload={"template": "outbox/message", "subject": subject, "context": {"body": body}},
    )


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_RETRY_BASE_SECONDS = 3, 10
    return settings


def test_the_same_key_is_queued_once(db):
    person = factories.PersonFactory()
    first = services.queue(notification(person))
    again = services.queue(notification(person, subject="Changed"))
    assert first is not None and again == first
    assert OutgoingMail.objects.count() == 1
    assert OutgoingMail.objects.get().subject == "Meeting moved"


def test_a_sent_key_is_not_queued_again(db, smtp_settings, smtp_server):
    person = factories.PersonFactory()
    mail_id = services.queue(notification(person))
    assert services.send(mail_id=mail_id).status == Status.SENT
    assert services.queue(notification(person)) is None
    assert services.send(mail_id=mail_id) is None  # a duplicate task sends nothing
    assert smtp_server.count_by_recipient() == {person.email.lower(): 1}
    received = smtp_server.messages[0].message
    assert received["Subject"] == "Meeting moved"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"] == OutgoingMail.objects.get().message_id
    assert "The meeting has moved." in received.get_body(("plain",)).get_content()


def test_a_refusal_fails_with_the_servers_reason(db, smtp_settings, smtp_server):
    person = factories.PersonFactory()
    smtp_server.refuse([person.email])
    mail_id = services.queue(notification(person))
    assert services.send(mail_id=mail_id).status == Status.FAILED
    mail = OutgoingMail.objects.get(pk=mail_id)
    assert mail.reason.startswith("550")
    assert smtp_server.messages == []


def test_a_deferral_is_retried_and_bounded(db, smtp_settings, smtp_server):
    person = factories.PersonFactory()
    smtp_server.defer(person.email, times=5)
    mail_id = services.queue(notification(person))
    outcomes = []
    for _attempt in range(3):
        outcomes.append(services.send(mail_id=mail_id))
    assert [outcome.status for outcome in outcomes] == [Status.QUEUED, Status.QUEUED, Status.FAILED]
    assert outcomes[0].retry_in == 10 and outcomes[1].retry_in == 20
    mail = OutgoingMail.objects.get(pk=mail_id)
    assert mail.attempts == 3 and "Gave up after 3 attempts" in mail.reason


def test_a_connection_dropped_after_the_message_is_uncertain_not_resent(
    db, smtp_settings, smtp_server
):
    person = factories.PersonFactory()
    smtp_server.hang_up_after_data()
    mail_id = services.queue(notification(person))
    assert services.send(mail_id=mail_id).status == Status.UNCERTAIN
    assert services.send(mail_id=mail_id) is None
    assert OutgoingMail.objects.get(pk=mail_id).status == Status.UNCERTAIN


def test_a_subject_with_a_line_break_fails_when_built_never_uncertain(
    db, smtp_settings, smtp_server
):
    person = factories.PersonFactory()
    mail_id = services.queue(notification(person, subject="Agenda\nBcc: everyone@example.org"))
    assert services.send(mail_id=mail_id).status == Status.FAILED
    mail = OutgoingMail.objects.get(pk=mail_id)
    assert "line break" in mail.reason
    assert smtp_server.messages == []


def test_settling_uncertain_messages_in_bulk_records_who_and_why(db, smtp_settings, official):
    people = factories.PersonFactory.create_batch(3)
    ids = services.queue_many([notification(person) for person in people])
    OutgoingMail.objects.filter(pk__in=ids).update(status=Status.UNCERTAIN)
    first, second, third = ids
    confirmed = services.confirm_sent(
        OutgoingMail.objects.filter(pk__in=[first, second]),
        user=official,
        reason="Mail log shows 250 OK",
    )
    assert confirmed == 2
    settled = OutgoingMail.objects.get(pk=first)
    assert settled.status == Status.SENT and settled.resolved_by == official
    assert settled.resolution == "Mail log shows 250 OK"
    with transaction.atomic():
        assert services.resend(OutgoingMail.objects.all(), user=official, reason="Bounced") == 1
    again = OutgoingMail.objects.get(pk=third)
    assert again.status == Status.QUEUED and again.attempts == 0 and again.resolution == "Bounced"


def test_the_sweeper_marks_stuck_rows_uncertain_and_requeues_lost_ones(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    person, other = factories.PersonFactory.create_batch(2)
    stuck, lost = services.queue_many([notification(person), notification(other)])
    long_ago = timezone.now() - timedelta(hours=2)
    OutgoingMail.objects.filter(pk=stuck).update(status=Status.SENDING, claimed_at=long_ago)
    OutgoingMail.objects.filter(pk=lost).update(enqueued_at=long_ago)
    sent_tasks = []
    from outbox import tasks

    original = tasks.send_outgoing_mail.delay
    tasks.send_outgoing_mail.delay = sent_tasks.append  # record what would reach the broker
    try:
        result = services.sweep()
    finally:
        tasks.send_outgoing_mail.delay = original
    assert result.uncertain == 1 and result.requeued == 1
    assert sent_tasks == [lost]
    assert OutgoingMail.objects.get(pk=stuck).status == Status.UNCERTAIN
    assert OutgoingMail.objects.get(pk=lost).enqueued_at > long_ago


def test_a_broker_that_is_down_leaves_the_message_queued(db, broker_down):
    person = factories.PersonFactory()
    mail_id = services.queue(notification(person))
    assert services.dispatch([mail_id]) is False
    assert OutgoingMail.objects.get(pk=mail_id).status == Status.QUEUED


@pytest.mark.worker
def test_through_a_real_worker_each_person_gets_one(celery_worker_process, smtp_server):
    people = factories.PersonFactory.create_batch(5)
    with transaction.atomic():
        ids = services.queue_many([notification(person) for person in people])
        services.dispatch_on_commit(ids)
    wait_until(
        lambda: not OutgoingMail.objects.pending().exists(),
        timeout=60,
        message=celery_worker_process.log,
    )
    assert smtp_server.count_by_recipient() == {person.email.lower(): 1 for person in people}
    assert OutgoingMail.objects.status_counts()[Status.SENT] == 5


def test_the_sweeper_marks_a_letter_sent_whose_last_worker_stopped_before_doing_so(db):
    """The last copy was sent, but its worker died before the letter was marked: the sweeper
    catches up, and leaves a letter with a copy still queued as it is."""
    from correspondence.models import Letter

    done = factories.LetterFactory(status=Letter.Status.SENDING)
    waiting = factories.LetterFactory(status=Letter.Status.SENDING)
    for letter, status in ((done, Status.SENT), (waiting, Status.QUEUED)):
        person = factories.PersonFactory()
        OutgoingMail.objects.create(
            kind=OutgoingMail.Kind.LETTER,
            key=f"letter:{letter.pk}:person:{person.pk}",
            letter=letter,
            person=person,
            email=person.email,
            language="en",
            status=status,
        )

    services.sweep(queue_stale=timedelta(days=1))

    done.refresh_from_db()
    waiting.refresh_from_db()
    assert done.status == Letter.Status.SENT
    assert waiting.status == Letter.Status.SENDING
