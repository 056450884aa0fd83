import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from exports import meeting_notes
from meetings.serializers import meeting_data, meeting_queryset
from wrc.lib.exporting import write_export
from wrc.lib.importing import add_forum_arguments, forum_from_arguments


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f'"{value}" is not a date in the form YYYY-MM-DD.') from None


def describe(meetings) -> str:
    return "; ".join(f"{m.forum.name} at {timezone.localtime(m.starts_at):%H:%M}" for m in meetings)


class Command(BaseCommand):
    help = (
        "Export a meeting as JSON (the meeting, its attendance, agenda items with discussion, and "
        "its actions with owner and deadline) or its notes as Markdown, Word or PDF in English, "
        "Welsh or both. Word and PDF go to --output, else to a file named after the forum, date "
        "and language in the current folder. --forum is required when there are several forums."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="The meeting's date, YYYY-MM-DD")
        add_forum_arguments(parser)
        parser.add_argument("--format", choices=["json", *meeting_notes.FORMATS], default="json")
        parser.add_argument(
            "--language",
            choices=meeting_notes.LANGUAGES,
            default="en",
            help="Language of the notes (md, docx, pdf): en, cy or both; default en",
        )
        parser.add_argument("--output", help="Write to this file instead of standard output")

    def handle(self, *args, date, format, output, language="en", forum=None, **options):
        meeting = self.find_meeting(parse_date(date), forum)
        if format in meeting_notes.FORMATS:
            return self.write_notes(meeting, fmt=format, language=language, output=output)
        text = json.dumps(meeting_data(meeting), ensure_ascii=False, indent=2) + "\n"
        write_export(text, output=output, command=self)

    def find_meeting(self, day, forum_name):
        """The one meeting of the forum on ``day``; refused, listing them, when that is not one."""
        meetings = meeting_queryset().filter(starts_at__date=day).order_by("starts_at")
        try:
            forum = forum_from_arguments(forum_name)
        except CommandError as error:
            found = list(meetings)
            if found and forum_name is None:
                raise CommandError(
                    f"{error} Meetings on {day:%-d %B %Y}: {describe(found)}."
                ) from error
            raise
        if forum is not None:
            meetings = meetings.filter(forum=forum)
        found = list(meetings)
        of_forum = f" of {forum.name}" if forum is not None and forum_name else ""
        if not found:
            raise CommandError(f"There is no meeting{of_forum} on {day:%-d %B %Y}.")
        if len(found) > 1:
            raise CommandError(
                f"There are {len(found)} meetings{of_forum} on {day:%-d %B %Y}: "
                f"{describe(found)}; export them from the web."
            )
        return found[0]

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
