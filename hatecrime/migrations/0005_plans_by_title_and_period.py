"""A plan is its forum, title and period (no longer its period alone), with a slug for its
addresses; labels for objectives and areas as plans write them ("A", "Theme 2"); and an action's
timescale, measure and other columns.

Existing plans keep their period as their slug, so their addresses do not change.
"""

from django.db import migrations, models


def slug_from_period(apps, schema_editor):
    for name in ("DeliveryPlan", "HistoricalDeliveryPlan"):
        model = apps.get_model("hatecrime", name)
        for plan in model.objects.filter(slug=""):
            # Periods were unique until now, so they are free to be slugs.
            plan.slug = plan.period
            plan.save(update_fields=["slug"])


def label(example):
    return models.CharField(
        blank=True,
        help_text=f"As the plan writes it: {example}",
        max_length=40,
        verbose_name="label",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_account_invitation"),
        ("hatecrime", "0004_plan_leads_protect_organisations"),
    ]

    operations = [
        migrations.AddField("objective", "label", label("1, A, Goal 2")),
        migrations.AddField("historicalobjective", "label", label("1, A, Goal 2")),
        migrations.AddField("deliveryarea", "label", label("4, B, Theme 2")),
        migrations.AddField("historicaldeliveryarea", "label", label("4, B, Theme 2")),
        # Without an index until the slugs are filled in; unique (and indexed) after.
        migrations.AddField(
            "deliveryplan",
            "slug",
            models.SlugField(db_index=False, default="", editable=False, max_length=80),
            preserve_default=False,
        ),
        migrations.AddField(
            "historicaldeliveryplan",
            "slug",
            models.SlugField(default="", editable=False, max_length=80),
            preserve_default=False,
        ),
        migrations.RunPython(slug_from_period, migrations.RunPython.noop),
        migrations.AlterField(
            "deliveryplan",
            "slug",
            models.SlugField(editable=False, max_length=80, unique=True),
        ),
        migrations.AlterField(
            "deliveryplan",
            "period",
            models.CharField(help_text="2016-17", max_length=20, verbose_name="period"),
        ),
        migrations.AlterField(
            "historicaldeliveryplan",
            "period",
            models.CharField(help_text="2016-17", max_length=20, verbose_name="period"),
        ),
        migrations.AddConstraint(
            "deliveryplan",
            models.UniqueConstraint(
                fields=("forum", "title_en", "period"), name="unique_plan_title_period"
            ),
        ),
        migrations.AlterField(
            "planaction",
            "reference",
            models.CharField(help_text="4.12", max_length=20, verbose_name="reference"),
        ),
        migrations.AlterField(
            "historicalplanaction",
            "reference",
            models.CharField(help_text="4.12", max_length=20, verbose_name="reference"),
        ),
    ] + [
        operation
        for model in ("planaction", "historicalplanaction")
        for operation in (
            migrations.AddField(
                model,
                "timescale",
                models.TextField(
                    blank=True, help_text="By when, as written", verbose_name="timescale"
                ),
            ),
            migrations.AddField(
                model,
                "measure",
                models.TextField(
                    blank=True,
                    help_text="How success is measured: KPI or outcome",
                    verbose_name="measure",
                ),
            ),
            migrations.AddField(
                model,
                "extra",
                models.JSONField(blank=True, default=dict, verbose_name="other columns"),
            ),
        )
    ]
