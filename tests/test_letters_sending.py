"""Sending letters: exactly once per recipient, through a real worker, broker and SMTP server."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from correspondence import sending
from correspondence.emails import letter_message
from correspondence.models import Delivery, LanguageMode, Letter
from tests import factories
from tests.worker import wait_until

Status = Delivery.Status
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*", re.ASCII)


def draft_letter(people, **kwargs) -> Letter:
    letter = factories.LetterFactory(
        status=Letter.Status.DRAFT, audience=Letter.Audience.PEOPLE, **kwargs
    )
    letter.recipient_people.set(people)
    return letter


def people(count, **kwargs):
    organisation = factories.OrganisationFactory()
    with transaction.atomic():
        return factories.PersonFactory.create_batch(count, organisation=organisation, **kwargs)


def send(letter) -> int:
    """What the send button does: queue the deliveries, the worker is told after commit."""
    return sending.letter_send(letter=letter)


def all_done(letter):
    return not Delivery.objects.filter(letter=letter).pending().exists()


def wait_for_letter(letter, worker, timeout=60):
    """Until no delivery of ``letter`` is queued or sending; the worker's log if it never ends."""
    wait_until(lambda: all_done(letter), timeout=timeout, message=worker.log)


def report(letter) -> str:
    """Each delivery's status and reason, to explain a failed assertion."""
    rows = Delivery.objects.filter(letter=letter).values_list("email", "status", "reason")
    return "\n".join(" | ".join(row) for row in rows)


def statuses(letter) -> dict:
    return Delivery.objects.filter(letter=letter).status_counts()


def addresses_in_headers(message) -> set:
    return {
        address.lower()
        for name, value in message.items()
        if name.lower() != "message-id"
        for address in ADDRESS.findall(str(value))
    }


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """This process sends through the test SMTP server (for the unit-of-work tests)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    return settings


# Through a real worker -------------------------------------------------------------------------


@pytest.mark.worker
def test_each_recipient_gets_exactly_one_letter_addressed_to_them_alone(
    media_root, celery_worker_process, smtp_server
):
    recipients = people(6)
    welsh = factories.PersonFactory(preferred_language="cy", full_name="Aled Roberts")
    no_email = factories.PersonFactory(email="")
    outsider = factories.PersonFactory()
    letter = draft_letter(
        [*recipients, welsh, no_email],
        body_cy="Rwy'n ysgrifennu atoch i ddweud ein bod yn sefyll gyda chi.",
        subject_cy="Cymorth ar gyfer camwybodaeth",
        restricted_note="Do not share the toolkit link on social media.",
    )
    factories.CarbonCopyFactory(letter=letter, as_written="WLGA")
    enclosure = factories.EnclosureFactory(letter=letter, title="Draft Misinformation toolkit")
    enclosure.file.save("toolkit.pdf", ContentFile(b"%PDF-1.4 toolkit"), save=True)

    assert send(letter) == 7
    wait_for_letter(letter, celery_worker_process)

    expected = {person.email.lower() for person in [*recipients, welsh]}
    assert smtp_server.count_by_recipient() == dict.fromkeys(expected, 1), report(letter)
    assert statuses(letter)[Status.SENT] == 7, report(letter)
    assert outsider.email.lower() not in smtp_server.count_by_recipient()
    sender = ADDRESS.search(smtp_server.messages[0].message["From"]).group().lower()
    for received in smtp_server.messages:
        message = received.message
        assert len(received.rcpt_tos) == 1
        assert addresses_in_headers(message) == {received.rcpt_tos[0].lower(), sender}
        assert message["Cc"] is None and message["Bcc"] is None
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
        assert [part.get_filename() for part in message.iter_attachments()] == ["toolkit.pdf"]
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


@pytest.mark.worker
def test_a_killed_worker_loses_no_letter_and_sends_none_twice(celery_worker_process, smtp_server):
    recipients = people(200)
    letter = draft_letter(recipients)
    send(letter)
    wait_until(
        lambda: len(smtp_server.messages) >= 30, timeout=60, message=celery_worker_process.log
    )

    celery_worker_process.kill()
    assert Delivery.objects.filter(letter=letter).pending().exists(), "killed too late"
    # The sweeper (beat runs it every minute) with its waits elapsed: nothing is running now.
    sending.deliveries_sweep(sending_timeout=timedelta(0), queue_stale=timedelta(0))
    celery_worker_process.start()
    wait_for_letter(letter, celery_worker_process)

    received = smtp_server.count_by_recipient()
    assert max(received.values()) == 1, "a recipient got the letter twice"
    counts = statuses(letter)
    assert counts[Status.SENT] + counts[Status.UNCERTAIN] == 200
    assert counts[Status.UNCERTAIN] <= 1, "only the delivery in flight may be uncertain"
    for delivery in Delivery.objects.filter(letter=letter):
        if delivery.status == Status.SENT:
            assert received[delivery.email.lower()] == 1
        else:  # uncertain: the mail server may or may not have it, but never twice
            assert received.get(delivery.email.lower(), 0) <= 1
            assert "may have accepted" in delivery.reason


@pytest.mark.worker
def test_refused_recipients_fail_with_the_reason_and_resending_reaches_only_them(
    celery_worker_process, smtp_server
):
    recipients = people(6)
    refused = recipients[:2]
    smtp_server.refuse([person.email for person in refused])
    letter = draft_letter(recipients)
    send(letter)
    wait_for_letter(letter, celery_worker_process)

    failed = Delivery.objects.filter(letter=letter, status=Status.FAILED)
    assert {d.person_id for d in failed} == {person.pk for person in refused}
    assert all(d.reason.startswith("550") and "Mailbox unavailable" in d.reason for d in failed)
    assert all(d.attempts == 1 for d in failed), "a permanent refusal is not retried"
    before = smtp_server.count_by_recipient()

    smtp_server.accept_all()
    assert sending.letter_resend_failed(letter=letter) == 2
    wait_for_letter(letter, celery_worker_process)

    after = smtp_server.count_by_recipient()
    assert after - before == {person.email.lower(): 1 for person in refused}
    assert after == {person.email.lower(): 1 for person in recipients}
    assert statuses(letter)[Status.SENT] == 6


@pytest.mark.worker
def test_a_deferred_recipient_is_retried_with_backoff_until_accepted(
    celery_worker_process, smtp_server
):
    (person,) = people(1)
    smtp_server.defer(person.email, times=2)
    letter = draft_letter([person])
    send(letter)
    wait_for_letter(letter, celery_worker_process)

    delivery = Delivery.objects.get(letter=letter)
    assert (delivery.status, delivery.attempts) == (Status.SENT, 3)
    assert smtp_server.count_by_recipient() == {person.email.lower(): 1}


# The unit of work, in this process -------------------------------------------------------------


def test_a_duplicate_task_for_a_sent_delivery_sends_nothing(db, smtp_settings, smtp_server):
    letter = draft_letter(people(1))
    send(letter)
    delivery = Delivery.objects.get(letter=letter)

    assert sending.delivery_send(delivery_id=delivery.pk).status == Status.SENT
    assert sending.delivery_send(delivery_id=delivery.pk) is None
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING)
    assert sending.delivery_send(delivery_id=delivery.pk) is None
    assert len(smtp_server.messages) == 1


def test_an_unreachable_mail_server_is_retried_with_growing_waits_then_failed(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    settings.LETTER_MAX_ATTEMPTS, settings.LETTER_RETRY_BASE_SECONDS = 3, 10
    letter = draft_letter(people(1))
    send(letter)
    delivery = Delivery.objects.get(letter=letter)

    waits = [sending.delivery_send(delivery_id=delivery.pk).retry_in for _ in range(2)]
    last = sending.delivery_send(delivery_id=delivery.pk)

    assert waits == [10, 20]
    delivery.refresh_from_db()
    assert (last.status, delivery.status, delivery.attempts) == (Status.FAILED, Status.FAILED, 3)
    assert "Gave up after 3 attempts" in delivery.reason
    assert "ConnectionRefusedError" in delivery.reason


def test_the_sweeper_marks_a_stuck_delivery_uncertain_and_never_resends_it(
    db, celery_broker, smtp_settings, smtp_server
):
    letter = draft_letter(people(2))
    send(letter)
    stuck, waiting = Delivery.objects.filter(letter=letter)
    long_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(pk=stuck.pk).update(status=Status.SENDING, claimed_at=long_ago)
    Delivery.objects.filter(pk=waiting.pk).update(enqueued_at=long_ago)

    result = sending.deliveries_sweep()

    assert (result.uncertain, result.requeued) == (1, 1)
    stuck.refresh_from_db()
    waiting.refresh_from_db()
    assert stuck.status == Status.UNCERTAIN
    assert waiting.status == Status.QUEUED and waiting.enqueued_at > long_ago
    assert sending.delivery_send(delivery_id=stuck.pk) is None
    assert sending.delivery_send(delivery_id=waiting.pk).status == Status.SENT
    assert smtp_server.count_by_recipient() == {waiting.email.lower(): 1}


def test_an_uncertain_delivery_can_be_confirmed_or_resent(db, smtp_settings, smtp_server, official):
    letter = draft_letter(people(2))
    send(letter)
    first, second = Delivery.objects.filter(letter=letter)
    Delivery.objects.filter(letter=letter).update(status=Status.UNCERTAIN)

    assert sending.delivery_confirm_sent(delivery=first, confirmed_by=official)
    assert sending.delivery_resend(delivery=second)
    assert not sending.delivery_resend(delivery=first), "a confirmed delivery is not resent"
    sending.delivery_send(delivery_id=second.pk)

    first.refresh_from_db()
    assert (first.status, first.confirmed_by) == (Status.SENT, official)
    assert smtp_server.count_by_recipient() == {second.email.lower(): 1}
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


def test_a_letter_is_sent_only_once(db):
    letter = draft_letter(people(2))
    send(letter)
    with pytest.raises(ValidationError):
        send(letter)
    assert Delivery.objects.filter(letter=letter).count() == 2


def test_a_letter_nobody_can_receive_is_not_sent(db):
    letter = draft_letter([factories.PersonFactory(email="")])
    with pytest.raises(ValidationError, match="no recipient has an email address"):
        send(letter)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT


def test_all_members_means_current_members_and_the_people_of_member_organisations(db):
    forum = factories.ForumFactory()
    member_org = factories.OrganisationFactory()
    in_org = factories.PersonFactory(organisation=member_org)
    direct = factories.PersonFactory()
    former = factories.PersonFactory()
    factories.PersonFactory()  # in the directory, not a member
    factories.MembershipFactory(forum=forum, organisation=member_org)
    factories.MembershipFactory(forum=forum, organisation=None, person=direct)
    factories.MembershipFactory(
        forum=forum, organisation=None, person=former, left_on=timezone.localdate() - timedelta(1)
    )
    letter = factories.LetterFactory(
        forum=forum, status=Letter.Status.DRAFT, audience=Letter.Audience.ALL_MEMBERS
    )

    assert set(sending.letter_recipients(letter=letter)) == {in_org, direct}


def test_chosen_organisations_reach_their_people(db):
    chosen, other = factories.OrganisationFactory(), factories.OrganisationFactory()
    reached = factories.PersonFactory.create_batch(2, organisation=chosen)
    factories.PersonFactory(organisation=other)
    letter = factories.LetterFactory(
        status=Letter.Status.DRAFT, audience=Letter.Audience.ORGANISATIONS
    )
    letter.recipient_organisations.set([chosen])

    assert set(sending.letter_recipients(letter=letter)) == set(reached)


@pytest.mark.parametrize(
    ("mode", "preferred", "expected"),
    [
        (LanguageMode.BOTH, "cy", ["Annwyl Aled Roberts,", "Dear Aled Roberts,"]),
        (LanguageMode.BOTH, "en", ["Dear Aled Roberts,", "Annwyl Aled Roberts,"]),
        (LanguageMode.PREFERRED, "cy", ["Annwyl Aled Roberts,"]),
        (LanguageMode.PREFERRED, "en", ["Dear Aled Roberts,"]),
    ],
)
def test_the_copy_greets_the_recipient_in_their_language(db, mode, preferred, expected):
    person = factories.PersonFactory(full_name="Aled Roberts", preferred_language=preferred)
    letter = draft_letter([person], body_cy="Corff y llythyr.", language_mode=mode)
    send(letter)

    built = letter_message(delivery=Delivery.objects.get(letter=letter))

    greetings = re.findall(r"^(?:Dear|Annwyl) .*,$", built.body, flags=re.MULTILINE)
    assert greetings == expected
    assert built.to == [person.email]
    assert built.alternatives[0].mimetype == "text/html"
    assert all(greeting in built.alternatives[0].content for greeting in expected)


def test_a_resent_delivery_gets_a_new_message_id(db, smtp_settings, smtp_server):
    letter = draft_letter(people(1))
    send(letter)
    delivery = Delivery.objects.get(letter=letter)
    sending.delivery_send(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.UNCERTAIN)

    sending.delivery_resend(delivery=delivery)
    sending.delivery_send(delivery_id=delivery.pk)

    # A Message-ID line longer than 78 characters (large ids, a long domain) is folded onto a
    # continuation line, which is legal; the ID itself is what follows the whitespace.
    first, second = (received.message["Message-ID"].strip() for received in smtp_server.messages)
    assert first != second
    delivery.refresh_from_db()
    assert second == delivery.message_id


def test_beat_runs_the_sweeper_every_minute_by_default(settings):
    from wrc.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["correspondence-sweep"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60.0


def test_a_copy_in_one_language_keeps_the_bilingual_letterhead_and_welsh_statement(db):
    person = factories.PersonFactory(preferred_language="cy")
    letter = draft_letter(
        [person],
        sender_titles_cy="Ysgrifennydd y Cabinet dros Gyfiawnder Cymdeithasol",
        welsh_language_statement_en="We welcome receiving correspondence in Welsh.",
        welsh_language_statement_cy="Rydym yn croesawu derbyn gohebiaeth yn Gymraeg.",
        body_cy="",  # the text exists in English only
    )
    send(letter)

    built = letter_message(delivery=Delivery.objects.get(letter=letter))

    html = built.alternatives[0].content
    for text in (built.body, html):
        assert "Dear " in text and "Annwyl" not in text
        assert "Ysgrifennydd y Cabinet" in text and "Cabinet Secretary" in text
        welsh = text.index("Rydym yn croesawu derbyn gohebiaeth yn Gymraeg.")
        assert welsh < text.index("We welcome receiving correspondence in Welsh.")


def test_a_line_dropped_after_the_message_leaves_it_uncertain_not_resent(
    db, celery_broker, smtp_settings, smtp_server
):
    letter = draft_letter(people(1))
    send(letter)
    delivery = Delivery.objects.get(letter=letter)
    smtp_server.hang_up_after_data()

    outcome = sending.delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert outcome.retry_in is None
    assert delivery.status == Status.UNCERTAIN
    assert "check before resending" in delivery.reason
    smtp_server.accept_all()
    assert sending.delivery_send(delivery_id=delivery.pk) is None
    sending.deliveries_sweep(sending_timeout=timedelta(0), queue_stale=timedelta(0))
    assert sending.delivery_send(delivery_id=delivery.pk) is None
    assert smtp_server.count_by_recipient() == {delivery.email.lower(): 1}
