"""Exporting the seed meeting's notes as the download views do: load the meeting, render the file.

The seed notes (28 attendance rows, 5 items, 7 actions) are imported before each repetition,
untimed; the timed part is the query plus the rendering, in English.
"""

from pathlib import Path

from bench.registry import benchmark

SEED = Path(__file__).resolve().parents[2] / "data" / "seeds" / "meeting-notes-2025-03-17.txt"


def seed_meeting_pk():
    from meetings.importers import import_meeting_notes
    from meetings.models import Meeting

    import_meeting_notes(text=SEED.read_text(encoding="utf-8"), source_name=SEED.name)
    return Meeting.objects.get(source_document=SEED.name).pk


def export(pk, fmt, language="en"):
    from exports import meeting_notes

    meeting = meeting_notes.meetings_for_export().get(pk=pk)
    file = meeting_notes.export_meeting_notes(meeting, language=language, fmt=fmt)
    assert file.content, f"the {fmt} export of the seed meeting is empty"


@benchmark("exports: seed meeting notes to DOCX", setup=seed_meeting_pk)
def notes_docx(pk):
    export(pk, "docx")


@benchmark("exports: seed meeting notes to PDF", setup=seed_meeting_pk)
def notes_pdf(pk):
    export(pk, "pdf")


@benchmark("exports: seed meeting notes to DOCX, English and Welsh", setup=seed_meeting_pk)
def notes_docx_bilingual(pk):
    export(pk, "docx", "both")


@benchmark("exports: seed meeting notes to PDF, English and Welsh", setup=seed_meeting_pk)
def notes_pdf_bilingual(pk):
    export(pk, "pdf", "both")


@benchmark("exports: seed meeting notes to Markdown", setup=seed_meeting_pk)
def notes_markdown(pk):
    export(pk, "md")
