import datetime
import re
import zoneinfo
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actions.models import ActionItem
from directory.models import Membership, Organisation, OwnerRole, Person
from meetings.importers import split_attendee
from meetings.models import AgendaItem, Attendance, Meeting
from meetings.serializers import meeting_data

SEED = Path(settings.BASE_DIR) / "data" / "seeds" / "meeting-notes-2025-03-17.txt"
LONDON = zoneinfo.ZoneInfo("Europe/London")


def run(*args, **kwargs):
    out = StringIO()
    call_command("import_meeting_notes", *args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def meeting(db):
    run(str(SEED))
    return Meeting.objects.get()


def snapshot():
    models = [
        Meeting,
        AgendaItem,
        Attendance,
        ActionItem,
        Organisation,
        Person,
        Membership,
        OwnerRole,
    ]
    counts = {m.__name__: m.objects.count() for m in models}
    for model in (Meeting, AgendaItem, ActionItem, Organisation, Person):
        counts[f"history {model.__name__}"] = model.history.count()
    counts["updated"] = sorted(
        (str(a.pk), a.updated_at.isoformat(), a.version) for a in ActionItem.objects.all()
    )
    counts["meeting"] = list(Meeting.objects.values_list("updated_at", "version"))
    return counts


def test_it_imports_the_meeting(meeting):
    assert meeting.starts_at == datetime.datetime(2025, 3, 17, 12, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2025, 3, 17, 13, 0, tzinfo=LONDON)
    assert meeting.online_platform == "Teams" and meeting.venue == ""
    assert meeting.status == Meeting.Status.HELD
    assert meeting.notes_status == Meeting.NotesStatus.APPROVED
    assert meeting.forum.name == "Wales Race Forum"
    assert meeting.source_document == "meeting-notes-2025-03-17.txt"


def test_it_keeps_28_attendance_rows_as_written_and_splits_names(meeting):
    rows = list(meeting.attendance.order_by("order"))
    assert len(rows) == 28
    seed_lines = SEED.read_text(encoding="utf-8").splitlines()
    assert [r.as_written for r in rows] == seed_lines[9:37]
    chair = rows[0]
    assert (chair.name, chair.organisation_text) == (
        "Jane Hutt MS",
        "Cabinet Secretary for Social Justice, Trefnydd and Chief Whip",
    )
    assert chair.person.full_name == "Jane Hutt"
    assert all(r.name == "" and r.person is None for r in rows[1:])
    statistics = rows[25]
    assert statistics.as_written == "WG (CSI - Statistical services Division)"
    assert statistics.organisation_text == "WG (CSI - Statistical services Division)"
    assert statistics.organisation.parent.name == "Welsh Government"
    assert rows[1].organisation.name == "Welsh Local Government Association"
    assert rows[1].organisation.short_name == "WLGA"
    assert rows[9].organisation.name == "Ethnic Minorities and Youth Support Team"
    assert all(r.organisation is not None for r in rows)
    assert all(r.status == Attendance.Status.PRESENT for r in rows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane Hutt MS - Cabinet Secretary", ("Jane Hutt MS", "Cabinet Secretary")),
        (
            "WG (CSI - Statistical services Division)",
            ("", "WG (CSI - Statistical services Division)"),
        ),
        ("WG (FMG – Special Advisors)", ("", "WG (FMG – Special Advisors)")),
        ("Co-operative Group", ("", "Co-operative Group")),
        ("A Person - WG (CSI - Stats)", ("A Person", "WG (CSI - Stats)")),
    ],
)
def test_it_splits_attendance_rows_only_on_a_spaced_hyphen_outside_brackets(text, expected):
    assert split_attendee(text) == expected


def test_it_sets_up_the_forum_roles_chair_and_memberships(meeting):
    roles = {r.name: r for r in OwnerRole.objects.filter(forum=meeting.forum)}
    assert set(roles) == {
        "Secretariat",
        "Welsh Government Officials",
        "Regional Convenor (North Wales)",
        "Appointed Forum Member",
    }
    assert "Officials" in roles["Welsh Government Officials"].aliases
    chair = Person.objects.get(full_name="Jane Hutt")
    assert chair.title_en == "Cabinet Secretary for Social Justice, Trefnydd and Chief Whip"
    assert chair.title_cy.startswith("Ysgrifennydd y Cabinet dros Gyfiawnder Cymdeithasol")
    assert chair.organisation.name == "Welsh Government"
    memberships = Membership.objects.filter(forum=meeting.forum)
    assert memberships.get(person=chair).role == "chair"
    by_name = {m.organisation.name: m.role for m in memberships.filter(organisation__isnull=False)}
    assert by_name["BAWSO"] == "member"
    assert by_name["Welsh Local Government Association"] == "member"
    assert by_name["South Wales Police"] == "observer"
    assert by_name["Cohesive Communities Policy Team"] == "official"
    assert len(by_name) == 27


def test_it_imports_five_agenda_items_with_their_discussion(meeting):
    items = list(meeting.items.order_by("number"))
    assert [(i.number, i.title) for i in items] == [
        (1, "Welcome and Introductions"),
        (2, "Diversity and Inclusion Section 30 guidance – update"),
        (3, "Equality and Inclusion Grant scheme"),
        (4, "Impacts of social media on race organisations"),
        (5, "Any Other Business"),
    ]
    first = items[0].discussion
    assert first.startswith(
        "CSSJTCW welcomed everyone to the meeting and thanked everyone for attending.\n\n"
        "CSSJTCW explained the meeting would focus"
    )
    assert (
        "updated the forum on the actions from the last meeting:\n\n"
        "- CSSJTCW has spoken to the Chair of the Cross-Party Group"
    ) in first
    assert (
        "\n- Secretariat has shared the link to the Oral Statement on Nation of Sanctuary.\n"
        in first
    )
    assert "Action:" not in first and "<" not in first
    social = items[3].discussion
    assert social.count("\n- ") == 10
    assert "threatened.\n- There is a need" in social
    assert items[4].discussion.endswith("in addition to criminal justice and Police colleagues.")


EXPECTED_ACTIONS = [
    (1, 1, "Secretariat", "Secretariat", "As soon as possible", None, ""),
    (2, 2, "Secretariat", "Secretariat", "When published (Spring 2025)", "2025-05-31", "fixed"),
    (
        3,
        3,
        "Welsh Government Officials",
        "Welsh Government Officials",
        "Ahead of grant launch (by May 2025)",
        "2025-05-31",
        "fixed",
    ),
    (
        4,
        3,
        "Regional Convenor (North Wales)",
        "Regional Convenor (North Wales)",
        "In due course",
        None,
        "",
    ),
    (5, 4, "Appointed Forum Member", "Appointed Forum Member", "As soon as possible", None, ""),
    (6, 5, "Secretariat", "Secretariat", "Before next meeting", None, "next_meeting"),
    (7, 5, "Secretariat", "Secretariat", "By June 2025", "2025-06-30", "fixed"),
]


def test_it_imports_the_summary_of_actions_linked_to_items_and_inline_lines(meeting):
    actions = list(meeting.actions.order_by("number"))
    got = [
        (
            a.number,
            a.agenda_item.number,
            a.owner_text,
            a.owner_role.name,
            a.deadline_text,
            a.due_date.isoformat() if a.due_date else None,
            a.due_rule,
        )
        for a in actions
    ]
    assert got == EXPECTED_ACTIONS
    assert actions[0].text == "Share the Misinformation Toolkit with Forum members."
    assert actions[0].inline_text == "Secretariat to share the Misinformation toolkit."
    assert actions[3].inline_text == "Regional convenor for N Wales to follow up with Forum member."
    assert (
        actions[4].inline_text
        == "A Forum member was appointed to contact Head of Sanctuary Policy."
    )
    assert actions[6].text == "Arrange next Wales Race Forum meeting in June and send diary marker."
    assert actions[6].inline_text.startswith("Next meeting to take place in June.")
    assert all(a.status == ActionItem.Status.OPEN for a in actions)
    assert all(a.owner_person is None and a.owner_organisation is None for a in actions)


def test_a_second_import_changes_nothing(meeting):
    before = snapshot()
    assert "nothing changed" in run(str(SEED))
    assert snapshot() == before


def test_a_dry_run_reports_and_saves_nothing(db):
    output = run(str(SEED), dry_run=True)
    assert "dry run" in output and "7 action items" in output and "28 attendance" in output
    assert Meeting.objects.count() == 0 and Organisation.objects.count() == 0


def test_importing_a_later_meeting_dates_the_next_meeting_actions(meeting, tmp_path):
    later = SEED.read_text(encoding="utf-8").replace(
        "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams",
        "10:30 – 12:00 pm, Monday 16th June 2025 – Crown Buildings, Cardiff and via Teams",
    )
    path = tmp_path / "june.txt"
    path.write_text(later, encoding="utf-8")
    run(str(path))
    june = Meeting.objects.get(starts_at__date=datetime.date(2025, 6, 16))
    assert june.starts_at == datetime.datetime(2025, 6, 16, 10, 30, tzinfo=LONDON)
    assert june.ends_at == datetime.datetime(2025, 6, 16, 12, 0, tzinfo=LONDON)
    assert (june.venue, june.online_platform) == ("Crown Buildings, Cardiff", "Teams")
    darpl = meeting.actions.get(number=6)
    assert darpl.due_date == datetime.date(2025, 6, 16)
    assert june.actions.get(number=6).due_date is None
    before = snapshot()
    run(str(SEED))
    run(str(path))
    assert snapshot() == before


def to_markdown(text: str) -> str:
    """The seed notes written the way a Markdown export writes them."""
    out, section = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in ("Wales Race Forum",):
            out.append(f"# {stripped}")
        elif stripped in ("Attendance", "Meeting notes", "Discussion", "Summary of Actions"):
            section = stripped
            out.append(f"## {stripped}")
        elif section == "Attendance" and stripped and stripped != "Name - Organisation":
            out.append(f"- {stripped}")
        elif section == "Summary of Actions" and "\t" in line:
            out.append("| " + " | ".join(line.split("\t")) + " |")
            if line.startswith("No."):
                out.append("| --- | --- | --- | --- |")
        elif stripped.startswith("Action:"):
            out.append(f"**Action:** {stripped[len('Action:') :].strip()}")
        elif re.match(r"^\d+\. ", stripped):
            out.append(f"### {stripped}")
        elif stripped.startswith("<p>1."):
            out.append("### 1. Welcome and Introductions")
            out.append("")
            out.append(
                "CSSJTCW welcomed everyone to the meeting and thanked everyone for attending."
            )
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def test_the_same_notes_written_as_markdown_import_to_the_same_records(db, tmp_path):
    run(str(SEED))
    from_text = meeting_data(Meeting.objects.get())
    Meeting.objects.all().delete()
    path = tmp_path / "notes.md"
    path.write_text(to_markdown(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    assert "| 1 | Share the Misinformation" in path.read_text(encoding="utf-8")
    run(str(path))
    assert meeting_data(Meeting.objects.get()) == from_text


def write(tmp_path, text):
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_notes_without_a_date_line_are_refused(db, tmp_path):
    text = SEED.read_text(encoding="utf-8").replace(
        "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams", "Via Teams"
    )
    with pytest.raises(CommandError, match=r"line 7: no date line") as error:
        run(write(tmp_path, text))
    assert "Nothing was saved" in str(error.value)
    assert Meeting.objects.count() == 0 and Organisation.objects.count() == 0


def test_a_summary_row_with_a_non_numeric_number_is_refused(db, tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("\n5\tForum member", "\nFive\tForum member")
    with pytest.raises(CommandError, match=r'line 123: the action number "Five" is not a number'):
        run(write(tmp_path, text))
    assert Meeting.objects.count() == 0 and ActionItem.objects.count() == 0


def test_a_summary_row_with_missing_columns_is_refused(meeting, tmp_path):
    before = snapshot()
    text = SEED.read_text(encoding="utf-8").replace("\tIn due course", "")
    with pytest.raises(CommandError, match=r"line 122: .*needs 4 columns"):
        run(write(tmp_path, text))
    assert snapshot() == before


def test_discussion_before_the_first_item_is_held_back_for_review(db, tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("<p>1. <u>", "<p><u>")
    out = StringIO()
    with pytest.raises(CommandError, match=r"nothing was saved.*points to review"):
        call_command("import_meeting_notes", write(tmp_path, text), stdout=out)
    assert "[unplaced] line 42:" in out.getvalue()
    assert "before the first agenda item" in out.getvalue()
    assert Meeting.objects.count() == 0


MINIMAL_MARKDOWN = """# Wales Race Forum

**10:00 – 11:30 am, Tuesday 1st July 2025 – Crown Buildings, Cathays Park**

## Attendance

- Jane Hutt MS - Cabinet Secretary for Social Justice, Trefnydd and Chief Whip
- Race Council Cymru (RCC)

## Apologies

- Diverse Cymru

## Discussion

### 1. Welcome

The chair welcomed members.

* Members agreed the notes of the last meeting.

**Action:** Secretariat to circulate the papers.

## Summary of Actions

| No. | Action Item | Owner | Deadline / Status |
|-----|-------------|-------|-------------------|
| 1 | Circulate the papers. | Secretariat | Within two weeks |
"""


def test_a_markdown_meeting_with_apologies_imports(db, tmp_path):
    run(write(tmp_path, MINIMAL_MARKDOWN))
    meeting = Meeting.objects.get()
    assert meeting.starts_at == datetime.datetime(2025, 7, 1, 10, 0, tzinfo=LONDON)
    assert meeting.ends_at == datetime.datetime(2025, 7, 1, 11, 30, tzinfo=LONDON)
    assert (meeting.venue, meeting.online_platform) == ("Crown Buildings, Cathays Park", "")
    rows = list(meeting.attendance.order_by("order"))
    assert [(r.as_written, r.status) for r in rows] == [
        ("Jane Hutt MS - Cabinet Secretary for Social Justice, Trefnydd and Chief Whip", "present"),
        ("Race Council Cymru (RCC)", "present"),
        ("Diverse Cymru", "apologies"),
    ]
    assert (rows[1].organisation.name, rows[1].organisation.short_name) == (
        "Race Council Cymru",
        "RCC",
    )
    item = meeting.items.get()
    assert item.discussion == (
        "The chair welcomed members.\n\n- Members agreed the notes of the last meeting."
    )
    action = meeting.actions.get()
    assert action.inline_text == "Secretariat to circulate the papers."
    assert action.agenda_item == item
    assert action.due_date == datetime.date(2025, 7, 15)
    assert action.owner_role.name == "Secretariat"
