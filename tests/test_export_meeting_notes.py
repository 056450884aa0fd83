"""Meeting notes exports: every file is opened with an independent reader (python-docx, pypdf)
and checked against the meeting it came from: attendance, item titles, actions with owner and
deadline, in English, Welsh and both."""

import datetime
import io
import re
from pathlib import Path

import docx
import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from exports import meeting_notes
from meetings.importers import import_meeting_notes
from meetings.models import Meeting
from tests import factories

SEED = Path(__file__).resolve().parent.parent / "data" / "seeds" / "meeting-notes-2025-03-17.txt"

MEETING_STARTS = datetime.datetime(2025, 3, 17, 12, 0, tzinfo=timezone.get_current_timezone())
WELSH_ATTENDANCE = [
    ("Siân Llŷr", "Dŵr Cymru Welsh Water"),
    ("Gwenllïan Ŵyn", "Ysgol Gymraeg Bro Taf"),
    ("", "Cymdeithas Tai Gŵyr & Abertawe"),
]
WELSH_ITEMS = [
    {
        "title": "Welcome and Introductions",
        "title_cy": "Croeso a Chyflwyniadau – ŵ ŷ â",
        "discussion": (
            "The Chair welcomed everyone.\n\n- First point about Tŷ Hywel\n- Second point"
        ),
        "discussion_cy": "Croesawodd y Cadeirydd bawb i'r cyfarfod.\n\n- Pwynt cyntaf am Dŷ Hywel",
    },
    {
        "title": "Grants for Gŵyl Ddewi events",
        "title_cy": "",
        "discussion": "Officials outlined the grant scheme.",
        "discussion_cy": "",
    },
]
WELSH_ACTIONS = [
    ("Share the Eisteddfod ŵyl toolkit with Forum members.", "Secretariat", "By Llŷr's deadline"),
    ("Arrange a visit to Tŷ Hywel.", "Dŵr Cymru Welsh Water", "Before next meeting"),
]


def make_welsh_meeting(**meeting_fields):
    """A meeting with Welsh letters in every kind of field the notes show."""
    meeting_fields.setdefault("starts_at", MEETING_STARTS)
    meeting_fields.setdefault("ends_at", MEETING_STARTS + datetime.timedelta(hours=1))
    meeting = factories.MeetingFactory(**meeting_fields)
    for order, (name, organisation) in enumerate(WELSH_ATTENDANCE, start=1):
        as_written = f"{name} - {organisation}" if name else organisation
        factories.AttendanceFactory(
            meeting=meeting,
            order=order,
            name=name,
            organisation_text=organisation,
            as_written=as_written,
        )
    items = [
        factories.AgendaItemFactory(meeting=meeting, number=number, **fields)
        for number, fields in enumerate(WELSH_ITEMS, start=1)
    ]
    for number, (text, owner, deadline) in enumerate(WELSH_ACTIONS, start=1):
        factories.ActionItemFactory(
            meeting=meeting,
            agenda_item=items[number - 1],
            number=number,
            text=text,
            inline_text=f"{owner} to {text[0].lower()}{text[1:]}",
            owner_text=owner,
            deadline_text=deadline,
        )
    return meeting


def attendance_rows(meeting):
    return [meeting_notes.attendance_row(a) for a in meeting.attendance.order_by("order")]


def loaded(meeting):
    return meeting_notes.meetings_for_export().get(pk=meeting.pk)


def flat(text):
    """Whitespace collapsed: PDF text wraps lines wherever the page does."""
    return " ".join(text.split())


def docx_text(content):
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return document, paragraphs, rows


def pdf_text(content):
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # A line may break after the hyphen of "media-related": join the word again.
    return flat(re.sub(r"(?<=\S)-\n(?=\S)", "-", text))


def assert_contains_meeting(text, meeting, *, language="en"):
    """Every attendance row, item title and action (with owner and deadline) is in ``text``."""
    for row in attendance_rows(meeting):
        assert flat(row) in text
    for item in meeting.items.all():
        title = (item.title_cy if language == "cy" else "") or item.title
        assert flat(f"{item.number}. {title}") in text
    for action in meeting.actions.all():
        assert flat(action.text) in text
        assert flat(action.owner_text) in text
        assert flat(action.deadline_text) in text


# Seed meeting ---------------------------------------------------------------------------


def import_seed():
    """The seed notes imported as make run imports them; returns the meeting."""
    import_meeting_notes(text=SEED.read_text(encoding="utf-8"), source_name=SEED.name)
    return Meeting.objects.get(source_document=SEED.name)


@pytest.fixture
def seed_meeting(db):
    return loaded(import_seed())


def seed_summary_rows():
    """The Summary of Actions of the seed document itself, read straight from the text."""
    text = SEED.read_text(encoding="utf-8")
    table = text.split("Deadline / Status", 1)[1]
    return [line.split("\t") for line in table.strip().splitlines() if "\t" in line]


def test_seed_docx_holds_every_attendance_row_item_and_action(seed_meeting):
    export = meeting_notes.export_meeting_notes(seed_meeting, language="en", fmt="docx")
    document, paragraphs, rows = docx_text(export.content)

    assert export.filename == "wales-race-forum-2025-03-17-notes-en.docx"
    assert paragraphs[0] == "Wales Race Forum"
    assert "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams" in paragraphs
    for heading in ("Attendance", "Meeting notes", "Summary of Actions"):
        assert heading in paragraphs
    assert len(seed_meeting.attendance.all()) == 28
    for row in attendance_rows(seed_meeting):
        assert row in paragraphs
    assert "Jane Hutt MS - Cabinet Secretary for Social Justice, Trefnydd and Chief Whip" in (
        paragraphs
    )
    titles = [p for p in paragraphs if re.match(r"^\d\. ", p)]
    assert titles == [f"{i.number}. {i.title}" for i in seed_meeting.items.all()]
    assert len(titles) == 5
    assert rows[0] == ["No.", "Action Item", "Owner", "Deadline / Status"]
    assert rows[1:] == seed_summary_rows()


def test_seed_pdf_holds_every_attendance_row_item_and_action(seed_meeting):
    export = meeting_notes.export_meeting_notes(seed_meeting, language="en", fmt="pdf")
    text = pdf_text(export.content)

    assert export.content.startswith(b"%PDF")
    assert "12:00 – 1:00 pm, Monday 17th March 2025 – Via Teams" in text
    assert "No. Action Item Owner Deadline / Status" in text
    assert_contains_meeting(text, seed_meeting)
    for number, action, owner, deadline in seed_summary_rows():
        assert flat(f"{number} {action} {owner} {deadline}") in text


def test_seed_markdown_holds_every_attendance_row_item_and_action(seed_meeting):
    export = meeting_notes.export_meeting_notes(seed_meeting, language="en", fmt="md")
    text = export.content.decode("utf-8")

    assert export.filename == "wales-race-forum-2025-03-17-notes-en.md"
    assert text.startswith("# Wales Race Forum\n\n12:00 – 1:00 pm, Monday 17th March 2025")
    assert_contains_meeting(text, seed_meeting)
    for number, action, owner, deadline in seed_summary_rows():
        assert f"| {number} | {action} | {owner} | {deadline} |" in text


def test_seed_welsh_docx_translates_headings_and_falls_back_to_english_text(seed_meeting):
    export = meeting_notes.export_meeting_notes(seed_meeting, language="cy", fmt="docx")
    _document, paragraphs, rows = docx_text(export.content)

    assert export.filename == "fforwm-hil-cymru-2025-03-17-notes-cy.docx"
    assert paragraphs[0] == "Fforwm Hil Cymru"
    assert "12:00 – 1:00 yp, Dydd Llun 17 Mawrth 2025 – Drwy Teams" in paragraphs
    for heading in ("Presenoldeb", "Nodiadau'r cyfarfod", "Crynodeb o'r Camau Gweithredu"):
        assert heading in paragraphs
    assert rows[0] == ["Rhif", "Cam Gweithredu", "Perchennog", "Dyddiad cau / Statws"]
    assert rows[1:] == seed_summary_rows()
    assert any(p.startswith("Camau gweithredu: ") for p in paragraphs)
    assert "1. Welcome and Introductions" in paragraphs


# Generated meeting with Welsh text -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["docx", "pdf", "md"])
def test_welsh_export_uses_welsh_fields_and_keeps_welsh_letters(fmt):
    meeting = loaded(make_welsh_meeting())
    export = meeting_notes.export_meeting_notes(meeting, language="cy", fmt=fmt)
    if fmt == "docx":
        _document, paragraphs, rows = docx_text(export.content)
        text = flat(" ".join(paragraphs + [" ".join(r) for r in rows]))
    elif fmt == "pdf":
        text = pdf_text(export.content)
    else:
        text = flat(export.content.decode("utf-8"))

    assert_contains_meeting(text, meeting, language="cy")
    assert "1. Croeso a Chyflwyniadau – ŵ ŷ â" in text
    assert "Croesawodd y Cadeirydd bawb i'r cyfarfod." in text
    assert "Pwynt cyntaf am Dŷ Hywel" in text
    # No Welsh text for item 2: its English title and discussion stand in.
    assert "2. Grants for Gŵyl Ddewi events" in text
    assert "Officials outlined the grant scheme." in text
    assert "The Chair welcomed everyone." not in text
    assert "Presenoldeb" in text and "Attendance" not in text


@pytest.mark.django_db
def test_bilingual_docx_has_english_then_welsh_notes():
    meeting = loaded(make_welsh_meeting())
    export = meeting_notes.export_meeting_notes(meeting, language="both", fmt="docx")
    document, paragraphs, rows = docx_text(export.content)

    assert export.filename == "wales-race-forum-2025-03-17-notes-en-cy.docx"
    english, welsh = paragraphs.index("Attendance"), paragraphs.index("Presenoldeb")
    assert english < welsh
    assert "1. Welcome and Introductions" in paragraphs[:welsh]
    assert "1. Croeso a Chyflwyniadau – ŵ ŷ â" in paragraphs[welsh:]
    assert len(document.tables) == 2
    assert [r[0] for r in rows] == ["No.", "1", "2", "Rhif", "1", "2"]


@pytest.mark.django_db
def test_docx_escapes_markup_in_the_record():
    meeting = factories.MeetingFactory()
    factories.AttendanceFactory(
        meeting=meeting, name="", organisation_text="Black & Minority <Ethnic> Network"
    )
    export = meeting_notes.export_meeting_notes(loaded(meeting), language="en", fmt="docx")
    _document, paragraphs, _rows = docx_text(export.content)
    assert "Black & Minority <Ethnic> Network" in paragraphs


@pytest.mark.django_db
def test_draft_notes_say_so_and_done_actions_show_their_status():
    meeting = factories.MeetingFactory(notes_status=Meeting.NotesStatus.DRAFT)
    factories.ActionItemFactory(
        meeting=meeting, number=1, deadline_text="By May 2025", status=ActionItem.Status.DONE
    )
    text = meeting_notes.render_markdown(loaded(meeting), "en")
    assert "*Draft – not yet approved*" in text
    assert "| By May 2025 (Done) |" in text


@pytest.mark.django_db
def test_time_line_handles_mornings_ordinals_and_venues():
    starts = datetime.datetime(2025, 6, 2, 10, 30, tzinfo=timezone.get_current_timezone())
    meeting = factories.MeetingFactory(
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue="Tŷ Hywel, Cardiff Bay",
        online_platform="Teams",
    )
    assert meeting_notes.when_line(meeting, "en") == (
        "10:30 am – 12:30 pm, Monday 2nd June 2025 – Tŷ Hywel, Cardiff Bay and via Teams"
    )
    assert meeting_notes.when_line(meeting, "cy") == (
        "10:30 yb – 12:30 yp, Dydd Llun 2 Mehefin 2025 – Tŷ Hywel, Cardiff Bay a thrwy Teams"
    )


def test_unknown_language_or_format_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="use one of en, cy, both"):
        meeting_notes.check_language("fr")


# Download views -------------------------------------------------------------------------


def download_url(meeting, language="en", fmt="docx"):
    return reverse(
        "exports:meeting_notes_download",
        kwargs={"pk": meeting.pk, "language": language, "fmt": fmt},
    )


def print_url(meeting, language="en"):
    return reverse("exports:meeting_notes_print", kwargs={"pk": meeting.pk, "language": language})


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    meeting = factories.MeetingFactory()
    response = client.get(download_url(meeting))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_outsiders_are_refused(client, outsider):
    meeting = factories.MeetingFactory()
    client.force_login(outsider)
    assert client.get(download_url(meeting)).status_code == 403
    assert client.get(print_url(meeting)).status_code == 403


def test_members_cannot_see_draft_notes(client, member):
    meeting = factories.MeetingFactory(notes_status=Meeting.NotesStatus.DRAFT)
    client.force_login(member)
    assert client.get(download_url(meeting)).status_code == 404
    assert client.get(print_url(meeting)).status_code == 404


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
        ("md", "text/markdown; charset=utf-8", b"# Wales Race Forum"),
    ],
)
def test_members_download_approved_notes_as_a_named_attachment(
    client, member, fmt, content_type, magic
):
    meeting = make_welsh_meeting(notes_status=Meeting.NotesStatus.APPROVED)
    client.force_login(member)
    response = client.get(download_url(meeting, "en", fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="wales-race-forum-2025-03-17-notes-en.{fmt}"'
    )
    assert response.content.startswith(magic)


def test_staff_download_draft_notes(client, official, secretariat):
    meeting = make_welsh_meeting(notes_status=Meeting.NotesStatus.DRAFT)
    for user in (official, secretariat):
        client.force_login(user)
        response = client.get(download_url(meeting, "cy", "docx"))
        assert response.status_code == 200
        _document, paragraphs, _rows = docx_text(response.content)
        assert "Drafft – heb ei gymeradwyo eto" in paragraphs


def test_unknown_language_or_format_is_not_found(client, official):
    meeting = factories.MeetingFactory()
    client.force_login(official)
    assert client.get(download_url(meeting, "fr", "docx")).status_code == 404
    assert client.get(download_url(meeting, "en", "exe")).status_code == 404
    assert client.get(print_url(meeting, "fr")).status_code == 404


def test_pdf_that_cannot_be_made_here_gets_a_clear_message(client, official, monkeypatch):
    def no_pango(meeting, language):
        raise meeting_notes.PdfUnavailable("libpango not found")

    monkeypatch.setitem(meeting_notes.RENDERERS, "pdf", no_pango)
    client.force_login(official)
    response = client.get(download_url(factories.MeetingFactory(), "en", "pdf"))
    assert response.status_code == 503
    assert b"Download the Word version" in response.content


def test_print_view_shows_the_notes_with_print_styles(client, member):
    meeting = make_welsh_meeting()
    client.force_login(member)
    response = client.get(print_url(meeting, "both"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "@media print" in page
    assert "Presenoldeb" in page and "Attendance" in page
    assert "Siân Llŷr - Dŵr Cymru Welsh Water" in page
    assert "Croeso a Chyflwyniadau – ŵ ŷ â" in page


@pytest.mark.parametrize("size", [1, 10, 50])
def test_download_makes_the_same_number_of_queries_however_long_the_notes(
    client, official, django_assert_max_num_queries, size
):
    meeting = factories.MeetingFactory()
    items = factories.AgendaItemFactory.create_batch(size, meeting=meeting)
    factories.AttendanceFactory.create_batch(size, meeting=meeting)
    for item in items:
        factories.ActionItemFactory(meeting=meeting, agenda_item=item)
    client.force_login(official)
    with django_assert_max_num_queries(8):
        response = client.get(download_url(meeting, "both", "md"))
    assert response.status_code == 200
    assert response.content.decode().count("Action:") == size


@pytest.mark.django_db
def test_actions_without_a_number_are_numbered_after_the_others():
    meeting = factories.MeetingFactory()
    factories.ActionItemFactory(meeting=meeting, number=None, text="Recorded without a number.")
    factories.ActionItemFactory(meeting=meeting, number=3, text="Third action.")
    part = meeting_notes.notes_parts(loaded(meeting), "en")[0]
    assert [(row.number, row.text) for row in part.actions] == [
        ("3", "Third action."),
        ("4", "Recorded without a number."),
    ]


# export_meeting command -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_export_meeting_command_writes_word_and_pdf_files(seed_meeting, tmp_path, fmt):
    target = tmp_path / f"notes.{fmt}"
    call_command("export_meeting", "--date", "2025-03-17", "--format", fmt, "--output", str(target))
    if fmt == "docx":
        _document, paragraphs, rows = docx_text(target.read_bytes())
        text = flat(" ".join(paragraphs + [" ".join(row) for row in rows]))
    else:
        text = pdf_text(target.read_bytes())
    assert_contains_meeting(text, seed_meeting)


def test_export_meeting_command_names_the_file_after_forum_date_and_language(
    seed_meeting, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    call_command(
        "export_meeting", "--date", "2025-03-17", "--format", "docx", "--language", "cy",
        stderr=err,
    )  # fmt: skip
    written = tmp_path / "fforwm-hil-cymru-2025-03-17-notes-cy.docx"
    assert "Wrote fforwm-hil-cymru-2025-03-17-notes-cy.docx" in err.getvalue()
    _document, paragraphs, _rows = docx_text(written.read_bytes())
    assert "Presenoldeb" in paragraphs


def test_export_meeting_command_prints_markdown_in_both_languages(seed_meeting):
    out = io.StringIO()
    call_command(
        "export_meeting", "--date", "2025-03-17", "--format", "md", "--language", "both",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert text.index("## Attendance") < text.index("## Presenoldeb")
    assert_contains_meeting(flat(text), seed_meeting)


def test_export_meeting_command_refuses_an_unknown_language(seed_meeting):
    with pytest.raises(CommandError, match="invalid choice: 'fr'"):
        call_command("export_meeting", "--date", "2025-03-17", "--format", "md", "--language", "fr")
