"""The stored search vector of each searchable record, and its GIN index (PostgreSQL only)."""

import django.contrib.postgres.search
from django.db import migrations, models

import search.vectors


class Migration(migrations.Migration):
    dependencies = [
        ("hatecrime", "0005_plans_by_title_and_period"),
    ]

    operations = [
        migrations.AddField(
            model_name="planaction",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=search.vectors.SearchDocument(
                    english=[
                        ("reference", "A"),
                        ("text", "A"),
                        ("progress_note", "B"),
                        ("leads_text", "C"),
                    ],
                    welsh=[("text_cy", "A")],
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        search.vectors.CreateSearchIndex("planaction"),
    ]
