"""Sending letters through the outbox: exactly once per recipient, through a real worker, broker
and SMTP server."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from correspondence import sending
from correspondence.emails import letter_build
from correspondence.models import LanguageMode, Letter
from outbox import services as outbox
from outbox.models import OutgoingMail
from tests import factories
from tests.worker import WorkerProcess, wait_until

Status = OutgoingMail.Status
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
    """What the send button does: queue the copies, the worker is told after commit."""
    return sending.letter_send(letter=letter).count


def mails(letter):
    return sending.letter_mails(letter)


def all_done(letter):
    return not mails(letter).pending().exists()


def wait_for_letter(letter, worker, timeout=60):
    """Until no copy of ``letter`` is queued or sending and the worker has marked the letter
    itself finished (a moment after its last copy); the worker's log if it never ends."""

    def finished():
        still_sending = Letter.objects.filter(pk=letter.pk, status=Letter.Status.SENDING)
        return all_done(letter) and not still_sending.exists()

    wait_until(finished, timeout=timeout, message=worker.log)


def report(letter) -> str:
    """Each copy's status and reason, to explain a failed assertion."""
    rows = mails(letter).values_list("email", "status", "reason")
    return "\n".join(" | ".join(row) for row in rows)


def statuses(letter) -> dict:
    return mails(letter).status_counts()


def deliver_all(letter):
    """What the worker does with each queued copy, in this process."""
    for pk in mails(letter).filter(status=Status.QUEUED).values_list("pk", flat=True):
        outbox.send(mail_id=pk)


def sweep_now():
    """The sweeper (beat runs it every minute) with its waits elapsed."""
    return outbox.sweep(sending_timeout=timedelta(0), queue_stale=timedelta(0))


def addresses_in_headers(message) -> set:
    return {
        address.lower()
        for name, value in message.items()
        if name.lower() != "message-id"
        for address in ADDRESS.findall(str(value))
    }


def assert_no_duplicate_and_none_lost(letter, smtp_server):
    """Nobody received it twice; every sent copy was received once; an uncertain one at most
    once; nothing is left waiting."""
    received = smtp_server.count_by_recipient()
    assert not received or max(received.values()) == 1, "a recipient got the letter twice"
    for mail in mails(letter):
        assert mail.status in (Status.SENT, Status.UNCERTAIN), report(letter)
        if mail.status == Status.SENT:
            assert received[mail.email.lower()] == 1, report(letter)
        else:
            assert received.get(mail.email.lower(), 0) <= 1


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
        assert message["Auto-Submitted"] == "auto-generated"
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
        assert "Do not share the toolkit link" in message.get_body(("plain",)).get_content()
        assert [part.get_filename() for part in message.iter_attachments()] == ["toolkit.pdf"]
    welsh_copy = next(m.message for m in smtp_server.messages if welsh.email in m.rcpt_tos)
    assert welsh_copy["Content-Language"] == "cy"
    assert welsh_copy["Subject"].startswith("Cymorth ar gyfer camwybodaeth")
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
    assert mails(letter).pending().exists(), "killed too late"
    sweep_now()  # nothing is running now: what was "sending" is uncertain
    celery_worker_process.start()
    wait_for_letter(letter, celery_worker_process)

    assert_no_duplicate_and_none_lost(letter, smtp_server)
    counts = statuses(letter)
    assert counts[Status.SENT] + counts[Status.UNCERTAIN] == 200
    assert counts[Status.UNCERTAIN] <= 1, "only the copy in flight may be uncertain"
    for mail in mails(letter).filter(status=Status.UNCERTAIN):
        assert "may have accepted" in mail.reason


@pytest.mark.worker
def test_refused_recipients_fail_with_the_reason_and_resending_reaches_only_them(
    celery_worker_process, smtp_server, official
):
    recipients = people(6)
    refused = recipients[:2]
    smtp_server.refuse([person.email for person in refused])
    letter = draft_letter(recipients)
    send(letter)
    wait_for_letter(letter, celery_worker_process)

    failed = mails(letter).filter(status=Status.FAILED)
    assert {m.person_id for m in failed} == {person.pk for person in refused}
    assert all(m.reason.startswith("550") and "Mailbox unavailable" in m.reason for m in failed)
    assert all(m.attempts == 1 for m in failed), "a permanent refusal is not retried"
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT  # nothing left to send: the failures are shown
    before = smtp_server.count_by_recipient()

    smtp_server.accept_all()
    resent = sending.letter_resend_failed(letter=letter, user=official, reason="Mailbox fixed")
    assert resent == 2
    wait_for_letter(letter, celery_worker_process)

    after = smtp_server.count_by_recipient()
    assert after - before == {person.email.lower(): 1 for person in refused}
    assert after == {person.email.lower(): 1 for person in recipients}
    assert statuses(letter)[Status.SENT] == 6
    assert set(mails(letter).exclude(resolution="").values_list("resolution", flat=True)) == {
        "Mailbox fixed"
    }


@pytest.mark.worker
def test_a_deferred_recipient_is_retried_with_backoff_until_accepted(
    celery_worker_process, smtp_server
):
    (person,) = people(1)
    smtp_server.defer(person.email, times=2)
    letter = draft_letter([person])
    send(letter)
    wait_for_letter(letter, celery_worker_process)

    mail = mails(letter).get()
    assert (mail.status, mail.attempts) == (Status.SENT, 3)
    assert smtp_server.count_by_recipient() == {person.email.lower(): 1}


@pytest.mark.worker
def test_a_line_dropped_after_each_message_leaves_them_uncertain_and_they_are_settled_in_bulk(
    celery_worker_process, smtp_server, official
):
    recipients = people(5)
    smtp_server.hang_up_after_data()
    letter = draft_letter(recipients)
    send(letter)
    wait_for_letter(letter, celery_worker_process)

    assert statuses(letter)[Status.UNCERTAIN] == 5, report(letter)
    smtp_server.accept_all()
    sweep_now()
    sweep_now()  # two beats
    wait_for_letter(letter, celery_worker_process)
    assert smtp_server.count_by_recipient() == {p.email.lower(): 1 for p in recipients}

    settled = sending.letter_confirm_sent(
        letter=letter, mails=mails(letter), user=official, reason="250 OK in the mail log"
    )
    assert settled == 5
    assert statuses(letter)[Status.SENT] == 5
    assert set(mails(letter).values_list("resolved_by", "resolution")) == {
        (official.pk, "250 OK in the mail log")
    }
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


@pytest.mark.worker
def test_two_workers_and_repeated_dispatches_send_each_copy_once(
    celery_worker_process, celery_broker, smtp_server, celery_worker_env, tmp_path_factory
):
    second = WorkerProcess(
        broker=celery_broker,
        smtp=smtp_server,
        log_dir=tmp_path_factory.mktemp("second-worker-log"),
        env=celery_worker_env,
    ).start()
    try:
        recipients = people(120)
        letter = draft_letter(recipients)
        send(letter)
        ids = list(mails(letter).values_list("pk", flat=True))
        outbox.enqueue(ids)  # the same tasks once more, as a second beat's sweep would
        # Two sweeps now, as two beats would: every queued row gets another task (the workers
        # are alive, so nothing "sending" is stuck).
        outbox.sweep(queue_stale=timedelta(0))
        outbox.sweep(queue_stale=timedelta(0))
        wait_for_letter(letter, celery_worker_process, timeout=120)

        def sent_tasks():
            logs = celery_worker_process.log() + second.log()
            return [
                line
                for line in logs.splitlines()
                if "send_outgoing_mail[" in line and "succeeded" in line
            ]

        # Every duplicate task has run too, and found nothing left to send.
        wait_until(lambda: len(sent_tasks()) >= 240, timeout=90, message=second.log)
        assert "succeeded" in celery_worker_process.log() and "succeeded" in second.log()
    finally:
        second.kill()

    assert smtp_server.count_by_recipient() == {p.email.lower(): 1 for p in recipients}
    assert statuses(letter)[Status.SENT] == 120, report(letter)


# The unit of work, in this process -------------------------------------------------------------


def test_a_duplicate_task_for_a_sent_copy_sends_nothing(db, smtp_settings, smtp_server):
    letter = draft_letter(people(1))
    send(letter)
    mail = mails(letter).get()

    assert outbox.send(mail_id=mail.pk).status == Status.SENT
    assert outbox.send(mail_id=mail.pk) is None
    OutgoingMail.objects.filter(pk=mail.pk).update(status=Status.SENDING)
    assert outbox.send(mail_id=mail.pk) is None
    assert len(smtp_server.messages) == 1


def test_an_unreachable_mail_server_is_retried_with_growing_waits_then_failed(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_RETRY_BASE_SECONDS = 3, 10
    letter = draft_letter(people(1))
    send(letter)
    mail = mails(letter).get()

    waits = [outbox.send(mail_id=mail.pk).retry_in for _ in range(2)]
    last = outbox.send(mail_id=mail.pk)

    assert waits == [10, 20]
    mail.refresh_from_db()
    assert (last.status, mail.status, mail.attempts) == (Status.FAILED, Status.FAILED, 3)
    assert "Gave up after 3 attempts" in mail.reason
    assert "ConnectionRefusedError" in mail.reason
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


def test_the_sweeper_marks_a_stuck_copy_uncertain_and_never_resends_it(
    db, celery_broker, smtp_settings, smtp_server
):
    letter = draft_letter(people(2))
    send(letter)
    stuck, waiting = mails(letter).order_by("pk")
    long_ago = timezone.now() - timedelta(hours=1)
    OutgoingMail.objects.filter(pk=stuck.pk).update(status=Status.SENDING, claimed_at=long_ago)
    OutgoingMail.objects.filter(pk=waiting.pk).update(enqueued_at=long_ago)

    result = outbox.sweep()

    assert (result.uncertain, result.requeued) == (1, 1)
    stuck.refresh_from_db()
    waiting.refresh_from_db()
    assert stuck.status == Status.UNCERTAIN
    assert waiting.status == Status.QUEUED and waiting.enqueued_at > long_ago
    assert outbox.send(mail_id=stuck.pk) is None
    assert outbox.send(mail_id=waiting.pk).status == Status.SENT
    assert smtp_server.count_by_recipient() == {waiting.email.lower(): 1}
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT  # the sweep's uncertain copy was its last


def test_uncertain_copies_are_confirmed_or_resent_with_a_reason(
    db, smtp_settings, smtp_server, official
):
    letter = draft_letter(people(2))
    send(letter)
    first, second = mails(letter).order_by("pk")
    mails(letter).update(status=Status.UNCERTAIN)
    only = OutgoingMail.objects.filter

    assert sending.letter_confirm_sent(
        letter=letter, mails=only(pk=first.pk), user=official, reason="Ann says it arrived"
    )
    assert sending.letter_resend(
        letter=letter, mails=only(pk=second.pk), user=official, reason="Not in the mail log"
    )
    assert not sending.letter_resend(
        letter=letter, mails=only(pk=first.pk), user=official, reason="Again"
    ), "a confirmed copy is not resent"
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENDING
    outbox.send(mail_id=second.pk)

    first.refresh_from_db()
    assert (first.status, first.resolved_by, first.resolution) == (
        Status.SENT,
        official,
        "Ann says it arrived",
    )
    assert smtp_server.count_by_recipient() == {second.email.lower(): 1}
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


def test_settling_touches_only_the_letters_own_copies(db, official):
    letter, other = draft_letter(people(1)), draft_letter(people(1))
    send(letter), send(other)
    OutgoingMail.objects.update(status=Status.UNCERTAIN)

    count = sending.letter_confirm_sent(
        letter=letter, mails=OutgoingMail.objects.all(), user=official, reason="Checked"
    )

    assert count == 1
    assert mails(other).get().status == Status.UNCERTAIN


def test_a_letter_is_sent_only_once(db):
    letter = draft_letter(people(2))
    send(letter)
    with pytest.raises(ValidationError):
        send(letter)
    assert mails(letter).count() == 2
    assert set(mails(letter).values_list("key", flat=True)) == {
        f"letter:{letter.pk}:person:{m.person_id}" for m in mails(letter)
    }


def test_sending_raises_the_letters_version_once(db):
    letter = draft_letter(people(1))
    before = letter.version
    send(letter)
    letter.refresh_from_db()
    assert letter.version == before + 1


def test_a_letter_nobody_can_receive_is_not_sent(db):
    letter = draft_letter([factories.PersonFactory(email="")])
    with pytest.raises(ValidationError, match="no recipient has an email address"):
        send(letter)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT


@pytest.mark.parametrize(
    ("field", "language"), [("subject_en", "in English"), ("subject_cy", "in Welsh")]
)
def test_a_subject_with_a_line_break_is_refused_before_sending(db, field, language):
    letter = draft_letter(people(2), **{field: "Support\nBcc: everyone@example.org"})

    problems = sending.letter_send_problems(letter)

    refusal = f"Put the subject {language} on one line: it contains a line break."
    assert problems.refusals == [refusal]
    with pytest.raises(ValidationError, match="on one line"):
        send(letter)
    assert not mails(letter).exists()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT


def test_a_subject_with_a_line_break_that_got_through_fails_and_is_never_uncertain(
    db, smtp_settings, smtp_server
):
    letter = draft_letter(people(1))
    send(letter)
    Letter.objects.filter(pk=letter.pk).update(subject_en="Support\r\nBcc: everyone@example.org")
    mail = mails(letter).get()

    assert outbox.send(mail_id=mail.pk).status == Status.FAILED

    mail.refresh_from_db()
    assert "line break" in mail.reason
    assert smtp_server.messages == []


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
    mail = mails(letter).get()

    built = letter_build(mail)

    greetings = re.findall(r"^(?:Dear|Annwyl) .*,$", built.text, flags=re.MULTILINE)
    assert greetings == expected
    assert mail.email == person.email and mail.language == preferred
    assert all(greeting in built.html for greeting in expected)
    assert built.subject == mail.subject


def test_a_resent_copy_gets_a_new_message_id(db, smtp_settings, smtp_server, official):
    letter = draft_letter(people(1))
    send(letter)
    mail = mails(letter).get()
    outbox.send(mail_id=mail.pk)
    OutgoingMail.objects.filter(pk=mail.pk).update(status=Status.UNCERTAIN)

    sending.letter_resend(letter=letter, mails=mails(letter), user=official, reason="Bounced")
    outbox.send(mail_id=mail.pk)

    # A Message-ID line longer than 78 characters (large ids, a long domain) is folded onto a
    # continuation line, which is legal; the ID itself is what follows the whitespace.
    first, second = (received.message["Message-ID"].strip() for received in smtp_server.messages)
    assert first != second
    mail.refresh_from_db()
    assert second == mail.message_id


def test_the_outbox_sweep_alone_looks_after_letters(settings):
    from wrc.celery import app

    assert "correspondence-sweep" not in settings.CELERY_BEAT_SCHEDULE
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60.0
    assert not [name for name in dir(settings) if name.startswith("LETTER_")]


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

    built = letter_build(mails(letter).get())

    for text in (built.text, built.html):
        assert "Dear " in text and "Annwyl" not in text
        assert "Ysgrifennydd y Cabinet" in text and "Cabinet Secretary" in text
        welsh = text.index("Rydym yn croesawu derbyn gohebiaeth yn Gymraeg.")
        assert welsh < text.index("We welcome receiving correspondence in Welsh.")


def test_a_line_dropped_after_the_message_leaves_it_uncertain_not_resent(
    db, celery_broker, smtp_settings, smtp_server
):
    letter = draft_letter(people(1))
    send(letter)
    mail = mails(letter).get()
    smtp_server.hang_up_after_data()

    outcome = outbox.send(mail_id=mail.pk)

    mail.refresh_from_db()
    assert outcome.retry_in is None
    assert mail.status == Status.UNCERTAIN
    assert "check before resending" in mail.reason
    smtp_server.accept_all()
    assert outbox.send(mail_id=mail.pk) is None
    sweep_now()
    assert outbox.send(mail_id=mail.pk) is None
    assert smtp_server.count_by_recipient() == {mail.email.lower(): 1}


# Sending while the broker is down ---------------------------------------------------------------


def test_a_letter_sent_while_the_broker_is_down_is_queued_and_the_page_says_so(
    transactional_db, broker_down, client, secretariat
):
    recipients = people(3)
    letter = draft_letter(recipients)
    client.force_login(secretariat)

    response = client.post(reverse("correspondence:draft_send", args=[letter.pk]), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [
        (reverse("correspondence:outbox_letter", args=[letter.pk]), 302)
    ]
    content = response.content.decode()
    assert "queued for 3 recipients and will be sent when the worker is reachable again" in content
    assert statuses(letter)[Status.QUEUED] == 3
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENDING
