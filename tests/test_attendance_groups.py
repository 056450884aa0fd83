"""Attendance as the notes list it: Present, Apologies and Absent, each with the groups the notes
give under their own headings ("Welsh Government officials", "Secretariat", "Guests"), the
initials the notes use for a person and whom a deputy attended for; and the attendance page that
edits the group and the status of a row."""

import datetime
import re

import pytest
from django.utils import timezone

from meetings.models import Attendance
from meetings.views import attendance_sections
from tests import factories
from tests.test_meeting_editing import page_data, step_url

pytestmark = pytest.mark.django_db

PRESENT, APOLOGIES, ABSENT = (
    Attendance.Status.PRESENT,
    Attendance.Status.APOLOGIES,
    Attendance.Status.ABSENT,
)

# (status, group, name, organisation, initials, attending for), in the notes' order.
ROWS = [
    (PRESENT, "", "Uzo Iwobi", "Race Council Cymru", "UI", ""),
    (PRESENT, "", "Rocio Cifuentes", "EYST Wales", "RC", ""),
    (PRESENT, "", "Aled Roberts", "North Wales Police", "AR", "Chief Constable Amanda Blakeman"),
    (PRESENT, "Welsh Government officials", "Jane Hutt", "Cabinet Secretary", "JH", ""),
    (PRESENT, "Secretariat", "Emma Thomas", "Welsh Government", "ET", ""),
    (PRESENT, "Welsh Government officials", "Tom Davies", "Equality and Human Rights", "TD", ""),
    (PRESENT, "Guests", "Priya Shah", "Show Racism the Red Card", "", ""),
    (APOLOGIES, "", "Dafydd ap Gwyn", "Cyngor Gwynedd", "", ""),
    (APOLOGIES, "Welsh Government officials", "Sian Lloyd", "Communities Division", "", ""),
    (ABSENT, "", "Gareth Hughes", "Tai Pawb", "", ""),
]


def local(*args):
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


@pytest.fixture
def meeting(forum):
    meeting = factories.MeetingFactory(forum=forum, starts_at=local(2025, 6, 9, 10))
    for order, (status, group, name, organisation, initials, deputy_for) in enumerate(ROWS, 1):
        factories.AttendanceFactory(
            meeting=meeting,
            order=order,
            status=status,
            group=group,
            name=name,
            organisation_text=organisation,
            as_written=f"{name} - {organisation}",
            initials=initials,
            deputy_for=deputy_for,
        )
    return meeting


def headings_and_names(meeting):
    return {
        status: [(group.heading, [row.name for row in group.rows]) for group in section.groups]
        for status, section in attendance_sections(meeting.attendance.order_by("order")).items()
    }


def test_rows_are_grouped_by_status_then_by_group_in_the_notes_order(meeting):
    assert headings_and_names(meeting) == {
        PRESENT: [
            ("", ["Uzo Iwobi", "Rocio Cifuentes", "Aled Roberts"]),
            ("Welsh Government officials", ["Jane Hutt", "Tom Davies"]),
            ("Secretariat", ["Emma Thomas"]),
            ("Guests", ["Priya Shah"]),
        ],
        APOLOGIES: [("", ["Dafydd ap Gwyn"]), ("Welsh Government officials", ["Sian Lloyd"])],
        ABSENT: [("", ["Gareth Hughes"])],
    }


def text_of(html):
    """The page's words in order, markup removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def attendance_text(client, user, meeting):
    client.force_login(user)
    body = client.get(meeting.get_absolute_url()).text
    start = body.index('id="attendance"')
    return text_of(body[start : body.index("Meeting notes", start)])


def test_the_meeting_page_lists_each_group_under_its_heading(client, member, meeting):
    text = attendance_text(client, member, meeting)

    assert "7 people or organisations attended" in text
    order = [
        "Uzo Iwobi (UI)",
        "Aled Roberts (AR) for Chief Constable Amanda Blakeman North Wales Police",
        "Welsh Government officials",
        "Jane Hutt (JH)",
        "Tom Davies (TD)",
        "Secretariat",
        "Emma Thomas (ET)",
        "Guests",
        "Priya Shah",
        "Apologies",
        "Dafydd ap Gwyn - Cyngor Gwynedd",
        "Welsh Government officials",
        "Sian Lloyd - Communities Division",
        "Absent",
        "Gareth Hughes - Tai Pawb",
    ]
    positions = []
    for phrase in order:
        found = text.find(phrase, positions[-1] + 1 if positions else 0)
        assert found >= 0, f"{phrase!r} missing or out of order in: {text}"
        positions.append(found)


def test_a_meeting_with_no_absences_has_no_absent_heading(client, member, forum):
    meeting = factories.MeetingFactory(forum=forum)
    factories.AttendanceFactory(meeting=meeting, name="Uzo Iwobi")
    text = attendance_text(client, member, meeting)
    assert "Absent" not in text
    assert "Apologies None recorded." in text


def test_initials_already_in_the_row_are_not_repeated(client, member, forum):
    meeting = factories.MeetingFactory(forum=forum)
    factories.AttendanceFactory(
        meeting=meeting,
        status=APOLOGIES,
        as_written="Jane Hutt (JH) for the Minister",
        initials="JH",
        deputy_for="the Minister",
    )
    text = attendance_text(client, member, meeting)
    assert "Jane Hutt (JH) for the Minister" in text
    assert "(JH) (JH)" not in text and text.count("for the Minister") == 1


# Editing -------------------------------------------------------------------------------


def test_the_attendance_page_edits_a_rows_group_status_initials_and_deputy(
    client, official, meeting
):
    client.force_login(official)
    row = meeting.attendance.get(name="Priya Shah")
    page = client.get(step_url("edit_attendance", meeting))
    assert '<option value="absent"' in page.text
    data = page_data(page)
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.endswith("-id") and value == str(row.pk)
    )
    data |= {
        f"attendance-{index}-group": "  Secretariat ",
        f"attendance-{index}-status": "absent",
        f"attendance-{index}-initials": "PS",
        f"attendance-{index}-deputy_for": "Ali Abdi",
    }
    response = client.post(step_url("edit_attendance", meeting), data)

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.group, row.status, row.initials, row.deputy_for) == (
        "Secretariat",
        ABSENT,
        "PS",
        "Ali Abdi",
    )
    # The other rows went back as they were shown.
    assert headings_and_names(meeting)[PRESENT][1] == (
        "Welsh Government officials",
        ["Jane Hutt", "Tom Davies"],
    )
    assert headings_and_names(meeting)[ABSENT] == [
        ("", ["Gareth Hughes"]),
        ("Secretariat", ["Priya Shah"]),
    ]


def test_a_new_row_is_added_to_a_group(client, official, forum):
    client.force_login(official)
    meeting = factories.MeetingFactory(forum=forum)
    page = client.get(step_url("edit_attendance", meeting))
    data = page_data(page) | {
        "attendance-0-as_written": "Chief Inspector, Gwent Police",
        "attendance-0-status": "present",
        "attendance-0-group": "Guests",
    }
    response = client.post(step_url("edit_attendance", meeting), data)

    assert response.status_code == 302
    added = meeting.attendance.get()
    assert (added.as_written, added.group, added.status) == (
        "Chief Inspector, Gwent Police",
        "Guests",
        PRESENT,
    )
