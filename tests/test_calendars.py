"""Diary markers (meeting invitations) and personal calendar feeds.

Every file produced is read back with the icalendar parser and checked field by field.
"""

import datetime
import smtplib
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from actions.models import ActionItem
from calendars import services
from meetings.models import Meeting
from outbox import services as outbox
from outbox.models import OutgoingMail
from tests import factories
from tests.worker import wait_until

LONDON = ZoneInfo("Europe/London")

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def locmem_email(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.DEFAULT_FROM_EMAIL = "Wales Race Forum <forum@example.gov.wales>"


@pytest.fixture
def eager_celery():
    """Run queued tasks in-process, so a button press can be followed to the emails it sends."""
    from wrc.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def the_event(cal: Calendar):
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def attendees_of(event) -> list[str]:
    value = event.get("attendee")
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() for v in values]


@pytest.fixture
def meeting(db):
    forum = factories.ForumFactory()
    meeting = factories.MeetingFactory(
        forum=forum,
        title="Wales Race Forum",
        starts_at=datetime.datetime(2025, 7, 14, 12, 0, tzinfo=timezone.get_current_timezone()),
        ends_at=datetime.datetime(2025, 7, 14, 13, 0, tzinfo=timezone.get_current_timezone()),
        venue="Cathays Park, Cardiff",
        online_platform="Teams",
        online_link="https://teams.example.com/meet/123",
        status=Meeting.Status.PLANNED,
    )
    factories.AgendaItemFactory(meeting=meeting, number=1, title="Welcome and introductions")
    factories.AgendaItemFactory(meeting=meeting, number=2, title="Anti-racist Wales Action Plan")
    return meeting


@pytest.fixture
def invitees(meeting):
    """Two people of a member organisation, a role holder from elsewhere; plus people who must
    not be invited: one with no email, one whose organisation left, one from a non-member."""
    member_org = factories.OrganisationFactory(name="Race Equality First")
    factories.MembershipFactory(forum=meeting.forum, organisation=member_org)
    left_org = factories.OrganisationFactory(name="Former Member Trust")
    factories.MembershipFactory(
        forum=meeting.forum, organisation=left_org, left_on=datetime.date(2020, 1, 1)
    )
    first = factories.PersonFactory(full_name="Aled Jones", organisation=member_org)
    second = factories.PersonFactory(
        full_name="Bethan Morgan", organisation=member_org, preferred_language="cy"
    )
    factories.PersonFactory(full_name="No Email", organisation=member_org, email="")
    factories.PersonFactory(full_name="Left Already", organisation=left_org)
    factories.PersonFactory(full_name="Not A Member")
    convenor = factories.PersonFactory(full_name="Carys Evans")
    role = factories.OwnerRoleFactory(forum=meeting.forum, name="Regional Convenor (North Wales)")
    role.holders.add(convenor)
    return [first, second, convenor]


def ics_part(message):
    """The text/calendar part of a sent message, parsed from the message as sent on the wire:
    the inline part calendar clients act on, which the .ics attachment repeats."""
    parsed = message_from_bytes(message.message().as_bytes())
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    inline = [p for p in parts if p.get_filename() is None]
    attached = [p for p in parts if p.get_filename() == "invitation.ics"]
    assert len(inline) == 1 and len(attached) == 1
    assert inline[0].get_payload(decode=True) == attached[0].get_payload(decode=True)
    return inline[0]


def send_meeting_invitations(meeting_id):
    """What the send button and the worker do, in this process: queue the current version,
    then send each queued message through the outbox."""
    meeting = Meeting.objects.get(pk=meeting_id)
    return [outbox.send(mail_id=mail_id) for mail_id in services.invitations_queue(meeting=meeting)]


def invitations(**filters):
    return OutgoingMail.objects.filter(kind=OutgoingMail.Kind.DIARY_INVITATION, **filters)


# The invitation file ------------------------------------------------------------------------


def test_invitation_carries_uid_times_in_london_location_and_agenda(meeting):
    person = factories.PersonFactory(email="aled@example.org")
    from calendars import ics

    cal = parse(ics.meeting_invitation(meeting, attendee=person))
    event = the_event(cal)

    assert str(cal["method"]) == "REQUEST"
    assert str(event["uid"]) == str(meeting.uid)
    assert event["sequence"] == 0
    assert str(event["status"]) == "CONFIRMED"
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event.decoded("dtstart") == datetime.datetime(2025, 7, 14, 12, 0, tzinfo=LONDON)
    assert event.decoded("dtend") == datetime.datetime(2025, 7, 14, 13, 0, tzinfo=LONDON)
    assert str(event["location"]) == "Cathays Park, Cardiff"
    description = str(event["description"])
    assert "1. Welcome and introductions" in description
    assert "2. Anti-racist Wales Action Plan" in description
    assert "https://teams.example.com/meet/123" in description
    assert attendees_of(event) == ["mailto:aled@example.org"]
    assert "forum@example.gov.wales" in str(event["organizer"])


def test_vtimezone_puts_summer_in_bst_and_winter_in_gmt(meeting):
    from calendars import ics

    cal = parse(ics.meeting_download(meeting))
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == "Europe/London"
    tz = vtimezone.to_tz()
    summer = datetime.datetime(2031, 7, 1, 12, 0, tzinfo=tz)
    winter = datetime.datetime(2031, 1, 15, 12, 0, tzinfo=tz)
    assert summer.utcoffset() == datetime.timedelta(hours=1)
    assert winter.utcoffset() == datetime.timedelta(0)
    # The meeting at noon London time in July is 11:00 UTC.
    assert the_event(cal).decoded("dtstart").astimezone(datetime.UTC).hour == 11


def test_online_only_meeting_gives_the_link_as_location(meeting):
    from calendars import ics

    meeting.venue = ""
    meeting.save()
    event = the_event(parse(ics.meeting_download(meeting)))
    assert str(event["location"]) == "https://teams.example.com/meet/123"


def test_sequence_rises_on_time_place_and_status_changes_only(meeting):
    meeting.title = "Wales Race Forum – summer"
    meeting.save()
    meeting.refresh_from_db()
    assert meeting.ics_sequence == 0

    meeting.venue = "Tŷ Hywel, Cardiff Bay"
    meeting.save()
    assert meeting.ics_sequence == 1

    meeting.starts_at += datetime.timedelta(hours=1)
    meeting.ends_at += datetime.timedelta(hours=1)
    meeting.save()
    assert meeting.ics_sequence == 2

    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status"])
    meeting.refresh_from_db()
    assert meeting.ics_sequence == 3


def test_cancelled_meeting_gives_a_cancel_with_a_higher_sequence(meeting):
    from calendars import ics

    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    person = factories.PersonFactory()

    for content in (
        ics.meeting_invitation(meeting, attendee=person),
        ics.meeting_download(meeting),
    ):
        cal = parse(content)
        event = the_event(cal)
        assert str(cal["method"]) == "CANCEL"
        assert str(event["status"]) == "CANCELLED"
        assert str(event["uid"]) == str(meeting.uid)
        assert event["sequence"] == 1


# Download --------------------------------------------------------------------------------


def test_download_requires_sign_in(client, meeting):
    url = reverse("calendars:meeting_ics", args=[meeting.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_download_is_not_found_for_an_outsider(client, outsider, meeting):
    client.force_login(outsider)
    assert client.get(reverse("calendars:meeting_ics", args=[meeting.pk])).status_code == 404


def test_member_downloads_a_shared_meeting_but_not_a_draft(client, member, meeting):
    client.force_login(member)
    response = client.get(reverse("calendars:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = parse(response.content)
    assert str(cal["method"]) == "PUBLISH"
    assert str(the_event(cal)["uid"]) == str(meeting.uid)

    meeting.notes_status = Meeting.NotesStatus.DRAFT
    meeting.save()
    assert client.get(reverse("calendars:meeting_ics", args=[meeting.pk])).status_code == 404


def test_official_downloads_a_cancelled_meeting_as_cancel(client, official, meeting):
    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    client.force_login(official)
    response = client.get(reverse("calendars:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert str(parse(response.content)["method"]) == "CANCEL"


# Sending ------------------------------------------------------------------------------------


def test_invitees_are_member_organisation_people_and_role_holders_with_email(meeting, invitees):
    found = list(services.meeting_invitees(meeting))
    assert sorted(p.full_name for p in found) == ["Aled Jones", "Bethan Morgan", "Carys Evans"]


def test_each_invitee_gets_one_message_naming_only_them(meeting, invitees):
    send_meeting_invitations(meeting.pk)

    assert len(mail.outbox) == 3
    by_address = {}
    for message in mail.outbox:
        assert len(message.to) == 1
        assert message.cc == [] and message.bcc == []
        by_address[message.to[0]] = message
    assert set(by_address) == {p.email for p in invitees}
    for person in invitees:
        part = ics_part(by_address[person.email])
        assert part.get_param("method") == "REQUEST"
        event = the_event(parse(part.get_payload(decode=True)))
        assert attendees_of(event) == [f"mailto:{person.email}"]
        assert str(event["uid"]) == str(meeting.uid)
        assert event["sequence"] == 0
        html = [c for c, t in by_address[person.email].alternatives if t == "text/html"]
        assert len(html) == 1 and person.full_name in html[0]
    assert invitations(status="sent", payload__sequence=0).count() == 3


def test_running_again_sends_nothing_twice(meeting, invitees):
    send_meeting_invitations(meeting.pk)
    send_meeting_invitations(meeting.pk)
    assert len(mail.outbox) == 3
    assert invitations().count() == 3


def test_after_a_change_everyone_gets_the_new_version_once(meeting, invitees):
    send_meeting_invitations(meeting.pk)
    meeting.starts_at += datetime.timedelta(days=1)
    meeting.ends_at += datetime.timedelta(days=1)
    meeting.save()
    send_meeting_invitations(meeting.pk)
    send_meeting_invitations(meeting.pk)

    assert len(mail.outbox) == 6
    updated = mail.outbox[3:]
    for message in updated:
        event = the_event(parse(ics_part(message).get_payload(decode=True)))
        assert event["sequence"] == 1
        assert event.decoded("dtstart").day == 15
    updated_subjects = ("Updated invitation", "Gwahoddiad wedi'i ddiweddaru")
    assert all(m.subject.startswith(updated_subjects) for m in updated)


def test_cancellation_reaches_everyone_sent_an_earlier_version(meeting, invitees):
    send_meeting_invitations(meeting.pk)
    # The convenor gives up the role before the meeting is cancelled: they still had it in
    # their diary, so they must be told.
    invitees[2].owner_roles.clear()
    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    mail.outbox.clear()

    send_meeting_invitations(meeting.pk)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in invitees)
    for message in mail.outbox:
        part = ics_part(message)
        assert part.get_param("method") == "CANCEL"
        cal = parse(part.get_payload(decode=True))
        assert str(cal["method"]) == "CANCEL"
        assert str(the_event(cal)["status"]) == "CANCELLED"


class RefusesOneAddress(LocmemBackend):
    """A mail server that answers 450 (try later) for one mailbox, as a full mailbox does."""

    refused = {"aled@example.org"}

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & self.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (450, b"Mailbox busy")})
        return super().send_messages(messages)


def test_a_temporary_refusal_is_recorded_and_sent_on_the_next_run(settings, meeting, invitees):
    invitees[0].email = "aled@example.org"
    invitees[0].save()
    settings.EMAIL_BACKEND = f"{__name__}.RefusesOneAddress"

    outcomes = send_meeting_invitations(meeting.pk)

    assert sorted(o.status for o in outcomes) == ["queued", "sent", "sent"]
    waiting = invitations().get(person=invitees[0])
    assert waiting.status == "queued" and waiting.reason.startswith("450")
    assert len(mail.outbox) == 2

    RefusesOneAddress.refused = set()
    try:
        outcomes = send_meeting_invitations(meeting.pk)
    finally:
        RefusesOneAddress.refused = {"aled@example.org"}
    assert [o.status for o in outcomes] == ["sent"]
    assert [m.to for m in mail.outbox[2:]] == [["aled@example.org"]]
    assert invitations(status="sent").count() == 3


# The send button ----------------------------------------------------------------------------


def test_send_button_requires_sign_in(client, meeting):
    response = client.post(reverse("calendars:send_invitations", args=[meeting.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_send_button_is_not_found_for_an_outsider(client, outsider, meeting):
    client.force_login(outsider)
    url = reverse("calendars:send_invitations", args=[meeting.pk])
    assert client.post(url).status_code == 404


def test_send_button_is_forbidden_to_a_member(client, member, meeting, invitees):
    client.force_login(member)
    assert client.post(reverse("calendars:send_invitations", args=[meeting.pk])).status_code == 403
    assert (
        client.get(reverse("calendars:meeting_invitations", args=[meeting.pk])).status_code == 403
    )
    assert mail.outbox == []


def test_secretariat_sends_from_the_invitations_page(
    client, secretariat, meeting, invitees, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    page = client.get(reverse("calendars:meeting_invitations", args=[meeting.pk]))
    assert page.status_code == 200
    assert reverse("calendars:send_invitations", args=[meeting.pk]) in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("calendars:send_invitations", args=[meeting.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 3

    page = client.get(reverse("calendars:meeting_invitations", args=[meeting.pk]))
    assert "3 of 3 people have been sent this version" in page.content.decode()


def test_send_button_only_accepts_post(client, secretariat, meeting):
    client.force_login(secretariat)
    url = reverse("calendars:send_invitations", args=[meeting.pk])
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("count", [1, 10, 50])
def test_invitations_page_queries_do_not_grow_with_invitees(
    client, secretariat, meeting, count, django_assert_max_num_queries
):
    org = factories.OrganisationFactory()
    factories.MembershipFactory(forum=meeting.forum, organisation=org)
    factories.PersonFactory.create_batch(count, organisation=org)
    client.force_login(secretariat)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("calendars:meeting_invitations", args=[meeting.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('<tr class="govuk-table__row">') == count + 1


# Personal feed ------------------------------------------------------------------------------


@pytest.fixture
def feed_owner(meeting):
    """A member whose organisation belongs to the forum, with actions in every ownership form."""
    org = factories.OrganisationFactory(name="Ethnic Youth Support Team")
    factories.MembershipFactory(forum=meeting.forum, organisation=org)
    person = factories.PersonFactory(full_name="Dafydd Rees", organisation=org)
    user = factories.member_user(person=person, username="dafydd")
    role = factories.OwnerRoleFactory(forum=meeting.forum, name="Secretariat")
    role.holders.add(person)
    due = datetime.date(2025, 8, 1)
    factories.ActionItemFactory(
        meeting=meeting, text="Circulate the toolkit.", owner_person=person, due_date=due
    )
    factories.ActionItemFactory(
        meeting=meeting, text="Report on the youth forum.", owner_organisation=org, due_date=due
    )
    factories.ActionItemFactory(
        meeting=meeting, text="Book the venue.", owner_role=role, due_date=due
    )
    factories.ActionItemFactory(
        meeting=meeting,
        text="Already finished.",
        owner_person=person,
        due_date=due,
        status=ActionItem.Status.DONE,
    )
    factories.ActionItemFactory(meeting=meeting, text="As soon as possible.", owner_person=person)
    factories.ActionItemFactory(
        meeting=meeting,
        text="Someone else's job.",
        owner_person=factories.PersonFactory(),
        due_date=due,
    )
    return user


def feed_url(person):
    return reverse("calendars:feed", args=[person.calendar_token])


def test_feed_lists_dated_open_actions_owned_in_every_way_and_the_meetings(
    client, meeting, feed_owner, django_assert_max_num_queries
):
    upcoming = factories.MeetingFactory(
        forum=meeting.forum,
        title="Autumn forum",
        starts_at=timezone.now() + datetime.timedelta(days=30),
        status=Meeting.Status.PLANNED,
        notes_status=Meeting.NotesStatus.DRAFT,
    )
    other_forum = factories.ForumFactory(slug="another-forum", name="Another Forum")
    factories.MeetingFactory(
        forum=other_forum, title="Not their forum", starts_at=upcoming.starts_at
    )
    with django_assert_max_num_queries(8):
        response = client.get(feed_url(feed_owner.person))
    assert response.status_code == 200
    cal = parse(response.content)
    summaries = sorted(str(e["summary"]) for e in cal.walk("VEVENT"))
    # The fixture meeting, more than a year ago, has dropped out of the feed.
    assert summaries == [
        "Action due: Book the venue.",
        "Action due: Circulate the toolkit.",
        "Action due: Report on the youth forum.",
        "Autumn forum",
    ]
    actions = [e for e in cal.walk("VEVENT") if str(e["summary"]).startswith("Action due")]
    assert all(e.decoded("dtstart") == datetime.date(2025, 8, 1) for e in actions)
    (meeting_event,) = [e for e in cal.walk("VEVENT") if str(e["uid"]) == str(upcoming.uid)]
    assert "attendee" not in meeting_event


def test_feed_with_a_wrong_token_is_not_found(client, feed_owner):
    assert client.get(reverse("calendars:feed", args=["not-the-token"])).status_code == 404


def test_feed_of_a_disabled_account_is_not_found(client, feed_owner):
    feed_owner.is_active = False
    feed_owner.save()
    assert client.get(feed_url(feed_owner.person)).status_code == 404


def test_feed_stops_when_the_account_loses_its_role(client, feed_owner):
    feed_owner.groups.clear()
    assert client.get(feed_url(feed_owner.person)).status_code == 404


def test_my_calendar_shows_the_feed_address(client, feed_owner):
    client.force_login(feed_owner)
    response = client.get(reverse("calendars:my_calendar"))
    assert response.status_code == 200
    assert "http://testserver" + feed_url(feed_owner.person) in response.content.decode()


def test_my_calendar_requires_sign_in_and_a_role(client, outsider):
    response = client.get(reverse("calendars:my_calendar"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(outsider)
    assert client.get(reverse("calendars:my_calendar")).status_code == 403
    assert client.post(reverse("calendars:regenerate_link")).status_code == 403


def test_a_new_address_stops_the_old_one(client, feed_owner):
    person = feed_owner.person
    old_url = feed_url(person)
    client.force_login(feed_owner)
    response = client.post(reverse("calendars:regenerate_link"))
    assert response.status_code == 302
    person.refresh_from_db()
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(feed_url(person)).status_code == 200


def test_a_first_invitation_after_an_edit_is_not_called_an_update(meeting, invitees):
    meeting.venue = "Tŷ Hywel, Cardiff Bay"
    meeting.save()
    assert meeting.ics_sequence == 1

    send_meeting_invitations(meeting.pk)

    assert len(mail.outbox) == 3
    assert all(m.subject.startswith(("Invitation:", "Gwahoddiad:")) for m in mail.outbox)


class RefusesOnce(LocmemBackend):
    """A mail server that answers 451 (try later) to the first message only."""

    answered = 0

    def send_messages(self, messages):
        RefusesOnce.answered += 1
        if RefusesOnce.answered == 1:
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (451, b"Try again later")})
        return super().send_messages(messages)


def test_the_task_retries_a_temporary_failure_and_sends_the_rest_once(
    settings, meeting, invitees, eager_celery
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesOnce"
    RefusesOnce.answered = 0

    assert services.invitations_send(meeting=meeting) is True

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in invitees)
    assert invitations(status="sent").count() == 3


@pytest.mark.worker
def test_a_real_worker_sends_each_invitee_one_invitation_once(
    client, celery_worker_process, smtp_server, meeting, invitees
):
    secretariat = factories.secretariat_user(username="secretariat-worker")
    client.force_login(secretariat)
    send_url = reverse("calendars:send_invitations", args=[meeting.pk])

    assert client.post(send_url).status_code == 302
    wait_until(lambda: len(smtp_server.messages) >= 3, message=celery_worker_process.log)
    wait_until(lambda: not invitations().pending().exists(), message=celery_worker_process.log)
    # Press the button again: everyone has been sent this version, so nothing is queued.
    assert client.post(send_url).status_code == 302
    assert not invitations().pending().exists()

    assert smtp_server.count_by_recipient() == {p.email.lower(): 1 for p in invitees}
    for received in smtp_server.messages:
        (recipient,) = received.rcpt_tos
        message = received.message
        assert message["To"] == recipient and message["Cc"] is None
        (part,) = [
            p
            for p in message.walk()
            if p.get_content_type() == "text/calendar" and p.get_filename() is None
        ]
        assert part.get_param("method") == "REQUEST"
        event = the_event(parse(part.get_payload(decode=True)))
        assert attendees_of(event) == [f"mailto:{recipient.lower()}"]
        assert str(event["uid"]) == str(meeting.uid)
    assert invitations(status="sent").count() == 3


def test_a_welsh_speaker_gets_the_invitation_in_welsh(meeting, invitees):
    welsh = invitees[1]
    assert welsh.preferred_language == "cy"

    send_meeting_invitations(meeting.pk)

    (message,) = [m for m in mail.outbox if m.to == [welsh.email]]
    # The month name comes from Django's Welsh locale.
    assert message.subject.startswith("Gwahoddiad: Wales Race Forum, 14 Gorff")
    assert message.body.startswith(f"Annwyl {welsh.full_name},")
    event = the_event(parse(ics_part(message).get_payload(decode=True)))
    assert "Ymuno ar-lein: https://teams.example.com/meet/123" in str(event["description"])
    (english,) = [m for m in mail.outbox if m.to == [invitees[0].email]]
    assert english.subject.startswith("Invitation: Wales Race Forum, 14 July 2025")


@pytest.mark.parametrize(("role", "shows_send"), [("member", False), ("secretariat", True)])
def test_meeting_page_fragment_links_the_download_and_for_staff_the_invitations(
    client, request, meeting, role, shows_send
):
    # The link is shown to those who keep the records of the meeting's forum (the meeting
    # page's can_edit).
    meeting.notes_status = Meeting.NotesStatus.APPROVED
    meeting.save()
    client.force_login(request.getfixturevalue(role))
    html = client.get(meeting.get_absolute_url()).text
    assert reverse("calendars:meeting_ics", args=[meeting.pk]) in html
    assert (reverse("calendars:meeting_invitations", args=[meeting.pk]) in html) is shows_send


def test_member_downloads_an_upcoming_meeting_whose_notes_are_a_draft(client, member):
    upcoming = factories.MeetingFactory(
        starts_at=timezone.now() + datetime.timedelta(days=20),
        status=Meeting.Status.PLANNED,
        notes_status=Meeting.NotesStatus.DRAFT,
    )
    client.force_login(member)
    response = client.get(reverse("calendars:meeting_ics", args=[upcoming.pk]))
    assert response.status_code == 200
    assert str(the_event(parse(response.content))["uid"]) == str(upcoming.uid)
    # The notes themselves stay hidden until they are approved.
    assert client.get(reverse("meetings:detail", args=[upcoming.pk])).status_code == 404
    home = client.get(reverse("home"))
    assert f'href="{upcoming.get_absolute_url()}"' not in home.content.decode()
    assert reverse("calendars:meeting_ics", args=[upcoming.pk]) in home.content.decode()
