"""Rules that follow the forum: "before the next meeting", "all members" of a letter or an
invitation, and reminders, each worked out for the record's own forum."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from actions.models import ActionItem
from actions.services import next_meeting_date, refresh_next_meeting_due_dates
from calendars.services import meeting_invitees
from correspondence.models import Letter
from correspondence.sending import letter_recipients
from directory.models import Forum, Membership
from reminders.models import ReminderClaim, ReminderKind
from reminders.services import reminders_send_due
from tests import factories
from tests.test_reminders import REMINDER_SETTINGS, deliver_queued

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(day, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


@pytest.fixture
def forums(db):
    return factories.ForumFactory(), factories.ForumFactory(board=True)


# "Before the next meeting"


def test_before_next_meeting_is_the_next_meeting_of_the_action_s_own_forum(forums):
    wrf, board = forums
    held = factories.MeetingFactory(forum=wrf, starts_at=at(datetime.date(2025, 3, 17)))
    factories.MeetingFactory(forum=board, starts_at=at(datetime.date(2025, 4, 1)))
    action = factories.ActionItemFactory(
        meeting=held, deadline_text="Before next meeting", due_rule="next_meeting"
    )
    # Only the board meets again: the action has no date yet.
    assert next_meeting_date(held) is None
    assert refresh_next_meeting_due_dates(forum=wrf) == 0
    assert refresh_next_meeting_due_dates(forum=board) == 0
    factories.MeetingFactory(forum=wrf, starts_at=at(datetime.date(2025, 6, 16)))
    assert refresh_next_meeting_due_dates(forum=board) == 0  # another forum's actions
    assert refresh_next_meeting_due_dates(forum=wrf) == 1
    action.refresh_from_db()
    assert action.due_date == datetime.date(2025, 6, 16)


# "All members"


@pytest.fixture
def members(forums):
    """People of each forum, one leaving today, one who left yesterday, one joining tomorrow."""
    wrf, board = forums
    today = timezone.localdate()

    def member(name, forum, **dates):
        person = factories.PersonFactory(full_name=name, organisation=None)
        factories.MembershipFactory(forum=forum, person=person, organisation=None, **dates)
        return person

    member("Alys", wrf)
    member("Cai", wrf, left_on=today)
    member("Dai", wrf, left_on=today - datetime.timedelta(days=1))
    member("Efa", wrf, joined_on=today + datetime.timedelta(days=1))
    member("Ffion", board)
    organisation = factories.OrganisationFactory(name="Race Council Cymru")
    factories.MembershipFactory(forum=wrf, organisation=organisation)
    factories.PersonFactory(full_name="Bryn", organisation=organisation)
    return forums


def names(people):
    return sorted(person.full_name for person in people)


def test_a_letter_to_all_members_reaches_only_its_forum_s_current_members(members):
    wrf, board = members
    to_wrf = factories.LetterFactory(
        forum=wrf, audience=Letter.Audience.ALL_MEMBERS, status=Letter.Status.DRAFT
    )
    to_board = factories.LetterFactory(
        forum=board, audience=Letter.Audience.ALL_MEMBERS, status=Letter.Status.DRAFT
    )
    # Cai leaves today and is still a member today; Dai has left; Efa has not joined yet.
    assert names(letter_recipients(letter=to_wrf)) == ["Alys", "Bryn", "Cai"]
    assert names(letter_recipients(letter=to_board)) == ["Ffion"]


def test_a_diary_invitation_reaches_only_the_meeting_s_forum_s_current_members(members):
    wrf, board = members
    assert names(meeting_invitees(factories.MeetingFactory(forum=wrf))) == ["Alys", "Bryn", "Cai"]
    assert names(meeting_invitees(factories.MeetingFactory(forum=board))) == ["Ffion"]


def test_letters_and_invitations_use_the_one_membership_rule(members):
    wrf, _board = members
    current = Membership.objects.current().filter(forum=wrf)
    letter = factories.LetterFactory(
        forum=wrf, audience=Letter.Audience.ALL_MEMBERS, status=Letter.Status.DRAFT
    )
    invited = names(meeting_invitees(factories.MeetingFactory(forum=wrf)))
    assert names(letter_recipients(letter=letter)) == invited
    assert current.count() == 3  # Alys, Cai and the organisation


# Reminders

TUESDAY = datetime.date(2026, 9, 1)  # the digest day: Monday 31 August is a bank holiday


@pytest.fixture
def reminder_cast(db, settings):
    """Gwen (who reads Welsh) owns an action in each of two forums; each forum has its own
    secretariat; a third forum sends no reminders. The board meets in 13 days and raises open
    actions 14 days ahead; the Wales Race Forum meets in 23 days and raises them 7 days ahead."""
    settings.REMINDERS = REMINDER_SETTINGS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(at(datetime.date(2026, 8, 20), 10), tick=False):
        wrf = factories.ForumFactory()
        board = factories.ForumFactory(board=True, reminder_days_before_meeting=14)
        quiet = factories.ForumFactory(
            name="Youth Forum", slug="youth-forum", reminders_enabled=False
        )
        gwen = factories.PersonFactory(email="gwen@example.org", preferred_language="cy")
        iolo = factories.PersonFactory(email="iolo@example.org")
        people = {"gwen": gwen, "iolo": iolo}
        for name, forum, upcoming in (
            ("wrf", wrf, datetime.date(2026, 9, 24)),
            ("board", board, datetime.date(2026, 9, 14)),
            ("quiet", quiet, datetime.date(2026, 9, 3)),
        ):
            held = factories.MeetingFactory(forum=forum, starts_at=at(datetime.date(2026, 7, 16)))
            factories.MeetingFactory(forum=forum, starts_at=at(upcoming), status="planned")
            owner = iolo if forum == quiet else gwen
            factories.ActionItemFactory(
                meeting=held, text=f"{name}: action", owner_person=owner,
                due_date=datetime.date(2026, 10, 30),
            )  # fmt: skip
            if forum != quiet:
                people[f"{name} secretariat"] = secretariat(forum, f"{name}-secretariat")
        # In the Secretariat group, but no longer the secretariat of any forum.
        former = secretariat(wrf, "former")
        Membership.objects.filter(person=former).update(left_on=datetime.date(2026, 8, 1))
    return people


def secretariat(forum, name):
    person = factories.PersonFactory(email=f"{name}@example.org")
    factories.secretariat_user(forum=forum, person=person, username=name)
    return person


def sent_on(day):
    with time_machine.travel(at(day, 7), tick=False):
        reminders_send_due(today=day)
        deliver_queued()  # what the worker does with the queued emails
    return {(m.to[0], m.subject): m for m in mail.outbox}


def test_someone_in_two_forums_gets_one_email_per_forum_named_in_their_language(reminder_cast):
    sent = sent_on(TUESDAY)
    gwen = sorted(subject for to, subject in sent if to == "gwen@example.org")
    assert gwen == [
        "Bwrdd Casineb a Thensiynau Cymunedol Cymru: Diweddarwch eich camau gweithredu cyn y "
        "cyfarfod ar 14 Medi 2026",
        "Fforwm Hil Cymru: Camau gweithredu newydd i chi",
    ]
    board = sent[("gwen@example.org", gwen[0])]
    assert "board: action" in board.body and "wrf: action" not in board.body
    assert board.body.rstrip().endswith("Bwrdd Casineb a Thensiynau Cymunedol Cymru")


def test_a_forum_with_reminders_off_sends_none(reminder_cast):
    sent = sent_on(TUESDAY)
    assert not [to for to, _subject in sent if to == "iolo@example.org"]
    for message in sent.values():
        assert "quiet: action" not in message.body


def test_the_before_meeting_notice_follows_each_forum_s_own_lead(reminder_cast):
    sent_on(TUESDAY)
    meetings = set(
        ReminderClaim.objects.filter(kind=ReminderKind.BEFORE_MEETING).values_list(
            "subject_key", flat=True
        )
    )
    board_meeting = Forum.objects.get(slug="hate-and-community-tensions-board-cymru").meetings
    assert meetings == {f"meeting:{board_meeting.get(status='planned').pk}"}


def test_each_forum_s_secretariat_gets_the_summary_of_that_forum_s_actions_only(reminder_cast):
    sent = sent_on(TUESDAY)
    summaries = {to: m for (to, subject), m in sent.items() if "Weekly summary" in subject}
    assert set(summaries) == {"wrf-secretariat@example.org", "board-secretariat@example.org"}
    wrf, board = (
        summaries["wrf-secretariat@example.org"],
        summaries["board-secretariat@example.org"],
    )
    assert wrf.subject == "Wales Race Forum: Weekly summary of open and overdue actions"
    assert board.subject.startswith("Hate and Community Tensions Board Cymru: ")
    assert "Open actions: 1" in wrf.body and "Open actions: 1" in board.body
    assert "former@example.org" not in {to for to, _subject in sent}
    # Sent once: a second sweep the same day sends nothing.
    mail.outbox.clear()
    assert sent_on(TUESDAY) == {}
    assert ActionItem.objects.filter(text="quiet: action").exists()
