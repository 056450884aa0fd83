from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0002_invitations_to_outbox"),
    ]

    operations = [
        migrations.DeleteModel(name="InvitationDelivery"),
    ]
