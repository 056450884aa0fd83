"""Bringing a forum's earlier meeting notes in through a real browser: the secretariat uploads
a Word document, moves two rows to their group, picks an existing person for a row, imports
the notes, opens the meeting, and undoes the import."""

import datetime

import docx
import pytest
from playwright.sync_api import expect

from imports.models import DocumentImport
from meetings.models import Meeting
from tests import factories
from tests.browser.test_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPHS = [
    ("Title", "Wales Race Forum"),
    (None, "10:00 – 12:00, Monday 3rd March 2025 – Via Teams"),
    ("Heading 1", "Attendance"),
    (None, "Aled Roberts - Tai Pawb"),
    (None, "Rhian Jones - Race Equality First"),
    (None, "Tomos Evans - Welsh Government"),
    (None, "Nia Griffiths - Welsh Government"),
    ("Heading 2", "Welsh Government officials"),
    (None, "Owain Price - Welsh Government"),
    ("Heading 1", "Apologies"),
    (None, "Sam Lewis - Victim Support Cymru"),
    ("Heading 1", "Meeting notes"),
    ("Heading 2", "1. Welcome and introductions"),
    (None, "The Chair welcomed members to the meeting."),
    ("Heading 2", "2. Community cohesion update"),
    (None, "Rhian Jones gave an update on community cohesion."),
    (None, "Action: Tomos Evans to share the funding timetable by 31 March 2025."),
]


@pytest.fixture
def notes_docx(tmp_path):
    document = docx.Document()
    for style, text in PARAGRAPHS:
        document.add_paragraph(text, style=style) if style else document.add_paragraph(text)
    path = tmp_path / "forum-notes-march-2025.docx"
    document.save(path)
    return path


@pytest.fixture
def cast(db):
    forum = factories.ForumFactory()
    return {
        "forum": forum,
        "secretariat": factories.secretariat_user(forum=forum, username="sian", first_name="Siân"),
        "person": factories.PersonFactory(full_name="Rhiannon Jones"),
    }


def row_fieldset(page, as_written):
    return page.locator("fieldset").filter(has=page.locator("legend", has_text=as_written))


def test_the_secretariat_imports_notes_corrects_them_and_undoes_the_import(
    browser_page, live_server, cast, notes_docx, screenshot
):
    page, forum = browser_page, cast["forum"]
    sign_in(page, live_server.url, "sian")
    page.goto(f"{live_server.url}{forum.get_absolute_url()}")
    page.get_by_role("link", name="Import documents").click()
    page.set_input_files("input[name=documents]", str(notes_docx))
    screenshot("import-upload")
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", name="What was understood")).to_be_visible()
    # The document's numbered lines beside what was understood.
    expect(page.locator("tr[id^=line-]", has_text="Aled Roberts - Tai Pawb")).to_be_visible()
    assert Meeting.objects.count() == 0
    for as_written in ("Tomos Evans - Welsh Government", "Nia Griffiths - Welsh Government"):
        row = row_fieldset(page, as_written)
        row.get_by_label("Group", exact=True).select_option(label="Welsh Government officials")
    row_fieldset(page, "Rhian Jones - Race Equality First").get_by_label("Rhiannon Jones").check()
    screenshot("import-corrections")
    page.get_by_role("button", name="Save corrections").click()

    expect(page.get_by_text("Your corrections have been saved")).to_be_visible()
    officials = page.locator("table[data-group='Welsh Government officials']")
    expect(officials).to_contain_text("Tomos Evans - Welsh Government")
    expect(officials).to_contain_text("Nia Griffiths - Welsh Government")
    expect(page.locator("#understood")).to_be_visible()
    expect(page.get_by_text("chosen by you").first).to_be_visible()
    assert Meeting.objects.count() == 0
    page.get_by_role("button", name="Import this document").click()

    expect(page.get_by_text("The document has been imported")).to_be_visible()
    screenshot("import-done")
    meeting = Meeting.objects.get(forum=forum)
    assert meeting.starts_at.date() == datetime.date(2025, 3, 3)
    groups = dict(meeting.attendance.values_list("as_written", "group"))
    assert groups["Tomos Evans - Welsh Government"] == "Welsh Government officials"
    assert meeting.attendance.get(as_written__startswith="Rhian Jones").person == cast["person"]
    page.get_by_role("link", name="Go to").click()
    expect(page).to_have_url(f"{live_server.url}{meeting.get_absolute_url()}")
    page.go_back()

    page.get_by_role("link", name="Undo this import").click()
    page.get_by_role("button", name="Yes, undo the import").click()
    expect(page.get_by_text("The import has been undone")).to_be_visible()
    screenshot("import-undone")
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert DocumentImport.objects.get().status == DocumentImport.Status.UNDONE
