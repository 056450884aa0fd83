import csv
import io
import json

from django.core.management.base import BaseCommand, CommandError

from hatecrime.models import DeliveryPlan
from hatecrime.serializers import PLAN_COLUMNS, csv_row, plan_data
from wrc.lib.exporting import write_export


class Command(BaseCommand):
    help = (
        "Export a delivery plan as CSV (one row per action) or JSON (the plan and its actions): "
        "reference, objective, delivery area, text, lead organisations and progress."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--period", help="The plan's period, such as 2016-17 (default: latest)")
        parser.add_argument("--output", help="Write to this file instead of standard output")

    def handle(self, *args, format, period, output, **options):
        plans = DeliveryPlan.objects.order_by("-period")
        plan = plans.filter(period=period).first() if period else plans.first()
        if plan is None:
            raise CommandError(
                f"There is no delivery plan for {period}."
                if period
                else "There is no delivery plan."
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
