"""iCalendar documents: a meeting's invitation and a person's private feed.

Built with the icalendar library. Times are written in Europe/London with a VTIMEZONE that uses
yearly rules (as Outlook and Google write it), so clients show the right local time on both sides
of the clock change without a table of dates that runs out.
"""

import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, TimezoneDaylight, TimezoneStandard, vCalAddress, vText
from icalendar import Timezone as VTimezone

from meetings.models import Meeting

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Wales Race Forum//wrc diary markers//EN"
# A meeting with no end time is put in diaries as one hour long, the forum's usual length.
DEFAULT_LENGTH = datetime.timedelta(hours=1)

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def london_vtimezone() -> VTimezone:
    """Europe/London as two yearly rules (last Sunday of March and of October, since 1996)."""
    tz = VTimezone()
    tz.add("tzid", "Europe/London")
    summer = TimezoneDaylight()
    summer.add("tzname", "BST")
    # RFC 5545 3.6.5: a VTIMEZONE rule starts at a local time, written without a zone.
    summer.add("dtstart", datetime.datetime(1981, 3, 29, 1, 0))  # noqa: DTZ001
    summer.add("tzoffsetfrom", datetime.timedelta(hours=0))
    summer.add("tzoffsetto", datetime.timedelta(hours=1))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("dtstart", datetime.datetime(1996, 10, 27, 2, 0))  # noqa: DTZ001 (local, as above)
    winter.add("tzoffsetfrom", datetime.timedelta(hours=1))
    winter.add("tzoffsetto", datetime.timedelta(hours=0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def new_calendar(method: str, name: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    cal.add_component(london_vtimezone())
    return cal


def absolute_url(obj) -> str:
    """The object's page on the site, or "" while that page has no route."""
    try:
        return settings.SITE_URL.rstrip("/") + obj.get_absolute_url()
    except NoReverseMatch:
        return ""


def organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organiser = vCalAddress(f"mailto:{address}")
    organiser.params["cn"] = vText(name or settings.FORUM_NAME)
    return organiser


def attendee_address(person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.full_name)
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("NEEDS-ACTION")
    address.params["rsvp"] = vText("TRUE")
    return address


def meeting_location(meeting) -> str:
    """The venue; the online link when the meeting has no venue; else the platform's name."""
    if meeting.venue:
        return meeting.venue
    if meeting.online_link:
        return meeting.online_link
    if meeting.online_platform:
        return _("Online via %(platform)s") % {"platform": meeting.online_platform}
    return ""


def meeting_description(meeting, agenda_titles) -> str:
    lines = []
    if agenda_titles:
        lines.append(_("Agenda:"))
        lines.extend(agenda_titles)
    if meeting.online_link:
        lines.append("")
        lines.append(_("Join online: %(link)s") % {"link": meeting.online_link})
    return "\n".join(lines).strip()


def meeting_span(meeting) -> tuple[datetime.date, datetime.date]:
    """When the diary entry starts and ends: London times, or for a meeting whose notes give
    only the date an all-day entry (DTSTART;VALUE=DATE, DTEND the next day, RFC 5545 3.6.1),
    so that no diary shows the stored midnight as if it were the time."""
    if not meeting.time_recorded:
        day = timezone.localtime(meeting.starts_at, LONDON).date()
        return day, day + datetime.timedelta(days=1)
    starts = meeting.starts_at.astimezone(LONDON)
    ends = (meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH).astimezone(LONDON)
    return starts, ends


def meeting_event(meeting, *, attendee=None, agenda_titles=()) -> Event:
    cancelled = meeting.status == Meeting.Status.CANCELLED
    starts, ends = meeting_span(meeting)
    event = Event()
    event.add("uid", str(meeting.uid))
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", meeting.title or meeting.forum.local_name)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # An all-day entry of unknown hours would mark the whole day busy: it is shown, not blocked.
    busy = not cancelled and meeting.time_recorded
    event.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    event.add("organizer", organizer())
    if location := meeting_location(meeting):
        event.add("location", location)
    if description := meeting_description(meeting, agenda_titles):
        event.add("description", description)
    if url := absolute_url(meeting):
        event.add("url", url)
    if attendee is not None:
        event.add("attendee", attendee_address(attendee))
    return event


def agenda_titles_of(meeting, language: str = "en") -> list[str]:
    titles = []
    for item in meeting.items.all():
        title = (item.title_cy if language == "cy" else "") or item.title
        titles.append(f"{item.number}. {title}")
    return titles


def invitation_method(meeting) -> str:
    return CANCEL if meeting.status == Meeting.Status.CANCELLED else REQUEST


def meeting_invitation(meeting, *, attendee, language: str = "en") -> bytes:
    """The invitation to one person: REQUEST, or CANCEL once the meeting is cancelled."""
    cal = new_calendar(invitation_method(meeting))
    event = meeting_event(
        meeting, attendee=attendee, agenda_titles=agenda_titles_of(meeting, language)
    )
    cal.add_component(event)
    return cal.to_ical()


def meeting_download(meeting, *, language: str = "en") -> bytes:
    """The file to save into one's own diary: PUBLISH (no attendees), CANCEL once cancelled."""
    method = CANCEL if invitation_method(meeting) == CANCEL else PUBLISH
    cal = new_calendar(method)
    cal.add_component(meeting_event(meeting, agenda_titles=agenda_titles_of(meeting, language)))
    return cal.to_ical()


def action_event(action) -> Event:
    event = Event()
    event.add("uid", f"action-{action.pk}@{settings.FORUM_NAME.lower().replace(' ', '-')}")
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", action.due_date)
    event.add("dtend", action.due_date + datetime.timedelta(days=1))
    event.add("summary", _("Action due: %(action)s") % {"action": action.text[:120]})
    event.add("description", action.text)
    event.add("transp", "TRANSPARENT")
    if url := absolute_url(action):
        event.add("url", url)
    return event


def personal_feed(*, name: str, meetings, actions, language: str = "en") -> bytes:
    """A subscription feed: the forum's meetings and the person's action deadlines."""
    cal = new_calendar(PUBLISH, name=name)
    # Clients that honour it poll hourly; the default for many is once a day.
    cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"value": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add("x-wr-timezone", "Europe/London")
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, agenda_titles=agenda_titles_of(meeting, language)))
    for action in actions:
        cal.add_component(action_event(action))
    return cal.to_ical()
