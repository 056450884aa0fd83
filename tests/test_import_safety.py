"""The rules that keep an import from destroying or replacing what is already recorded: points
to review hold a command-line import back, corrections made in the product survive a re-import,
the seeds load once, and a saved import can be undone while nothing has changed since."""

import io
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actions.models import ActionItem
from directory.models import Forum
from imports.models import DocumentImport
from imports.services import UndoRefused, document_import_undo
from meetings.models import AgendaItem, Attendance, Meeting
from tests import factories

LONDON = zoneinfo.ZoneInfo("Europe/London")
SEED_NOTES = Path(settings.BASE_DIR) / "data" / "seeds" / "meeting-notes-2025-03-17.txt"


def run(name, *args, **kwargs):
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def seed_notes_with(tmp_path, old: str, new: str, name="notes.txt") -> str:
    text = SEED_NOTES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


@pytest.fixture
def seed_meeting(db):
    run("import_meeting_notes", str(SEED_NOTES))
    return Meeting.objects.get()


def snapshot(meeting):
    meeting.refresh_from_db()
    return (
        meeting.version,
        list(meeting.attendance.order_by("order").values_list("as_written", "status")),
        list(meeting.items.order_by("number").values_list("title", "discussion")),
        sorted(ActionItem.objects.filter(meeting=meeting).values_list("number", "text")),
    )


def test_a_command_line_import_is_recorded_with_the_rows_it_wrote(seed_meeting):
    record = DocumentImport.objects.get()
    assert record.status == DocumentImport.Status.COMMITTED
    assert record.via == DocumentImport.Via.COMMAND
    assert record.kind == "meeting" and record.forum == seed_meeting.forum
    created = {entry["model"] for entry in record.changes if entry["op"] == "created"}
    assert {"meetings.meeting", "meetings.attendance", "actions.actionitem"} <= created
    assert record.record_url == seed_meeting.get_absolute_url()


def test_notes_that_would_change_a_recorded_meeting_are_shown_and_held_back(seed_meeting, tmp_path):
    before = snapshot(seed_meeting)
    changed = seed_notes_with(
        tmp_path,
        "2. Diversity and Inclusion Section 30 guidance – update",
        "2. Diversity and Inclusion guidance",
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was saved.*--accept"):
        call_command("import_meeting_notes", changed, stdout=out)
    assert "[change]" in out.getvalue() and "Diversity and Inclusion guidance" in out.getvalue()
    assert snapshot(seed_meeting) == before
    assert DocumentImport.objects.count() == 1

    run("import_meeting_notes", changed, accept=True)
    assert seed_meeting.items.get(number=2).title == "Diversity and Inclusion guidance"
    assert DocumentImport.objects.count() == 2


def test_the_same_notes_again_change_nothing_and_need_no_review(seed_meeting):
    before = snapshot(seed_meeting)
    assert "nothing changed" in run("import_meeting_notes", str(SEED_NOTES))
    assert snapshot(seed_meeting) == before


def test_the_same_date_in_another_forum_is_a_second_meeting(seed_meeting):
    other = factories.ForumFactory(name="Faith Communities Forum", slug="faith-communities-forum")
    run("import_meeting_notes", str(SEED_NOTES), forum=other.name)
    assert Meeting.objects.count() == 2
    assert Meeting.objects.filter(forum=other).get().attendance.count() == 28
    assert seed_meeting.attendance.count() == 28


def test_a_field_corrected_in_the_product_survives_a_re_import(seed_meeting, tmp_path):
    item = seed_meeting.items.get(number=2)
    item.title = "Welcome (corrected by the secretariat)"
    item.save()
    row = seed_meeting.attendance.order_by("order").first()
    row.organisation_text = "Corrected organisation"
    row.save()

    assert "nothing changed" in run("import_meeting_notes", str(SEED_NOTES))
    assert AgendaItem.objects.get(pk=item.pk).title == "Welcome (corrected by the secretariat)"
    assert Attendance.objects.get(pk=row.pk).organisation_text == "Corrected organisation"

    # The document changes the same field: the correction is kept and shown as a conflict.
    changed = seed_notes_with(
        tmp_path,
        "2. Diversity and Inclusion Section 30 guidance – update",
        "2. Section 30 guidance",
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_meeting_notes", changed, stdout=out)
    assert "[conflict]" in out.getvalue()
    run("import_meeting_notes", changed, accept=True)
    assert AgendaItem.objects.get(pk=item.pk).title == "Welcome (corrected by the secretariat)"


def test_a_row_added_in_the_product_is_not_removed_by_a_re_import(seed_meeting):
    added = Attendance.objects.create(
        meeting=seed_meeting, order=99, as_written="Added by hand", organisation_text="Guest"
    )
    run("import_meeting_notes", str(SEED_NOTES), accept=True)
    assert Attendance.objects.filter(pk=added.pk).exists()


def test_seed_documents_load_once_and_never_revert_corrections(db):
    first = run("load_seed_documents")
    assert first.count("created") == 3
    meeting = Meeting.objects.get()
    meeting.venue = "Cardiff, corrected"
    meeting.save()
    action = ActionItem.objects.order_by("number").first()
    action.text = "Corrected text"
    action.save()

    again = run("load_seed_documents")
    assert again.count("left as it is") == 3
    meeting.refresh_from_db()
    assert meeting.venue == "Cardiff, corrected"
    assert ActionItem.objects.get(pk=action.pk).text == "Corrected text"


def test_a_dry_run_saves_nothing_and_records_no_import(db):
    out = run("import_meeting_notes", str(SEED_NOTES), dry_run=True)
    assert "dry run" in out
    assert not Meeting.objects.exists() and not DocumentImport.objects.exists()
    assert not Forum.objects.exists() or not Meeting.objects.exists()


def test_an_import_is_undone_while_nothing_has_changed_since(seed_meeting):
    people_before = set(factories.PersonFactory._meta.model.objects.values_list("pk", flat=True))
    record = DocumentImport.objects.get()
    document_import_undo(record, user=None)
    assert not Meeting.objects.exists()
    assert not Attendance.objects.exists() and not ActionItem.objects.exists()
    record.refresh_from_db()
    assert record.status == DocumentImport.Status.UNDONE
    remaining = set(factories.PersonFactory._meta.model.objects.values_list("pk", flat=True))
    assert remaining <= people_before
    with pytest.raises(UndoRefused):
        document_import_undo(record, user=None)


def test_undo_is_refused_once_a_record_it_wrote_has_been_edited(seed_meeting):
    action = ActionItem.objects.order_by("number").first()
    action.text = "Changed after the import"
    action.save()
    record = DocumentImport.objects.get()
    with pytest.raises(UndoRefused, match="changed since the import"):
        document_import_undo(record, user=None)
    assert Meeting.objects.exists()
    assert ActionItem.objects.get(pk=action.pk).text == "Changed after the import"


def test_undo_is_refused_when_a_record_was_added_to_the_imported_meeting(seed_meeting):
    factories.ActionItemFactory(meeting=seed_meeting, number=None, text="Added later")
    with pytest.raises(UndoRefused, match="added since the import"):
        document_import_undo(DocumentImport.objects.get(), user=None)
    assert Meeting.objects.count() == 1


def test_undoing_a_re_import_puts_back_what_it_changed(seed_meeting, tmp_path):
    changed = seed_notes_with(
        tmp_path,
        "2. Diversity and Inclusion Section 30 guidance – update",
        "2. Diversity and Inclusion guidance",
    )
    run("import_meeting_notes", changed, accept=True)
    second = DocumentImport.objects.order_by("pk").last()
    document_import_undo(second, user=None)
    assert seed_meeting.items.get(number=2).title.startswith("Diversity and Inclusion Section 30")
    # And the first import's baseline is back: the original notes change nothing.
    assert "nothing changed" in run("import_meeting_notes", str(SEED_NOTES))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"Notes\x00 of the meeting\n", "control character"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a document"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_saved(
    db, tmp_path, content, message
):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run("import_meeting_notes", str(path))
    assert not Meeting.objects.exists() and not DocumentImport.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(db, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.txt"
    path.write_text("x" * 5000)
    with pytest.raises(CommandError, match="limit|larger|too large"):
        run("import_meeting_notes", str(path))


def test_the_json_export_shows_groups_and_presenters_as_imported(db, tmp_path):
    import json

    path = Path(settings.BASE_DIR) / "tests" / "documents" / "meetings"
    notes = path / "faith-forum-2021-01-18.txt"
    run(
        "import_meeting_notes",
        str(notes),
        forum="Faith Communities Forum",
        create_forum=True,
        accept=True,
    )
    meeting = Meeting.objects.get()
    exported = json.loads(
        run(
            "export_meeting",
            date=meeting.starts_at.astimezone(LONDON).date().isoformat(),
            forum="Faith Communities Forum",
            format="json",
        )
    )
    rows = list(meeting.attendance.all())
    assert [r["group"] for r in exported["attendance"]] == [row.group for row in rows]
    assert any(r["group"] for r in exported["attendance"])
    assert [i["presenter"] for i in exported["agenda_items"]] == list(
        meeting.items.order_by("number").values_list("presenter", flat=True)
    )
