"""The introduction now lives in the plan's sections (0007 moved it there)."""

from django.db import migrations


class Migration(migrations.Migration):
    # Apart from 0007: PostgreSQL refuses to alter the plans table in the transaction that
    # inserted sections pointing at it.
    dependencies = [
        ("hatecrime", "0007_introduction_sections"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="deliveryplan",
            name="introduction_cy",
        ),
        migrations.RemoveField(
            model_name="deliveryplan",
            name="introduction_en",
        ),
        migrations.RemoveField(
            model_name="historicaldeliveryplan",
            name="introduction_cy",
        ),
        migrations.RemoveField(
            model_name="historicaldeliveryplan",
            name="introduction_en",
        ),
    ]
