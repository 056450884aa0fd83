"""The deadline reminder sweep over 100,000 actions.

The data: 1,500 people (one in five reads Welsh), 300 organisations each with a contact, 20 roles
with three holders each, 400 meetings and 100,000 actions, seven in ten of them open, owned by a
person (60%), an organisation (30%) or a role (10%), due from 60 days ago to 60 days ahead or with
no date (one in five). Email goes to Django's in-memory backend: the case measures reading,
planning, recording and rendering, not a mail server.

Each case times two steps and reports both: the sweep itself (plan, then record the reminders
and queue one outbox row per email, in one transaction), and building and sending every queued
email in this process as the worker's outbox task does, one after another. The sweep hands its
rows to a private, throwaway queue of the configured broker, so no worker sends them twice.

The cases commit (``atomic=False``) as the worker does. The data is removed before each
repetition and after the last.
"""

import datetime
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from django.core import mail
from django.db import connection
from django.utils import timezone

from actions.models import ActionItem
from bench.registry import benchmark
from directory.models import Forum, Organisation, OwnerRole, Person
from meetings.models import Meeting
from outbox import services as outbox
from outbox.models import OutgoingMail
from reminders import calendar
from reminders.models import ReminderClaim, SweepRun
from reminders.services import reminders_send_due

# BENCH_REMINDER_ACTIONS runs the same cases at another size (e.g. 10000 for a quick look).
ACTIONS = int(os.environ.get("BENCH_REMINDER_ACTIONS", "100000"))
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
    OutgoingMail.objects.filter(kind=OutgoingMail.Kind.REMINDER).delete()
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
    _queue(today - datetime.timedelta(days=1))
    # Yesterday's emails went: the daily sweep reads the ledger, not how its emails fared.
    OutgoingMail.objects.filter(kind=OutgoingMail.Kind.REMINDER).update(
        status=OutgoingMail.Status.SENT, sent_at=timezone.now()
    )
    mail.outbox = []
    return today


def _queue(today):
    from tests.worker import private_broker

    folder = Path(tempfile.mkdtemp(prefix="wrc-bench-reminders-"))
    try:
        with private_broker(folder):
            return reminders_send_due(today=today)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sweep_and_send(label, today) -> list[dict]:
    start = time.perf_counter()
    result = _queue(today)
    queued = time.perf_counter() - start
    start = time.perf_counter()
    for mail_id in result.mail_ids:
        outbox.send(mail_id=mail_id)
    sent = time.perf_counter() - start
    print(
        f"bench:   {label}: {result.queued} emails ({result.reminders} reminders) queued in "
        f"{queued:.2f} s, built and sent in {sent:.2f} s; {len(mail.outbox)} in the mailbox",
        flush=True,
    )
    return [
        {"step": f"{label}: record and queue", "emails": result.queued, "ms": round(queued * 1000)},
        {"step": f"{label}: build and send", "emails": len(mail.outbox), "ms": round(sent * 1000)},
    ]


@benchmark(
    f"reminders: first sweep over {ACTIONS:,} actions",
    setup=hundred_thousand_actions,
    repeat=2,
    atomic=False,
    teardown=remove_bench_data,
)
def first_sweep(today):
    return sweep_and_send("first sweep", today)


@benchmark(
    f"reminders: daily sweep over {ACTIONS:,} actions",
    setup=ledger_up_to_date,
    repeat=2,
    atomic=False,
    teardown=remove_bench_data,
)
def daily_sweep(today):
    return sweep_and_send("daily sweep", today)
