"""manage.py export_progress_report --plan 2016-17 --format docx|pdf|csv|json
[--language en|cy|both] [--output FILE]: the plan's progress report. CSV and JSON go to
standard output without --output; Word and PDF are files and need it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from progress import reports

BINARY_FORMATS = ("docx", "pdf")


class Command(BaseCommand):
    help = "Export a delivery plan's progress report as Word, PDF, CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="The plan's period (2016-17) or slug")
        parser.add_argument("--format", required=True, choices=reports.FORMATS, dest="fmt")
        parser.add_argument("--language", default="en", choices=reports.LANGUAGES)
        parser.add_argument("--output", help="File to write (needed for docx and pdf)")

    def handle(self, *args, plan, fmt, language, output, **options):
        if fmt in BINARY_FORMATS and not output:
            raise CommandError(f"A {fmt} report is a file: give --output FILE.")
        try:
            found = reports.find_plan(plan)
        except reports.PlanAmbiguous as ambiguous:
            listed = "\n".join(f"  {p.slug}  ({p.title_en} {p.period})" for p in ambiguous.plans)
            raise CommandError(
                f"Several plans have the period {plan}; give one of their slugs with --plan:\n"
                f"{listed}"
            ) from None
        except reports.PlanNotFound:
            raise CommandError(f"No delivery plan has the period or slug {plan!r}.") from None
        try:
            content = reports.export_progress_report(found, fmt=fmt, language=language)
        except reports.PdfUnavailable as error:
            raise CommandError(f"PDF export is unavailable on this machine: {error}") from None
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
