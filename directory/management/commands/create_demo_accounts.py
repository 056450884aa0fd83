"""Demo accounts, one per role, so a newcomer can sign in and look around.

They are created only on the embedded default (SQLite, DEBUG on): a site with a DATABASE_URL holds
real people's records, and a known demo password there would be an open door.
"""

import datetime
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from directory.known_organisations import OWNER_ROLES
from directory.management.commands.setup_roles import setup_roles
from directory.models import Forum, Membership, MembershipRole, Organisation, OwnerRole, Person
from meetings.models import Meeting
from wrc import access

# The demo member holds this role so that "my actions" has something in it: the seed meeting gives
# the Regional Convenor (North Wales) an action.
DEMO_MEMBER_ROLE = "Regional Convenor (North Wales)"
# A convenor works with the organisations of their region: prefer one of those.
DEMO_MEMBER_REGION = "North Wales"
DEMO_MEMBER_NAME = "Demo Forum Member"
# The secretariat and the official hold the roles the notes give their actions to, so that their
# "my actions" list them and the weekly reminder summary has a secretariat member to go to.
DEMO_STAFF = {
    "secretariat": ("Demo Secretariat", "Secretariat", MembershipRole.SECRETARIAT),
    "official": ("Demo Official", "Welsh Government Officials", MembershipRole.OFFICIAL),
}
# A second, smaller forum, so that a newcomer sees two forums side by side and what each account
# sees of them: the demo secretariat keeps the Wales Race Forum's records only, and the second
# forum's member sees only their own forum.
SECOND_FORUM = {
    "name": "Faith Communities Forum",
    "name_cy": "Fforwm Cymunedau Ffydd",
    "short_name": "FCF",
    "short_name_cy": "FCFf",
    "kind": Forum.Kind.FORUM,
}
SECOND_FORUM_MEMBER_NAME = "Demo Faith Forum Member"
# Its next meeting, planned this many days ahead whenever it has none to come.
SECOND_FORUM_MEETS_IN_DAYS = 28
# Where the generated password is kept between runs, so the one printed always works.
PASSWORD_FILE_NAME = "demo-password"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    group: str | None = None
    is_staff: bool = False
    is_superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("official", "Official (also the admin)", access.OFFICIALS, is_staff=True),
    DemoAccount("secretariat", "Secretariat", access.SECRETARIAT),
    DemoAccount("member", "Forum member", access.MEMBERS),
    DemoAccount("board-member", "Member of the Faith Communities Forum only", access.MEMBERS),
    DemoAccount("admin", "Superuser", None, is_staff=True, is_superuser=True),
)


def demo_accounts_allowed() -> bool:
    return bool(getattr(settings, "EMBEDDED_DEFAULTS", False) and settings.DEBUG)


def demo_password(var_dir: Path) -> str:
    """The password of every demo account: generated once per installation, kept in var/."""
    path = Path(var_dir) / PASSWORD_FILE_NAME
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            return stored
    password = f"demo-{secrets.token_urlsafe(9)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def demo_member_organisation(role: OwnerRole | None) -> Organisation | None:
    """The organisation of the demo role's holder, else one that attended the latest meeting."""
    if role is not None:
        holder = role.holders.exclude(organisation=None).select_related("organisation").first()
        if holder is not None:
            return holder.organisation
    meeting = Meeting.objects.order_by("-starts_at").first()
    if meeting is None:
        return None
    attending = Organisation.objects.filter(attendance__meeting=meeting).distinct()
    return (
        attending.filter(name__icontains=DEMO_MEMBER_REGION).first()
        or attending.filter(kind=Organisation.Kind.THIRD_SECTOR).first()
        or attending.exclude(kind=Organisation.Kind.GOVERNMENT_TEAM).first()
        or attending.first()
    )


def demo_person(user, *, full_name, organisation=None) -> Person:
    """The demo account's person record, created once; its email is the account's."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.create(
            full_name=full_name, email=user.email, organisation=organisation, user=user
        )
    elif not person.email:
        person.email = user.email
        person.save()
    return person


def owner_role(forum, name) -> OwnerRole:
    """The role the notes' actions are given to; made as the documents' loader would make it,
    so the demo works before any document is loaded."""
    known = next(role for role in OWNER_ROLES if role["name"] == name)
    role, _created = OwnerRole.objects.get_or_create(
        forum=forum,
        name=name,
        defaults={"category": known["category"], "aliases": list(known["aliases"])},
    )
    return role


def link_demo_staff(user) -> Person:
    """Give the demo secretariat or official a person record holding their role."""
    full_name, role_name, membership_role = DEMO_STAFF[user.username]
    forum = Forum.default()
    person = demo_person(user, full_name=full_name)
    Membership.objects.get_or_create(forum=forum, person=person, role=membership_role)
    owner_role(forum, role_name).holders.add(person)
    return person


def link_demo_member(user) -> Person:
    """Give the demo member a person record in the forum, holding the demo role if it exists."""
    forum = Forum.default()
    role = OwnerRole.objects.filter(forum=forum).resolve(DEMO_MEMBER_ROLE)
    person = Person.objects.filter(user=user).first() or demo_person(
        user, full_name=DEMO_MEMBER_NAME, organisation=demo_member_organisation(role)
    )
    Membership.objects.get_or_create(forum=forum, person=person, role=MembershipRole.MEMBER)
    if role is not None:
        role.holders.add(person)
    return person


def second_forum_ensure() -> Forum:
    """The second demo forum, with one planned meeting to come."""
    forum = Forum.objects.filter(name=SECOND_FORUM["name"]).first()
    if forum is None:
        forum = Forum.objects.create(**SECOND_FORUM)
    if not Meeting.objects.filter(forum=forum, status=Meeting.Status.PLANNED).upcoming().exists():
        day = timezone.localdate() + datetime.timedelta(days=SECOND_FORUM_MEETS_IN_DAYS)
        starts_at = datetime.datetime.combine(
            day, datetime.time(10, 30), timezone.get_current_timezone()
        )
        Meeting.objects.create(
            forum=forum,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1, minutes=30),
            online_platform="Teams",
            status=Meeting.Status.PLANNED,
        )
    return forum


def link_second_forum_member(user, forum) -> Person:
    """The second forum's demo member: a member of that forum and of no other."""
    person = demo_person(user, full_name=SECOND_FORUM_MEMBER_NAME)
    Membership.objects.filter(person=person).exclude(forum=forum).delete()
    Membership.objects.get_or_create(forum=forum, person=person, role=MembershipRole.MEMBER)
    return person


@transaction.atomic
def create_demo_accounts(*, password: str) -> dict[str, object]:
    """Create or refresh the demo accounts; returns {username: user}. Idempotent."""
    setup_roles()
    users = {}
    for account in DEMO_ACCOUNTS:
        user, _created = get_user_model().objects.get_or_create(username=account.username)
        user.email = f"{account.username}@example.org"
        user.is_staff = account.is_staff
        user.is_superuser = account.is_superuser
        user.is_active = True
        user.set_password(password)
        user.save()
        if account.group:
            user.groups.add(Group.objects.get(name=account.group))
        users[account.username] = user
    link_demo_member(users["member"])
    link_second_forum_member(users["board-member"], second_forum_ensure())
    for username in DEMO_STAFF:
        link_demo_staff(users[username])
    return users


class Command(BaseCommand):
    help = (
        "Create one demo account per role (official, secretariat, forum member, admin) with a "
        "shared generated password, a second demo forum (the Faith Communities Forum, with its "
        "own member account and a planned meeting), and print how to sign in. Only on the "
        "embedded default (no DATABASE_URL, DEBUG on); anywhere else it refuses."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-if-embedded",
            action="store_true",
            help="Outside the embedded default, say so and exit 0 instead of failing (make run).",
        )
        parser.add_argument(
            "--port",
            default=os.environ.get("PORT", "8000"),
            help="Port shown in the sign-in address (default: $PORT or 8000).",
        )

    def handle(self, *args, **options):
        if not demo_accounts_allowed():
            message = (
                "Demo accounts are created only on the embedded default (no DATABASE_URL, "
                "DEBUG on). These settings may hold real people's records: none were created."
            )
            if options["only_if_embedded"]:
                self.stdout.write(message)
                return
            raise CommandError(message)
        password = demo_password(settings.VAR_DIR)
        users = create_demo_accounts(password=password)
        self.print_sign_in(users, password, options["port"])

    def print_sign_in(self, users, password, port):
        member = users["member"].person
        lines = [
            "",
            "Demo accounts (embedded default only)",
            f"  Sign in at:  http://127.0.0.1:{port}/accounts/login/",
            f"  Password:    {password}   (the same for every demo account)",
        ]
        for account in DEMO_ACCOUNTS:
            lines.append(f"  Username:    {account.username:<12} {account.role}")
        where = member.organisation or "no organisation yet"
        holds = ", ".join(role.name for role in member.owner_roles.all()) or "no role"
        lines.append(f"  The member is {member.full_name}, {where}, holding {holds}.")
        for username, (_name, role_name, _membership) in DEMO_STAFF.items():
            lines.append(f"  The {username} account holds the role {role_name}.")
        first = Forum.default()
        lines.append(
            f"  Forums:      {first.name} (member, secretariat) and {SECOND_FORUM['name']} "
            "(board-member); the official sees both."
        )
        lines.append(f"  Admin:       http://127.0.0.1:{port}/admin/ (official or admin)")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
