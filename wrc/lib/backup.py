"""Backups: the database and the uploaded files in one archive, and their restore.

An archive is a ``.tar.gz`` holding ``manifest.json``, the database (``database.sqlite3``, made
with SQLite's online backup API, or ``database.dump``, PostgreSQL's custom format from
``pg_dump -Fc``) and the files under ``MEDIA_ROOT`` in ``media/``. The manifest counts the rows
of every model, so a restore can prove it found every record. Restores go into an empty database
only: merging a backup into live records would silently mix two histories.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class RestoreResult:
    records: int
    files: int


def engine_of(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def default_backup_path() -> Path:
    stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"wrc-{stamp}.tar.gz"


def model_tables() -> set[str]:
    """The tables of every model this code has (history and many-to-many tables included)."""
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def count_rows(cursor, tables) -> dict[str, int]:
    """Rows per table: the measure a restore is checked against."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # names from the models, not input
        counts[table] = cursor.fetchone()[0]
    return counts


def media_files(root: Path) -> list[dict]:
    if not root.is_dir():
        return []
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        found.append({"path": path.relative_to(root).as_posix(), "sha256": digest})
    return found


# Backup -------------------------------------------------------------------------------------


def backup_create(*, output: Path | None = None, alias: str = "default") -> Path:
    """Write a backup archive of database ``alias`` and MEDIA_ROOT; returns its path."""
    engine = engine_of(alias)
    output = Path(output or default_backup_path()).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / (SQLITE_FILE if engine == "sqlite" else POSTGRES_FILE)
        dump = dump_sqlite if engine == "sqlite" else dump_postgres
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(tz=datetime.UTC).isoformat(),
            "engine": engine,
            "database": database.name,
            "rows": dump(alias, database),
            "media": media_files(media_root),
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            archive.add(database, arcname=database.name)
            for entry in manifest["media"]:
                archive.add(media_root / entry["path"], arcname=f"{MEDIA_DIR}/{entry['path']}")
        partial.replace(output)  # never leave a half-written archive under the final name
    return output


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now(tz=datetime.UTC).timestamp())
    archive.addfile(info, fileobj=io.BytesIO(data))


def dump_sqlite(alias: str, target: Path) -> dict[str, int]:
    """SQLite's online backup: a consistent copy while the web, worker and beat keep writing.
    The rows are counted in the copy, so the counts are the copy's."""
    connection = connections[alias]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        cursor = destination.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        present = {name for (name,) in cursor.fetchall()}
        return count_rows(cursor, model_tables() & present)
    finally:
        destination.close()


def postgres_command(program: str, alias: str, *args: str) -> tuple[list[str], dict]:
    """The command line and environment for a PostgreSQL client on database ``alias``."""
    params = connections[alias].settings_dict
    command = [program, "--no-owner", "--no-privileges", *args]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            command += [flag, str(params[key])]
    env = os.environ.copy()
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return command, env


def run_client(command: list[str], env: dict):
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools.")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def dump_postgres(alias: str, target: Path) -> dict[str, int]:
    """``pg_dump -Fc`` of the snapshot the rows are counted in, so the counts are the dump's
    even while the web, worker and beat keep writing."""
    connection = connections[alias]
    name = connection.settings_dict["NAME"]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        present = set(connection.introspection.table_names(cursor))
        rows = count_rows(cursor, model_tables() & present)
        command, env = postgres_command(
            "pg_dump", alias, "--format=custom", f"--snapshot={snapshot}", "--file", str(target)
        )
        run_client([*command, "--dbname", name], env)
    return rows


# Restore ------------------------------------------------------------------------------------


def backup_restore(*, path: Path, alias: str = "default") -> RestoreResult:
    """Restore the archive at ``path`` into database ``alias`` and MEDIA_ROOT, both empty."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    engine = engine_of(alias)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work, tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive)
        if manifest["engine"] != engine:
            raise BackupError(
                f"This backup is of a {manifest['engine']} database; the database configured "
                f"here is {engine}. Restore it with the same kind of database."
            )
        refuse_unless_empty(alias, media_root)
        archive.extract(manifest["database"], work, filter="data")
        database = Path(work) / manifest["database"]
        if engine == "sqlite":
            load_sqlite(alias, database)
        else:
            load_postgres(alias, database)
        files = restore_media(archive, manifest, media_root)
    check_records(alias, manifest)
    return RestoreResult(records=sum(manifest["rows"].values()), files=files)


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, json.JSONDecodeError) as error:
        raise BackupError(f"This is not a wrc backup: {MANIFEST} is missing or broken.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup has format {manifest.get('format')}; expected {FORMAT}.")
    return manifest


def refuse_unless_empty(alias: str, media_root: Path):
    tables = connections[alias].introspection.table_names()
    if tables:
        raise BackupError(
            f"The database is not empty (it has {len(tables)} tables). A backup is restored into "
            "an empty database only, so that nothing in it is overwritten or mixed: create a new "
            "database (or move the SQLite file aside) and run the restore again."
        )
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        raise BackupError(
            f"MEDIA_ROOT ({media_root}) already holds files. Move them aside or point MEDIA_ROOT "
            "at an empty directory, then run the restore again."
        )


def load_sqlite(alias: str, source: Path):
    connection = connections[alias]
    connection.ensure_connection()
    backup = sqlite3.connect(source)
    try:
        backup.backup(connection.connection)
    finally:
        backup.close()


def load_postgres(alias: str, source: Path):
    name = connections[alias].settings_dict["NAME"]
    connections[alias].close()  # pg_restore works alone; reopened for the check afterwards
    command, env = postgres_command(
        "pg_restore", alias, "--exit-on-error", "--single-transaction", "--dbname", name
    )
    run_client([*command, str(source)], env)


def restore_media(archive: tarfile.TarFile, manifest: dict, media_root: Path) -> int:
    media_root.mkdir(parents=True, exist_ok=True)
    prefix = f"{MEDIA_DIR}/"
    members = [m for m in archive.getmembers() if m.name.startswith(prefix) and m.isfile()]
    for member in members:
        member.name = member.name.removeprefix(prefix)
    # The "data" filter refuses absolute paths, "..", links out of the tree and device files.
    archive.extractall(media_root, members=members, filter="data")
    for entry in manifest["media"]:
        restored = media_root / entry["path"]
        if hashlib.sha256(restored.read_bytes()).hexdigest() != entry["sha256"]:
            raise BackupError(f"The uploaded file {entry['path']} did not restore intact.")
    return len(members)


def check_records(alias: str, manifest: dict):
    """Every table has the rows the backup counted."""
    with connections[alias].cursor() as cursor:
        found = count_rows(cursor, manifest["rows"])
    short = [
        f"{table}: {count} in the backup, {found[table]} restored"
        for table, count in manifest["rows"].items()
        if found[table] != count
    ]
    if short:
        raise BackupError(f"The restore is incomplete: {'; '.join(short)}.")
