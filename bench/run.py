#!/usr/bin/env python
"""Run the benchmark cases and write a JSON and a Markdown report to bench-reports/.

Usage: .venv/bin/python bench/run.py [-k TEXT] [--repeat N] [--out DIR]

Cases run on a throwaway test database of the configured engine (DATABASE_URL, else SQLite), never
on the product's own data. Timings go to the report; no test asserts them.
"""

import argparse
import datetime
import importlib
import json
import os
import pkgutil
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrc.settings")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="match", default="", help="only cases whose name contains this")
    parser.add_argument("--repeat", type=int, help="repetitions per case (default: the case's)")
    parser.add_argument("--out", default=str(BASE_DIR / "bench-reports"), help="report folder")
    return parser.parse_args(argv)


def load_cases():
    import bench.cases
    from bench.registry import CASES

    for module in pkgutil.iter_modules(bench.cases.__path__):
        importlib.import_module(f"bench.cases.{module.name}")
    return CASES


def use_file_database_for_sqlite(settings):
    """SQLite tests run in memory; a benchmark should pay for the disk like make run does.

    Returns the files to remove afterwards (the database and its WAL journal), or []."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return []
    # One file per run: two runs at once must not share (or delete) each other's journal.
    path = Path(settings.VAR_DIR) / f"bench-{os.getpid()}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    database.setdefault("TEST", {})["NAME"] = str(path)
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def time_case(case, repeat):
    """Seconds per repetition, and what the last one returned; each repetition in a
    transaction that is rolled back."""
    from django.db import transaction

    timings, returned = [], None
    for _ in range(repeat):
        with transaction.atomic():
            context = case.setup() if case.setup else None
            start = time.perf_counter()
            returned = case.func(context)
            timings.append(time.perf_counter() - start)
            transaction.set_rollback(True)
    return timings, returned


def time_committed_case(case, repeat):
    """Seconds per repetition of a case that commits (``atomic=False``)."""
    timings, returned = [], None
    try:
        for _ in range(repeat):
            context = case.setup() if case.setup else None
            start = time.perf_counter()
            returned = case.func(context)
            timings.append(time.perf_counter() - start)
    finally:
        if case.teardown:
            case.teardown()
    return timings, returned


def run_case(case, repeat):
    try:
        timings, returned = (time_case if case.atomic else time_committed_case)(case, repeat)
    except Exception as exc:  # a broken case is reported, the others still run
        return {"name": case.name, "error": f"{type(exc).__name__}: {exc}"}
    row = {
        "name": case.name,
        "repeat": len(timings),
        "min_ms": round(min(timings) * 1000, 2),
        "median_ms": round(statistics.median(timings) * 1000, 2),
        "max_ms": round(max(timings) * 1000, 2),
    }
    # A case that measures several things inside itself (pages against a floor) returns a list
    # of rows, one per thing, reported under its own line.
    if isinstance(returned, list) and returned and isinstance(returned[0], dict):
        row["details"] = returned
    return row


def details_markdown(row):
    columns = list(row["details"][0])
    lines = ["", f"### {row['name']}", "", "| " + " | ".join(columns) + " |"]
    lines.append("| --- |" + " ---: |" * (len(columns) - 1))
    lines += ["| " + " | ".join(str(d[c]) for c in columns) + " |" for d in row["details"]]
    return lines


def database_description(connection):
    version = ".".join(str(part) for part in connection.get_database_version())
    name = connection.settings_dict["NAME"]
    return {"vendor": connection.vendor, "version": version, "name": str(name)}


def git_commit():
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def markdown(report):
    db = report["database"]
    lines = [
        f"# Benchmarks {report['started_at']}",
        "",
        f"Commit {report['commit']}, {db['vendor']} {db['version']}, Python {report['python']}, "
        f"{report['cpus']} CPUs.",
        "",
        "| case | repeat | min ms | median ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in report["results"]:
        if "error" in row:
            lines.append(f"| {row['name']} | – | error: {row['error']} | | |")
        else:
            lines.append(
                f"| {row['name']} | {row['repeat']} | {row['min_ms']} | {row['median_ms']} "
                f"| {row['max_ms']} |"
            )
    for row in report["results"]:
        if "details" in row:
            lines += details_markdown(row)
    return "\n".join(lines) + "\n"


def write_report(report, out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = report["started_at"].replace(":", "").replace("-", "")
    stem = f"bench-{stamp}-{report['database']['vendor']}"
    (out_dir / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / f"{stem}.md").write_text(markdown(report))
    return out_dir / f"{stem}.md"


def main(argv=None):
    args = parse_args(argv)
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    leftovers = use_file_database_for_sqlite(settings)
    setup_test_environment()
    cases = [c for c in load_cases().values() if args.match in c.name]
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        database = database_description(connection)
        results = []
        for case in cases:
            print(f"bench: {case.name} …", flush=True)
            results.append(run_case(case, args.repeat or case.repeat))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        for path in leftovers:
            path.unlink(missing_ok=True)
    report = {
        "started_at": started,
        "commit": git_commit(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "database": database,
        "results": results,
    }
    path = write_report(report, Path(args.out))
    print(markdown(report))
    print(f"bench: report written to {path} and {path.with_suffix('.json')}")
    return 1 if any("error" in row for row in results) else 0


if __name__ == "__main__":
    sys.exit(main())
