"""Accounts that cannot be turned against the people who hold them: password reset that tells a
stranger nothing, invitation links that set a password once, deactivation that ends everything
at once, lock-out behind two proxies, passwords of twelve characters or more, and the admin's
pages under the same headers as the product's."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from directory import accounts
from outbox.email import MessageRefused
from outbox.models import OutgoingMail
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # what factories.UserFactory sets
NEW_PASSWORD = "a long enough passphrase"
LINK = re.compile(r"https://forum\.example\.org(/accounts/(?:invitation|reset)/[^/]+/[^/\s\"]+/)")


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://forum.example.org"


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


@pytest.fixture
def invitee(forum):
    person = factories.PersonFactory(full_name="Ifan Invited", email="ifan@example.org")
    factories.MembershipFactory(forum=forum, person=person, organisation=None)
    return person


def invitation_link(official, person) -> str:
    accounts.account_invite(person=person, invited_by=official)
    return LINK.search(mail.outbox[-1].body).group(1)


def open_link(client, link) -> str:
    """Django's confirm views keep the token in the session and send on to the form's page."""
    response = client.get(link)
    assert response.status_code == 302, response.status_code
    return response["Location"]


def choose(client, form_url, password=NEW_PASSWORD):
    return client.post(form_url, {"new_password1": password, "new_password2": password})


# Password reset --------------------------------------------------------------------------------


def reset_page(client, email):
    response = client.post(reverse("password_reset"), {"email": email}, follow=True)
    factories.deliver_outbox()
    # The CSRF token differs on every page; nothing else may.
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    return response.status_code, response.redirect_chain, body


@pytest.mark.parametrize("kind", ["password", "invited", "deactivated", "directory_only"])
def test_a_reset_request_looks_the_same_whatever_the_address_holds(client, official, kind):
    """Whether the address has an account, a pending invitation, a deactivated account or only
    a directory entry, the page is the one an unknown address gets; only a working account
    receives a link."""
    person = factories.PersonFactory(email="ffion@example.org")
    if kind == "password":
        factories.member_user(person=person, username="ffion", email="")
    elif kind == "invited":
        factories.MembershipFactory(person=person, organisation=None)
        accounts.account_invite(person=person, invited_by=official)
        mail.outbox.clear()
    elif kind == "deactivated":
        user = factories.member_user(person=person, username="ffion", email="")
        user.is_active = False
        user.save()

    held = reset_page(client, "Ffion@Example.org")
    sent = [message.to for message in mail.outbox]
    mail.outbox.clear()
    unknown = reset_page(Client(), "nobody@example.org")

    assert held == unknown
    assert sent == ([["ffion@example.org"]] if kind == "password" else [])
    assert mail.outbox == []


def test_a_reset_link_is_refused_with_the_same_page_whoever_it_names(client, member):
    """A made-up link for a real account and one for no account end on the same page."""
    real = reverse("password_reset_confirm", args=[_uid(member.pk), "c0ffee-0123456789abcdef"])
    made_up = reverse("password_reset_confirm", args=[_uid(10**6), "c0ffee-0123456789abcdef"])

    pages = [Client().get(url, follow=True) for url in (real, made_up)]

    assert [page.status_code for page in pages] == [200, 200]
    assert [page.context["validlink"] for page in pages] == [False, False]


def _uid(pk) -> str:
    return urlsafe_base64_encode(force_bytes(pk))


# Invitation links ------------------------------------------------------------------------------


def test_an_invitation_link_opened_in_two_places_sets_the_password_once(official, invitee):
    link = invitation_link(official, invitee)
    first, second = Client(), Client()
    first_form, second_form = open_link(first, link), open_link(second, link)

    assert choose(first, first_form).status_code == 302
    refused = choose(second, second_form, password="someone else's passphrase")

    assert refused.status_code == 200 and refused.context["validlink"] is False
    invitee.refresh_from_db()
    assert invitee.user.check_password(NEW_PASSWORD)


def test_a_deactivated_persons_invitation_link_stops_working(client, official, invitee):
    link = invitation_link(official, invitee)
    form = open_link(client, link)
    accounts.account_deactivate(person=invitee, by=official)

    refused = choose(client, form)

    assert refused.context["validlink"] is False
    invitee.refresh_from_db()
    assert not invitee.user.has_usable_password()


# Deactivation ----------------------------------------------------------------------------------


def test_deactivating_ends_an_open_session_downloads_feed_and_reset_at_once(
    client, official, forum
):
    """The secretariat's account is deactivated while they are signed in: their next request,
    even for a download, is sent to sign in; their feed, their password and a reset stop."""
    person = factories.PersonFactory(email="sian@example.org", organisation=None)
    secretariat = factories.secretariat_user(forum=forum, person=person, username="sian")
    client.force_login(secretariat)
    export = reverse("directory:contacts_export", args=[forum.slug])
    feed = reverse("calendars:feed", args=[person.calendar_token])
    assert client.get(export).status_code == 200
    assert client.get(feed).status_code == 200

    accounts.account_deactivate(person=person, by=official)

    assert client.get(export)["Location"].startswith(reverse("login"))
    assert client.get(reverse("calendars:my_calendar"))["Location"].startswith(reverse("login"))
    assert client.get(feed).status_code == 404
    refused = Client().post(reverse("login"), {"username": "sian", "password": PASSWORD})
    assert refused.status_code == 200
    Client().post(reverse("password_reset"), {"email": "sian@example.org"})
    assert mail.outbox == []
    secretariat.refresh_from_db()
    assert secretariat.check_password(PASSWORD)  # kept, with the person and their history


# Lock-out behind two proxies -------------------------------------------------------------------

EDGE_PROXY, INNER_PROXY = "10.0.0.1", "10.0.0.2"
MEMBER_HOME, ATTACKER = "203.0.113.10", "198.51.100.66"


def through_two_proxies(client, username, password, *, address, forged=""):
    """The edge proxy appends the address it saw, the inner one the edge's; the application
    sees the inner proxy as its peer. ``forged`` is what the client itself put in the header."""
    forwarded = ", ".join(part for part in (forged, address, EDGE_PROXY) if part)
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=INNER_PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_two_proxies_the_lock_out_follows_the_attacker_and_not_the_member(client, settings):
    settings.TRUSTED_PROXIES = 2
    factories.UserFactory(username="ffion")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # A different forged address each time changes nothing: only the proxies' entries count.
        through_two_proxies(
            client, "ffion", "guess", address=ATTACKER, forged=f"{MEMBER_HOME}, 192.0.2.{attempt}"
        )

    locked = through_two_proxies(client, "ffion", PASSWORD, address=ATTACKER, forged="192.0.2.99")
    home = through_two_proxies(Client(), "ffion", PASSWORD, address=MEMBER_HOME)

    assert locked.status_code == 429
    assert home.status_code == 302


def test_behind_two_proxies_spraying_from_one_address_pauses_only_that_address(client, settings):
    settings.TRUSTED_PROXIES = 2
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    factories.UserFactory(username="ffion")
    for number in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT):
        through_two_proxies(client, f"member{number}", "Summer2025!", address=ATTACKER)

    assert through_two_proxies(client, "ffion", PASSWORD, address=ATTACKER).status_code == 429
    assert through_two_proxies(Client(), "ffion", PASSWORD, address=MEMBER_HOME).status_code == 302


# Passwords -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, refused_because",
    [
        ("Eleven#Char", "at least 12 characters"),
        ("428671093521", "entirely numeric"),
        ("password1234", "too common"),
        ("ifan@example.org!", "too similar"),
    ],
)
def test_an_invitation_refuses_weak_passwords(client, official, invitee, password, refused_because):
    form = open_link(client, invitation_link(official, invitee))

    response = choose(client, form, password=password)

    assert response.status_code == 200
    assert refused_because in response.content.decode()
    invitee.refresh_from_db()
    assert not invitee.user.has_usable_password()


def test_twelve_characters_are_enough_for_an_invitation_and_a_reset(client, official, invitee):
    twelve = "Tŷ Pawb 2026"
    assert len(twelve) == 12
    assert choose(client, open_link(client, invitation_link(official, invitee)), twelve)[
        "Location"
    ] == reverse("home")
    client.logout()
    Client().post(reverse("password_reset"), {"email": invitee.email})
    factories.deliver_outbox()
    reset_form = open_link(client, LINK.search(mail.outbox[-1].body).group(1))
    assert "at least 12 characters" in choose(client, reset_form, "Eleven#Char").content.decode()
    assert choose(client, reset_form, "Ffordd 12 ch")["Location"] == reverse(
        "password_reset_complete"
    )
    assert get_user_model().objects.get(pk=invitee.user.pk).check_password("Ffordd 12 ch")


# The admin -------------------------------------------------------------------------------------


def assert_protective_headers(response):
    """What tests/test_permissions.py asks of every product page, for the admin's."""
    parts = (part.split() for part in response["Content-Security-Policy"].split(";"))
    policy = {name: values for name, *values in (part for part in parts if part)}
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"]
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= cache_control, response.get("Cache-Control")


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:directory_person_changelist"),
        reverse("admin:login"),
    ],
)
def test_the_admin_carries_the_same_protective_headers(client, url):
    official = factories.official_user(username="olwen", is_staff=True, is_superuser=True)
    client.force_login(official)

    response = client.get(url)

    assert response.status_code in (200, 302), response.status_code
    assert_protective_headers(response)


# Addresses that change -------------------------------------------------------------------------


def test_a_reset_link_goes_to_the_directory_address_not_the_one_invited_at(client):
    """The person moved job: the secretariat changed their address in the directory. Asked for
    by either address, the link goes to the current one, never to the mailbox they left."""
    person = factories.PersonFactory(email="ffion@former-employer.example")
    factories.member_user(person=person, username="ffion", email="ffion@former-employer.example")
    person.email = "ffion@new-employer.example"
    person.save()

    client.post(reverse("password_reset"), {"email": "ffion@new-employer.example"})
    factories.deliver_outbox()

    assert [message.to for message in mail.outbox] == [["ffion@new-employer.example"]]


def test_correcting_a_mistyped_address_cancels_the_invitation_link(client, official, invitee):
    link = invitation_link(official, invitee)
    invitee.email = "ifan.invited@example.org"
    invitee.save()

    response = client.get(link, follow=True)

    assert response.context["validlink"] is False
    invitee.refresh_from_db()
    assert not invitee.user.has_usable_password()


def test_an_invitation_waiting_to_be_sent_is_not_sent_to_a_corrected_address(official, invitee):
    invitation_link(official, invitee)
    queued = OutgoingMail.objects.get(kind=OutgoingMail.Kind.ACCOUNT_INVITATION)
    assert accounts.invitation_build(queued).text  # as it stands, it can be sent again
    invitee.email = "ifan.invited@example.org"
    invitee.save()

    with pytest.raises(MessageRefused):
        accounts.invitation_build(queued)


# What the person's page says -------------------------------------------------------------------


def test_the_persons_page_says_when_an_invitation_has_expired_or_they_never_signed_in(
    client, settings, official, invitee
):
    page = reverse("directory:person_detail", args=[invitee.pk])
    accounts.account_invite(person=invitee, invited_by=official)
    client.force_login(official)
    assert "they have not chosen a password yet" in client.get(page).content.decode()
    later = timezone.now() + datetime.timedelta(seconds=settings.INVITATION_TIMEOUT_SECONDS + 60)
    with time_machine.travel(later):
        client.force_login(official)
        assert "the link has expired" in client.get(page).content.decode()

    invitee.refresh_from_db()
    invitee.user.set_password(NEW_PASSWORD)  # set for them in the admin, say
    invitee.user.save()
    assert "have never signed in" in client.get(page).content.decode()
