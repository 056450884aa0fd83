"""Importing the seed documents shipped in data/seeds, as make run does."""

from io import StringIO

from django.core.management import call_command

from bench.registry import benchmark


def load_seed_documents():
    call_command("load_seed_documents", stdout=StringIO())


@benchmark("import: load_seed_documents into an empty database")
def first_import(_context):
    load_seed_documents()


@benchmark(
    "import: load_seed_documents again (nothing changes)",
    setup=load_seed_documents,
)
def second_import(_context):
    load_seed_documents()
