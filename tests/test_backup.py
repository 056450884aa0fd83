"""Backups: `manage.py backup` then `manage.py restore` into an empty database finds every record
and every uploaded file, on SQLite (the embedded default) and on PostgreSQL (DATABASE_URL)."""

import copy
import io
import tarfile
import uuid

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connections

from correspondence.models import Enclosure
from tests import factories

# Committed rows: pg_dump and SQLite's backup read what other connections can see.
pytestmark = pytest.mark.django_db(transaction=True)

RESTORED = "restored"


@pytest.fixture
def records(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    update = factories.ActionUpdateFactory(note="Toolkit shared with members.")
    factories.PlanActionLeadFactory()
    factories.MembershipFactory()
    letter = factories.LetterFactory(subject_en="Misinformation toolkit")
    factories.LetterMailFactory(letter=letter)
    enclosures = []
    for n, content in enumerate([b"%PDF-1.4 toolkit", b"%PDF-1.4 annex"]):
        enclosure = factories.EnclosureFactory(letter=letter, order=n)
        enclosure.file.save(f"file-{n}.pdf", ContentFile(content))
        enclosures.append(enclosure)
    factories.official_user(username="official")
    return {"update": update, "enclosures": enclosures}


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database under the alias "restored": a new SQLite file, or a throwaway
    PostgreSQL database created for the test and dropped after it."""
    config = copy.deepcopy(connections["default"].settings_dict)
    postgres = connections["default"].vendor == "postgresql"
    if postgres:
        config["NAME"] = f"wrc_restore_{uuid.uuid4().hex[:12]}"
        with connections["default"].cursor() as cursor:  # autocommit: CREATE DATABASE needs it
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    else:
        config["NAME"] = str(tmp_path / "restored.sqlite3")
    # Made as Django makes a connection, then kept out of the configured aliases: the test case
    # allows connections it did not know about at setup only when they are not configured.
    connections.settings[RESTORED] = config
    connections[RESTORED] = connections.create_connection(RESTORED)
    del connections.settings[RESTORED]
    yield RESTORED
    connections[RESTORED].close()
    del connections[RESTORED]
    if postgres:
        with connections["default"].cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')


def every_row(alias):
    return {
        model._meta.label: sorted(model._base_manager.using(alias).values_list("pk", flat=True))
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def backup(path):
    out = io.StringIO()
    call_command("backup", "--output", str(path), stdout=out)
    return out.getvalue().strip()


def test_a_backup_restored_into_an_empty_database_has_every_record_and_file(
    records, empty_database, settings, tmp_path
):
    archive = tmp_path / "backups" / "wrc.tar.gz"
    assert backup(archive) == str(archive)  # the path, alone, is what `make backup` prints
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and len([n for n in names if n.startswith("media/")]) == 2

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    out = io.StringIO()
    call_command("restore", str(archive), "--database", empty_database, stdout=out)
    assert "2 uploaded files" in out.getvalue()

    before, after = every_row("default"), every_row(empty_database)
    assert after == before
    assert sum(len(pks) for pks in after.values()) > 20
    restored = records["update"].__class__.objects.using(empty_database).get()
    assert restored.note == "Toolkit shared with members."
    for original in records["enclosures"]:
        copy_ = Enclosure.objects.using(empty_database).get(pk=original.pk)
        with copy_.file.open("rb") as handle:
            assert handle.read() == original.file.storage.open(original.file.name).read()
        assert str(settings.MEDIA_ROOT) in copy_.file.path


def test_a_restore_into_a_database_that_has_tables_is_refused(records, settings, tmp_path):
    archive = tmp_path / "wrc.tar.gz"
    backup(archive)
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(archive))


def test_a_restore_over_uploaded_files_is_refused(records, empty_database, tmp_path):
    archive = tmp_path / "wrc.tar.gz"
    backup(archive)  # MEDIA_ROOT still holds the two enclosures
    with pytest.raises(CommandError, match="already holds files"):
        call_command("restore", str(archive), "--database", empty_database)


def test_a_file_that_is_not_a_backup_is_refused(empty_database, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    with pytest.raises(CommandError, match="not a wrc backup"):
        call_command("restore", str(bogus), "--database", empty_database)
