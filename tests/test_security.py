"""Promises the README makes about signing in, roles and outgoing email."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"  # what factories.UserFactory sets


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_one_fewer_wrong_password_than_the_limit_still_lets_the_person_in(client):
    factories.UserFactory(username="ffion")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "ffion", "wrong").status_code == 200
    response = sign_in(client, "ffion", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_the_limit_of_wrong_passwords_locks_the_account_with_a_clear_page(client):
    assert settings.AXES_FAILURE_LIMIT == 5
    factories.UserFactory(username="ffion")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ffion", "wrong")

    response = sign_in(client, "ffion", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert "Signing in is paused" in body
    assert "The password was wrong 5 times in a row" in body
    assert "You can try again in 60 minutes." in body
    assert "contact the forum's secretariat" in body
    # The product's own layout, not a bare line of text.
    assert 'class="govuk-header"' in body and "Skip to main content" in body


@pytest.mark.django_db
def test_a_superuser_without_a_group_counts_as_an_official(client):
    superuser = factories.UserFactory(username="root", is_superuser=True)
    assert not superuser.groups.exists()
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("directory:person_list")).status_code == 200

    # The counterpart: the same user without the superuser flag is refused.
    superuser.is_superuser = False
    superuser.save()
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("directory:person_list")).status_code == 403


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "wrc.settings_production",
    "SECRET_KEY": "a-long-random-production-key-7Jq2vX9mP4rT8wY1zB6nC3kD5fG0hL",
    "ALLOWED_HOSTS": "forum.example.org",
    "DATABASE_URL": "postgres://wrc:secret@db.example.org:5432/wrc",
}


def email_backend(tmp_path, env_overrides):
    """EMAIL_BACKEND as a fresh process reads it: settings are read once per process."""
    leaking = ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_BACKEND")
    env = {k: v for k, v in os.environ.items() if k not in leaking}
    env.update({"WRC_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "wrc.settings"})
    env.update(env_overrides)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env_overrides", "backend"),
    [
        ({}, "django.core.mail.backends.filebased.EmailBackend"),
        (
            {"DATABASE_URL": "postgres://wrc:secret@db.example.org:5432/wrc"},
            "django.core.mail.backends.smtp.EmailBackend",
        ),
        (PRODUCTION_ENV, "django.core.mail.backends.smtp.EmailBackend"),
    ],
    ids=["embedded-default", "database-url", "production"],
)
def test_email_goes_to_files_only_on_the_embedded_default(tmp_path, env_overrides, backend):
    assert email_backend(tmp_path, env_overrides) == backend
