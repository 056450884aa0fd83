"""The stored search vector of each searchable record, and its GIN index (PostgreSQL only)."""

import django.contrib.postgres.search
from django.db import migrations, models

import search.vectors


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_account_invitation"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=search.vectors.SearchDocument(
                    english=[("name", "A"), ("short_name", "A")], welsh=()
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        search.vectors.CreateSearchIndex("organisation"),
    ]
