"""Stored search vectors: each searchable record keeps its words, stemmed and weighted, in a
column the database computes on every insert and update (bulk ones included), with a GIN index,
so a search reads the index instead of parsing every row's text.

English text goes through the 'english' configuration (stemmed: "sharing" is stored as "share");
Welsh text through 'simple' (lower-cased, never stemmed), because PostgreSQL has no Welsh
dictionary and English stemming would mangle Welsh words.

Only PostgreSQL has full text search. On SQLite the column exists (so the model's queries work)
and is always empty: search there uses the plain engine in ``search.services``.
"""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.migrations.operations.base import Operation

ENGLISH = "english"
WELSH = "simple"
FIELD_NAME = "search_vector"


class SearchDocument(models.Func):
    """The weighted vector of a record's English and Welsh fields, each given as
    (field name, weight) pairs: A for titles, B for the main text, C for the rest."""

    template = "%(expressions)s"

    def __init__(self, english=(), welsh=()):
        parts = [SearchVector(name, weight=weight, config=ENGLISH) for name, weight in english]
        parts += [SearchVector(name, weight=weight, config=WELSH) for name, weight in welsh]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined + part
        super().__init__(combined, output_field=SearchVectorField())

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite has no to_tsvector: the column stays empty and is never searched.
        return "NULL", []


def search_vector_field(english=(), welsh=()):
    """The generated column a searchable model declares as ``search_vector``."""
    return models.GeneratedField(
        expression=SearchDocument(english=english, welsh=welsh),
        output_field=SearchVectorField(),
        db_persist=True,
    )


def index_name(table: str) -> str:
    return f"{table}_search"[:63]


class CreateSearchIndex(Operation):
    """The GIN index on a model's search vector, on PostgreSQL only (a migration operation with
    no effect on the model state, so on SQLite it does nothing at all)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name):
        self.model_name = model_name

    def deconstruct(self):
        return self.__class__.__qualname__, [self.model_name], {}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = to_state.apps.get_model(app_label, self.model_name)._meta.db_table
        quote = schema_editor.quote_name
        # Without the pending list (fastupdate) every write goes straight into the index: a
        # forum writes little, and a search must not scan rows added since the last vacuum.
        schema_editor.execute(
            f"CREATE INDEX {quote(index_name(table))} ON {quote(table)} "
            f"USING gin ({quote(FIELD_NAME)}) WITH (fastupdate = off)"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = from_state.apps.get_model(app_label, self.model_name)._meta.db_table
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index_name(table))}")

    def describe(self):
        return f"Create the search index of {self.model_name} (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name}_search_index"
