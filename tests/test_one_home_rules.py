"""One definition for each rule every page, email and download uses: "due soon" (actions.models
``due_soon_days``) and "the next meeting" (meetings.models ``still_to_come``). Each test sets
the rule's input and checks that every place that shows it agrees."""

import datetime
import re
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, translation

from actions.forms import ActionItemForm, OwnerChoices
from actions.models import ActionItem
from actions.services import next_meeting_date
from directory.templatetags.wrc_tags import meeting_day_and_time, meeting_when
from meetings.models import Meeting
from reminders.emails import long_date as reminder_long_date
from reminders.models import ReminderKind
from reminders.services import reminder_plan_build
from tests import factories
from wrc.lib.dates import long_date
from wrc.lib.numbering import next_number, next_number_after

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
# A Tuesday, the day after a working Monday: the reminders' working-day rules stay out of it.
TODAY = datetime.date(2026, 9, 8)


def at(day, hour, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def today():
    with time_machine.travel(at(TODAY, 10), tick=False):
        yield TODAY


# Due soon --------------------------------------------------------------------------------------


@pytest.fixture(params=[7, 10], ids=["7-days", "10-days"])
def window(request, settings):
    settings.REMINDERS = {**settings.REMINDERS, "DUE_SOON_DAYS": request.param}
    return request.param


@pytest.fixture
def edge_actions(member, today, window):
    """The member's two actions either side of the window's last day."""
    person = member.person
    meeting = factories.MeetingFactory(starts_at=at(today - datetime.timedelta(days=30), 12))
    inside = factories.ActionItemFactory(
        meeting=meeting,
        owner_person=person,
        text="Inside: circulate the toolkit.",
        due_date=today + datetime.timedelta(days=window),
    )
    outside = factories.ActionItemFactory(
        meeting=meeting,
        owner_person=person,
        text="Outside: draft the report.",
        due_date=today + datetime.timedelta(days=window + 1),
    )
    return inside, outside


def test_the_queryset_the_list_my_actions_the_download_and_reminders_share_one_window(
    client, official, member, edge_actions, window, today
):
    inside, outside = edge_actions

    assert list(ActionItem.objects.due_soon()) == [inside]

    client.force_login(official)
    listing = client.get(reverse("actions:list"), {"due": "due_soon"}).text
    assert inside.text in listing and outside.text not in listing
    download = client.get(reverse("actions:export", args=["csv"]), {"due": "due_soon"})
    csv_text = b"".join(download.streaming_content if download.streaming else [download.content])
    assert inside.text.encode() in csv_text and outside.text.encode() not in csv_text

    client.force_login(member)
    groups = {g.key: g for g in client.get(reverse("actions:mine")).context["groups"]}
    assert [a.pk for a in groups["due_soon"].actions] == [inside.pk]
    assert [a.pk for a in groups["later"].actions] == [outside.pk]

    plan = reminder_plan_build(today=today)
    due_soon = {
        claim.action_id
        for reminder in plan.reminders
        for claim in reminder.claims
        if claim.kind == ReminderKind.DUE_SOON
    }
    assert due_soon == {inside.pk}


def test_every_page_names_the_window_with_its_length(client, official, member, window, today):
    words = f"Due in the next {window} days"
    client.force_login(official)
    assert words in client.get(reverse("actions:list")).text
    factories.ActionItemFactory(
        owner_person=member.person, due_date=today + datetime.timedelta(days=1)
    )
    client.force_login(member)
    assert words in client.get(reverse("actions:mine")).text


# The next meeting ------------------------------------------------------------------------------


def next_meeting_everywhere(client, member, forum, today):
    """The next meeting as the home page, the forum page, the diary rule, the reminders and a
    "before the next meeting" action of the last meeting see it."""
    client.force_login(member)
    home = client.get(reverse("home")).context["next_meeting"]
    forum_page = client.get(forum.get_absolute_url()).context["next_meeting"]
    upcoming = Meeting.objects.filter(forum=forum).upcoming().order_by("starts_at").first()
    in_diary = (
        Meeting.objects.diary_visible_to(member)
        .filter(forum=forum)
        .upcoming()
        .order_by("starts_at")
        .first()
    )
    reminders = reminder_plan_build(today=today).next_meeting_of(forum.pk)
    return {
        "home": home and home.pk,
        "forum page": forum_page and forum_page.pk,
        "upcoming": upcoming and upcoming.pk,
        "diary": in_diary and in_diary.pk,
        "reminders": reminders and reminders[0],
    }


@pytest.fixture
def forum(member):
    forum = member.person.memberships.get().forum
    forum.reminders_enabled = True
    forum.save()
    return forum


def test_a_meeting_with_no_recorded_time_stays_the_next_meeting_all_its_day(
    client, member, forum, today
):
    last = factories.MeetingFactory(
        forum=forum, starts_at=at(today - datetime.timedelta(days=60), 12)
    )
    untimed = factories.MeetingFactory(
        forum=forum, starts_at=at(today, 0), ends_at=None, time_recorded=False
    )
    factories.MeetingFactory(forum=forum, starts_at=at(today + datetime.timedelta(days=90), 12))

    seen = next_meeting_everywhere(client, member, forum, today)
    assert set(seen.values()) == {untimed.pk}, seen
    assert next_meeting_date(last) == today
    assert "(time not recorded)" in client.get(reverse("home")).text


def test_a_timed_meeting_that_has_begun_gives_way_to_the_one_after(client, member, forum):
    later_day = TODAY + datetime.timedelta(days=30)
    begun = factories.MeetingFactory(forum=forum, starts_at=at(TODAY, 9))
    after = factories.MeetingFactory(forum=forum, starts_at=at(later_day, 12))
    with time_machine.travel(at(TODAY, 8), tick=False):
        assert Meeting.objects.upcoming().order_by("starts_at").first() == begun
    with time_machine.travel(at(TODAY, 10), tick=False):
        seen = next_meeting_everywhere(client, member, forum, TODAY)
    # The reminders sweep works by the day: seen from the morning, today's meeting is still
    # to come, as it is on the pages before it begins.
    assert seen.pop("reminders") == begun.pk
    assert set(seen.values()) == {after.pk}, seen


@pytest.mark.parametrize(
    "change",
    [
        lambda m: setattr(m, "status", Meeting.Status.CANCELLED) or m.save(),
        lambda m: m.archive(),
    ],
    ids=["cancelled", "archived"],
)
def test_a_cancelled_or_archived_meeting_is_nobodys_next_meeting(
    client, member, forum, today, change
):
    last = factories.MeetingFactory(
        forum=forum, starts_at=at(today - datetime.timedelta(days=60), 12)
    )
    dropped = factories.MeetingFactory(
        forum=forum, starts_at=at(today + datetime.timedelta(days=7), 12)
    )
    following = factories.MeetingFactory(
        forum=forum, starts_at=at(today + datetime.timedelta(days=40), 12)
    )
    change(dropped)
    seen = next_meeting_everywhere(client, member, forum, today)
    assert set(seen.values()) == {following.pk}, seen
    assert next_meeting_date(last) == following.local_date


# Templates hand decisions to the views ---------------------------------------------------------

# Pages whose templates took a role or a domain rule into their own hands before; the views now
# pass flags (can_edit, can_add, page_open, …).
FLAGGED_TEMPLATES = [
    "home/_next_meeting.html",
    "directory/forum_detail.html",
    "directory/organisation_detail.html",
    "directory/organisation_list.html",
    "directory/person_detail.html",
    "directory/person_list.html",
    "meetings/meeting_detail.html",
    "meetings/meeting_list.html",
    "calendars/_meeting_links.html",
    "correspondence/letter_detail.html",
    "correspondence/letter_list.html",
    "directory/forum_list.html",
    "hatecrime/planaction_detail.html",
    "hatecrime/deliveryplan_detail.html",
]
ROLE_CHECKS = re.compile(r"user_roles|keeps_records_of|perms\.|user\.is_staff|user\.groups")


@pytest.mark.parametrize("name", FLAGGED_TEMPLATES)
def test_the_template_checks_no_role_and_no_rule_of_its_own(name):
    source = get_template(name).template.source
    assert not ROLE_CHECKS.findall(source)


# Next numbers ----------------------------------------------------------------------------------


def test_the_next_number_is_one_more_than_the_highest_in_use():
    meeting = factories.MeetingFactory()
    assert next_number(meeting.actions.all()) == 1
    for number in (1, 2, 5):
        factories.ActionItemFactory(meeting=meeting, number=number)
    assert next_number(meeting.actions.all()) == 6
    assert next_number_after([1, 2, 5, None]) == 6 and next_number_after([]) == 1


def test_a_new_action_and_a_new_objective_take_the_next_number(client, official):
    action = factories.ActionItemFactory(number=4)
    item = factories.AgendaItemFactory(meeting=action.meeting)
    form = ActionItemForm(
        data={
            "agenda_item": item.pk,
            "text": "Circulate the toolkit",
            "owner_text": "Secretariat",
            "deadline_text": "",
            "status": "open",
        },
        meeting=action.meeting,
        owners=OwnerChoices.load(action.meeting.forum),
        items=[(item.pk, str(item))],
    )
    assert form.is_valid(), form.errors
    assert form.save().number == 5

    plan_action = factories.PlanActionFactory()
    plan = plan_action.plan
    client.force_login(official)
    page = client.get(reverse("hatecrime:objective_add", args=[plan.period]))
    assert page.context["form"].initial["number"] == plan_action.area.objective.number + 1


# Dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "written"), [("en", "17 March 2025"), ("cy", "17 Mawrth 2025")]
)
def test_a_date_reads_the_same_on_pages_in_emails_and_in_record_names(
    client, member, language, written
):
    day = datetime.date(2025, 3, 17)
    meeting = factories.MeetingFactory(starts_at=at(day, 12))
    factories.ActionItemFactory(meeting=meeting, owner_person=member.person, due_date=day)
    with translation.override(language):
        assert long_date(day) == written
        assert str(meeting).endswith(written)
        assert reminder_long_date(day) == written
        assert formats.date_format(day) == written  # what the history panel and forms show
        assert Template("{{ day|date }}").render(Context({"day": day})) == written
    client.force_login(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert written in client.get(reverse("home")).text


def project_templates():
    """Every template file of the product: templates/ and each app's templates/."""
    base = Path(settings.BASE_DIR)
    folders = [base / "templates", *base.glob("*/templates")]
    return sorted(path for folder in folders for path in folder.rglob("*") if path.is_file())


DATE_FILTER = re.compile(r"""\|\s*(?:date|time)\s*:\s*["']([^"']*)["']""")


def test_templates_name_their_date_formats_and_each_name_is_defined_in_english_and_welsh():
    """A format spelt out in a template ("j F Y") would not follow wrc/formats; a name that no
    format module defines would be printed letter by letter as a format of its own."""
    from wrc.formats.cy import formats as welsh
    from wrc.formats.en import formats as english

    used = {
        (path.relative_to(settings.BASE_DIR).as_posix(), name)
        for path in project_templates()
        for name in DATE_FILTER.findall(path.read_text(errors="replace"))
    }
    assert used
    spelt_out = sorted(where for where in used if not re.fullmatch(r"[A-Z_]+", where[1]))
    assert spelt_out == []
    undefined = sorted(
        where for where in used if not (hasattr(english, where[1]) and hasattr(welsh, where[1]))
    )
    assert undefined == []


@pytest.mark.parametrize(
    ("language", "notes_day", "invitation_day"),
    [
        ("en", "Monday 17th March 2025", "Monday 17 March 2025, 12:00"),
        ("cy", "Dydd Llun 17 Mawrth 2025", "Dydd Llun 17 Mawrth 2025, 12:00"),
    ],
)
def test_a_meetings_day_comes_from_the_format_modules(language, notes_day, invitation_day):
    meeting = factories.MeetingFactory(
        starts_at=at(datetime.date(2025, 3, 17), 12), ends_at=None, venue="", online_platform=""
    )
    with translation.override(language):
        assert meeting_when(meeting).endswith(notes_day)
        assert meeting_day_and_time(meeting) == invitation_day
        assert (
            Template('{{ day|date:"WEEKDAY_DATE_FORMAT" }}').render(
                Context({"day": meeting.starts_at})
            )
            == invitation_day.split(",")[0]
        )
