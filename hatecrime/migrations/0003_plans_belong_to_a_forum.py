"""Every delivery plan from before forums existed belongs to the first forum, the Wales Race
Forum, which monitors the 2016-17 plan. Nothing else changes."""

from django.conf import settings
from django.db import migrations, models
from django.utils.text import slugify


def plans_to_first_forum(apps, schema_editor):
    Forum = apps.get_model("directory", "Forum")
    DeliveryPlan = apps.get_model("hatecrime", "DeliveryPlan")
    if not DeliveryPlan.objects.filter(forum__isnull=True).exists():
        return
    forum = Forum.objects.order_by("pk").first()
    if forum is None:
        forum = Forum.objects.create(
            name=settings.FORUM_NAME, name_cy="Fforwm Hil Cymru", slug=slugify(settings.FORUM_NAME)
        )
    DeliveryPlan.objects.filter(forum__isnull=True).update(forum=forum)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_forums"),
        ("hatecrime", "0002_forums"),
    ]

    operations = [
        migrations.RunPython(plans_to_first_forum, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="deliveryplan",
            name="forum",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="delivery_plans",
                to="directory.forum",
                verbose_name="monitored by",
            ),
        ),
    ]
