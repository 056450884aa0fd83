"""The plan's introduction becomes its sections (heading and text, in the plan's order): the
introduction stored so far becomes the first section, with no heading, since only its text was
kept. Each moved section gets a history row, so the record shows where it came from."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

MOVED = "Moved from the plan's introduction"


def introduction_to_sections(apps, schema_editor):
    DeliveryPlan = apps.get_model("hatecrime", "DeliveryPlan")
    PlanSection = apps.get_model("hatecrime", "PlanSection")
    HistoricalPlanSection = apps.get_model("hatecrime", "HistoricalPlanSection")
    now = timezone.now()
    plans = DeliveryPlan.objects.exclude(introduction_en="", introduction_cy="")
    for plan in plans.only("pk", "introduction_en", "introduction_cy"):
        section = PlanSection.objects.create(
            plan=plan, position=0, text_en=plan.introduction_en, text_cy=plan.introduction_cy
        )
        HistoricalPlanSection.objects.create(
            id=section.pk,
            plan_id=plan.pk,
            position=0,
            text_en=section.text_en,
            text_cy=section.text_cy,
            history_date=now,
            history_type="+",
            history_change_reason=MOVED,
        )


def sections_to_introduction(apps, schema_editor):
    """Back to one text per language: every section, its heading as a paragraph of its own."""
    DeliveryPlan = apps.get_model("hatecrime", "DeliveryPlan")
    PlanSection = apps.get_model("hatecrime", "PlanSection")
    for plan in DeliveryPlan.objects.all():
        sections = PlanSection.objects.filter(plan=plan).order_by("position", "pk")
        texts = {"en": [], "cy": []}
        for section in sections:
            for language in texts:
                for part in (
                    getattr(section, f"heading_{language}"),
                    getattr(section, f"text_{language}"),
                ):
                    if part:
                        texts[language].append(part)
        plan.introduction_en = "\n\n".join(texts["en"])
        plan.introduction_cy = "\n\n".join(texts["cy"])
        plan.save(update_fields=["introduction_en", "introduction_cy"])


class Migration(migrations.Migration):
    dependencies = [
        ("hatecrime", "0006_search_vector"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalPlanSection",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "heading_en",
                    models.CharField(blank=True, max_length=255, verbose_name="heading (English)"),
                ),
                (
                    "heading_cy",
                    models.CharField(blank=True, max_length=255, verbose_name="heading (Welsh)"),
                ),
                ("text_en", models.TextField(blank=True, verbose_name="text (English)")),
                ("text_cy", models.TextField(blank=True, verbose_name="text (Welsh)")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="hatecrime.deliveryplan",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical introduction section",
                "verbose_name_plural": "historical introduction sections",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PlanSection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "heading_en",
                    models.CharField(blank=True, max_length=255, verbose_name="heading (English)"),
                ),
                (
                    "heading_cy",
                    models.CharField(blank=True, max_length=255, verbose_name="heading (Welsh)"),
                ),
                ("text_en", models.TextField(blank=True, verbose_name="text (English)")),
                ("text_cy", models.TextField(blank=True, verbose_name="text (Welsh)")),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sections",
                        to="hatecrime.deliveryplan",
                    ),
                ),
            ],
            options={
                "verbose_name": "introduction section",
                "verbose_name_plural": "introduction sections",
                "ordering": ["plan_id", "position", "pk"],
            },
        ),
        migrations.RunPython(introduction_to_sections, sections_to_introduction),
    ]
