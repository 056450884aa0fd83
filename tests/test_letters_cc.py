"""The cc list of a letter: each cc organisation's main contact receives one copy, marked as a
copy for information, through the same outbox (and exactly-once rules) as the recipients."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from correspondence import sending
from correspondence.models import LanguageMode, Letter
from outbox import services as outbox
from outbox.models import OutgoingMail
from tests import factories
from tests.worker import wait_until

Status = OutgoingMail.Status
SEED = Path(settings.BASE_DIR) / "data" / "seeds" / "letter-2025-01-30-JH-PO-31-2025.txt"
ENGLISH_NOTICE = "Copy for information: you receive this letter as a copy to {}."
WELSH_NOTICE = "Copi er gwybodaeth: rydych yn cael y llythyr hwn fel copi ar gyfer {}."
NO_CONTACT = "{} will not receive a copy: no main contact with an email."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """This process sends through the test SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    return settings


def organisation(name, short_name=""):
    return factories.OrganisationFactory(name=name, short_name=short_name)


def contact(organisation, **kwargs):
    return factories.PersonFactory(
        organisation=organisation, is_organisation_contact=True, **kwargs
    )


def draft_letter(recipients, cc=(), **kwargs) -> Letter:
    """A draft to ``recipients``; ``cc`` holds (as written, organisation or None) in order."""
    letter = factories.LetterFactory(
        status=Letter.Status.DRAFT, audience=Letter.Audience.PEOPLE, **kwargs
    )
    letter.recipient_people.set(recipients)
    for order, (as_written, organisation) in enumerate(cc):
        factories.CarbonCopyFactory(
            letter=letter, order=order, as_written=as_written, organisation=organisation
        )
    return letter


def mails(letter):
    return sending.letter_mails(letter)


def copy_to(mail):
    return mail.payload["copy_to"]


def deliver_all(letter):
    """What the worker does with each queued copy, in this process."""
    for pk in mails(letter).filter(status=Status.QUEUED).values_list("pk", flat=True):
        outbox.send(mail_id=pk)


def sweep_now():
    return outbox.sweep(sending_timeout=timedelta(0), queue_stale=timedelta(0))


def plain_text(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def html(received) -> str:
    return received.message.get_body(("html",)).get_content()


def message_to(smtp_server, address):
    (found,) = [m for m in smtp_server.messages if address.lower() in map(str.lower, m.rcpt_tos)]
    return found


# Who receives a copy ---------------------------------------------------------------------------


@pytest.mark.worker
def test_each_cc_organisation_s_main_contact_receives_one_copy_marked_cc_in_their_language(
    celery_worker_process, smtp_server
):
    wcva = organisation("Wales Council for Voluntary Action", "WCVA")
    wlga = organisation("Welsh Local Government Association", "WLGA")
    english_contact = contact(wcva, full_name="Ruth Marks", preferred_language="en")
    welsh_contact = contact(wlga, full_name="Dafydd Ifans", preferred_language="cy")
    colleagues = [factories.PersonFactory(organisation=org) for org in (wcva, wlga)]
    recipients = factories.PersonFactory.create_batch(2)
    letter = draft_letter(
        recipients,
        cc=[("WCVA", wcva), ("WLGA", wlga)],
        body_cy="Rwy'n ysgrifennu atoch i ddweud ein bod yn sefyll gyda chi.",
        language_mode=LanguageMode.PREFERRED,
    )

    assert sending.letter_send(letter=letter).count == 4
    wait_until(
        lambda: not mails(letter).pending().exists(),
        timeout=60,
        message=celery_worker_process.log,
    )

    everyone = [*recipients, english_contact, welsh_contact]
    assert smtp_server.count_by_recipient() == {p.email.lower(): 1 for p in everyone}
    assert not {p.email.lower() for p in colleagues} & set(smtp_server.count_by_recipient())
    copies = {m.person_id: copy_to(m) for m in mails(letter)}
    assert copies == {
        recipients[0].pk: None,
        recipients[1].pk: None,
        english_contact.pk: wcva.pk,
        welsh_contact.pk: wlga.pk,
    }
    assert all(m.status == Status.SENT for m in mails(letter))

    english = message_to(smtp_server, english_contact.email)
    for text in (plain_text(english), html(english)):
        assert ENGLISH_NOTICE.format("Wales Council for Voluntary Action") in text
        assert "Copi er gwybodaeth" not in text
    welsh = message_to(smtp_server, welsh_contact.email)
    for text in (plain_text(welsh), html(welsh)):
        assert WELSH_NOTICE.format("Welsh Local Government Association") in text
        assert "Copy for information" not in text
        assert "Annwyl Dafydd Ifans," in text  # the copy itself is in Welsh too
    for received in (english, welsh):
        assert received.message["Cc"] is None and len(received.rcpt_tos) == 1
    for person in recipients:
        text = plain_text(message_to(smtp_server, person.email))
        assert "Copy for information" not in text and "Copi er gwybodaeth" not in text
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


def test_the_main_contact_is_the_first_marked_person_by_name_with_an_email(db):
    wcva = organisation("Wales Council for Voluntary Action")
    contact(wcva, full_name="Zoe Williams")
    first = contact(wcva, full_name="Bethan Evans")
    contact(wcva, full_name="Alun Davies", email="")  # marked, but cannot be written to
    factories.PersonFactory(organisation=wcva, full_name="Aaron Ashe")  # not marked
    letter = draft_letter(factories.PersonFactory.create_batch(1), cc=[("WCVA", wcva)])

    sending.letter_send(letter=letter)

    copy = mails(letter).exclude(payload__copy_to=None).get()
    assert (copy.person, copy.email, copy_to(copy)) == (first, first.email, wcva.pk)


def test_a_recipient_who_is_also_a_cc_contact_receives_one_message_as_a_recipient(
    db, smtp_settings, smtp_server
):
    wtuc = organisation("Wales TUC")
    both = contact(wtuc, full_name="Shavanah Taj")
    other = factories.PersonFactory()
    letter = draft_letter([both, other], cc=[("Wales TUC", wtuc), ("Wales TUC Cymru", wtuc)])

    assert sending.letter_send(letter=letter).count == 2
    deliver_all(letter)

    assert smtp_server.count_by_recipient() == {both.email.lower(): 1, other.email.lower(): 1}
    assert copy_to(mails(letter).get(person=both)) is None
    assert "Copy for information" not in plain_text(message_to(smtp_server, both.email))


def test_sending_resending_and_sweeping_never_send_a_copy_twice(
    db, smtp_settings, smtp_server, official
):
    wcva = organisation("Wales Council for Voluntary Action")
    wlga = organisation("Welsh Local Government Association")
    refused, accepted = contact(wcva), contact(wlga)
    recipient = factories.PersonFactory()
    letter = draft_letter([recipient], cc=[("WCVA", wcva), ("WLGA", wlga)])
    smtp_server.refuse([refused.email])
    sending.letter_send(letter=letter)
    deliver_all(letter)

    failed = mails(letter).get(status=Status.FAILED)
    assert (failed.person, copy_to(failed)) == (refused, wcva.pk)
    assert failed.reason.startswith("550")
    smtp_server.accept_all()
    settle = {"user": official, "reason": "Address corrected"}
    assert sending.letter_resend_failed(letter=letter, **settle) == 1
    deliver_all(letter)

    expected = {p.email.lower(): 1 for p in (recipient, refused, accepted)}
    assert smtp_server.count_by_recipient() == expected
    with pytest.raises(ValidationError):
        sending.letter_send(letter=letter)
    assert sending.letter_resend_failed(letter=letter, **settle) == 0
    result = sweep_now()
    assert (result.uncertain, result.requeued) == (0, 0)
    for mail in mails(letter):
        assert outbox.send(mail_id=mail.pk) is None
    assert smtp_server.count_by_recipient() == expected
    assert mails(letter).count() == 3
    resent = message_to(smtp_server, refused.email)
    assert ENGLISH_NOTICE.format("Wales Council for Voluntary Action") in plain_text(resent)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


def test_an_uncertain_copy_is_left_for_a_person_to_check(db, smtp_settings, smtp_server):
    wcva = organisation("Wales Council for Voluntary Action")
    cc_contact = contact(wcva)
    letter = draft_letter([factories.PersonFactory()], cc=[("WCVA", wcva)])
    sending.letter_send(letter=letter)
    copy = mails(letter).get(payload__copy_to=wcva.pk)
    smtp_server.hang_up_after_data()

    outbox.send(mail_id=copy.pk)
    smtp_server.accept_all()
    sweep_now()

    copy.refresh_from_db()
    assert copy.status == Status.UNCERTAIN
    assert outbox.send(mail_id=copy.pk) is None
    assert smtp_server.count_by_recipient() == {cc_contact.email.lower(): 1}


def test_an_imported_letter_is_never_sent_so_its_cc_list_receives_nothing(db):
    call_command("import_letter", str(SEED), stdout=StringIO())
    letter = Letter.objects.get()
    assert letter.status == Letter.Status.ARCHIVED
    for copy in letter.cc.all():
        contact(copy.organisation)

    with pytest.raises(ValidationError, match="already been sent"):
        sending.letter_send(letter=letter)
    sweep_now()

    assert not OutgoingMail.objects.exists()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.ARCHIVED


# The send-check page and the outbox ------------------------------------------------------------


def test_a_cc_organisation_nobody_can_receive_a_copy_for_is_a_warning_not_a_refusal(
    client, secretariat
):
    reached = organisation("Wales Council for Voluntary Action")
    nobody = organisation("Police and Crime Commissioners")
    no_email = organisation("Welsh Local Government Association")
    contact(reached)
    factories.PersonFactory(organisation=nobody)  # a person, but not the main contact
    contact(no_email, email="")
    letter = draft_letter(
        [factories.PersonFactory()],
        cc=[
            ("WCVA", reached),
            ("Police & Crime Commissioners", nobody),
            ("WLGA", no_email),
            ("The Cabinet Secretary for Finance", None),
        ],
    )

    problems = sending.letter_send_problems(letter)

    assert problems.refusals == []
    assert problems.warnings == [
        NO_CONTACT.format("Police and Crime Commissioners"),
        NO_CONTACT.format("Welsh Local Government Association"),
        "The Cabinet Secretary for Finance will not receive a copy: it is not an organisation "
        "in the directory.",
    ]
    client.force_login(secretariat)
    preview = client.get(reverse("correspondence:draft_preview", args=[letter.pk]))
    content = preview.content.decode()
    assert NO_CONTACT.format("Police and Crime Commissioners") in content
    assert 'id="send-problems"' not in content
    send_url = reverse("correspondence:draft_send", args=[letter.pk])
    assert f'action="{send_url}"' in content

    client.post(send_url)

    assert mails(letter).count() == 2
    assert {copy_to(mail) for mail in mails(letter)} == {None, reached.pk}


def test_warnings_are_shown_beside_a_refusal_and_only_once(client, secretariat):
    nobody = organisation("Police and Crime Commissioners")
    letter = draft_letter(
        [factories.PersonFactory()],
        cc=[("Police & Crime Commissioners", nobody)],
        welsh_language_statement_cy="",
    )
    client.force_login(secretariat)
    send_url = reverse("correspondence:draft_send", args=[letter.pk])

    response = client.post(send_url, follow=True)

    content = response.content.decode()
    refusal = "Add the Welsh language statement in Welsh before sending"
    assert content.count(refusal) == 1
    assert content.count(NO_CONTACT.format("Police and Crime Commissioners")) == 1
    assert f'action="{send_url}"' not in content
    assert not mails(letter).exists()


def test_the_outbox_lists_each_copy_as_a_cc_row(client, secretariat):
    wcva = organisation("Wales Council for Voluntary Action")
    cc_contact = contact(wcva, full_name="Ruth Marks")
    recipient = factories.PersonFactory(full_name="Ann Jones")
    letter = draft_letter([recipient], cc=[("WCVA", wcva)])
    sending.letter_send(letter=letter)
    client.force_login(secretariat)

    content = client.get(reverse("correspondence:outbox_letter", args=[letter.pk])).content
    rows = {
        int(pk): row
        for pk, row in re.findall(
            r'<tr class="govuk-table__row" data-delivery="(\d+)"(.*?)</tr>', content.decode(), re.S
        )
    }

    copy = mails(letter).get(person=cc_contact)
    addressed = mails(letter).get(person=recipient)
    assert set(rows) == {copy.pk, addressed.pk}
    assert 'data-copy="cc"' in rows[copy.pk] and "Ruth Marks" in rows[copy.pk]
    assert "Copy for information to Wales Council for Voluntary Action" in rows[copy.pk]
    assert 'data-copy="cc"' not in rows[addressed.pk] and "Ann Jones" in rows[addressed.pk]
