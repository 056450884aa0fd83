import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from meetings.serializers import meeting_data, meeting_queryset
from wrc.lib.exporting import write_export


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f'"{value}" is not a date in the form YYYY-MM-DD.') from None


class Command(BaseCommand):
    help = (
        "Export a meeting as JSON: the meeting, its attendance, agenda items with discussion, and "
        "its actions with owner and deadline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="The meeting's date, YYYY-MM-DD")
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--output", help="Write to this file instead of standard output")

    def handle(self, *args, date, format, output, **options):
        day = parse_date(date)
        meetings = list(meeting_queryset().filter(starts_at__date=day))
        if not meetings:
            raise CommandError(f"There is no meeting on {day:%-d %B %Y}.")
        if len(meetings) > 1:
            raise CommandError(
                f"There are {len(meetings)} meetings on {day}; export them from the web."
            )
        text = json.dumps(meeting_data(meetings[0]), ensure_ascii=False, indent=2) + "\n"
        write_export(text, output=output, command=self)
