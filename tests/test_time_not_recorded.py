"""Meetings whose notes give a date but no time: stored at midnight with ``time_recorded`` off,
they are shown as "time not recorded" on every page, in every export and in diaries (as an
all-day entry), and never with the placeholder midnight as if it were a time."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from calendars import ics, services
from directory.templatetags.wrc_tags import meeting_day_and_time, meeting_when
from exports import meeting_notes
from meetings.importers import import_meeting_notes
from meetings.models import Meeting
from meetings.serializers import meeting_data, meeting_queryset
from tests import factories
from tests.test_export_meeting_notes import docx_text, flat, make_welsh_meeting, pdf_text
from tests.test_meeting_editing import NEW_MEETING, page_data, step_url
from tests.test_round_trip import snapshot

pytestmark = pytest.mark.django_db

# What a midnight placeholder would look like if it leaked out as a time.
INVENTED_TIMES = ("00:00", "12:00 am", "0:00", "12:00 yb", "T00:00")


def midnight(*date):
    return datetime.datetime(*date, tzinfo=timezone.get_current_timezone())


def no_invented_time(text):
    return not any(time in text for time in INVENTED_TIMES)


@pytest.fixture
def forum(db):
    return factories.ForumFactory(name="Wales Race Forum")


@pytest.fixture
def untimed(forum):
    """A meeting from old notes that give only the date (a summer date: midnight in London is
    23:00 the day before in UTC, the day a careless conversion would show)."""
    return factories.MeetingFactory(
        forum=forum,
        title="Wales Race Forum",
        starts_at=midnight(2019, 7, 10),
        ends_at=None,
        time_recorded=False,
        venue="Cathays Park, Cardiff",
        online_platform="",
    )


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.text


# Pages ---------------------------------------------------------------------------------


def test_the_when_line_gives_the_date_and_says_the_time_was_not_recorded(untimed):
    assert meeting_when(untimed) == (
        "Wednesday 10th July 2019 (time not recorded) – Cathays Park, Cardiff"
    )
    assert meeting_day_and_time(untimed) == "Wednesday 10 July 2019 (time not recorded)"


def test_a_timed_meeting_keeps_its_times(forum):
    timed = factories.MeetingFactory(
        forum=forum, starts_at=midnight(2019, 7, 10, 10, 30), ends_at=midnight(2019, 7, 10, 12)
    )
    assert meeting_when(timed) == "10:30 am – 12:00 pm, Wednesday 10th July 2019 – Via Teams"
    assert meeting_day_and_time(timed) == "Wednesday 10 July 2019, 10:30"


def test_the_meeting_page_shows_the_date_and_no_time(client, official, untimed):
    body = page(client, official, untimed.get_absolute_url())
    assert "Wednesday 10th July 2019 (time not recorded) – Cathays Park, Cardiff" in body
    assert "12:00 am" not in body


def test_the_meetings_list_shows_the_date_and_no_time(client, official, untimed, forum):
    factories.MeetingFactory(forum=forum, starts_at=midnight(2019, 9, 4, 14))
    body = page(client, official, reverse("meetings:list"))
    assert "Wednesday 10th July 2019 (time not recorded)" in body
    assert "2:00 – 3:00 pm, Wednesday 4th September 2019" in body
    assert "12:00 am" not in body


def test_the_home_page_next_meeting_shows_the_date_and_no_time(client, member, forum):
    day = timezone.localdate() + datetime.timedelta(days=20)
    factories.MeetingFactory(
        forum=forum,
        title="Summer forum",
        starts_at=midnight(day.year, day.month, day.day),
        ends_at=None,
        time_recorded=False,
        status=Meeting.Status.PLANNED,
    )
    body = page(client, member, reverse("home"))
    assert "Summer forum" in body
    assert "(time not recorded)" in body
    assert "12:00 am" not in body


def test_the_name_of_the_meeting_is_its_date(untimed):
    assert str(untimed) == "Wales Race Forum – 10 July 2019"


# Diary ---------------------------------------------------------------------------------


def all_day(event):
    assert event["dtstart"].params.get("VALUE") == "DATE"
    return event.decoded("dtstart"), event.decoded("dtend")


def test_the_download_is_an_all_day_entry_on_the_date(client, official, untimed):
    client.force_login(official)
    response = client.get(reverse("calendars:meeting_ics", args=[untimed.pk]))
    assert response.status_code == 200
    assert 'filename="meeting-2019-07-10.ics"' in response["Content-Disposition"]
    assert b"DTSTART;VALUE=DATE:20190710" in response.content
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    starts, ends = all_day(event)
    assert not isinstance(starts, datetime.datetime)
    assert (starts, ends) == (datetime.date(2019, 7, 10), datetime.date(2019, 7, 11))
    assert str(event["transp"]) == "TRANSPARENT"


def test_a_timed_meeting_is_still_a_timed_entry(forum):
    timed = factories.MeetingFactory(forum=forum, starts_at=midnight(2019, 7, 10, 10, 30))
    (event,) = Calendar.from_ical(ics.meeting_download(timed)).walk("VEVENT")
    assert event.decoded("dtstart") == midnight(2019, 7, 10, 10, 30)
    assert event["dtstart"].params["TZID"] == "Europe/London"


def test_the_invitation_and_the_feed_give_an_all_day_entry(untimed):
    person = factories.PersonFactory(email="aled@example.org")
    (invited,) = Calendar.from_ical(ics.meeting_invitation(untimed, attendee=person)).walk("VEVENT")
    feed = ics.personal_feed(name="Forum", meetings=[untimed], actions=[])
    (listed,) = Calendar.from_ical(feed).walk("VEVENT")
    for event in (invited, listed):
        assert all_day(event) == (datetime.date(2019, 7, 10), datetime.date(2019, 7, 11))


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_invitation_email_states_the_date_and_no_time(settings, untimed, language):
    person = factories.PersonFactory(email="aled@example.org", preferred_language=language)
    message = services.invitation_composed(meeting=untimed, person=person)
    for text in (message.text, message.html):
        assert "2019" in text
        assert no_invented_time(text), text
    if language == "en":
        assert "Wednesday 10 July 2019 (time not recorded)" in message.text


# Exports -------------------------------------------------------------------------------


def test_every_notes_format_states_time_not_recorded_and_no_time(untimed):
    factories.AgendaItemFactory(meeting=untimed, number=1, title="Welcome")
    meeting = meeting_notes.meetings_for_export().get(pk=untimed.pk)
    line = "Time not recorded, Wednesday 10th July 2019 – Cathays Park, Cardiff"

    markdown = meeting_notes.render_markdown(meeting, "en")
    assert f"\n{line}\n" in markdown
    _document, paragraphs, _rows = docx_text(meeting_notes.render_docx(meeting, "en"))
    assert line in paragraphs
    pdf = pdf_text(meeting_notes.render_pdf(meeting, "en"))
    assert flat(line) in pdf
    for text in (markdown, "\n".join(paragraphs), pdf):
        assert no_invented_time(text)


def test_the_welsh_notes_say_amser_heb_ei_gofnodi(untimed):
    assert meeting_notes.when_line(untimed, "cy") == (
        "Amser heb ei gofnodi, Dydd Mercher 10 Gorffennaf 2019 – Cathays Park, Cardiff"
    )


def test_the_meeting_data_has_the_date_and_no_times(untimed):
    data = meeting_data(meeting_queryset().get(pk=untimed.pk))["meeting"]
    assert data["date"] == "2019-07-10"
    assert data["time_recorded"] is False
    assert (data["starts_at"], data["ends_at"]) == (None, None)
    assert no_invented_time(json.dumps(data))


def test_the_markdown_export_imports_again_as_the_same_meeting():
    original = make_welsh_meeting(
        starts_at=midnight(2019, 7, 10), ends_at=None, time_recorded=False, venue="Tŷ Hywel"
    )
    before = snapshot(original)
    markdown = meeting_notes.render_markdown(meeting_notes.meetings_for_export().get(), "en")
    original.delete()

    import_meeting_notes(text=markdown, source_name="exported.md")

    again = Meeting.objects.get(source_document="exported.md")
    assert snapshot(again) == before
    assert again.time_recorded is False
    assert again.starts_at == midnight(2019, 7, 10)


# Editing -------------------------------------------------------------------------------


@pytest.fixture
def timed(forum):
    return factories.MeetingFactory(
        forum=forum, starts_at=midnight(2025, 6, 9, 10), ends_at=midnight(2025, 6, 9, 12)
    )


def test_the_details_page_offers_the_time_not_recorded_box(client, official, timed):
    body = page(client, official, step_url("edit", timed))
    assert 'name="time_not_recorded"' in body
    assert "Time not recorded" in body
    assert body.index('name="ends_at"') < body.index('name="time_not_recorded"')
    assert body.index('name="time_not_recorded"') < body.index('name="venue"')


def test_ticking_time_not_recorded_keeps_the_date_and_ignores_the_times(client, official, timed):
    client.force_login(official)
    data = page_data(client.get(step_url("edit", timed))) | {
        "time_not_recorded": "on",
        "starts_at": "2025-06-09T23:30",  # late in the evening: the date must not move
        "ends_at": "not a time",
    }
    response = client.post(step_url("edit", timed), data)

    assert response.status_code == 302, response.text
    timed.refresh_from_db()
    assert timed.time_recorded is False
    assert (timed.starts_at, timed.ends_at) == (midnight(2025, 6, 9), None)
    body = client.get(timed.get_absolute_url()).text
    assert "Monday 9th June 2025 (time not recorded)" in body
    assert page_data(client.get(step_url("edit", timed))).get("time_not_recorded") == "on"


def test_a_new_meeting_may_be_given_only_its_date(client, official, forum):
    client.force_login(official)
    data = NEW_MEETING | {
        "forum": forum.pk,
        "starts_at": "14/07/2025",
        "ends_at": "",
        "time_not_recorded": "on",
    }
    response = client.post(reverse("meetings:create"), data)

    assert response.status_code == 302, response.text
    created = Meeting.objects.get()
    assert created.time_recorded is False
    assert (created.starts_at, created.ends_at) == (midnight(2025, 7, 14), None)


def test_unticking_records_the_time_again(client, official, untimed):
    client.force_login(official)
    data = page_data(client.get(step_url("edit", untimed)))
    assert data.get("time_not_recorded") == "on"
    data.pop("time_not_recorded")
    data |= {"starts_at": "2019-07-10T14:00", "ends_at": "2019-07-10T16:00"}
    response = client.post(step_url("edit", untimed), data)

    assert response.status_code == 302, response.text
    untimed.refresh_from_db()
    assert untimed.time_recorded is True
    assert (untimed.starts_at, untimed.ends_at) == (
        midnight(2019, 7, 10, 14),
        midnight(2019, 7, 10, 16),
    )


def test_without_the_box_the_end_must_still_follow_the_start(client, official, timed):
    client.force_login(official)
    data = page_data(client.get(step_url("edit", timed))) | {"ends_at": "2025-06-09T09:00"}
    response = client.post(step_url("edit", timed), data)
    assert response.status_code == 200
    assert "The meeting must end after it starts." in response.text
    timed.refresh_from_db()
    assert timed.ends_at == midnight(2025, 6, 9, 12)
