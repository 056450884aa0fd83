"""The audit record officials read: sign-in (with the address behind the proxy), failed sign-in
(the username, never the password), signing out, invitations, two-step sign-in, contact exports
and letters sent; and the page that lists it, for officials only."""

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from correspondence.models import Letter
from directory import audit
from directory.models import AuditEvent
from tests import factories

PASSWORD = "correct horse battery"  # what factories.UserFactory sets
WRONG_PASSWORD = "not-the-password-at-all"
PROXY = "10.0.0.2"
HOME = "203.0.113.10"
SPOOFED = "192.0.2.99"
LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/[^/]+/[^/\s\"]+/)")
Kind = AuditEvent.Kind


def through_proxy(address=HOME):
    # The client writes its own lie on the left; the trusted proxy appends what it saw.
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{SPOOFED}, {address}"}


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind))


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


# Sign-in and signing out ------------------------------------------------------------------------


@override_settings(TRUSTED_PROXIES=1)
def test_a_sign_in_is_recorded_with_the_address_the_proxy_saw(client, member):
    response = client.post(
        reverse("login"), {"username": "member", "password": PASSWORD}, **through_proxy()
    )

    assert response.status_code == 302
    [event] = events(Kind.SIGN_IN)
    assert (event.actor, event.actor_name, event.ip_address) == (member, "member", HOME)


@override_settings(TRUSTED_PROXIES=1)
def test_a_failed_sign_in_keeps_the_username_and_never_the_password(client, member):
    client.post(
        reverse("login"), {"username": "member", "password": WRONG_PASSWORD}, **through_proxy()
    )

    [event] = events(Kind.SIGN_IN_FAILED)
    assert (event.actor, event.detail, event.ip_address) == (None, "member", HOME)
    assert not events(Kind.SIGN_IN)
    kept = AuditEvent.objects.values_list("detail", "actor_name")
    assert not any(WRONG_PASSWORD in value for row in kept for value in row)


@override_settings(TRUSTED_PROXIES=0)
def test_without_a_trusted_proxy_the_forwarded_header_is_not_believed(client, member):
    client.post(reverse("login"), {"username": "member", "password": PASSWORD}, **through_proxy())

    assert events(Kind.SIGN_IN)[0].ip_address == PROXY


def test_signing_out_is_recorded(client, member):
    client.force_login(member)

    client.post(reverse("logout"), REMOTE_ADDR=HOME)

    [event] = events(Kind.SIGN_OUT)
    assert (event.actor, event.ip_address) == (member, HOME)


# Invitations, two-step sign-in, exports, letters -------------------------------------------------


def test_an_invitation_and_its_acceptance_are_recorded(client, official, forum, mailoutbox):
    person = factories.PersonFactory(full_name="Ifan Invited", email="ifan@example.org")
    factories.MembershipFactory(forum=forum, person=person, organisation=None)
    client.force_login(official)

    client.post(reverse("directory:person_invite", args=[person.pk]), REMOTE_ADDR=HOME)

    [sent] = events(Kind.INVITATION_SENT)
    assert (sent.actor, sent.subject, sent.ip_address) == (official, person, HOME)

    link = LINK.search(mailoutbox[0].body).group(1)
    invitee = type(client)()
    form = invitee.get(link)
    new_password = "a long enough passphrase"
    invitee.post(
        form["Location"],
        {"new_password1": new_password, "new_password2": new_password},
        REMOTE_ADDR=HOME,
    )
    [accepted] = events(Kind.INVITATION_ACCEPTED)
    person.refresh_from_db()
    assert (accepted.actor, accepted.subject) == (person.user, person)


def test_a_contacts_export_is_recorded_with_its_forum(client, secretariat, forum):
    client.force_login(secretariat)

    response = client.get(reverse("directory:contacts_export", args=[forum.slug]), REMOTE_ADDR=HOME)

    assert response.status_code == 200
    [event] = events(Kind.CONTACTS_EXPORTED)
    assert (event.actor, event.forum, event.ip_address) == (secretariat, forum, HOME)
    assert event.detail.endswith(".csv")


def test_an_officials_reset_of_two_step_sign_in_is_recorded(client, official, secretariat):
    client.force_login(official)

    client.post(reverse("directory:person_two_factor_reset", args=[secretariat.person.pk]))

    [event] = events(Kind.TWO_FACTOR_RESET)
    assert (event.actor, event.subject) == (official, secretariat.person)


def test_a_letter_sent_is_recorded_with_its_forum(client, secretariat, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    letter = factories.LetterFactory(
        status=Letter.Status.DRAFT, audience=Letter.Audience.PEOPLE, subject_en="Solidarity"
    )
    letter.recipient_people.set(factories.PersonFactory.create_batch(2))
    client.force_login(secretariat)

    client.post(reverse("correspondence:draft_send", args=[letter.pk]), REMOTE_ADDR=HOME)

    [event] = events(Kind.LETTER_SENT)
    assert (event.actor, event.forum, event.ip_address) == (secretariat, letter.forum, HOME)
    assert "Solidarity" in event.detail


def test_a_letter_that_cannot_be_sent_is_not_recorded(client, secretariat, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    letter = factories.LetterFactory(status=Letter.Status.DRAFT, audience=Letter.Audience.PEOPLE)
    client.force_login(secretariat)

    client.post(reverse("correspondence:draft_send", args=[letter.pk]))

    assert not events(Kind.LETTER_SENT)


# The page ----------------------------------------------------------------------------------------


def test_officials_see_the_record_newest_first_and_by_kind(client, official, member):
    audit.record(Kind.SIGN_IN_FAILED, detail="someone-guessing")
    audit.record(Kind.CONTACTS_EXPORTED, actor=member, detail="wales-race-forum-contacts.csv")
    client.force_login(official)

    page = client.get(reverse("directory:audit_list")).content.decode()
    exports_only = client.get(reverse("directory:audit_list"), {"kind": Kind.CONTACTS_EXPORTED})

    assert page.index("wales-race-forum-contacts.csv") < page.index("someone-guessing")
    assert "wales-race-forum-contacts.csv" in exports_only.content.decode()
    assert "someone-guessing" not in exports_only.content.decode()


def test_the_page_is_in_pages_of_fifty(client, official):
    for n in range(55):
        audit.record(Kind.SIGN_IN_FAILED, detail=f"guess-{n:02d}")
    client.force_login(official)

    first = client.get(reverse("directory:audit_list"))
    second = client.get(reverse("directory:audit_list"), {"page": 2})

    assert len(first.context["events"]) == 50 and "guess-54" in first.content.decode()
    assert len(second.context["events"]) == 6  # the official's own sign-in is one of them


@pytest.mark.parametrize("role", ["secretariat", "member", "outsider"])
def test_no_one_else_may_read_the_record(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("directory:audit_list")).status_code == 403


def test_the_page_takes_as_many_queries_for_many_events_as_for_few(
    client, official, django_assert_max_num_queries
):
    def events_with_people_and_forums(count):
        for n in range(count):
            forum = factories.ForumFactory(slug=f"forum-{n}", name=f"Forum {n}")
            person = factories.PersonFactory()
            audit.record(Kind.INVITATION_SENT, actor=official, subject=person, forum=forum)

    client.force_login(official)
    events_with_people_and_forums(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("directory:audit_list")).status_code == 200

    events_with_people_and_forums(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("directory:audit_list")).status_code == 200
