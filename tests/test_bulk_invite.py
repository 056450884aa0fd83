"""Inviting the people ticked on the people list: one invitation email each through the same
invitation as a person's page, the people who cannot be invited named with the reason, and only
the people of the forums the user keeps the records of."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from directory.models import AccountInvitation, AuditEvent
from tests import factories

URL = "directory:people_invite"


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


def forum_person(forum, **kwargs):
    person = factories.PersonFactory(**kwargs)
    factories.MembershipFactory(forum=forum, person=person, organisation=None)
    return person


def invite(client, people, follow=False):
    return client.post(
        reverse(URL), {"person": [str(person.pk) for person in people]}, follow=follow
    )


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_each_selected_person_is_invited_once(client, official, forum, mailoutbox):
    ama = forum_person(forum, full_name="Ama Owusu", email="ama@example.org")
    bryn = forum_person(forum, full_name="Bryn Jones", email="bryn@example.org")
    client.force_login(official)

    # A person ticked twice (two pages open) still gets one email.
    response = client.post(reverse(URL), {"person": [ama.pk, bryn.pk, ama.pk]})

    assert response["Location"] == reverse("directory:person_list")
    assert sorted(message.to[0] for message in mailoutbox) == [
        "ama@example.org",
        "bryn@example.org",
    ]
    assert AccountInvitation.objects.filter(person=ama).count() == 1
    assert AccountInvitation.objects.filter(person=bryn).count() == 1
    ama.refresh_from_db()
    assert ama.user is not None and not ama.user.has_usable_password()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.INVITATION_SENT).count() == 2
    assert "2 invitations have been sent." in said(response)


def test_those_who_cannot_be_invited_are_listed_and_the_others_invited(
    client, official, forum, member, mailoutbox
):
    ama = forum_person(forum, full_name="Ama Owusu", email="ama@example.org")
    no_email = forum_person(forum, full_name="Nia Noemail", email="")
    client.force_login(official)

    response = invite(client, [ama, no_email, member.person])

    messages = said(response)
    assert [message.to for message in mailoutbox] == [["ama@example.org"]]
    assert any(m.startswith(f"{no_email.display_name} was not invited") for m in messages)
    assert any("no email address" in m for m in messages)
    assert any(
        m.startswith(f"{member.person.display_name} was not invited") and "already" in m
        for m in messages
    )
    assert "1 invitation has been sent." in messages
    assert not AccountInvitation.objects.filter(person__in=[no_email, member.person]).exists()


def test_the_secretariat_invites_only_the_people_of_their_forums(client, forum, mailoutbox):
    secretariat = factories.secretariat_user(forum=forum, username="secretariat")
    board = factories.ForumFactory(board=True)
    ours = forum_person(forum, full_name="Ama Owusu", email="ama@example.org")
    theirs = forum_person(board, full_name="Tomos Board", email="tomos@example.org")
    client.force_login(secretariat)

    response = invite(client, [ours, theirs])

    assert [message.to for message in mailoutbox] == [["ama@example.org"]]
    assert not AccountInvitation.objects.filter(person=theirs).exists()
    assert any(m.startswith(f"{theirs.display_name} was not invited") for m in said(response))


def test_choosing_nobody_sends_nothing(client, official, mailoutbox):
    client.force_login(official)

    response = invite(client, [])

    assert not mailoutbox
    assert "Choose the people to invite." in said(response)


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_those_who_keep_no_records_may_not_invite(client, request, forum, role, mailoutbox):
    person = forum_person(forum, email="ama@example.org")
    client.force_login(request.getfixturevalue(role))

    assert invite(client, [person]).status_code == 403
    assert not mailoutbox and not AccountInvitation.objects.exists()


def test_the_people_list_offers_a_tick_box_for_those_who_can_be_invited(
    client, official, forum, member
):
    ama = forum_person(forum, full_name="Ama Owusu", email="ama@example.org")
    no_email = forum_person(forum, full_name="Nia Noemail", email="")
    client.force_login(official)

    page = client.get(reverse("directory:person_list")).content.decode()

    assert f'action="{reverse(URL)}"' in page and "Invite selected" in page
    assert f'name="person" type="checkbox" value="{ama.pk}"' in page
    assert f'value="{no_email.pk}"' not in page
    assert f'value="{member.person.pk}"' not in page
