import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("reminders", "0003_claims_into_outbox"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="reminderclaim", name="reminder_claim_token"),
        migrations.RemoveIndex(model_name="reminderclaim", name="reminder_claim_in_flight"),
        migrations.RemoveField(model_name="reminderclaim", name="claim_token"),
        migrations.RemoveField(model_name="reminderclaim", name="failure_reason"),
        migrations.RemoveField(model_name="reminderclaim", name="sent_at"),
        migrations.RemoveField(model_name="reminderclaim", name="sent_to"),
        migrations.RemoveField(model_name="reminderclaim", name="status"),
        migrations.AlterField(
            model_name="reminderclaim",
            name="mail",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reminder_claims",
                to="outbox.outgoingmail",
                verbose_name="email",
            ),
        ),
        migrations.AlterField(
            model_name="reminderclaim",
            name="claimed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="recorded"
            ),
        ),
    ]
