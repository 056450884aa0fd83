"""Meeting notes as real forums and boards publish them — dates with and without times, Welsh
notes, attendance under group headings and in any order, rows run together by a PDF, items as
"Item 1:" or headings, actions inline, as "Actions:" lists or in a table of any columns — are
imported as a careful reader would record them, and whatever cannot be placed is a notice."""

import datetime
import io
import zoneinfo
from pathlib import Path

import docx
import pytest

from actions.models import ActionItem
from directory.models import Forum, Membership, Organisation
from meetings.importers import (
    import_meeting_notes,
    mark_line_as_action,
    parse_meeting_notes,
)
from meetings.models import Meeting
from wrc.lib.importing import ImportFormatError

DOCUMENTS = Path(__file__).parent / "documents" / "meetings"
LONDON = zoneinfo.ZoneInfo("Europe/London")


def document(name: str) -> str:
    return (DOCUMENTS / name).read_text(encoding="utf-8")


def imported(name: str, forum_name: str, text: str | None = None):
    forum = Forum.objects.create(name=forum_name)
    report = import_meeting_notes(
        text=text if text is not None else document(name), source_name=name, forum=forum
    )
    return Meeting.objects.get(forum=forum), report


def rows(meeting):
    return [
        (a.status, a.group, a.name, a.organisation_text, a.initials, a.deputy_for)
        for a in meeting.attendance.order_by("order")
    ]


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
        for a in meeting.actions.select_related("agenda_item").order_by("number", "pk")
    ]


def messages(report):
    return [(n.line, n.message) for n in report.notices]


@pytest.mark.django_db
def test_race_forum_notes_with_the_date_in_the_title_and_no_time():
    meeting, report = imported("race-forum-2024-06-05.md", "Wales Race Forum")
    assert meeting.title == ""
    assert meeting.time_recorded is False
    assert meeting.starts_at == datetime.datetime(2024, 6, 5, 0, 0, tzinfo=LONDON)
    assert meeting.ends_at is None
    assert meeting.venue == "Crown Buildings, Cathays Park, Cardiff"
    assert meeting.online_platform == "Microsoft Teams"
    assert rows(meeting) == [
        ("present", "", "Jane Hutt MS", "", "", ""),
        ("present", "", "Sarah Evans", "Race Council Cymru", "SE", ""),
        ("present", "", "Tom Price", "Welsh Local Government Association (WLGA)", "", ""),
        ("present", "", "Ann Lee", "NPCC", "", "John Hughes"),
        (
            "present",
            "Welsh Government officials",
            "Mark Davies",
            "Head of Anti-racism Policy, Welsh Government",
            "",
            "",
        ),
        ("apologies", "", "", "Diverse Cymru", "", ""),
        ("apologies", "", "Priya Shah", "Show Racism the Red Card", "", ""),
    ]
    sarah = meeting.attendance.get(initials="SE")
    assert sarah.person.full_name == "Sarah Evans"
    assert sarah.organisation.name == "Race Council Cymru"
    official = meeting.attendance.get(name="Mark Davies")
    assert official.organisation.name == "Welsh Government"
    # Officials attend to support the forum: their organisation is not made a member by them.
    assert not Membership.objects.filter(
        forum=meeting.forum, organisation=official.organisation
    ).exists()
    items = [(i.number, i.title, i.presenter) for i in meeting.items.order_by("number")]
    assert items == [
        (1, "Welcome and introductions", ""),
        (2, "Anti-racist Wales Action Plan (ArWAP) refresh", ""),
        (3, "Hate crime update", "Gwent Police"),
    ]
    assert actions(meeting) == [
        (1, 2, "SE", "by 30 June", datetime.date(2024, 6, 30), "fixed"),
        (2, 3, "Gwent Police", "", None, ""),
    ]
    circulate = meeting.actions.get(number=1)
    assert circulate.owner_person == sarah.person
    assert circulate.text == "SE to circulate the draft refresh paper by 30 June."
    assert meeting.actions.get(number=2).owner_organisation.name == "Gwent Police"
    assert messages(report) == []


@pytest.mark.django_db
def test_faith_forum_notes_with_people_run_into_their_posts_and_officials_after_apologies():
    meeting, report = imported("faith-forum-2021-01-18.txt", "Faith Communities Forum")
    assert meeting.time_recorded is True
    assert meeting.starts_at == datetime.datetime(2021, 1, 18, 10, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2021, 1, 18, 11, 30, tzinfo=LONDON)
    assert rows(meeting) == [
        ("present", "", "Jane Hutt MS", "", "", ""),
        ("present", "", "Aled Edwards", "Cytun: Churches Together in Wales", "", ""),
        ("present", "", "Rheinallt Thomas", "Free Church Council of Wales", "", ""),
        ("present", "", "Kate McColgan", "Chair of the Interfaith Council for Wales", "", ""),
        ("present", "Guests", "Joanna Penberthy", "Bishop of St Davids", "", ""),
        (
            "apologies",
            "",
            "George Stack",
            "Archbishop of Cardiff, Roman Catholic Church",
            "",
            "",
        ),
        ("present", "Officials", "Paul Webb", "Equality Team", "", ""),
    ]
    bishop = meeting.attendance.get(name="Joanna Penberthy")
    assert bishop.organisation is None  # "Bishop of St Davids" is a post, not a body
    assert not Organisation.objects.filter(name__icontains="Bishop").exists()
    assert meeting.attendance.get(name="George Stack").organisation.name == "Roman Catholic Church"
    items = list(meeting.items.order_by("number"))
    assert [(i.number, i.title) for i in items] == [
        (1, "Places of worship guidance"),
        (2, "Any other business"),
    ]
    # "1." and "2." under "Item 1:" are paragraphs of the item, not items.
    assert items[0].discussion.startswith("1. Officials outlined the revised guidance.")
    assert actions(meeting) == [(1, 1, "Equality Team", "next meeting", None, "next_meeting")]
    guesses = [line for line, message in messages(report) if "no separator" in message]
    assert guesses == [8, 9, 12, 15, 18]
    assert (17, '"Officials" after the apologies: the people under it are recorded as present') in (
        messages(report)
    )


@pytest.mark.django_db
def test_disability_forum_notes_with_numbered_rows_absences_and_an_action_points_table():
    meeting, report = imported("disability-forum-2019-11-13.txt", "Disability Equality Forum")
    assert meeting.starts_at == datetime.datetime(2019, 11, 13, 10, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2019, 11, 13, 11, 30, tzinfo=LONDON)
    assert meeting.venue == "Tŷ Hywel, Cardiff Bay"
    assert rows(meeting) == [
        ("present", "", "Dr Rhian Morgan", "Disability Wales", "", ""),
        ("present", "", "Cllr Gareth Lloyd", "Cardiff Council", "", ""),
        ("present", "", "Mair Jones", "Tenovus Cancer Care", "", ""),
        ("absent", "", "", "Learning Disability Wales", "", ""),
    ]
    assert meeting.attendance.get(order=1).person.full_name == "Rhian Morgan"
    assert [(i.number, i.title) for i in meeting.items.order_by("number")] == [
        (1, "Welcome"),
        (2, "Social model of disability"),
        (3, "Date of next meeting"),
    ]
    assert actions(meeting) == [
        (1, 2, "Disability Wales", "Ongoing", None, ""),
        (2, 2, "Secretariat", "Next meeting", None, "next_meeting"),
    ]
    first = meeting.actions.get(number=1)
    assert first.text == "Share the social model training materials"
    assert first.inline_text == "Disability Wales to share the training materials"
    assert first.owner_organisation.name == "Disability Wales"
    assert [line for line, message in messages(report) if "no separator" in message] == [
        6,
        7,
        8,
    ]


@pytest.mark.django_db
def test_cohesion_board_notes_with_a_numeric_date_job_titles_and_a_line_of_two_people():
    meeting, report = imported("cohesion-board-2022-03-09.txt", "Community Cohesion Board")
    assert meeting.time_recorded is False
    assert meeting.starts_at == datetime.datetime(2022, 3, 9, 0, 0, tzinfo=LONDON)
    assert rows(meeting) == [
        ("present", "", "Riaz Hassan", "Community Cohesion Co-ordinator, Swansea", "", ""),
        ("present", "", "Jane Smith", "WLGA", "", ""),
        ("present", "", "Tom Jones", "Wales TUC", "", ""),
        ("present", "", "", "Community Cohesion Co-ordinator, Gwent", "", ""),
        ("absent", "", "Emma Rees", "Cardiff Council", "", ""),
    ]
    riaz = meeting.attendance.get(name="Riaz Hassan")
    assert riaz.person.full_name == "Riaz Hassan" and riaz.organisation is None
    assert meeting.attendance.get(order=4).organisation is None
    assert meeting.attendance.get(order=4).person is None
    assert not Organisation.objects.filter(name__icontains="Co-ordinator").exists()
    assert not Organisation.objects.filter(name="Riaz Hassan").exists()
    assert meeting.attendance.get(name="Jane Smith").organisation.short_name == "WLGA"
    assert actions(meeting) == [
        (1, 1, "WLGA", "", None, ""),
        (2, 2, "Riaz Hassan", "by end of April", datetime.date(2022, 4, 30), "fixed"),
    ]
    assert meeting.actions.get(number=2).owner_person == riaz.person
    assert meeting.actions.get(number=1).owner_organisation.short_name == "WLGA"
    assert [line for line, message in messages(report) if "no separator" in message] == [5]


@pytest.mark.django_db
def test_welsh_first_notes():
    meeting, report = imported("fforwm-hil-2025-03-05.md", "Fforwm Hil Cymru")
    assert meeting.title == ""
    assert meeting.starts_at == datetime.datetime(2025, 3, 5, 14, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2025, 3, 5, 15, 30, tzinfo=LONDON)
    assert meeting.online_platform == "Teams"
    assert rows(meeting) == [
        ("present", "", "Siân Llŷr", "Dŵr Cymru Welsh Water", "", ""),
        ("present", "", "Gwenllïan Ŵyn", "Ysgol Gymraeg Bro Taf", "", ""),
        ("present", "Swyddogion Llywodraeth Cymru", "Dafydd ap Gwyn", "Tîm Cydraddoldeb", "", ""),
        ("apologies", "", "", "Cymdeithas Tai Gŵyr & Abertawe", "", ""),
    ]
    assert [(i.number, i.title) for i in meeting.items.all()] == [(1, "Croeso")]
    assert actions(meeting) == [
        (1, 1, "Ysgrifenyddiaeth", "Erbyn 30 Mehefin 2025", datetime.date(2025, 6, 30), "fixed")
    ]
    assert meeting.actions.get().inline_text == (
        "Ysgrifenyddiaeth i rannu'r papurau erbyn 30 Mehefin."
    )


@pytest.mark.django_db
def test_partnership_board_minutes_with_tab_separated_rows_and_agenda_item_headings():
    meeting, report = imported("partnership-board-2023-10-12.txt", "Partnership Board")
    assert meeting.title == "Hate Crime Criminal Justice Partnership Board"
    assert meeting.starts_at == datetime.datetime(2023, 10, 12, 14, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2023, 10, 12, 16, 0, tzinfo=LONDON)
    assert meeting.online_platform == "Online"
    assert rows(meeting) == [
        ("present", "", "Supt Alan Reed", "South Wales Police", "", ""),
        ("present", "", "Nia Thomas", "Victim Support", "", ""),
        ("present", "", "", "Chief Executive, Race Equality First", "", ""),
        ("present", "In attendance", "", "Secretariat, Welsh Government", "", ""),
        ("apologies", "", "", "Dyfed-Powys Police", "", ""),
    ]
    reed = meeting.attendance.get(order=1)
    assert reed.person.full_name == "Alan Reed"
    assert meeting.attendance.get(order=3).organisation.name == "Race Equality First"
    assert [(i.number, i.title, i.presenter) for i in meeting.items.order_by("number")] == [
        (1, "Minutes of the last meeting", ""),
        (2, "Third party reporting", "Victim Support"),
    ]
    assert actions(meeting) == [
        (1, 2, "Victim Support", "31 December 2023", datetime.date(2023, 12, 31), "fixed")
    ]
    assert meeting.actions.get().inline_text == "Victim Support to share the report with partners"


SHORT_NOTES = """{title}
{when}

{present}
Jane Smith - WLGA

{discussion}
1. Welcome
The chair welcomed members.
{action}
"""


@pytest.mark.parametrize(
    ("when", "starts", "ends", "recorded"),
    [
        (
            "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams",
            (2025, 3, 17, 12, 0),
            (13, 0),
            True,
        ),
        ("Monday 17th March 2025, 12:00 – 1:00 pm", (2025, 3, 17, 12, 0), (13, 0), True),
        ("10:00-11:30 on 13 November 2019", (2019, 11, 13, 10, 0), (11, 30), True),
        ("Date: 13/11/2019", (2019, 11, 13, 0, 0), None, False),
        ("Dydd Llun 17 Mawrth 2025", (2025, 3, 17, 0, 0), None, False),
        ("5 Fawrth 2025", (2025, 3, 5, 0, 0), None, False),
        ("Dydd Iau 3 Orffennaf 2025, 10:00yb – 12:00yp", (2025, 7, 3, 10, 0), (12, 0), True),
    ],
)
def test_dates_with_and_without_times(when, starts, ends, recorded):
    text = SHORT_NOTES.format(
        title="A Forum", when=when, present="Present", discussion="Notes", action=""
    )
    parsed = parse_meeting_notes(text)
    assert parsed.starts_at == datetime.datetime(*starts, tzinfo=LONDON)
    expected_end = (
        datetime.datetime(*starts[:3], *ends, tzinfo=LONDON) if ends is not None else None
    )
    assert parsed.ends_at == expected_end
    assert parsed.time_recorded is recorded


@pytest.mark.parametrize(
    ("written", "owner", "deadline"),
    [
        ("Action: Secretariat to circulate the papers.", "Secretariat", ""),
        ("Action point: WLGA to share the survey by next meeting.", "WLGA", "by next meeting"),
        ("Action 1: Share the survey – Owner: WLGA", "WLGA", ""),
        ("ACTION – Share the survey (Gwent Police)", "Gwent Police", ""),
        ("AP1 Share the survey (ongoing)", "", "ongoing"),
        ("Cam gweithredu: Ysgrifenyddiaeth i rannu'r papurau.", "Ysgrifenyddiaeth", ""),
    ],
)
def test_action_lines_in_their_common_wordings(written, owner, deadline):
    text = SHORT_NOTES.format(
        title="A Forum",
        when="5 June 2024",
        present="Attendees",
        discussion="Minutes",
        action=written,
    )
    parsed = parse_meeting_notes(text)
    [action] = parsed.items[0].actions
    assert (action.owner_text, action.deadline_text) == (owner, deadline)
    assert parsed.items[0].discussion == "The chair welcomed members."


def test_unnumbered_markdown_headings_are_the_items():
    text = (
        "# Equality Forum\n\n5 June 2024\n\n## Attendees\n\n- Jane Smith, WLGA\n\n"
        "## Notes\n\n### Welcome\n\nThe chair opened the meeting.\n\n"
        "### Budget\n\nMembers discussed the budget.\n\n**Actions:**\n\n"
        "- Secretariat to circulate the figures\n- WLGA to respond by 30 June\n"
    )
    parsed = parse_meeting_notes(text)
    assert [(i.number, i.title) for i in parsed.items] == [(1, "Welcome"), (2, "Budget")]
    assert [(a.owner_text, a.deadline_text) for a in parsed.items[1].actions] == [
        ("Secretariat", ""),
        ("WLGA", "by 30 June"),
    ]


def test_a_table_of_actions_is_read_by_its_header_in_any_column_order():
    text = (
        "Forum\n5 June 2024\n\nPresent\nJane Smith, WLGA\n\nNotes\n1. Welcome\nText.\n\n"
        "Summary of actions\n"
        "| Owner | Action | Due |\n|---|---|---|\n| WLGA | Share the survey | 30 June 2024 |\n"
    )
    [row] = parse_meeting_notes(text).summary
    assert (row.number, row.text, row.owner_text, row.deadline_text) == (
        1,
        "Share the survey",
        "WLGA",
        "30 June 2024",
    )


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        ("| No. | Action | Owner | Deadline |\n|---|---|---|---|\n| 1 | Share |", 14, "needs 4"),
        ("| No. | Action | Owner | Deadline |\n|---|---|---|---|\n", 12, "header but no rows"),
    ],
)
def test_a_cut_table_of_actions_is_refused_naming_the_line(table, line, message):
    text = (
        "Forum\n5 June 2024\n\nPresent\nJane Smith, WLGA\n\nNotes\n1. Welcome\nText.\n\n"
        f"Summary of actions\n{table}"
    )
    with pytest.raises(ImportFormatError, match=message) as error:
        parse_meeting_notes(text)
    assert error.value.line == line


def test_a_document_that_is_not_notes_is_refused():
    with pytest.raises(ImportFormatError, match="no date line"):
        parse_meeting_notes("Dear Minister,\n\nThank you for your letter.\n\nYours sincerely\n")


def test_lines_that_cannot_be_placed_are_notices_and_a_reviewer_can_mark_an_action():
    text = (
        "Forum\n5 June 2024\nPrepared by the secretariat team for members\n\nPresent\n"
        "Jane Smith, WLGA\n\nNotes\n1. Welcome\nThe chair opened the meeting.\n"
        "WLGA agreed to send the survey results.\n"
    )
    parsed = parse_meeting_notes(text)
    assert [(n.line, n.kind) for n in parsed.notices] == [(3, "unplaced")]
    mark_line_as_action(parsed, 11, "WLGA to send the survey results")
    item = parsed.items[0]
    assert item.discussion == "The chair opened the meeting."
    [action] = item.actions
    assert (action.owner_text, action.line) == ("WLGA", 11)


@pytest.mark.django_db
def test_reimporting_notes_without_attendance_or_actions_does_not_empty_the_meeting():
    meeting, _ = imported("disability-forum-2019-11-13.txt", "Disability Equality Forum")
    text = document("disability-forum-2019-11-13.txt")
    without_attendance = text.split("Members present:")[0] + "Notes" + text.split("\nNotes")[1]
    with pytest.raises(ImportFormatError, match="has 4 attendance rows; nothing was saved"):
        import_meeting_notes(text=without_attendance, forum=meeting.forum)
    without_actions = text.split("Actions:")[0] + "\n3 Date of next meeting\nTo be confirmed.\n"
    with pytest.raises(ImportFormatError, match="has 2 numbered actions; nothing was saved"):
        import_meeting_notes(text=without_actions, forum=meeting.forum)
    assert meeting.attendance.count() == 4 and ActionItem.objects.count() == 2


@pytest.mark.django_db
def test_a_reviewer_chosen_organisation_is_used_as_it_is():
    forum = Forum.objects.create(name="Cohesion Board")
    chosen = Organisation.objects.create(name="City and County of Swansea")
    parsed = parse_meeting_notes(document("cohesion-board-2022-03-09.txt"))
    parsed.attendance[0].organisation_id = chosen.pk
    from meetings.importers import import_parsed_meeting

    import_parsed_meeting(parsed, source_name="cohesion.txt", forum=forum)
    row = Meeting.objects.get(forum=forum).attendance.get(order=1)
    assert row.organisation == chosen and row.person.full_name == "Riaz Hassan"


def read_bytes(data: bytes, name: str) -> str:
    documents = pytest.importorskip("wrc.lib.documents")
    return documents.read_document_bytes(data, name).text


@pytest.mark.django_db
def test_notes_written_in_word_with_an_attendance_table():
    word = docx.Document()
    word.add_paragraph("Disability Equality Forum")
    word.add_paragraph("Wednesday 13 November 2019, 10:00 – 11:30")
    word.add_heading("Attendees", level=2)
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Name", "Organisation"
    for name, organisation in [("Rhian Morgan", "Disability Wales"), ("", "Sight Cymru")]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, organisation
    word.add_heading("Notes", level=2)
    word.add_paragraph("1. Welcome")
    word.add_paragraph("The chair opened the meeting.")
    word.add_paragraph("Action: Disability Wales to share the toolkit by 31 December 2019.")
    buffer = io.BytesIO()
    word.save(buffer)
    meeting, _ = imported("notes.docx", "Disability Forum", read_bytes(buffer.getvalue(), "n.docx"))
    assert rows(meeting) == [
        ("present", "", "Rhian Morgan", "Disability Wales", "", ""),
        ("present", "", "", "Sight Cymru", "", ""),
    ]
    assert actions(meeting) == [
        (1, 1, "Disability Wales", "by 31 December 2019", datetime.date(2019, 12, 31), "fixed")
    ]


@pytest.mark.django_db
def test_notes_published_as_pdf():
    weasyprint = pytest.importorskip("weasyprint")
    html = (
        "<h1>Wales Race Forum</h1><p>Monday 17th March 2025, 12:00 – 1:00 pm</p>"
        "<h2>Present</h2><p>Jane Smith - WLGA</p><p>Diverse Cymru</p>"
        "<h2>Apologies</h2><p>Race Equality First</p>"
        "<h2>Meeting notes</h2><p>1. Welcome</p><p>The chair welcomed members.</p>"
        "<p>Action: Secretariat to circulate the papers.</p>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    meeting, _ = imported("notes.pdf", "Race Forum", read_bytes(pdf, "notes.pdf"))
    assert meeting.starts_at == datetime.datetime(2025, 3, 17, 12, 0, tzinfo=LONDON)
    assert [
        (a.status, a.name, a.organisation_text) for a in meeting.attendance.order_by("order")
    ] == [
        ("present", "Jane Smith", "WLGA"),
        ("present", "", "Diverse Cymru"),
        ("apologies", "", "Race Equality First"),
    ]
    assert actions(meeting) == [(1, 1, "Secretariat", "", None, "")]
