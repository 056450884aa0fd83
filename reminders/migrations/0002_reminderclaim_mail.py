import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("reminders", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminderclaim",
            name="mail",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reminder_claims",
                to="outbox.outgoingmail",
                verbose_name="email",
            ),
        ),
    ]
