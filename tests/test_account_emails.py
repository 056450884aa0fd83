"""Account emails on the outbox: invitations and reset links are outgoing messages of no forum
(for officials' eyes only), sent while the page waits, with no working link stored."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from directory import accounts
from directory.models import AccountInvitation
from outbox import services as outbox
from outbox.models import OutgoingMail
from tests import factories

Kind, Status = OutgoingMail.Kind, OutgoingMail.Status
LIST = reverse("outbox:list")


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


@pytest.fixture
def invitee(forum):
    person = factories.PersonFactory(full_name="Ifan Invited", email="ifan@example.org")
    factories.MembershipFactory(forum=forum, person=person, organisation=None)
    return person


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    return settings


def stored_text(row: OutgoingMail) -> str:
    """Everything the outbox keeps of a message."""
    return " ".join(
        str(value) for value in OutgoingMail.objects.filter(pk=row.pk).values().get().values()
    )


def test_an_invitation_is_an_outgoing_message_of_no_forum_without_its_link(
    client, official, invitee
):
    client.force_login(official)
    client.post(reverse("directory:person_invite", args=[invitee.pk]))

    (message,) = mail.outbox
    link = re.search(r"/accounts/invitation/\S+/", message.body).group()
    (row,) = OutgoingMail.objects.filter(kind=Kind.ACCOUNT_INVITATION)
    assert (row.status, row.forum, row.person, row.email) == (
        Status.SENT,
        None,
        invitee,
        invitee.email,
    )
    assert row.payload == {"invitation": AccountInvitation.objects.get().pk}
    assert link.split("/")[-2] not in stored_text(row)
    assert row.subject == message.subject


def test_a_reset_link_is_made_when_sent_and_never_stored(client, db):
    person = factories.PersonFactory(email="ffion@example.org")
    user = factories.member_user(person=person, username="ffion", email="")
    client.post(reverse("password_reset"), {"email": "ffion@example.org"})
    # Asking again within the minute sends nothing more: nobody can fill a mailbox with links.
    client.post(reverse("password_reset"), {"email": "ffion@example.org"})
    factories.deliver_outbox()

    (message,) = mail.outbox
    token = re.search(r"/accounts/reset/[^/]+/([^/\s]+)/", message.body).group(1)
    (row,) = OutgoingMail.objects.filter(kind=Kind.PASSWORD_RESET)
    assert row.status == Status.SENT and row.forum is None and row.payload == {"user": user.pk}
    assert token not in stored_text(row)


def test_an_invitation_the_server_refuses_says_so_and_is_on_the_outbox_for_officials_only(
    client, official, invitee, smtp_settings, smtp_server, forum
):
    smtp_server.refuse([invitee.email])
    client.force_login(official)
    page = client.post(reverse("directory:person_invite", args=[invitee.pk]), follow=True)

    assert "The invitation could not be sent: 550" in page.text
    row = OutgoingMail.objects.get(kind=Kind.ACCOUNT_INVITATION)
    assert row.status == Status.FAILED and row.reason.startswith("550")
    assert invitee.email in client.get(LIST).text
    secretariat = factories.secretariat_user(forum=forum, username="forum-secretariat")
    client.force_login(secretariat)
    assert invitee.email not in client.get(LIST).text

    # Sent again from the outbox page once the address works: the link is made then.
    smtp_server.accept_all()
    client.force_login(official)
    response = client.post(
        reverse("outbox:settle"), {"mail": [row.pk], "action": "resend", "reason": "Fixed"}
    )
    assert response.status_code == 302
    assert outbox.send(mail_id=row.pk).status == Status.SENT
    (received,) = smtp_server.messages
    assert "/accounts/invitation/" in received.message.get_body(("plain",)).get_content()


def test_an_invitation_queued_before_a_later_one_is_refused_not_sent(db, official, invitee):
    accounts.account_invite(person=invitee, invited_by=official)
    first = OutgoingMail.objects.get(kind=Kind.ACCOUNT_INVITATION)
    accounts.account_invite(person=invitee, invited_by=official)
    OutgoingMail.objects.filter(pk=first.pk).update(status=Status.QUEUED)

    assert outbox.send(mail_id=first.pk).status == Status.FAILED
    assert "later invitation" in OutgoingMail.objects.get(pk=first.pk).reason
    assert len(mail.outbox) == 2
