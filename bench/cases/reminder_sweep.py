"""The deadline reminder sweep over 100,000 actions.

The data: 1,500 people (one in five reads Welsh), 300 organisations each with a contact, 20 roles
with three holders each, 400 meetings and 100,000 actions, seven in ten of them open, owned by a
person (60%), an organisation (30%) or a role (10%), due from 60 days ago to 60 days ahead or with
no date (one in five). Email goes to Django's in-memory backend: the case measures reading,
planning, claiming and rendering, not a mail server.

The cases commit (``atomic=False``) as the worker does: every person's claim is committed before
their email is sent, and that commit is part of the cost. The data is removed before each
repetition and after the last.
"""

import datetime
import random

from django.core import mail
from django.db import connection
from django.utils import timezone

from actions.models import ActionItem
from bench.registry import benchmark
from directory.models import Forum, Organisation, OwnerRole, Person
from meetings.models import Meeting
from reminders import calendar
from reminders.models import ReminderClaim, SweepRun
from reminders.services import reminders_send_due

ACTIONS = 100_000
PEOPLE = 1_500
ORGANISATIONS = 300
ROLES = 20
MEETINGS = 400


def bench_today() -> datetime.date:
    """A Tuesday that is a working day, so no weekly digest inflates the daily case."""
    day = timezone.localdate()
    while day.weekday() != 1 or not calendar.is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _directory(rng):
    forum = Forum.default()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bench organisation {n}", normalised_name=f"bench organisation {n}",
                     slug=f"bench-organisation-{n}")
        for n in range(ORGANISATIONS)
    )  # fmt: skip
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Bench Person {n}",
            email=f"bench{n}@example.org",
            organisation=organisations[n % ORGANISATIONS],
            is_organisation_contact=n < ORGANISATIONS,
            preferred_language="cy" if n % 5 == 0 else "en",
            calendar_token=f"bench-{n}",
        )
        for n in range(PEOPLE)
    )
    roles = OwnerRole.objects.bulk_create(
        OwnerRole(forum=forum, name=f"Bench role {n}") for n in range(ROLES)
    )
    for role in roles:
        role.holders.set(rng.sample(people, 3))
    return forum, organisations, people, roles


def _meetings(forum, today):
    return Meeting.objects.bulk_create(
        Meeting(
            forum=forum,
            title="Bench meeting",
            starts_at=timezone.make_aware(
                datetime.datetime.combine(today, datetime.time(12))
                - datetime.timedelta(days=7 * (MEETINGS - n))
            ),
            status=Meeting.Status.HELD,
        )
        for n in range(MEETINGS)
    )


def _owner(rng, people, organisations, roles):
    roll = rng.random()
    if roll < 0.6:
        return {"owner_person": rng.choice(people)}
    if roll < 0.9:
        return {"owner_organisation": rng.choice(organisations)}
    return {"owner_role": rng.choice(roles)}


def _action(n, rng, today, meetings, owners):
    undated = rng.random() < 0.2
    due = None if undated else today + datetime.timedelta(days=rng.randint(-60, 60))
    status = ActionItem.Status.OPEN if rng.random() < 0.7 else ActionItem.Status.DONE
    return ActionItem(
        meeting=meetings[n % MEETINGS],
        number=n // MEETINGS + 1,
        text=f"Bench action {n}: share the findings with forum members.",
        deadline_text="As soon as possible" if undated else due.strftime("%d/%m/%Y"),
        due_date=due,
        due_rule=ActionItem.DueRule.NONE if undated else ActionItem.DueRule.FIXED,
        status=status,
        **_owner(rng, *owners),
    )


def remove_bench_data():
    ReminderClaim.objects.all().delete()
    SweepRun.objects.all().delete()
    # Raw: the ORM would load 100,000 actions to write their change history before deleting.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ActionItem._meta.db_table} WHERE text LIKE %s", ["Bench action %"]
        )
    OwnerRole.holders.through.objects.filter(ownerrole__name__startswith="Bench role").delete()
    OwnerRole.objects.filter(name__startswith="Bench role").delete()
    Meeting.objects.filter(title="Bench meeting").delete()
    Person.objects.filter(full_name__startswith="Bench Person").delete()
    Organisation.objects.filter(name__startswith="Bench organisation").delete()


def hundred_thousand_actions():
    remove_bench_data()
    rng = random.Random(2026)
    today = bench_today()
    forum, organisations, people, roles = _directory(rng)
    meetings = _meetings(forum, today)
    ActionItem.objects.bulk_create(
        (_action(n, rng, today, meetings, (people, organisations, roles)) for n in range(ACTIONS)),
        batch_size=2000,
    )
    # Old enough for the no-date nudges of the current cycle.
    ActionItem.objects.update(created_at=timezone.now() - datetime.timedelta(days=90))
    mail.outbox = []
    return today


def ledger_up_to_date():
    """Yesterday's sweep has run: today's sweep sends only what became due today."""
    today = hundred_thousand_actions()
    reminders_send_due(today=today - datetime.timedelta(days=1))
    mail.outbox = []
    return today


def report(label, result):
    print(f"bench:   {label}: {result.sent} emails, {len(mail.outbox)} in the outbox", flush=True)


@benchmark(
    "reminders: first sweep over 100,000 actions",
    setup=hundred_thousand_actions,
    repeat=2,
    atomic=False,
    teardown=remove_bench_data,
)
def first_sweep(today):
    report("first sweep", reminders_send_due(today=today))


@benchmark(
    "reminders: daily sweep over 100,000 actions",
    setup=ledger_up_to_date,
    repeat=2,
    atomic=False,
    teardown=remove_bench_data,
)
def daily_sweep(today):
    report("daily sweep", reminders_send_due(today=today))
