import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from exports import meeting_notes
from meetings.serializers import meeting_data, meeting_queryset
from wrc.lib.exporting import write_export


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f'"{value}" is not a date in the form YYYY-MM-DD.') from None


class Command(BaseCommand):
    help = (
        "Export a meeting as JSON (the meeting, its attendance, agenda items with discussion, and "
        "its actions with owner and deadline) or its notes as Markdown, Word or PDF in English, "
        "Welsh or both. Word and PDF go to --output, else to a file named after the forum, date "
        "and language in the current folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="The meeting's date, YYYY-MM-DD")
        parser.add_argument("--format", choices=["json", *meeting_notes.FORMATS], default="json")
        parser.add_argument(
            "--language",
            choices=meeting_notes.LANGUAGES,
            default="en",
            help="Language of the notes (md, docx, pdf): en, cy or both; default en",
        )
        parser.add_argument("--output", help="Write to this file instead of standard output")

    def handle(self, *args, date, format, output, language="en", **options):
        day = parse_date(date)
        meetings = list(meeting_queryset().filter(starts_at__date=day))
        if not meetings:
            raise CommandError(f"There is no meeting on {day:%-d %B %Y}.")
        if len(meetings) > 1:
            raise CommandError(
                f"There are {len(meetings)} meetings on {day}; export them from the web."
            )
        if format in meeting_notes.FORMATS:
            return self.write_notes(meetings[0], fmt=format, language=language, output=output)
        text = json.dumps(meeting_data(meetings[0]), ensure_ascii=False, indent=2) + "\n"
        write_export(text, output=output, command=self)

    def write_notes(self, meeting, *, fmt, language, output):
        meeting = meeting_notes.meetings_for_export().get(pk=meeting.pk)
        try:
            export = meeting_notes.export_meeting_notes(meeting, language=language, fmt=fmt)
        except meeting_notes.PdfUnavailable as error:
            raise CommandError(f"PDF cannot be made on this machine: {error}") from error
        if fmt == "md" and not output:
            self.stdout.write(export.content.decode("utf-8"), ending="")
            return
        path = output or export.filename
        with open(path, "wb") as handle:
            handle.write(export.content)
        self.stderr.write(f"Wrote {path}")
