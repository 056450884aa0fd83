"""Settings read from the environment: production hardening and the database switch.

Each case starts a fresh interpreter, because settings are read once per process.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
# Variables that would leak the outer run's configuration into the child process.
CONFIG_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "wrc.settings_production",
    "SECRET_KEY": "a-long-random-production-key-7Jq2vX9mP4rT8wY1zB6nC3kD5fG0hL",
    "ALLOWED_HOSTS": "forum.example.org",
    "DATABASE_URL": "postgres://wrc:secret@db.example.org:5432/wrc",
}


def run_django(tmp_path, env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env.update({"WRC_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "wrc.settings"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def print_setting(tmp_path, env_overrides, expression):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = run_django(tmp_path, env_overrides, "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    result = run_django(
        tmp_path, PRODUCTION_ENV, "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_on_the_embedded_defaults(tmp_path):
    # The counterpart of the test above: the check really looks at the settings.
    result = run_django(tmp_path, {}, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_django(tmp_path, env, "manage.py", "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_a_required_variable(tmp_path, variable):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != variable}
    result = run_django(tmp_path, env, "manage.py", "check")
    assert result.returncode != 0
    assert f"Set the {variable} environment variable" in result.stderr


def test_production_settings_are_hardened(tmp_path):
    values = print_setting(
        tmp_path,
        PRODUCTION_ENV,
        "settings.DEBUG, settings.EMBEDDED_DEFAULTS, settings.SESSION_COOKIE_SECURE, "
        "settings.SECURE_SSL_REDIRECT",
    )
    assert values == "False False True True"


def test_database_url_switches_the_engine_to_postgresql(tmp_path):
    env = {"DATABASE_URL": "postgres://wrc:secret@db.example.org:5432/wrc_records"}
    values = print_setting(
        tmp_path,
        env,
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.EMBEDDED_DEFAULTS",
    )
    assert values == "django.db.backends.postgresql wrc_records False"


def test_without_database_url_the_embedded_default_is_sqlite_in_var(tmp_path):
    values = print_setting(
        tmp_path,
        {},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.EMBEDDED_DEFAULTS, settings.CELERY_BROKER_URL",
    )
    engine, name, embedded, broker = values.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name).parent == tmp_path
    assert embedded == "True"
    assert broker == "filesystem://"


def test_celery_broker_url_switches_the_broker_to_redis(tmp_path):
    env = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/5"}
    assert print_setting(tmp_path, env, "settings.CELERY_BROKER_URL") == "redis://127.0.0.1:6379/5"


def test_readme_documents_every_variable_the_settings_read():
    settings_source = "".join(
        (BASE_DIR / "wrc" / name).read_text() for name in ("settings.py", "settings_production.py")
    )
    read = set(
        re.findall(
            r"""\b(?:env|Env\(\))(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", settings_source
        )
    )
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "WRC_VAR_DIR"} <= read
    readme = (BASE_DIR / "README.md").read_text()
    undocumented = sorted(name for name in read if f"`{name}`" not in readme)
    assert not undocumented, f"Add these to the README's configuration table: {undocumented}"


def test_database_connections_are_kept_between_requests_and_checked(tmp_path):
    expression = (
        "settings.DATABASES['default']['CONN_MAX_AGE'], "
        "settings.DATABASES['default']['CONN_HEALTH_CHECKS']"
    )
    assert print_setting(tmp_path, PRODUCTION_ENV, expression) == "60 True"
    assert print_setting(tmp_path, {"CONN_MAX_AGE": "0"}, expression) == "0 True"


def test_a_negative_conn_max_age_is_refused(tmp_path):
    result = run_django(tmp_path, {"CONN_MAX_AGE": "-1"}, "manage.py", "check")
    assert result.returncode != 0
    assert "CONN_MAX_AGE" in result.stderr
