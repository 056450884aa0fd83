"""Realistic records in bulk, for benchmarks: forums with memberships and owner roles, meetings
with attendance and agenda items, actions with owners of every kind and progress notes, letters
with one delivery per recipient, and a member account (``volume-member``) who owns a few hundred
actions through their person, their organisation and their roles.

Everything is drawn from one ``random.Random(seed)`` and dated relative to ``today``: the same
seed on the same day gives the same records (ids, UUIDs and calendar tokens aside). Rows are
written with ``bulk_create`` (no change history, no ``save()``), so 10,000 actions take seconds.
Names carry the seed, so two seeds can be generated into one database side by side.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from actions.models import ActionItem, ActionUpdate
from correspondence.models import Letter
from directory.models import (
    Forum,
    Language,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationAlias,
    OwnerRole,
    Person,
    normalise_name,
)
from meetings.models import AgendaItem, Attendance, Meeting
from outbox.models import OutgoingMail
from wrc import access

MEMBER_USERNAME = "volume-member"
# How many actions the volume member owns, a third each through their person, organisation and
# roles: "my actions" at the size the issue measured (~200), more once actions are plentiful.
MEMBER_ACTIONS = 240
BATCH = 2000

TOPICS = [
    "Misinformation on social media after the summer disorder",
    "Hate crime reporting and third-party reporting centres",
    "Anti-racist Wales action plan: progress report",
    "Community cohesion funding for 2025-26",
    "Gypsy, Roma and Traveller sites",
    "Asylum dispersal and community tensions",
    "Race equality in the NHS workforce",
    "Policing and stop and search data",
    "Schools: diversity in the curriculum",
    "Employment support for ethnic minority women",
    "Housing: overcrowding and temporary accommodation",
    "Election registration and representation",
]
VERBS = ["Share", "Circulate", "Draft", "Review", "Report on", "Update the forum on", "Arrange"]
THINGS = [
    "the misinformation toolkit",
    "the hate crime figures for the quarter",
    "the funding guidance",
    "the terms of reference",
    "the community tensions briefing",
    "the consultation response",
    "the evaluation report",
    "the list of third-party reporting centres",
]
FIRST = ["Aisha", "Bethan", "Carys", "Dafydd", "Emeka", "Fatima", "Gareth", "Hana", "Ifan",
         "Jaspreet", "Kwame", "Lowri", "Mohammed", "Nia", "Olu", "Priya", "Rhys", "Sian", "Tomasz",
         "Yusuf"]  # fmt: skip
LAST = ["Ahmed", "Begum", "Davies", "Evans", "Hughes", "Islam", "Jones", "Khan", "Lewis",
        "Morgan", "Nowak", "Okafor", "Patel", "Roberts", "Singh", "Thomas", "Williams"]  # fmt: skip
PLACES = ["Cardiff", "Swansea", "Newport", "Wrexham", "Bangor", "Aberystwyth", "Carmarthen"]
ORGANISATION_KINDS = [
    (Organisation.Kind.THIRD_SECTOR, "Community Association"),
    (Organisation.Kind.THIRD_SECTOR, "Race Equality Council"),
    (Organisation.Kind.PUBLIC_BODY, "Health Board"),
    (Organisation.Kind.PUBLIC_BODY, "County Council"),
    (Organisation.Kind.POLICE, "Police"),
    (Organisation.Kind.GOVERNMENT_TEAM, "Government Team"),
]
FORUM_KINDS = [Forum.Kind.FORUM, Forum.Kind.BOARD, Forum.Kind.GROUP, Forum.Kind.PANEL]
ROLE_NAMES = ["Secretariat", "Chair", "Regional Convenor (North Wales)",
              "Regional Convenor (South Wales)", "Policy Lead"]  # fmt: skip
# The volume member's role in each forum: no other action is given to it, so what the member
# owns stays close to MEMBER_ACTIONS.
MEMBER_ROLE = "Data Lead"


@dataclass(frozen=True)
class VolumeSize:
    people: int
    organisations: int
    meetings: int
    actions: int
    forums: int = 3


@dataclass
class Generated:
    """What one run made, by model name, and the volume member's user."""

    counts: dict = field(default_factory=dict)
    member: object = None


class AlreadyGenerated(Exception):
    pass


class Context:
    """The run's random source, dates and the rows made so far."""

    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.result = Generated()

    def bulk(self, model, rows):
        made = model.objects.bulk_create(rows, batch_size=BATCH)
        name = model._meta.model_name
        self.result.counts[name] = self.result.counts.get(name, 0) + len(made)
        return made


@transaction.atomic
def volume_generate(
    *, size: VolumeSize, seed: int = 1, today=None, password: str | None = None
) -> Generated:
    """Add ``size`` worth of records on top of what is there. Raises AlreadyGenerated when this
    seed's records are already in the database."""
    if size.actions and not size.meetings:
        raise ValueError("Actions belong to meetings: ask for at least one meeting.")
    ctx = Context(seed=seed, today=today or timezone.localdate())
    if Forum.objects.filter(slug__startswith=f"volume-s{seed}-").exists():
        raise AlreadyGenerated(f"Records for seed {seed} are already there: use another seed.")
    forums = _forums(ctx, size.forums)
    organisations = _organisations(ctx, size.organisations)
    people = _people(ctx, size.people, organisations)
    member = _member(ctx, organisations, password)
    roles = _roles_and_memberships(ctx, forums, organisations, people, member.person)
    meetings = _meetings(ctx, forums, size.meetings)
    items = _attendance_and_items(ctx, meetings, people)
    owners = (people, organisations, roles)
    actions = _actions(ctx, size.actions, meetings, items, owners, member.person)
    _progress_notes(ctx, actions)
    _letters(ctx, forums, people)
    ctx.result.member = member
    return ctx.result


def _forums(ctx, n):
    return [
        _forum(ctx, number)
        for number in range(1, max(n, 1) + 1)  # at least one forum holds the meetings
    ]


def _forum(ctx, number):
    kind = FORUM_KINDS[(number - 1) % len(FORUM_KINDS)]
    name = f"Volume {kind.value.title()} {number} (seed {ctx.seed})"
    forum = Forum.objects.create(
        name=name, short_name=f"V{number}", kind=kind, slug=f"volume-s{ctx.seed}-{number}"
    )
    ctx.result.counts["forum"] = ctx.result.counts.get("forum", 0) + 1
    return forum


def _organisations(ctx, n):
    rows = []
    for i in range(n):
        kind, noun = ctx.rng.choice(ORGANISATION_KINDS)
        name = f"{ctx.rng.choice(PLACES)} {noun} {i + 1} (seed {ctx.seed})"
        short = "".join(word[0] for word in name.split()[:3]).upper() if i % 3 == 0 else ""
        rows.append(
            Organisation(
                name=name,
                short_name=short,
                kind=kind,
                normalised_name=normalise_name(name),
                slug=slugify(name),
            )
        )
    organisations = ctx.bulk(Organisation, rows)
    aliases = [
        OrganisationAlias(
            organisation=o, alias=f"{o.name} Cymru", normalised=normalise_name(f"{o.name} Cymru")
        )
        for o in organisations[::10]
    ]
    ctx.bulk(OrganisationAlias, aliases)
    return organisations


def _people(ctx, n, organisations):
    rows = []
    for i in range(n):
        organisation = organisations[i % len(organisations)] if organisations and i % 10 else None
        rows.append(
            Person(
                full_name=f"{ctx.rng.choice(FIRST)} {ctx.rng.choice(LAST)} {i + 1}",
                email="" if i % 17 == 0 else f"volume-s{ctx.seed}-{i + 1}@example.org",
                organisation=organisation,
                # The first person of each organisation is its contact.
                is_organisation_contact=bool(organisation) and i < len(organisations),
                preferred_language=Language.WELSH if i % 5 == 0 else Language.ENGLISH,
            )
        )
    return ctx.bulk(Person, rows)


def _member(ctx, organisations, password):
    """The member account; made once and reused by later seeds, which add to what it owns."""
    from directory.management.commands.setup_roles import setup_roles

    setup_roles()
    user, created = get_user_model().objects.get_or_create(
        username=MEMBER_USERNAME, defaults={"email": f"{MEMBER_USERNAME}@example.org"}
    )
    if created or password:
        user.set_password(password) if password else user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=access.MEMBERS))
    person = Person.objects.filter(user=user).first()
    if person is None:
        organisation = ctx.rng.choice(organisations) if organisations else None
        person = Person.objects.create(
            full_name="Volume Member", email=user.email, organisation=organisation, user=user
        )
    user.person = person
    return user


def _roles_and_memberships(ctx, forums, organisations, people, member_person):
    roles, memberships = [], []
    for forum in forums:
        roles += [OwnerRole(forum=forum, name=name) for name in [*ROLE_NAMES, MEMBER_ROLE]]
        members = ctx.rng.sample(organisations, k=int(len(organisations) * 0.4))
        memberships += [Membership(forum=forum, organisation=o) for o in members]
        memberships.append(Membership(forum=forum, person=member_person))
        if people:
            memberships.append(
                Membership(
                    forum=forum, person=ctx.rng.choice(people), role=MembershipRole.SECRETARIAT
                )
            )
    roles = ctx.bulk(OwnerRole, roles)
    ctx.bulk(Membership, memberships)
    holders = OwnerRole.holders.through
    rows = {(role.pk, p.pk) for role in roles for p in ctx.rng.sample(people, min(2, len(people)))}
    ctx.bulk(holders, [holders(ownerrole_id=r, person_id=p) for r, p in sorted(rows)])
    by_forum = {MEMBER_ROLE: {}}
    for role in roles:
        if role.name == MEMBER_ROLE:
            by_forum[MEMBER_ROLE][role.forum_id] = role
        else:
            by_forum.setdefault(role.forum_id, []).append(role)
    return by_forum


def _meetings(ctx, forums, n):
    """Meetings every fortnight per forum, back from a few to come; the first forum the busiest."""
    weights = [len(forums) - i for i in range(len(forums))]
    per_forum = {forum.pk: 0 for forum in forums}
    rows = []
    for _ in range(n):
        forum = ctx.rng.choices(forums, weights)[0]
        k = per_forum[forum.pk] = per_forum[forum.pk] + 1
        day = ctx.today + datetime.timedelta(days=14 * (3 - k))
        starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        rows.append(_meeting(ctx, forum, starts))
    return ctx.bulk(Meeting, rows)


def _meeting(ctx, forum, starts):
    future = starts.date() > ctx.today
    cancelled = not future and ctx.rng.random() < 0.03
    status = Meeting.Status.PLANNED if future else Meeting.Status.HELD
    approved = not future and ctx.rng.random() < 0.9
    return Meeting(
        forum=forum,
        title=forum.name if ctx.rng.random() < 0.7 else ctx.rng.choice(TOPICS),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue=ctx.rng.choice(["", "Cathays Park, Cardiff", "Merthyr Tydfil office"]),
        online_platform="Teams",
        status=Meeting.Status.CANCELLED if cancelled else status,
        notes_status=Meeting.NotesStatus.APPROVED if approved else Meeting.NotesStatus.DRAFT,
    )


def _attendance_and_items(ctx, meetings, people):
    """About fifteen attendance rows and five agenda items per meeting; returns the items of
    each meeting by its id."""
    attendance, items = [], []
    for meeting in meetings:
        present = ctx.rng.sample(people, min(len(people), ctx.rng.randint(8, 22)))
        attendance += [
            _attendance(ctx, meeting, order, person) for order, person in enumerate(present)
        ]
        items += [_item(ctx, meeting, number) for number in range(1, ctx.rng.randint(3, 7) + 1)]
    ctx.bulk(Attendance, attendance)
    by_meeting = {}
    for item in ctx.bulk(AgendaItem, items):
        by_meeting.setdefault(item.meeting_id, []).append(item)
    return by_meeting


def _attendance(ctx, meeting, order, person):
    organisation = person.organisation
    return Attendance(
        meeting=meeting,
        order=order,
        as_written=f"{person.full_name} - {organisation.name}"
        if organisation
        else person.full_name,
        name=person.full_name,
        organisation_text=organisation.name if organisation else "",
        person=person,
        organisation=organisation,
        status=Attendance.Status.APOLOGIES
        if ctx.rng.random() < 0.15
        else Attendance.Status.PRESENT,
    )


def _item(ctx, meeting, number):
    topic = ctx.rng.choice(TOPICS)
    return AgendaItem(
        meeting=meeting,
        number=number,
        title=topic,
        discussion=f"Members discussed {topic.lower()}. {ctx.rng.choice(THINGS).capitalize()} "
        "will be circulated before the next meeting.",
    )


def _actions(ctx, n, meetings, items, owners, member_person):
    numbers = {}
    rows = []
    for i in range(n):
        meeting = meetings[i % len(meetings)] if i < len(meetings) else ctx.rng.choice(meetings)
        number = numbers[meeting.pk] = numbers.get(meeting.pk, 0) + 1
        rows.append(_action(ctx, meeting, number, items.get(meeting.pk, []), owners))
    member_roles = owners[2][MEMBER_ROLE]
    _member_owns(ctx, rows, member_person, member_roles)
    for role in member_roles.values():
        role.holders.add(member_person)
    return ctx.bulk(ActionItem, rows)


def _action(ctx, meeting, number, items, owners):
    met = meeting.starts_at.date()
    due = met + datetime.timedelta(days=ctx.rng.randint(7, 120))
    dated = ctx.rng.random() < 0.8
    status = _status(ctx, due)
    action = ActionItem(
        meeting=meeting,
        agenda_item=ctx.rng.choice(items) if items and ctx.rng.random() < 0.6 else None,
        number=number,
        text=f"{ctx.rng.choice(VERBS)} {ctx.rng.choice(THINGS)} with forum members.",
        deadline_text=f"{due:%d/%m/%Y}" if dated else "As soon as possible",
        due_date=due if dated else None,
        due_rule=ActionItem.DueRule.FIXED if dated else ActionItem.DueRule.NONE,
        status=status,
        completed_on=min(due, ctx.today) if status == ActionItem.Status.DONE else None,
        completion_note="Done and circulated." if status == ActionItem.Status.DONE else "",
    )
    _set_owner(ctx, action, *owners)
    return action


def _status(ctx, due):
    """Older actions are mostly done; recent ones mostly open."""
    done_chance = 0.85 if due < ctx.today - datetime.timedelta(days=180) else 0.3
    roll = ctx.rng.random()
    if roll < done_chance:
        return ActionItem.Status.DONE
    if roll < done_chance + 0.03:
        return ActionItem.Status.CANCELLED
    return ctx.rng.choice([ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS])


def _set_owner(ctx, action, people, organisations, roles):
    roll = ctx.rng.random()
    if roll < 0.5 and people:
        action.owner_person = ctx.rng.choice(people)
        action.owner_text = action.owner_person.full_name
    elif roll < 0.8 and organisations:
        action.owner_organisation = ctx.rng.choice(organisations)
        action.owner_text = action.owner_organisation.short_name or action.owner_organisation.name
    elif roll < 0.95:
        action.owner_role = ctx.rng.choice(roles[action.meeting.forum_id])
        action.owner_text = action.owner_role.name
    else:
        action.owner_text = "All members"


def _member_owns(ctx, actions, person, member_roles):
    """Hand MEMBER_ACTIONS of the actions about to be written to the volume member: by person,
    organisation and role, a third each."""
    chosen = ctx.rng.sample(actions, min(MEMBER_ACTIONS, len(actions)))
    for i, action in enumerate(chosen):
        action.owner_person = action.owner_organisation = action.owner_role = None
        if i % 3 == 0 or (i % 3 == 1 and not person.organisation_id):
            action.owner_person, action.owner_text = person, person.full_name
        elif i % 3 == 1:
            action.owner_organisation = person.organisation
            action.owner_text = person.organisation.name
        else:
            role = member_roles[action.meeting.forum_id]
            action.owner_role, action.owner_text = role, role.name


def _progress_notes(ctx, actions):
    rows = []
    for action in actions:
        if action.status == ActionItem.Status.OPEN or ctx.rng.random() < 0.6:
            continue
        met = action.meeting.starts_at
        for k in range(ctx.rng.randint(1, 3)):
            rows.append(
                ActionUpdate(
                    action=action,
                    status=action.status,
                    created_at=met + datetime.timedelta(days=10 * (k + 1)),
                    note=f"Progress note {k + 1}: {ctx.rng.choice(THINGS)} is under way.",
                )
            )
    ctx.bulk(ActionUpdate, rows)


def _letters(ctx, forums, people):
    """A letter a month per forum over the last two years, each delivered to 20–60 people."""
    addressed = [p for p in people if p.email]
    letters, deliveries = [], []
    for forum in forums:
        for month in range(24):
            letters.append(_letter(ctx, forum, month))
    letters = ctx.bulk(Letter, letters)
    for letter in letters:
        recipients = ctx.rng.sample(addressed, min(len(addressed), ctx.rng.randint(20, 60)))
        deliveries += [_delivery(ctx, letter, p) for p in recipients]
    ctx.bulk(OutgoingMail, deliveries)


def _letter(ctx, forum, month):
    day = ctx.today - datetime.timedelta(days=30 * month + 3)
    topic = ctx.rng.choice(TOPICS)
    sent_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return Letter(
        forum=forum,
        reference=f"VOL/{ctx.seed}/{forum.pk}/{month + 1}",
        date=day,
        sender_name="Jane Hutt AS/MS",
        subject_en=topic,
        body_en=f"I am writing to update members on {topic.lower()}.",
        status=Letter.Status.SENT,
        sent_at=sent_at,
    )


def _delivery(ctx, letter, person):
    failed = ctx.rng.random() < 0.02
    return OutgoingMail(
        kind=OutgoingMail.Kind.LETTER,
        key=f"letter:{letter.pk}:person:{person.pk}",
        forum_id=letter.forum_id,
        letter=letter,
        person=person,
        email=person.email,
        language=person.preferred_language,
        subject=letter.subject_en,
        payload={"copy_to": None},
        queued_at=letter.sent_at,
        enqueued_at=letter.sent_at,
        status=OutgoingMail.Status.FAILED if failed else OutgoingMail.Status.SENT,
        attempts=1,
        reason="550 Mailbox unavailable" if failed else "",
        sent_at=None if failed else letter.sent_at,
    )
