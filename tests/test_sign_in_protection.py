"""Sign-in that cannot be turned against the people it protects: throttling behind a proxy,
session lifetimes by role, password reset and change, feed tokens kept out of logs."""

import datetime
import logging
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from tests import factories
from wrc.lib.client_ip import client_ip
from wrc.lib.logmask import FeedTokenFilter, GunicornLogger

PASSWORD = "correct horse battery"  # what factories.UserFactory sets
PROXY = "10.0.0.2"  # the TLS proxy in front of the application
MEMBER_HOME = "203.0.113.10"
ATTACKER = "198.51.100.66"


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXIES = 1


def sign_in(client, username, password, *, address, url=None, spoofed=""):
    """A sign-in through the proxy, which appends the address it saw to X-Forwarded-For."""
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


# The client's address --------------------------------------------------------------------------


def request_from(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "203.0.113.10", PROXY),  # no trusted proxy: the header is anyone's to write
        (1, "203.0.113.10", "203.0.113.10"),
        (1, "192.0.2.1, 203.0.113.10", "203.0.113.10"),  # the left entry is the client's lie
        (2, "192.0.2.1, 203.0.113.10, 10.0.0.1", "203.0.113.10"),
        (2, "203.0.113.10", PROXY),  # fewer entries than proxies: only the peer is known
        (1, "not-an-address", PROXY),
        (1, None, PROXY),
    ],
)
def test_the_client_address_is_the_one_the_trusted_proxies_saw(
    settings, proxies, forwarded, address
):
    settings.TRUSTED_PROXIES = proxies
    assert client_ip(request_from(PROXY, forwarded)) == address


# Lock-out --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_attacker_elsewhere_cannot_lock_a_member_out(client, settings, behind_one_proxy):
    factories.UserFactory(username="ffion")
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 3):
        sign_in(client, "ffion", "guess", address=ATTACKER)
    assert sign_in(client, "ffion", PASSWORD, address=ATTACKER).status_code == 429

    response = sign_in(client, "ffion", PASSWORD, address=MEMBER_HOME)

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_a_forged_forwarded_header_does_not_escape_the_lock_out(client, settings, behind_one_proxy):
    factories.UserFactory(username="ffion")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ffion", "guess", address=ATTACKER, spoofed=f"192.0.2.{attempt}")

    response = sign_in(client, "ffion", PASSWORD, address=ATTACKER, spoofed="192.0.2.200")

    assert response.status_code == 429


@pytest.mark.django_db
def test_one_address_trying_passwords_across_accounts_is_paused(client, settings, behind_one_proxy):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    factories.UserFactory(username="ffion")
    # One guess per account: no single account reaches its own limit.
    for number in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT):
        assert (
            sign_in(client, f"member{number}", "Summer2025!", address=ATTACKER).status_code == 200
        )

    paused = sign_in(client, "ffion", PASSWORD, address=ATTACKER)
    elsewhere = sign_in(client, "ffion", PASSWORD, address=MEMBER_HOME)

    assert paused.status_code == 429
    assert "too many wrong passwords from your network" in paused.content.decode()
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_the_lock_out_lasts_its_hour_however_often_the_attacker_retries(
    client, settings, behind_one_proxy
):
    factories.UserFactory(username="ffion")
    start = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "ffion", "guess", address=ATTACKER)
        clock.shift(datetime.timedelta(minutes=50))
        sign_in(client, "ffion", "guess", address=ATTACKER)
        clock.shift(datetime.timedelta(minutes=11))
        assert sign_in(client, "ffion", PASSWORD, address=ATTACKER).status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_throttled_the_same_way(client, settings, behind_one_proxy):
    factories.official_user(username="olwen", is_staff=True)
    admin_login = reverse("admin:login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "olwen", "guess", address=ATTACKER, url=admin_login)

    assert sign_in(client, "olwen", PASSWORD, address=ATTACKER, url=admin_login).status_code == 429
    assert (
        sign_in(client, "olwen", PASSWORD, address=MEMBER_HOME, url=admin_login).status_code == 302
    )


# Sessions --------------------------------------------------------------------------------------


def signed_in_after(client, user, idle):
    start = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(idle)
        return client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_staff_sessions_end_after_a_working_day_without_activity(client, secretariat):
    assert signed_in_after(client, secretariat, datetime.timedelta(hours=7, minutes=59))
    assert not signed_in_after(client, secretariat, datetime.timedelta(hours=8, minutes=1))


@pytest.mark.django_db
def test_activity_keeps_a_staff_session_going(client, official):
    start = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(official)
        for _hour in range(12):
            clock.shift(datetime.timedelta(hours=1))
            assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_members_sessions_last_the_configured_time(client, settings, member):
    settings.SESSION_MEMBER_SECONDS = 3 * 24 * 60 * 60
    assert signed_in_after(client, member, datetime.timedelta(days=2, hours=23))
    assert not signed_in_after(client, member, datetime.timedelta(days=3, minutes=1))


# Password reset and change ---------------------------------------------------------------------


def ask_for_reset(client, email):
    response = client.post(reverse("password_reset"), {"email": email}, follow=True)
    factories.deliver_outbox()
    # The language switch's CSRF token differs on every page; nothing else may.
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    return response.status_code, response.redirect_chain, body


@pytest.mark.django_db
def test_password_reset_does_not_reveal_whether_an_address_has_an_account(client):
    person = factories.PersonFactory(email="ffion@example.org")
    factories.member_user(person=person, username="ffion", email="")

    known = ask_for_reset(client, "FFION@example.org")
    known_mail = list(mail.outbox)
    mail.outbox.clear()
    unknown = ask_for_reset(client, "nobody@example.org")

    assert known == unknown
    assert [message.to for message in known_mail] == [["ffion@example.org"]]
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_reset_email_is_in_the_account_holders_language_with_a_working_link(client):
    person = factories.PersonFactory(email="ffion@example.org", preferred_language="cy")
    user = factories.member_user(person=person, username="ffion", email="")
    ask_for_reset(client, "ffion@example.org")

    (message,) = mail.outbox
    assert message.alternatives[0][0].startswith('<!DOCTYPE html>\n<html lang="cy">')
    link = re.search(r"http://localhost:8000(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    new_password = "a long new passphrase"
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    # The link worked once.
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_a_new_password_needs_twelve_characters(client, member):
    client.force_login(member)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}"' in page

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Short#Pass1", "new_password2": "Short#Pass1"},
    )

    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_signed_in_person_changes_their_password(client, member):
    client.force_login(member)
    new_password = "another long passphrase"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response["Location"] == reverse("password_change_done")
    member.refresh_from_db()
    assert member.check_password(new_password)


# Calendar feeds --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_feed_stops_when_the_account_is_deleted(client, member):
    url = reverse("calendars:feed", args=[member.person.calendar_token])
    assert client.get(url).status_code == 200
    get_user_model().objects.filter(pk=member.pk).delete()
    assert client.get(url).status_code == 404


def test_feed_tokens_are_masked_in_runserver_and_gunicorn_logs():
    line = '"GET /calendar/feed/Abc-123_xyz.ics HTTP/1.1" 200 512'
    record = logging.LogRecord("django.server", logging.INFO, "", 0, "%s", (line,), None)
    FeedTokenFilter().filter(record)
    assert record.getMessage() == '"GET /calendar/feed/[token].ics HTTP/1.1" 200 512'

    class Response:
        status, headers, sent = "200 OK", [], 512

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/calendar/feed/Abc-123_xyz.ics",
        "PATH_INFO": "/calendar/feed/Abc-123_xyz.ics",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = GunicornLogger.atoms(
        object.__new__(GunicornLogger), Response(), [], environ, datetime.timedelta(0)
    )
    assert "Abc-123_xyz" not in repr(atoms)
    assert atoms["r"] == "GET /calendar/feed/[token].ics HTTP/1.1"
