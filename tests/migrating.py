"""Migrating the test database back and forth, for the tests that prove a data migration keeps
every record: they write rows with the models as they were, migrate forward and compare."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to ``targets`` (None: the latest) and return the models of the database's
    schema then: every app, as far as its applied migrations go."""
    executor = MigrationExecutor(connection)
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()  # what was applied has changed
    applied = [
        key for key in executor.loader.applied_migrations if key in executor.loader.graph.nodes
    ]
    return executor.loader.project_state(applied).apps


@contextmanager
def models_at(targets):
    """The models as of ``targets``; the database is back at the latest schema afterwards,
    whatever happened."""
    try:
        yield migrate(targets)
    finally:
        migrate(None)
