"""Meeting notes in the layouts the Welsh Government publishes them — PDF text with names run
into organisations, web pages with their page furniture, items that are plain lines with no
number, actions broken across lines, rows that give the organisation before the person, notes
that publish only an agenda and actions — are imported as a careful reader records them, and
only what needs a person's check holds the import back."""

import datetime
import zoneinfo
from collections import Counter
from pathlib import Path

import pytest

from directory.models import Forum, Membership, Person
from meetings.importers import import_meeting_notes
from meetings.models import Meeting

DOCUMENTS = Path(__file__).parent / "documents" / "meetings"
LONDON = zoneinfo.ZoneInfo("Europe/London")


def imported(name: str, forum_name: str):
    forum = Forum.objects.create(name=forum_name)
    text = (DOCUMENTS / name).read_text(encoding="utf-8")
    report = import_meeting_notes(text=text, source_name=name, forum=forum)
    return Meeting.objects.get(forum=forum), report


def counts(meeting) -> Counter:
    """How many attendance rows each (status, group) has."""
    return Counter((a.status, a.group) for a in meeting.attendance.all())


def row(meeting, name):
    attendance = meeting.attendance.get(name=name)
    return (attendance.status, attendance.organisation_text, attendance.deputy_for)


def items(meeting):
    return [(i.number, i.title, i.presenter) for i in meeting.items.order_by("number")]


def actions(meeting):
    return [
        (
            a.number,
            a.agenda_item.number if a.agenda_item else None,
            a.owner_text,
            a.deadline_text,
            a.due_date,
            a.due_rule,
        )
        for a in meeting.actions.select_related("agenda_item").order_by("number")
    ]


def held_back(report):
    return [(n.line, n.message) for n in report.notices if n.holds_back]


@pytest.mark.django_db
def test_race_forum_pdf_with_numbered_rows_run_together_and_items_as_plain_lines():
    meeting, report = imported("real-shape-race-forum-2021-01-18.txt", "Wales Race Forum")
    assert meeting.starts_at == datetime.datetime(2021, 1, 18, 10, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2021, 1, 18, 11, 30, tzinfo=LONDON)
    assert meeting.online_platform == "Teams"
    # "Wales Race Forum" under "Attendees:" heads the members; it is no attendee.
    assert counts(meeting) == {
        ("present", "Wales Race Forum"): 15,
        ("present", "Welsh Government Officials"): 5,
        ("present", "Guests"): 2,
        ("apologies", ""): 1,
    }
    assert row(meeting, "Riaz Hassan") == (
        "present",
        "Community Cohesion Co-ordinator, Swansea",
        "",
    )
    assert row(meeting, "Abyd Quinn Aziz") == ("present", "Race Alliance Wales", "")
    assert row(meeting, "Aled Edwards") == ("present", "Cytun", "")
    assert row(meeting, "Kate Mills") == ("present", "Show Racism the Red Card", "Sunil Patel")
    assert row(meeting, "Mymuna Soleman") == ("present", "The Privilege Cafe", "")
    assert meeting.attendance.get(name="Mymuna Soleman").organisation.name == "The Privilege Cafe"
    assert row(meeting, "Suzanne Duval") == ("apologies", "Diverse Cymru", "")
    assert not Person.objects.filter(full_name__icontains="Foundation").exists()
    assert items(meeting) == [
        (1, "Death of Mohamud Mohamed Hassan", ""),
        (2, "Keep Wales Safe Campaign", ""),
        (3, "Any other business", ""),
    ]
    # The sentence the PDF broke over three lines is one paragraph.
    first = meeting.items.get(number=1).discussion
    assert "opened the meeting by expressing her deep condolences" in first
    assert actions(meeting) == [(1, 2, "Officials", "", None, "")]
    # Only the two rows whose name could end one word later wait for a check.
    assert [line for line, _ in held_back(report)] == [13, 30]


@pytest.mark.django_db
def test_faith_forum_pdf_minutes_with_officials_after_apologies_and_a_wrapped_action():
    meeting, report = imported("real-shape-faith-forum-2019-11-13.txt", "Faith Communities Forum")
    assert meeting.starts_at == datetime.datetime(2019, 11, 13, 10, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2019, 11, 13, 11, 30, tzinfo=LONDON)
    assert meeting.venue == "Seminar Rooms 1&2, Pierhead Building, Cardiff Bay"
    assert counts(meeting) == {
        ("present", ""): 11,
        ("apologies", ""): 4,
        ("present", "Welsh Government Officials"): 5,
    }
    assert row(meeting, "Mark Drakeford AM") == ("present", "First Minister", "")
    assert row(meeting, "Rheinallt Thomas") == ("present", "Free Church Council of Wales", "")
    assert row(meeting, "Lawrence Kahn") == (
        "present",
        "South Wales Jewish Representative Council",
        "",
    )
    assert row(meeting, "Gurmit Singh Randhawa") == ("apologies", "Sikh Council of Wales", "")
    assert row(meeting, "Alyson Francis") == ("present", "Deputy Director, Communities", "")
    assert items(meeting) == [
        (1, "Welcome and Introductions", ""),
        (2, "Curriculum for Wales: Religion, Values and Ethics", ""),
        (3, "Any Other Business", ""),
    ]
    assert actions(meeting) == [
        (1, 2, "Officials", "", None, ""),
        (2, 3, "Equality Branch", "at the next meeting", None, "next_meeting"),
    ]
    assert meeting.actions.get(number=2).text.endswith("guidance at the next meeting.")
    assert held_back(report) == []


@pytest.mark.django_db
def test_faith_forum_teams_notes_with_an_action_whose_owner_and_deadline_wrap():
    meeting, report = imported("real-shape-faith-forum-2020-10-01.txt", "Faith Communities Forum")
    assert meeting.time_recorded is False
    assert meeting.starts_at == datetime.datetime(2020, 10, 1, 0, 0, tzinfo=LONDON)
    assert meeting.online_platform == "Teams"
    assert counts(meeting) == {
        ("present", ""): 11,
        ("present", "Guests"): 1,
        ("apologies", ""): 3,
        ("present", "Officials"): 3,
    }
    assert row(meeting, "Jane Hutt MS") == (
        "present",
        "Deputy Minister and Chief Whip, Welsh Government",
        "",
    )
    assert row(meeting, "Aled Edwards") == ("present", "Cytun: Churches Together in Wales", "")
    assert row(meeting, "Vivian Bartlett") == ("present", "Baha’i Faith", "")
    assert items(meeting) == [
        (1, "Education Bill / Update on Religious Education", ""),
        (2, "Penally camp", ""),
        (3, "AOB", ""),
    ]
    assert actions(meeting) == [
        (1, 1, "Equality Team", "end of October 2020", datetime.date(2020, 10, 31), "fixed"),
        (2, 2, "Equality Team", "", None, ""),
    ]
    assert held_back(report) == []


@pytest.mark.django_db
def test_stakeholder_group_page_with_the_organisation_before_each_person():
    meeting, report = imported(
        "real-shape-human-rights-group-2024-03-12.txt", "Human Rights Stakeholder Reference Group"
    )
    assert meeting.starts_at == datetime.datetime(2024, 3, 12, 14, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2024, 3, 12, 16, 0, tzinfo=LONDON)
    assert meeting.online_platform == "Teams"
    assert counts(meeting) == {
        ("present", ""): 11,
        ("present", "Welsh Government officials"): 4,
        ("apologies", ""): 3,
    }
    hutt = meeting.attendance.get(name="Jane Hutt MS")
    assert hutt.organisation_text == "Cabinet Secretary for Social Justice, Trefnydd and Chief Whip"
    assert hutt.initials == "CSSJTCW"
    tai_pawb = meeting.attendance.get(name="David Rowlands")
    assert (tai_pawb.organisation_text, tai_pawb.initials) == ("Tai Pawb", "TP")
    assert tai_pawb.organisation.name == "Tai Pawb"
    # "(WG)" and "(IN)" label several people's organisation, not one person.
    assert meeting.attendance.get(name="Katy Benson").initials == ""
    assert meeting.attendance.get(name="Fran Targett OBE").organisation_text == "Independent"
    assert row(meeting, "Dr Emily Kakoullis") == ("apologies", "Cardiff University", "")
    assert [title for _, title, _ in items(meeting)] == [
        "Updates",
        "Human rights legislation research",
        "Any other business",
    ]
    assert actions(meeting) == [
        (1, 1, "WG", "before the next meeting", None, "next_meeting"),
        (2, 2, "KB", "by 30 April 2024", datetime.date(2024, 4, 30), "fixed"),
    ]
    assert meeting.actions.get(number=1).owner_organisation.name == "Welsh Government"
    assert meeting.actions.get(number=2).owner_person.full_name == "Katy Benson"
    assert held_back(report) == [(36, 'the owner "KB" is read as Katy Benson (their initials)')]


@pytest.mark.django_db
def test_board_page_that_publishes_only_its_agenda_and_actions():
    meeting, report = imported(
        "real-shape-hate-tensions-board-2025-10-21.txt", "Hate and Community Tensions Board Cymru"
    )
    assert meeting.starts_at == datetime.datetime(2025, 10, 21, 0, 0, tzinfo=LONDON)
    assert meeting.attendance.count() == 0
    assert items(meeting)[:3] == [
        (1, "Welcome and introduction", "Chair"),
        (2, "Agreement of minutes of previous meeting", "Chair"),
        (3, "Workplan of the Board", "Welsh Government"),
    ]
    assert len(items(meeting)) == 10
    assert items(meeting)[-1] == (10, "Any other business", "All")
    owners = [owner for _, _, owner, _, _, _ in actions(meeting)]
    assert owners == [
        "Welsh Government",
        "Welsh Government",
        "Chair",
        "Gwent Police",
        "All forces",
        "Wales Hate Support Centre",
        "CST and Protection Approaches",
        "Welsh Government",
    ]
    assert all(item is None for _, item, _, _, _, _ in actions(meeting))
    assert meeting.actions.get(number=2).text == "circulate the draft Board workplan for feedback."
    assert meeting.actions.get(number=4).owner_organisation.name == "Gwent Police"
    # The owners the records cannot name wait for a person; the page's furniture does not.
    assert [line for line, _ in held_back(report)] == [18, 20, 21, 22]


@pytest.mark.django_db
def test_commission_page_with_attendees_for_one_item_and_a_secretariat():
    meeting, report = imported(
        "real-shape-constitution-commission-2022-02-16.txt",
        "Independent Commission on the Constitutional Future of Wales",
    )
    assert meeting.title == ""
    assert meeting.starts_at == datetime.datetime(2022, 2, 16, 0, 0, tzinfo=LONDON)
    assert counts(meeting) == {
        ("present", "Co-Chairs"): 2,
        ("present", "Commission members"): 8,
        ("present", "Item 2 only"): 3,
        ("present", "Item 3 only"): 2,
        ("present", "Item 4 only"): 2,
        ("present", "Secretariat"): 4,
        ("apologies", ""): 1,
    }
    assert row(meeting, "Ruth Marks") == (
        "present",
        "Chief Executive, Wales Council for Voluntary Action",
        "",
    )
    # Those who joined for one item brief the commission; their bodies are not its members.
    assert not Membership.objects.filter(
        forum=meeting.forum, organisation__name="Wales Council for Voluntary Action"
    ).exists()
    assert [title for _, title, _ in items(meeting)] == [
        "Welcome from the Co-Chairs",
        "Welsh commissioners",
        "What is wrong with the current settlement?",
        "Wales Council for Voluntary Action",
    ]
    assert meeting.items.get(number=1).discussion.startswith("1. The Co-Chairs welcomed")
    assert actions(meeting) == [(1, 4, "Secretariat", "", None, "")]
    assert held_back(report) == []


@pytest.mark.django_db
def test_board_minutes_page_with_posts_in_place_of_names():
    meeting, report = imported("real-shape-wg-board-2025-01-24.txt", "Welsh Government Board")
    assert meeting.title == ""
    assert meeting.starts_at == datetime.datetime(2025, 1, 24, 0, 0, tzinfo=LONDON)
    assert counts(meeting) == {
        ("present", ""): 9,
        ("present", "In attendance"): 1,
        ("present", "Secretariat"): 1,
        ("apologies", ""): 3,
    }
    posts = [
        (a.status, a.name, a.organisation_text)
        for a in meeting.attendance.filter(name="").order_by("order")
    ]
    assert posts == [
        ("present", "", "Representatives of the Shadow Board"),
        ("present", "", "TUS representative"),
        ("present", "", "Permanent Secretary’s Office"),
        ("apologies", "", "Future Generations Board Champion"),
        ("apologies", "", "Lead Co-Chairs of the Shadow Board"),
    ]
    assert not Person.objects.filter(full_name__in=["Future Generations", "Permanent"]).exists()
    assert [title for _, title, _ in items(meeting)] == [
        "Welcome and current issues",
        "Update on key issues from the Economy, Energy and Transport Group",
        "Any other business",
    ]
    assert actions(meeting) == [
        (1, 2, "Tim Moss", "by the end of February", datetime.date(2025, 2, 28), "fixed")
    ]
    assert meeting.actions.get(number=1).owner_person.full_name == "Tim Moss"
    assert report.notices == []


@pytest.mark.django_db
def test_group_notes_that_list_each_group_and_the_apologies_on_one_line():
    meeting, report = imported(
        "real-shape-cross-party-group-2022-11-22.txt", "Cross-Party Group for Horseracing"
    )
    assert meeting.starts_at == datetime.datetime(2022, 11, 22, 12, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2022, 11, 22, 13, 0, tzinfo=LONDON)
    assert meeting.venue == "Video Conferencing Room, Ty Hywel"
    assert counts(meeting) == {
        ("present", "Members"): 5,
        ("present", "Senedd Staff"): 1,
        ("present", "External"): 2,
        ("apologies", ""): 3,
    }
    assert row(meeting, "Llyr Gruffydd MS") == ("present", "Plaid Cymru", "")
    assert row(meeting, "Zoe Elliott") == ("present", "British Horseracing Authority", "")
    assert row(meeting, "Alun Davies MS") == ("apologies", "Labour", "")
    # The staff line is a sentence: kept as written, it names no person and no body.
    staff = meeting.attendance.get(group="Senedd Staff")
    assert staff.person is None and staff.organisation is None
    assert [title for _, title, _ in items(meeting)] == [
        "AGM",
        "Careers in Racing Presentation on the Job Opportunities Available in British Horseracing",
        "Q & A",
    ]
    assert actions(meeting) == [(1, 3, "Jack Barton", "", None, "")]
    assert meeting.actions.get(number=1).owner_person.full_name == "Jack Barton"
    assert held_back(report) == []
