"""The stored search vector of each searchable record, and its GIN index (PostgreSQL only)."""

import django.contrib.postgres.search
from django.db import migrations, models

import search.vectors


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0003_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionitem",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=search.vectors.SearchDocument(
                    english=[
                        ("text", "A"),
                        ("inline_text", "B"),
                        ("owner_text", "C"),
                        ("completion_note", "C"),
                    ],
                    welsh=(),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        search.vectors.CreateSearchIndex("actionitem"),
    ]
