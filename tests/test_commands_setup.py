"""setup_roles, create_demo_accounts, and the files that start the product (Procfile, compose)."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from actions.models import ActionItem
from directory.models import Forum, Organisation, OwnerRole, Person
from reminders.models import ReminderKind
from reminders.services import reminder_plan_build
from tests import factories
from wrc import access

BASE_DIR = Path(__file__).resolve().parent.parent
NORTH_WALES = "Regional Convenor (North Wales)"


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def embedded(settings, tmp_path):
    """The embedded default as make run has it (pytest-django turns DEBUG off)."""
    settings.EMBEDDED_DEFAULTS = True
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    return settings


@pytest.fixture
def seed_meeting(db):
    """A held meeting attended by a government team and two community organisations, one of them
    in North Wales, with an action owned by the North Wales convenor role."""
    forum = Forum.default()
    meeting = factories.MeetingFactory(forum=forum)
    community = factories.OrganisationFactory(name="North Wales Regional Equality Network")
    team = factories.OrganisationFactory(
        name="WG (ArWAP Policy Team)", kind=Organisation.Kind.GOVERNMENT_TEAM
    )
    elsewhere = factories.OrganisationFactory(name="BAWSO")
    for organisation in (team, elsewhere, community):
        factories.AttendanceFactory(meeting=meeting, organisation=organisation)
    role = factories.OwnerRoleFactory(forum=forum, name=NORTH_WALES)
    action = factories.ActionItemFactory(meeting=meeting, owner_text=NORTH_WALES, owner_role=role)
    return {"meeting": meeting, "community": community, "role": role, "action": action}


def printed_password(output):
    return re.search(r"Password:\s+(\S+)", output).group(1)


def test_setup_roles_creates_the_three_groups_once(db):
    run("setup_roles")
    run("setup_roles")
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(access.GROUPS)


def test_setup_roles_gives_officials_every_permission_on_the_records(db):
    run("setup_roles")
    officials = Group.objects.get(name=access.OFFICIALS)
    codenames = set(officials.permissions.values_list("codename", flat=True))
    assert {"change_meeting", "add_actionitem", "delete_letter", "view_planaction"} <= codenames
    assert not Group.objects.get(name=access.MEMBERS).permissions.exists()


def test_demo_accounts_one_per_role_sign_in_with_the_printed_password(embedded, seed_meeting):
    output = run("create_demo_accounts", "--port", "8123")
    password = printed_password(output)
    assert "http://127.0.0.1:8123/accounts/login/" in output
    assert f"holding {NORTH_WALES}" in output
    expected_roles = {
        "official": {"official"},
        "secretariat": {"secretariat"},
        "member": {"member"},
        "admin": {"official"},
    }
    for username, roles in expected_roles.items():
        assert f"Username:    {username}" in output
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=username, password=password)
        assert user is not None, username
        assert access.roles_of(user) == roles
    assert get_user_model().objects.get(username="admin").is_superuser
    assert not get_user_model().objects.get(username="member").is_staff


def test_demo_member_belongs_to_an_attending_organisation_and_holds_the_convenor_role(
    embedded, seed_meeting
):
    run("create_demo_accounts")
    member = get_user_model().objects.get(username="member")
    person = member.person
    assert person.organisation == seed_meeting["community"]
    assert list(person.owner_roles.all()) == [seed_meeting["role"]]
    assert list(ActionItem.objects.owned_by(member)) == [seed_meeting["action"]]


def test_demo_accounts_are_idempotent_and_keep_their_password(embedded, seed_meeting):
    first = printed_password(run("create_demo_accounts"))
    second = printed_password(run("create_demo_accounts"))
    assert first == second
    assert get_user_model().objects.count() == 5  # with the second forum's member
    assert Person.objects.filter(user__username="member").count() == 1
    assert (embedded.VAR_DIR / "demo-password").stat().st_mode & 0o077 == 0


def test_demo_secretariat_and_official_hold_their_roles_and_get_reminders(embedded, seed_meeting):
    forum = Forum.default()
    # The documents' loader made the Secretariat role already; the official's role is not there.
    secretariat_role = factories.OwnerRoleFactory(
        forum=forum, name="Secretariat", category="secretariat"
    )
    ours = factories.ActionItemFactory(
        meeting=seed_meeting["meeting"], owner_text="Secretariat", owner_role=secretariat_role
    )
    output = run("create_demo_accounts")
    run("create_demo_accounts")
    assert "The secretariat account holds the role Secretariat." in output
    secretariat = get_user_model().objects.get(username="secretariat")
    official = get_user_model().objects.get(username="official")
    assert secretariat.person.email and official.person.email
    assert list(secretariat.person.owner_roles.all()) == [secretariat_role]
    assert [r.name for r in official.person.owner_roles.all()] == ["Welsh Government Officials"]
    assert OwnerRole.objects.filter(name="Welsh Government Officials").count() == 1
    assert list(ActionItem.objects.owned_by(secretariat)) == [ours]
    assert Person.objects.filter(user__username__in=["secretariat", "official"]).count() == 2
    # The weekly summary has a recipient: the demo secretariat.
    monday = datetime.date(2026, 9, 7)
    plan = reminder_plan_build(today=monday)
    summaries = [
        r.recipient.email
        for r in plan.reminders
        if any(c.kind == ReminderKind.SECRETARIAT_SUMMARY for c in r.claims)
    ]
    assert summaries == [secretariat.person.email]


def test_demo_accounts_work_before_any_documents_are_loaded(embedded, db):
    output = run("create_demo_accounts")
    assert get_user_model().objects.get(username="member").person.organisation is None
    assert "no organisation yet" in output


@pytest.mark.parametrize("embedded_defaults, debug", [(False, True), (True, False), (False, False)])
def test_demo_accounts_are_refused_outside_the_embedded_default(
    settings, tmp_path, db, embedded_defaults, debug
):
    settings.EMBEDDED_DEFAULTS, settings.DEBUG, settings.VAR_DIR = (
        embedded_defaults,
        debug,
        tmp_path,
    )
    with pytest.raises(CommandError, match="embedded default"):
        run("create_demo_accounts")
    assert not get_user_model().objects.exists()
    assert not (tmp_path / "demo-password").exists()


def test_make_run_passes_quietly_outside_the_embedded_default(settings, db):
    settings.EMBEDDED_DEFAULTS = False
    output = run("create_demo_accounts", "--only-if-embedded")
    assert "none were created" in output
    assert not get_user_model().objects.exists()


def test_procfile_serves_web_worker_and_beat_on_port():
    entries = dict(
        line.split(":", 1) for line in (BASE_DIR / "Procfile").read_text().splitlines() if line
    )
    assert list(entries) == ["web", "worker", "beat"]
    assert "0.0.0.0:$PORT" in entries["web"] and "--noreload" in entries["web"]
    assert "celery --app wrc worker" in entries["worker"]
    assert "celery --app wrc beat" in entries["beat"]


def test_compose_file_starts_the_whole_stack_from_one_image():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("postgres", "redis", "web"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "."
        assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= set(
            service["environment"]
        )
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "wrc.settings_production"
        conditions = {dep["condition"] for dep in service["depends_on"].values()}
        assert conditions == {"service_healthy"}, name
    web_command = " ".join(services["web"]["command"])
    for step in ("migrate", "setup_roles", "load_seed_documents", "gunicorn wrc.wsgi"):
        assert step in web_command
    assert web_command.index("migrate") < web_command.index("gunicorn")


def test_dockerfile_builds_on_python_311_slim_with_static_files():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "pip install ." in dockerfile
    assert "collectstatic" in dockerfile
    pinned = (BASE_DIR / "pyproject.toml").read_text()
    assert re.search(r'"gunicorn==[\d.]+"', pinned)
