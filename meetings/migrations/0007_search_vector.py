"""The stored search vector of each searchable record, and its GIN index (PostgreSQL only)."""

import django.contrib.postgres.search
from django.db import migrations, models

import search.vectors


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_agendaitem_presenter"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=search.vectors.SearchDocument(
                    english=[("title", "A"), ("discussion", "B")],
                    welsh=[("title_cy", "A"), ("discussion_cy", "B")],
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=search.vectors.SearchDocument(
                    english=[("title", "A"), ("venue", "C")], welsh=()
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        search.vectors.CreateSearchIndex("agendaitem"),
        search.vectors.CreateSearchIndex("meeting"),
    ]
