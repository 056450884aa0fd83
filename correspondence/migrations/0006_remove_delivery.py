from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0005_deliveries_into_the_outbox"),
    ]

    operations = [
        migrations.DeleteModel(name="Delivery"),
    ]
