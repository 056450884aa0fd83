"""Invitations and accounts: inviting a person from their page, the single-use link that
expires, sending again, deactivating and reactivating, and who may do it."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory.models import AccountInvitation, Membership
from tests import factories
from wrc import access

PASSWORD = "a long enough passphrase"
LINK = re.compile(r"https://forum\.example\.org(/accounts/invitation/[^/]+/[^/\s\"]+/)")


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://forum.example.org"


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


@pytest.fixture
def invitee(forum):
    person = factories.PersonFactory(
        full_name="Ifan Invited", email="Ifan.Invited@example.org", preferred_language="cy"
    )
    factories.MembershipFactory(forum=forum, person=person, organisation=None)
    return person


def invite(client, user, person):
    client.force_login(user)
    response = client.post(reverse("directory:person_invite", args=[person.pk]))
    client.logout()
    return response


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


def signs_in(client, username, password=PASSWORD) -> bool:
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def choose_password(client, link, password=PASSWORD):
    response = client.get(link)
    if response.status_code != 302:
        return response
    return client.post(response["Location"], {"new_password1": password, "new_password2": password})


def test_inviting_sends_one_email_in_their_language_with_a_link(client, secretariat, invitee):
    response = invite(client, secretariat, invitee)

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Ifan.Invited@example.org"]
    assert message.extra_headers["Content-Language"] == "cy"
    assert message.subject.startswith("Eich cyfrif ar gyfer")
    assert link_in(message) in message.alternatives[0][0]
    invitee.refresh_from_db()
    user = invitee.user
    assert user.username == "ifan.invited@example.org"
    assert not user.has_usable_password()
    assert access.roles_of(user) == {"member"}
    assert AccountInvitation.objects.get().invited_by == secretariat


def test_the_link_sets_a_password_and_signs_them_in(client, secretariat, invitee):
    invite(client, secretariat, invitee)

    response = choose_password(client, link_in(mail.outbox[0]))

    assert response.status_code == 302 and response["Location"] == reverse("home")
    invitee.refresh_from_db()
    assert client.get(reverse("home")).context["user"] == invitee.user
    assert invitee.user.check_password(PASSWORD)
    assert AccountInvitation.objects.get().accepted_at is not None


def test_the_link_works_once(client, secretariat, invitee):
    invite(client, secretariat, invitee)
    link = link_in(mail.outbox[0])
    choose_password(client, link)
    client.logout()

    response = client.get(link, follow=True)

    assert "This invitation link no longer works" in response.content.decode()
    invitee.refresh_from_db()
    assert invitee.user.check_password(PASSWORD)


def test_the_link_expires(client, settings, secretariat, invitee):
    settings.INVITATION_TIMEOUT_SECONDS = 7 * 24 * 60 * 60
    invite(client, secretariat, invitee)
    link = link_in(mail.outbox[0])

    with time_machine.travel(timezone.now() + datetime.timedelta(days=6, hours=23)):
        assert client.get(link).status_code == 302
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, hours=1)):
        response = choose_password(client, link)
        assert response.context["validlink"] is False
    invitee.refresh_from_db()
    assert not invitee.user.has_usable_password()


def test_sending_again_cancels_the_earlier_link(client, secretariat, invitee):
    invite(client, secretariat, invitee)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        invite(client, secretariat, invitee)
    first, second = (link_in(message) for message in mail.outbox)

    assert choose_password(client, first).context["validlink"] is False
    assert choose_password(client, second).status_code == 302
    assert get_user_model().objects.count() == 2  # the secretariat and one invitee


def test_a_deactivated_person_cannot_sign_in_and_their_feed_stops(client, official, invitee):
    invite(client, official, invitee)
    choose_password(client, link_in(mail.outbox[0]))
    feed = reverse("calendars:feed", args=[invitee.calendar_token])
    assert client.get(feed).status_code == 200
    member_client, officials_client = client, Client()
    officials_client.force_login(official)
    officials_client.post(reverse("directory:person_deactivate", args=[invitee.pk]))
    invitee.refresh_from_db()

    # The open session ends at once, the password no longer works, the feed is gone.
    assert member_client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert not signs_in(member_client, invitee.user.username)
    assert member_client.get(feed).status_code == 404
    assert invitee.user.check_password(PASSWORD)  # the account and its history are kept


def test_reactivating_restores_sign_in(client, official, invitee):
    invite(client, official, invitee)
    choose_password(client, link_in(mail.outbox[0]))
    client.force_login(official)
    client.post(reverse("directory:person_deactivate", args=[invitee.pk]))
    client.post(reverse("directory:person_reactivate", args=[invitee.pk]))
    client.logout()
    invitee.refresh_from_db()

    assert signs_in(client, invitee.user.username)


def test_a_person_with_a_password_is_not_invited_again(client, official, invitee):
    invite(client, official, invitee)
    choose_password(client, link_in(mail.outbox[0]))

    invite(client, official, invitee)

    assert len(mail.outbox) == 1
    assert AccountInvitation.objects.count() == 1


def test_a_person_without_an_email_cannot_be_invited(client, official, forum):
    person = factories.PersonFactory(email="")

    invite(client, official, person)

    person.refresh_from_db()
    assert person.user is None and not mail.outbox


@pytest.mark.parametrize("who", ["member", "outsider", "board_secretariat"])
def test_those_who_do_not_keep_the_persons_forums_cannot_change_their_account(client, who, invitee):
    users = {
        "member": lambda: factories.member_user(username="member"),
        "outsider": lambda: factories.UserFactory(username="outsider"),
        "board_secretariat": lambda: factories.secretariat_user(
            forum=factories.ForumFactory(board=True), username="board_secretariat"
        ),
    }
    client.force_login(users[who]())

    for name in ("person_invite", "person_deactivate", "person_reactivate"):
        assert client.post(reverse(f"directory:{name}", args=[invitee.pk])).status_code == 403
    assert client.post(reverse("directory:person_invite", args=[10**6])).status_code in (403, 404)

    invitee.refresh_from_db()
    assert invitee.user is None and not mail.outbox and not AccountInvitation.objects.exists()


def test_the_secretariat_may_invite_through_the_persons_organisation(client, secretariat, forum):
    organisation = factories.OrganisationFactory()
    Membership.objects.create(forum=forum, organisation=organisation)
    person = factories.PersonFactory(organisation=organisation)

    invite(client, secretariat, person)

    assert len(mail.outbox) == 1


def test_a_missing_person_is_not_found(client, official):
    client.force_login(official)

    assert client.post(reverse("directory:person_invite", args=[10**6])).status_code == 404


def test_changes_are_post_only(client, official, invitee):
    client.force_login(official)

    assert client.get(reverse("directory:person_invite", args=[invitee.pk])).status_code == 405


def test_the_persons_page_shows_the_account_state(client, official, invitee):
    client.force_login(official)
    page = reverse("directory:person_detail", args=[invitee.pk])

    def shown():
        return client.get(page).content.decode()

    assert "Not invited" in shown()
    client.post(reverse("directory:person_invite", args=[invitee.pk]))
    assert "Invited on" in shown() and "Send the invitation again" in shown()
    client.logout()
    choose_password(client, link_in(mail.outbox[0]))
    client.force_login(official)
    assert "Active: last signed in" in shown()
    client.post(reverse("directory:person_deactivate", args=[invitee.pk]))
    assert "Deactivated" in shown() and "Reactivate the account" in shown()
