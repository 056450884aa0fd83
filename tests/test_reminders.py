"""Deadline reminders over a simulated fortnight: exactly the expected emails, once each.

The cast (actions created on 20 August 2026; the fortnight runs from the bank holiday Monday
31 August 2026 to Sunday 13 September; the next meeting is on Thursday 17 September):

- Alice owns A1 (due Fri 4 Sep) and A2 (due Sun 13 Sep) herself, and holds the convenor role.
- Bethan, who reads Welsh, is the contact for Org X, which owns B1 (no date) and B2 (overdue).
- Carys holds the convenor role too; the role owns R1 (due Wed 9 Sep) and N1 ("before the next
  meeting", no date filled in yet: the meeting on 17 September).
- Dafydd is in the Secretariat group and owns nothing; Emyr works at Org X but is not its contact.
"""

import datetime
import re
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from actions.models import ActionItem
from meetings.models import Meeting
from outbox import services as outbox
from outbox.models import OutgoingMail
from reminders import calendar
from reminders.models import ReminderClaim, ReminderKind
from reminders.services import reminder_plan_build, reminder_plan_queue, reminders_send_due
from reminders.tasks import send_due_reminders
from tests import factories
from wrc import access
from wrc.celery import app as celery_app

LONDON = zoneinfo.ZoneInfo("Europe/London")
FORTNIGHT = [datetime.date(2026, 8, 31) + datetime.timedelta(days=n) for n in range(14)]
REMINDER_SETTINGS = {
    "SEND_AT": "07:30",
    "DUE_SOON_DAYS": 7,
    "DIGEST_WEEKDAY": 0,
    "NO_DATE_EVERY_DAYS": 28,
    "BEFORE_MEETING_DAYS": 7,
    "SUMMARY_MAX_LISTED": 50,
}

ALICE, BETHAN, CARYS, DAFYDD = (
    "alice@example.org",
    "bethan@example.org",
    "carys@example.org",
    "dafydd@example.org",
)
SUMMARY = "Weekly summary of open and overdue actions"
# Per day, per recipient: (subject, the actions the email lists, in order).
EXPECTED = {
    datetime.date(2026, 9, 1): {
        ALICE: ("Reminder: actions due soon", ["A1", "R1", "A2", "N1"]),
        BETHAN: ("Eich camau gweithredu sy'n hwyr", ["B2", "B1"]),
        CARYS: ("New actions for you", ["R1", "N1"]),
        DAFYDD: (SUMMARY, ["B2", "B1"]),
    },
    datetime.date(2026, 9, 2): {
        ALICE: ("Reminder: actions due soon", ["R1"]),
        CARYS: ("Reminder: actions due soon", ["R1"]),
    },
    datetime.date(2026, 9, 4): {
        ALICE: ("Reminder: actions due on 4 September 2026", ["A1", "A2"]),
    },
    datetime.date(2026, 9, 7): {
        ALICE: ("Your overdue actions", ["A1"]),
        BETHAN: ("Eich camau gweithredu sy'n hwyr", ["B2", "B1"]),
        DAFYDD: (SUMMARY, ["B2", "A1", "B1"]),
    },
    datetime.date(2026, 9, 9): {
        ALICE: ("Reminder: actions due on 9 September 2026", ["R1"]),
        CARYS: ("Reminder: actions due on 9 September 2026", ["R1"]),
    },
    datetime.date(2026, 9, 10): {
        ALICE: (
            "Please update your actions before the meeting on 17 September 2026",
            ["N1", "A1", "R1", "A2"],
        ),
        BETHAN: (
            "Diweddarwch eich camau gweithredu cyn y cyfarfod ar 17 Medi 2026",
            ["B2", "B1"],
        ),
        CARYS: (
            "Please update your actions before the meeting on 17 September 2026",
            ["N1", "R1"],
        ),
    },
    datetime.date(2026, 9, 11): {
        ALICE: ("Reminder: actions due on 13 September 2026", ["A2"]),
    },
}


def at_morning(day, hour=7, minute=30):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.REMINDERS = REMINDER_SETTINGS
    settings.SITE_URL = "https://forum.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def cast(db):
    """The people and actions described in the module docstring."""
    with time_machine.travel(at_morning(datetime.date(2026, 8, 20), 10), tick=False):
        return make_cast()


def make_cast():
    org_x = factories.OrganisationFactory(name="Org X")
    alice = factories.PersonFactory(full_name="Alice Adams", email=ALICE)
    bethan = factories.PersonFactory(
        full_name="Bethan Bowen",
        email=BETHAN,
        organisation=org_x,
        is_organisation_contact=True,
        preferred_language="cy",
    )
    carys = factories.PersonFactory(full_name="Carys Cole", email=CARYS)
    factories.PersonFactory(full_name="Emyr Evans", email="emyr@example.org", organisation=org_x)
    dafydd = factories.PersonFactory(full_name="Dafydd Davies", email=DAFYDD)
    factories.secretariat_user(username="dafydd", person=dafydd)
    convenor = factories.OwnerRoleFactory(name="Regional Convenor (North Wales)")
    convenor.holders.set([alice, carys])
    held = factories.MeetingFactory(starts_at=at_morning(datetime.date(2026, 7, 16), 12))
    factories.MeetingFactory(
        forum=held.forum,
        starts_at=at_morning(datetime.date(2026, 9, 17), 12),
        status="planned",
    )

    def action(label, due=None, deadline="", **owner):
        return factories.ActionItemFactory(
            meeting=held, text=f"{label}: action", due_date=due, deadline_text=deadline, **owner
        )

    action("A1", datetime.date(2026, 9, 4), owner_person=alice)
    action("A2", datetime.date(2026, 9, 13), owner_person=alice)
    action("B1", None, "As soon as possible", owner_organisation=org_x)
    action("B2", datetime.date(2026, 8, 14), owner_organisation=org_x)
    action("R1", datetime.date(2026, 9, 9), owner_role=convenor)
    action("N1", None, "Before next meeting", owner_role=convenor, due_rule="next_meeting")
    done = action("D1", datetime.date(2026, 9, 4), owner_person=alice)
    done.status = ActionItem.Status.DONE
    done.save()
    return {"alice": alice, "bethan": bethan, "carys": carys, "dafydd": dafydd}


def listed_actions(message):
    return re.findall(r"\b([A-Z]\d): action", message.body)


FORUM_IN_SUBJECT = re.compile(r"^(?:Wales Race Forum|Fforwm Hil Cymru): ")


def without_forum(subject):
    """The subject after the forum's name, which every reminder's subject starts with."""
    assert FORUM_IN_SUBJECT.match(subject), subject
    return FORUM_IN_SUBJECT.sub("", subject)


def received(outbox):
    """{recipient: (subject without the forum, listed actions)}; fails on a second email to
    anyone."""
    by_recipient = {}
    for message in outbox:
        (recipient,) = message.to
        assert recipient not in by_recipient, f"Two emails to {recipient}"
        by_recipient[recipient] = (without_forum(message.subject), listed_actions(message))
    return by_recipient


def deliver_queued():
    """What the worker does with the emails the sweep queued, in this process."""
    queued = OutgoingMail.objects.filter(status=OutgoingMail.Status.QUEUED).order_by("pk")
    for mail_id in queued.values_list("pk", flat=True):
        outbox.send(mail_id=mail_id)


def run_sweep_on(day, times=1, hour=7):
    with time_machine.travel(at_morning(day, hour), tick=False):
        for _ in range(times):
            send_due_reminders.apply().get()
            deliver_queued()


def test_working_days_skip_weekends_and_welsh_bank_holidays():
    assert not calendar.is_working_day(datetime.date(2026, 8, 31))  # Late Summer Bank Holiday
    assert not calendar.is_working_day(datetime.date(2026, 9, 5))
    assert calendar.is_working_day(datetime.date(2026, 9, 1))
    assert calendar.working_day_on_or_before(datetime.date(2026, 9, 13)) == datetime.date(
        2026, 9, 11
    )
    assert calendar.working_day_on_or_before(datetime.date(2026, 12, 28)) == datetime.date(
        2026, 12, 24
    )


def test_a_fortnight_of_sweeps_sends_exactly_the_expected_emails_run_twice_a_day(cast):
    for day in FORTNIGHT:
        mail.outbox.clear()
        run_sweep_on(day, times=2)
        assert received(mail.outbox) == EXPECTED.get(day, {}), day


def test_every_claim_of_the_fortnight_ends_sent_and_unique(cast):
    for day in FORTNIGHT:
        run_sweep_on(day)
    claims = ReminderClaim.objects.all()
    assert set(claims.values_list("mail__status", flat=True)) == {OutgoingMail.Status.SENT}
    # One email per person and day: each claim rides in the email of the day it was owed.
    assert OutgoingMail.objects.count() == sum(len(sent) for sent in EXPECTED.values())
    keys = list(claims.values_list("subject_key", "kind", "occasion", "recipient"))
    assert len(keys) == len(set(keys))
    assert claims.filter(recipient=cast["alice"], kind=ReminderKind.ASSIGNED).count() == 4


def test_a_run_after_missed_days_catches_up_what_is_still_ahead(cast):
    run_sweep_on(datetime.date(2026, 9, 1))
    mail.outbox.clear()
    # Nothing ran from Wednesday 2 to Sunday 6 September.
    run_sweep_on(datetime.date(2026, 9, 7))
    got = received(mail.outbox)
    # A1's due day was missed: it is overdue now, so the digest speaks for it. A2's and R1's
    # 7-day notices were missed too, but their due dates are still ahead: they are caught up.
    assert got[ALICE] == ("Your overdue actions", ["A1", "R1", "A2"])
    assert got[CARYS] == ("Reminder: actions due soon", ["R1"])
    assert got[BETHAN] == ("Eich camau gweithredu sy'n hwyr", ["B2", "B1"])
    assert got[DAFYDD] == (SUMMARY, ["B2", "A1", "B1"])


def test_the_first_run_on_the_due_day_sends_the_due_day_notice_not_the_seven_day_one(cast):
    run_sweep_on(datetime.date(2026, 9, 4))
    subject, listed = received(mail.outbox)[ALICE]
    assert subject == "Reminder: actions due on 4 September 2026"
    assert listed == ["A1", "R1", "A2", "N1"]
    kinds = set(
        ReminderClaim.objects.filter(
            recipient=cast["alice"], action__text="A1: action"
        ).values_list("kind", flat=True)
    )
    assert kinds == {ReminderKind.ASSIGNED, ReminderKind.DUE_TODAY}


def test_moving_a_due_date_later_gives_a_new_seven_day_notice(cast):
    run_sweep_on(datetime.date(2026, 9, 2))
    ActionItem.objects.filter(text="R1: action").update(due_date=datetime.date(2026, 9, 16))
    mail.outbox.clear()
    run_sweep_on(datetime.date(2026, 9, 9))
    assert received(mail.outbox)[CARYS] == ("Reminder: actions due soon", ["R1"])


def test_an_action_done_before_its_due_day_gets_no_further_reminder(cast):
    run_sweep_on(datetime.date(2026, 9, 1))
    ActionItem.objects.filter(text="A1: action").update(status=ActionItem.Status.DONE)
    mail.outbox.clear()
    run_sweep_on(datetime.date(2026, 9, 4))
    # R1's 7-day notice (from Wednesday) was not sent yet: it comes with A2's.
    assert received(mail.outbox)[ALICE] == ("Reminder: actions due soon", ["R1", "A2"])


def test_a_new_holder_of_a_role_is_told_of_the_role_s_actions_once(cast):
    run_sweep_on(datetime.date(2026, 9, 1))
    run_sweep_on(datetime.date(2026, 9, 2))
    newcomer = factories.PersonFactory(full_name="Ffion Ford", email="ffion@example.org")
    cast["alice"].owner_roles.first().holders.add(newcomer)
    mail.outbox.clear()
    run_sweep_on(datetime.date(2026, 9, 3), times=2)
    # R1's 7-day notice went to the other holders yesterday; the newcomer has not had it yet.
    assert received(mail.outbox) == {
        "ffion@example.org": ("Reminder: actions due soon", ["R1", "N1"])
    }


def test_nothing_is_sent_on_a_bank_holiday_and_the_next_working_day_catches_up(cast):
    run_sweep_on(datetime.date(2026, 8, 31))
    assert mail.outbox == []
    run_sweep_on(datetime.date(2026, 9, 1))
    assert received(mail.outbox) == EXPECTED[datetime.date(2026, 9, 1)]


def test_the_email_is_in_welsh_with_plain_text_and_html_and_links_to_my_actions(cast):
    run_sweep_on(datetime.date(2026, 9, 7))
    mail.outbox.clear()
    run_sweep_on(datetime.date(2026, 9, 10))
    (message,) = [m for m in mail.outbox if m.to == [BETHAN]]
    assert message.body.startswith("Annwyl Bethan Bowen,")
    assert message.extra_headers["Content-Language"] == "cy"
    assert "Dim dyddiad wedi'i bennu" in message.body
    assert "Medi 2026" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="cy">' in html
    assert "Annwyl Bethan Bowen," in html
    assert "https://forum.example.org/actions/" in message.body
    assert 'href="https://forum.example.org/actions/' in html


def test_an_owner_never_sees_another_owner_s_actions_or_address(cast):
    run_sweep_on(datetime.date(2026, 9, 10))
    (message,) = [m for m in mail.outbox if m.to == [CARYS]]
    assert set(listed_actions(message)) == {"N1", "R1"}
    for other in (ALICE, BETHAN, DAFYDD):
        assert other not in message.body
        assert other not in message.alternatives[0][0]


def test_the_secretariat_summary_counts_every_open_action(cast):
    run_sweep_on(datetime.date(2026, 9, 7))
    (message,) = [m for m in mail.outbox if m.to == [DAFYDD]]
    assert "Open actions: 6" in message.body
    assert "Overdue: 2" in message.body
    assert "No date set: 1" in message.body
    assert "\n- \n" not in message.body  # no empty entries
    assert listed_actions(message) == ["B2", "A1", "B1"]


def test_secretariat_role_holders_get_the_summary(cast):
    role = factories.OwnerRoleFactory(name="Secretariat", category="secretariat")
    holder = factories.PersonFactory(full_name="Gwen Griffiths", email="gwen@example.org")
    role.holders.add(holder)
    run_sweep_on(datetime.date(2026, 9, 1))
    assert received(mail.outbox)["gwen@example.org"][0] == SUMMARY


# Exactly once, whatever overlaps


def test_overlapping_sweeps_send_each_reminder_once(cast):
    """Two workers build their plans at the same moment; whichever claims first sends, the
    other finds every reminder taken and sends nothing."""
    today = datetime.date(2026, 9, 1)
    with time_machine.travel(at_morning(today), tick=False):
        first, second = reminder_plan_build(today=today), reminder_plan_build(today=today)
        assert reminder_plan_queue(plan=second).queued == 4
        assert reminder_plan_queue(plan=first).queued == 0
        deliver_queued()
    assert received(mail.outbox) == EXPECTED[today]
    assert OutgoingMail.objects.count() == 4


def test_a_sweep_that_wins_part_of_a_plan_sends_only_that_part(cast):
    today = datetime.date(2026, 9, 4)
    with time_machine.travel(at_morning(today), tick=False):
        stale = reminder_plan_build(today=today)
        reminders_send_due(today=datetime.date(2026, 9, 2))  # another worker, a day behind
        deliver_queued()
        mail.outbox.clear()
        reminder_plan_queue(plan=stale)
        deliver_queued()
    subject, listed = received(mail.outbox)[ALICE]
    assert subject == "Reminder: actions due on 4 September 2026"
    assert listed == ["A1", "A2"]  # R1 and N1 were announced by the other worker
    # The outbox shows the subject of what the email carried, not of the plan it came from.
    alices = OutgoingMail.objects.filter(email=ALICE).order_by("pk")
    assert without_forum(alices.last().subject) == subject


def test_the_ledger_refuses_a_second_claim_of_the_same_reminder(cast):
    email = OutgoingMail.objects.create(
        kind=OutgoingMail.Kind.REMINDER, key="reminder:test", email=ALICE, language="en"
    )
    row = {
        "subject_key": "action:1",
        "kind": ReminderKind.DUE_TODAY,
        "occasion": datetime.date(2026, 9, 4),
        "recipient": cast["alice"],
        "mail": email,
    }
    ReminderClaim.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderClaim.objects.create(**row)


def test_an_email_whose_worker_died_is_uncertain_and_not_sent_again(cast):
    """The worker claimed Carys's email and died mid-send: the outbox's sweeper marks it
    uncertain, and no later reminder sweep sends those reminders again."""
    today = datetime.date(2026, 9, 2)
    with time_machine.travel(at_morning(today), tick=False):
        send_due_reminders.apply().get()
        carys = OutgoingMail.objects.get(email=CARYS)
        long_ago = at_morning(today, 6)
        OutgoingMail.objects.filter(pk=carys.pk).update(
            status=OutgoingMail.Status.SENDING, claimed_at=long_ago, attempts=1
        )
        deliver_queued()
        assert outbox.sweep().uncertain == 1
        run_sweep_on(today, times=2, hour=9)
    assert CARYS not in received(mail.outbox)
    carys.refresh_from_db()
    assert carys.status == OutgoingMail.Status.UNCERTAIN
    assert "may have accepted" in carys.reason
    assert set(
        ReminderClaim.objects.filter(recipient__email=CARYS).values_list("mail", flat=True)
    ) == {carys.pk}


def test_the_secretariat_group_means_an_active_user(cast):
    cast["dafydd"].user.is_active = False
    cast["dafydd"].user.save()
    run_sweep_on(datetime.date(2026, 9, 1))
    assert DAFYDD not in received(mail.outbox)
    assert access.SECRETARIAT == "Secretariat"


def test_the_beat_schedule_runs_the_sweep_on_weekday_mornings():
    entry = celery_app.conf.beat_schedule["reminders-sweep"]
    assert entry["task"] == send_due_reminders.name
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({7}, {30})
    assert schedule.day_of_week == {1, 2, 3, 4, 5}


def test_the_command_runs_the_sweep_for_a_given_day_and_refuses_a_bad_one(cast):
    out = StringIO()
    with time_machine.travel(at_morning(datetime.date(2026, 9, 1)), tick=False):
        call_command("send_reminders", "--day", "2026-09-01", stdout=out)
        call_command("send_reminders", "--day", "2026-09-01", stdout=out)
        deliver_queued()
    assert "4 emails queued" in out.getvalue()
    assert "0 emails queued" in out.getvalue()
    assert received(mail.outbox) == EXPECTED[datetime.date(2026, 9, 1)]
    with pytest.raises(CommandError, match="--day must be a date"):
        call_command("send_reminders", "--day", "1 September")


def test_actions_with_no_date_are_nudged_every_four_weeks_not_weekly(cast):
    bethan = {}
    # Mondays after the meeting of 17 September, so no "please update" lists B1 meanwhile.
    mondays = [datetime.date(2026, 9, 21) + datetime.timedelta(weeks=n) for n in range(4)]
    for day in mondays:
        mail.outbox.clear()
        run_sweep_on(day)
        bethan[day] = received(mail.outbox)[BETHAN][1]
    assert bethan == {
        datetime.date(2026, 9, 21): ["B2", "B1"],  # the cycle began on 7 September
        datetime.date(2026, 9, 28): ["B2"],
        datetime.date(2026, 10, 5): ["B2", "B1"],  # the next cycle
        datetime.date(2026, 10, 12): ["B2"],
    }


def test_before_next_meeting_with_no_meeting_planned_counts_as_no_date(cast):
    Meeting.objects.filter(status="planned").update(status=Meeting.Status.CANCELLED)
    run_sweep_on(datetime.date(2026, 9, 7))
    (message,) = [m for m in mail.outbox if m.to == [DAFYDD]]
    assert "No date set: 2" in message.body
    assert listed_actions(message) == ["B2", "A1", "B1", "N1"]


def test_action_text_is_escaped_in_the_html_email(cast):
    ActionItem.objects.filter(text="A1: action").update(text="A1: action <b>Fish & chips</b>")
    run_sweep_on(datetime.date(2026, 9, 1))
    (message,) = [m for m in mail.outbox if m.to == [ALICE]]
    assert "A1: action <b>Fish & chips</b>" in message.body
    html = message.alternatives[0][0]
    assert "A1: action &lt;b&gt;Fish &amp; chips&lt;/b&gt;" in html
    assert "<b>Fish" not in html


# Actions nobody can be reminded about


@pytest.fixture
def unreachable(cast):
    """One open action for each way an owner can be out of reach, and one closed one."""
    held = ActionItem.objects.get(text="A1: action").meeting
    no_email = factories.PersonFactory(full_name="Gareth Gray", email="")
    no_contact = factories.OrganisationFactory(name="Org Y")
    factories.PersonFactory(organisation=no_contact, email="", is_organisation_contact=True)
    factories.PersonFactory(organisation=no_contact, email="y@example.org")  # not the contact
    unheld = factories.OwnerRoleFactory(name="Treasurer")
    silent = factories.OwnerRoleFactory(name="Auditor")
    silent.holders.set([no_email])
    with time_machine.travel(at_morning(datetime.date(2026, 8, 20), 10), tick=False):
        for label, owner in [
            ("P1", {"owner_person": no_email}),
            ("O1", {"owner_organisation": no_contact}),
            ("U1", {"owner_role": unheld}),
            ("S1", {"owner_role": silent}),
            ("X1", {"owner_text": "All members"}),
        ]:
            factories.ActionItemFactory(meeting=held, text=f"{label}: action", **owner)
        factories.ActionItemFactory(
            meeting=held, text="C1: action", owner_role=unheld, status=ActionItem.Status.DONE
        )
    return ["P1", "O1", "U1", "S1", "X1"]


def test_the_summary_lists_open_actions_no_one_can_be_reminded_about_and_why(unreachable):
    run_sweep_on(datetime.date(2026, 9, 7))
    (message,) = [m for m in mail.outbox if m.to == [DAFYDD]]
    body = message.body
    assert "No one to remind: 5" in body
    section = body[body.index("\nNo one to remind\n") :]
    assert re.findall(r"\b([A-Z]\d): action", section) == unreachable
    for reason in (
        "The owner has no email address",
        "The organisation has no contact with an email address",
        "Nobody holds the role",
        "No holder of the role has an email address",
        "The owner is not matched to a person, organisation or role",
    ):
        assert reason in section
        assert reason in message.alternatives[0][0]
    # Reachable owners are not in the section: the cast's actions all reach someone.
    assert "B1: action" not in section and "R1: action" not in section


def test_the_actions_list_shows_staff_the_actions_no_one_can_be_reminded_about(
    client, official, member, unreachable
):
    url = reverse("actions:list") + "?reminders=no_one&status="
    client.force_login(official)
    html = client.get(reverse("actions:list")).content.decode()
    assert "Owner cannot be reminded" in html
    listed = re.findall(r"\b([A-Z]\d): action", client.get(url).content.decode())
    assert sorted(listed) == sorted(unreachable)
    # The action's page says so too, with the reason; not for a reachable owner.
    role_action = ActionItem.objects.get(text="U1: action")
    html = client.get(role_action.get_absolute_url()).content.decode()
    assert "Owner cannot be reminded" in html and "Nobody holds the role" in html
    html = client.get(ActionItem.objects.get(text="R1: action").get_absolute_url()).content.decode()
    assert "Owner cannot be reminded" not in html
    # Members do not get the filter.
    client.force_login(member)
    html = client.get(reverse("actions:list")).content.decode()
    assert "Owner cannot be reminded" not in html
