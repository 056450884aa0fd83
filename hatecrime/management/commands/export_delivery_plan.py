import csv
import io
import json

from django.core.management.base import BaseCommand, CommandError

from hatecrime.models import DeliveryPlan
from hatecrime.serializers import PLAN_COLUMNS, csv_row, plan_data
from wrc.lib.exporting import write_export
from wrc.lib.importing import add_forum_arguments, forum_from_arguments


class Command(BaseCommand):
    help = (
        "Export a delivery plan as CSV (one row per action) or JSON (the plan and its actions): "
        "reference, objective, delivery area, text, lead organisations and progress. --forum "
        "narrows the choice to the plans that forum monitors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--period", help="The plan's period, such as 2016-17 (default: latest)")
        parser.add_argument("--output", help="Write to this file instead of standard output")
        add_forum_arguments(parser, narrow=True)

    def handle(self, *args, format, period, output, forum=None, **options):
        plans = DeliveryPlan.objects.order_by("-period")
        of_forum = ""
        if forum:
            chosen = forum_from_arguments(forum)
            plans = plans.filter(forum=chosen) if chosen else plans.none()
            of_forum = f" monitored by {chosen.name if chosen else forum}"
        plan = plans.filter(period=period).first() if period else plans.first()
        if plan is None:
            raise CommandError(
                f"There is no delivery plan{of_forum} for {period}."
                if period
                else f"There is no delivery plan{of_forum}."
            )
        data = plan_data(plan)
        if format == "json":
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=PLAN_COLUMNS)
            writer.writeheader()
            writer.writerows(csv_row(row) for row in data["actions"])
            text = buffer.getvalue()
        write_export(text, output=output, command=self)
