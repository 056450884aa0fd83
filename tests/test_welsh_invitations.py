"""A diary invitation in Welsh is Welsh throughout: the forum's Welsh name in the subject, the
text, the signature and the calendar entry's SUMMARY, and weekday dates never written after
"ar" without the mutation Welsh grammar needs ("ar ddydd Llun", never "ar Dydd Llun")."""

import datetime
import re
import zoneinfo

import pytest
from icalendar import Calendar

from calendars.services import invitation_composed
from meetings.models import Meeting
from tests import factories

# January: London is on GMT.
LONDON = zoneinfo.ZoneInfo("Europe/London")
UNMUTATED = re.compile(r"\bar [Dd]ydd\b")


def meeting_of(forum, **kwargs):
    return factories.MeetingFactory(
        forum=forum,
        title="",
        starts_at=datetime.datetime(2027, 1, 18, 10, 30, tzinfo=LONDON),
        **kwargs,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["new", "updated", "cancelled"])
def test_a_welsh_invitation_names_the_forum_in_welsh_and_mutates_the_day(state):
    forum = factories.ForumFactory()
    meeting = meeting_of(forum)
    if state == "cancelled":
        meeting.status = Meeting.Status.CANCELLED
        meeting.save()
    person = factories.PersonFactory(preferred_language="cy")

    composed = invitation_composed(meeting=meeting, person=person, updated=state == "updated")

    summary = str(Calendar.from_ical(composed.calendar).walk("VEVENT")[0]["SUMMARY"])
    assert summary == "Fforwm Hil Cymru"
    assert "Fforwm Hil Cymru" in composed.subject
    for text in (composed.subject, composed.text, composed.html):
        assert "Wales Race Forum" not in text
        assert not UNMUTATED.search(text), text
    assert "Dydd Llun 18 Ionawr 2027" in composed.text


@pytest.mark.django_db
def test_an_english_invitation_keeps_the_english_name():
    meeting = meeting_of(factories.ForumFactory())
    person = factories.PersonFactory(preferred_language="en")

    composed = invitation_composed(meeting=meeting, person=person)

    summary = str(Calendar.from_ical(composed.calendar).walk("VEVENT")[0]["SUMMARY"])
    assert summary == "Wales Race Forum"
    assert "Wales Race Forum" in composed.text and "Fforwm" not in composed.text
    assert "Monday 18 January 2027" in composed.text
