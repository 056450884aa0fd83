"""Deadline reminders: who is owed which reminder today, recorded once, queued as one email each.

A sweep has two steps. ``reminder_plan_build`` reads the open actions, the people who own them
and the ledger of reminders already given, and works out every reminder that is due and not yet
recorded. ``reminder_plan_queue`` then records those reminders in the ledger (``ReminderClaim``)
and queues each person's email as one row of the outbox, both in one transaction, and hands the
rows to the worker once it has committed. Whatever another worker or an earlier run already
recorded is skipped, so re-runs and overlapping workers queue nothing twice, and a run after
missed days catches up:

- a new action: told once per (action, person) on the next sweep, also to a new owner or holder;
- 7 days before and on the due day: see ``_action_kinds``; keyed on the due date, so a moved
  date is announced again;
- the weekly overdue digest and the secretariat's summary: on the digest day, or later in the
  week if no sweep has finished since that day (``SweepRun``);
- no date: once per NO_DATE_EVERY_DAYS cycle; before a meeting: once per meeting and date, from
  the forum's ``reminder_days_before_meeting`` ahead until the day before.

Reminders follow the forum of each action's meeting: a forum with ``reminders_enabled`` off sends
none, "before the next meeting" is the next meeting of the action's own forum, and each email is
about one forum (someone owning actions in two forums gets one email for each). The secretariat's
summary of a forum lists that forum's open actions, and goes to that forum's secretariat only.

Sending is the outbox's (outbox.services): it claims each email before the mail server sees it,
retries a deferral (4xx), fails a refusal (5xx) with the server's reason, and leaves "uncertain"
what may have arrived (the line dropped after the message, the worker died mid-send); its
sweeper looks after rows that are stuck or whose task was lost. The ledger only says which
reminders an email covers: its claims point at the email's OutgoingMail row, and hold no sending
state of their own. A claim stays in the ledger whatever happens to its email, so a later sweep
never plans that reminder again: the reminders of an email that failed for good (a refused
address) or ended uncertain stay with that email, on the outbox page, where the secretariat
resends it (the same email, rebuilt from the same claims) or confirms it arrived. They are
never re-sent behind the secretariat's back.

The email is built when it is sent (``reminders.emails.reminder_build``), in the recipient's
language, from the claims and the ids in the row's payload (``mail_reminder``).

The sweep makes the same number of queries however many actions or people there are:
everything is read in a fixed number of queries up front, and the emails and claims are
written in batches.
"""

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem, due_soon_days
from directory.models import Forum, Membership, MembershipRole, OwnerRole, Person
from meetings.models import Meeting
from outbox import services as outbox
from outbox.models import OutgoingMail
from reminders import calendar
from reminders.emails import reminder_subject
from reminders.models import ReminderClaim, ReminderKind, SweepRun
from wrc import access

logger = logging.getLogger(__name__)

# No-date nudges run in fixed cycles counted from this Monday, so every owner's nudges fall on
# the same run and arrive in one email.
NO_DATE_CYCLE_ANCHOR = datetime.date(2024, 1, 1)
OVERDUE_DIGEST_KEY = "digest:overdue"
SECRETARIAT_SUMMARY_KEY = "digest:secretariat"


class NoOneToRemind(models.TextChoices):
    """Why nobody receives the reminders of an open action. The secretariat's summary lists
    these actions, so that an owner nobody can reach is noticed rather than silently skipped."""

    PERSON_NO_EMAIL = "person_no_email", _("The owner has no email address")
    ORGANISATION_NO_CONTACT = (
        "organisation_no_contact",
        _("The organisation has no contact with an email address"),
    )
    ROLE_UNHELD = "role_unheld", _("Nobody holds the role")
    ROLE_NO_EMAIL = "role_no_email", _("No holder of the role has an email address")
    UNMATCHED = "unmatched", _("The owner is not matched to a person, organisation or role")


@dataclass(frozen=True)
class ActionRow:
    """What the sweep needs of one open action, read without model instances."""

    pk: int
    number: int | None
    text: str
    deadline_text: str
    owner_text: str
    meeting_id: int | None
    due: datetime.date | None  # the due date, or the next meeting's for "before next meeting"
    created_on: datetime.date
    forum_id: int | None = None


@dataclass(frozen=True)
class Recipient:
    pk: int
    name: str
    email: str
    language: str


@dataclass(frozen=True)
class Claim:
    """One ledger row a sweep wants to insert."""

    subject_key: str
    kind: str
    occasion: datetime.date
    action_id: int | None = None


@dataclass
class PersonalReminder:
    """Everything one person is owed in this sweep about one forum, and their open actions of
    that forum for the digests."""

    recipient: Recipient
    forum_id: int | None = None
    claims: list[Claim] = field(default_factory=list)
    open_action_ids: list[int] = field(default_factory=list)


@dataclass
class ReminderPlan:
    today: datetime.date
    reminders: list[PersonalReminder]
    actions: dict[int, ActionRow]
    meeting_dates: dict[int, datetime.date]
    # Per forum, its next meeting as (pk, local date).
    next_meetings: dict[int, tuple[int, datetime.date]] = field(default_factory=dict)
    # Open actions whose reminders reach nobody, and why: for the secretariat's summary.
    no_one_to_remind: dict[int, NoOneToRemind] = field(default_factory=dict)
    forums: dict[int, Forum] = field(default_factory=dict)

    def next_meeting_of(self, forum_id) -> tuple[int, datetime.date] | None:
        return self.next_meetings.get(forum_id)


@dataclass
class SweepResult:
    queued: int = 0  # emails queued in the outbox by this run
    reminders: int = 0  # reminders those emails carry
    # False when the worker could not be told (the rows stay queued and the outbox's sweeper
    # hands them over); None when the caller's transaction has not committed yet.
    dispatched: bool | None = True
    mail_ids: list[int] = field(default_factory=list)


def reminder_settings() -> dict:
    return settings.REMINDERS


# Reading


def _forums():
    """The forums that send reminders, and the first forum, which holds actions that belong to
    no meeting (there are none from the documents; the first forum is where they would be)."""
    forums = {forum.pk: forum for forum in Forum.objects.filter(reminders_enabled=True)}
    first = next((f.pk for f in forums.values() if f.slug == slugify(settings.FORUM_NAME)), None)
    return forums, first


def _meetings(today, forums, only=None):
    """Local dates of the forums' meetings that were not cancelled, the forum of each, and each
    forum's next meeting from ``today``; with ``only`` (meeting ids), just those meetings and
    the ones from ``today`` on (what one email needs)."""
    rows = Meeting.objects.not_cancelled().filter(forum_id__in=list(forums))
    if only is not None:
        midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
        rows = rows.filter(Q(pk__in=list(only)) | Q(starts_at__gte=midnight))
    rows = rows.values_list("pk", "forum_id", "starts_at")
    dates, forum_of, next_meetings = {}, {}, {}
    for pk, forum_id, starts_at in rows:
        dates[pk], forum_of[pk] = timezone.localdate(starts_at), forum_id
    for pk, day in sorted(dates.items(), key=lambda item: (item[1], item[0])):
        if day >= today:
            next_meetings.setdefault(forum_of[pk], (pk, day))
    return dates, forum_of, next_meetings


def _following_meeting_dates(meeting_dates, forum_of):
    """For each meeting, the date of its forum's meeting after it: what "before the next
    meeting" means (the same rule as actions.services.refresh_next_meeting_due_dates)."""
    by_forum = defaultdict(list)
    for pk, day in sorted(meeting_dates.items(), key=lambda item: (item[1], item[0])):
        by_forum[forum_of[pk]].append((pk, day))
    return {
        pk: later[1]
        for ordered in by_forum.values()
        for (pk, _day), later in zip(ordered, ordered[1:], strict=False)
    }


def _open_actions(meetings, forums, first_forum, queryset=None):
    """The open actions of the forums that send reminders (an action of no meeting counts as
    the first forum's); or, given ``queryset``, its actions whatever their state."""
    meeting_dates, forum_of, next_meetings = meetings
    following = _following_meeting_dates(meeting_dates, forum_of)
    if queryset is None:
        queryset = ActionItem.objects.open().filter(
            Q(meeting__forum_id__in=list(forums)) | Q(meeting__isnull=True)
        )
    rows = (
        queryset.values_list(
            "pk", "number", "text", "deadline_text", "owner_text", "meeting_id", "due_date",
            "due_rule", "created_at", "meeting__forum_id", "owner_person_id",
            "owner_organisation_id", "owner_role_id",
        )
    )  # fmt: skip
    actions, owners, zone = {}, {}, timezone.get_current_timezone()
    for row in rows:
        pk, number, text, deadline, owner, meeting_id, due, rule, created, forum_id = row[:10]
        forum_id = forum_id or first_forum
        if forum_id is None:
            continue  # no meeting, and no first forum to speak for it
        if due is None and rule == ActionItem.DueRule.NEXT_MEETING:
            # The due date is filled in when meetings change; until then, derive it here.
            if meeting_id:
                due = following.get(meeting_id)
            elif forum_id in next_meetings:
                due = next_meetings[forum_id][1]
        actions[pk] = ActionRow(
            pk, number, text, deadline, owner, meeting_id, due, created.astimezone(zone).date(),
            forum_id,
        )  # fmt: skip
        owners[pk] = row[10:]
    return actions, owners


def _people():
    """Everyone who can be emailed, with the organisations they are the contact for."""
    people, contacts = {}, defaultdict(list)
    rows = Person.objects.exclude(email="").values_list(
        "pk", "full_name", "email", "preferred_language", "organisation_id",
        "is_organisation_contact",
    )  # fmt: skip
    for pk, name, email, language, organisation_id, is_contact in rows:
        people[pk] = Recipient(pk, name, email, language or settings.LANGUAGE_CODE)
        if is_contact and organisation_id:
            contacts[organisation_id].append(pk)
    return people, contacts


def _role_holders():
    """Who holds each role, and per forum the holders of its secretariat roles."""
    holders, secretariat = defaultdict(list), defaultdict(set)
    rows = OwnerRole.holders.through.objects.values_list(
        "ownerrole_id", "person_id", "ownerrole__category", "ownerrole__forum_id"
    )
    for role_id, person_id, category, forum_id in rows:
        holders[role_id].append(person_id)
        if category == MembershipRole.SECRETARIAT:
            secretariat[forum_id].add(person_id)
    return holders, secretariat


def _secretariat_members():
    """Per forum, the people with a current secretariat membership of it whose account is an
    active one in the Secretariat group: that forum's secretariat."""
    secretariat = defaultdict(set)
    rows = (
        Membership.objects.current()
        .filter(
            role=MembershipRole.SECRETARIAT,
            person__user__is_active=True,
            person__user__groups__name=access.SECRETARIAT,
        )
        .values_list("forum_id", "person_id")
    )
    for forum_id, person_id in rows:
        secretariat[forum_id].add(person_id)
    return secretariat


def _ledger(today):
    """Who was already told of which action, and the recent reminders that may repeat."""
    told = set(
        ReminderClaim.objects.filter(
            kind=ReminderKind.ASSIGNED, action__status__in=ActionItem.OPEN_STATUSES
        ).values_list("action_id", "recipient_id")
    )
    oldest = today - datetime.timedelta(days=max(7, reminder_settings()["NO_DATE_EVERY_DAYS"]))
    recent = set(
        ReminderClaim.objects.exclude(kind=ReminderKind.ASSIGNED)
        .filter(occasion__gte=oldest)
        .values_list("subject_key", "kind", "occasion", "recipient_id")
    )
    return told, recent


def _finished_sweeps(today):
    return set(
        SweepRun.objects.filter(day__gte=calendar.monday_of(today)).values_list("day", flat=True)
    )


# Deciding what is due


def no_date_cycle_start(today: datetime.date) -> datetime.date:
    every = reminder_settings()["NO_DATE_EVERY_DAYS"]
    cycles = (today - NO_DATE_CYCLE_ANCHOR).days // every
    return NO_DATE_CYCLE_ANCHOR + datetime.timedelta(days=cycles * every)


def _action_kinds(action: ActionRow, today: datetime.date) -> list[tuple[str, datetime.date]]:
    """The per-action reminders due today, as (kind, occasion), catching up missed days.

    - 7 days before: from the last working day on or before due−7 until the due-day notice
      takes over; a due date moved later opens a new notice (the occasion is the due date).
    - Due day: from the last working day on or before the due date until the due date itself,
      so a due date on a weekend or bank holiday is announced the working day before.
    - No date: once per cycle (every NO_DATE_EVERY_DAYS) for actions older than the cycle.
    Once the due date has passed, the weekly overdue digest speaks for the action instead.
    """
    if action.due is None:
        cycle = no_date_cycle_start(today)
        return [(ReminderKind.NO_DATE, cycle)] if action.created_on < cycle else []
    if action.due < today:
        return []
    lead = datetime.timedelta(days=due_soon_days())
    if today >= calendar.working_day_on_or_before(action.due):
        return [(ReminderKind.DUE_TODAY, action.due)]
    if today >= calendar.working_day_on_or_before(action.due - lead):
        return [(ReminderKind.DUE_SOON, action.due)]
    return []


def _recipients_of(owner_ids, people, contacts, holders):
    person_id, organisation_id, role_id = owner_ids
    found = {person_id} if person_id in people else set()
    found.update(contacts.get(organisation_id, ()))
    found.update(pk for pk in holders.get(role_id, ()) if pk in people)
    return found


def _why_no_one(owner_ids, role_is_held: bool) -> NoOneToRemind:
    """Why ``_recipients_of`` found nobody for these owners (the first owner named wins)."""
    person_id, organisation_id, role_id = owner_ids
    if person_id:
        return NoOneToRemind.PERSON_NO_EMAIL
    if organisation_id:
        return NoOneToRemind.ORGANISATION_NO_CONTACT
    if role_id:
        return NoOneToRemind.ROLE_NO_EMAIL if role_is_held else NoOneToRemind.ROLE_UNHELD
    return NoOneToRemind.UNMATCHED


def no_one_to_remind(queryset):
    """The actions of ``queryset`` whose reminders would reach nobody: the same rule as the
    sweep's ``_recipients_of``, as a filter for the actions list."""
    contact = Person.objects.filter(
        organisation=OuterRef("owner_organisation"), is_organisation_contact=True
    ).exclude(email="")
    holder = OwnerRole.holders.through.objects.filter(ownerrole=OuterRef("owner_role")).exclude(
        person__email=""
    )
    reachable = (
        Q(owner_person__isnull=False) & ~Q(owner_person__email="")
        | Q(Exists(contact))
        | Q(Exists(holder))
    )
    return queryset.filter(status__in=ActionItem.OPEN_STATUSES).exclude(reachable)


def why_no_one_to_remind(action: ActionItem) -> NoOneToRemind | None:
    """Why nobody receives the reminders of this open action, or None if someone does."""
    if not no_one_to_remind(ActionItem.objects.filter(pk=action.pk)).exists():
        return None
    role_is_held = bool(action.owner_role_id) and action.owner_role.holders.exists()
    owners = (action.owner_person_id, action.owner_organisation_id, action.owner_role_id)
    return _why_no_one(owners, role_is_held)


def weekly_digest_due(today: datetime.date, finished_days) -> bool:
    """Weekly digests go on the digest day (the first working day from DIGEST_WEEKDAY); a later
    day of the week only catches up when no sweep has finished since the digest day."""
    week = calendar.monday_of(today)
    planned = week + datetime.timedelta(days=reminder_settings()["DIGEST_WEEKDAY"])
    digest_day = calendar.working_day_on_or_after(planned)
    if today < digest_day or calendar.monday_of(digest_day) != week:
        return False
    return not any(digest_day <= day < today for day in finished_days)


def _before_meeting_due(today, next_meeting, forum: Forum) -> bool:
    """From the forum's ``reminder_days_before_meeting`` ahead of its next meeting (on the last
    working day on or before) until the day before."""
    if next_meeting is None:
        return False
    days = datetime.timedelta(days=forum.reminder_days_before_meeting)
    return calendar.working_day_on_or_before(next_meeting[1] - days) <= today < next_meeting[1]


class _Planner:
    """Collects, per person and forum, the claims not yet in the ledger."""

    def __init__(self, today, people, told, recent, digest_due):
        self.today, self.people, self.told, self.recent = today, people, told, recent
        self.digest_due = digest_due
        self.by_person: dict[tuple[int, int], PersonalReminder] = {}
        self.with_overdue: set[tuple[int, int]] = set()

    def reminder_for(self, person_id, forum_id):
        key = (person_id, forum_id)
        if key not in self.by_person:
            self.by_person[key] = PersonalReminder(self.people[person_id], forum_id)
        return self.by_person[key]

    def want(self, person_id, forum_id, claim: Claim):
        key = (claim.subject_key, claim.kind, claim.occasion, person_id)
        if claim.kind == ReminderKind.ASSIGNED:
            if (claim.action_id, person_id) in self.told:
                return
        elif key in self.recent:
            return
        self.reminder_for(person_id, forum_id).claims.append(claim)

    def add_action(self, action, recipients):
        kinds = [(ReminderKind.ASSIGNED, action.created_on), *_action_kinds(action, self.today)]
        for person_id in recipients:
            self.reminder_for(person_id, action.forum_id).open_action_ids.append(action.pk)
            if is_overdue(action, self.today):
                self.with_overdue.add((person_id, action.forum_id))
            for kind, occasion in kinds:
                claim = Claim(f"action:{action.pk}", kind, occasion, action.pk)
                self.want(person_id, action.forum_id, claim)

    def add_digests(self, forums, next_meetings):
        week = calendar.monday_of(self.today)
        for person_id, forum_id in list(self.by_person):
            if (person_id, forum_id) in self.with_overdue and self.digest_due:
                digest = Claim(
                    digest_key(OVERDUE_DIGEST_KEY, forum_id), ReminderKind.OVERDUE_DIGEST, week
                )
                self.want(person_id, forum_id, digest)
            next_meeting = next_meetings.get(forum_id)
            if _before_meeting_due(self.today, next_meeting, forums[forum_id]):
                subject, day = f"meeting:{next_meeting[0]}", next_meeting[1]
                self.want(person_id, forum_id, Claim(subject, ReminderKind.BEFORE_MEETING, day))

    def add_summaries(self, secretariat, forums_with_open_actions):
        if not self.digest_due:
            return
        week = calendar.monday_of(self.today)
        for forum_id in forums_with_open_actions:
            key = digest_key(SECRETARIAT_SUMMARY_KEY, forum_id)
            for person_id in secretariat.get(forum_id, set()) & self.people.keys():
                summary = Claim(key, ReminderKind.SECRETARIAT_SUMMARY, week)
                self.want(person_id, forum_id, summary)


def digest_key(name: str, forum_id: int) -> str:
    """A weekly digest is one per forum: "digest:overdue:3"."""
    return f"{name}:{forum_id}"


def reminder_plan_build(*, today: datetime.date) -> ReminderPlan:
    """Every reminder due on ``today`` that the ledger does not hold yet, grouped per person and
    forum. Forums whose reminders are turned off are left out."""
    forums, first_forum = _forums()
    meetings = _meetings(today, forums)
    actions, owners = _open_actions(meetings, forums, first_forum)
    people, contacts = _people()
    holders, secretariat = _role_holders()
    for forum_id, members in _secretariat_members().items():
        secretariat[forum_id] |= members
    told, recent = _ledger(today)
    digest_due = weekly_digest_due(today, _finished_sweeps(today))
    planner = _Planner(today, people, told, recent, digest_due)
    no_one = {}
    for pk, action in actions.items():
        recipients = _recipients_of(owners[pk], people, contacts, holders)
        if not recipients:
            no_one[pk] = _why_no_one(owners[pk], bool(holders.get(owners[pk][2])))
        planner.add_action(action, recipients)
    planner.add_digests(forums, meetings[2])
    planner.add_summaries(secretariat, {action.forum_id for action in actions.values()})
    reminders = [r for r in planner.by_person.values() if r.claims]
    return ReminderPlan(today, reminders, actions, meetings[0], meetings[2], no_one, forums)


def is_overdue(action: ActionRow, today: datetime.date) -> bool:
    return action.due is not None and action.due < today


# Recording and queueing


def mail_key(day: datetime.date, forum_id, person_id, run: str) -> str:
    """What makes one reminder email this email: the person, the forum, the day and the run
    that recorded its reminders (a later run of the same day, which can only have found
    reminders that became due since, gives its email a key of its own)."""
    return f"reminder:{day.isoformat()}:forum:{forum_id}:person:{person_id}:run:{run}"


def _needs_open_actions(claims) -> bool:
    """The digest and the "please update" notice list every open action of the person."""
    return any(c.kind in (ReminderKind.OVERDUE_DIGEST, ReminderKind.BEFORE_MEETING) for c in claims)


def _outgoing(plan: ReminderPlan, reminder: PersonalReminder, claims, run: str) -> OutgoingMail:
    recipient = reminder.recipient
    with translation.override(recipient.language):
        subject = str(reminder_subject(plan, reminder, claims))
    return OutgoingMail(
        kind=OutgoingMail.Kind.REMINDER,
        key=mail_key(plan.today, reminder.forum_id, recipient.pk, run),
        forum_id=reminder.forum_id,
        person_id=recipient.pk,
        email=recipient.email,
        language=recipient.language,
        subject=subject[:300],
        payload={
            "day": plan.today.isoformat(),
            "open_action_ids": reminder.open_action_ids if _needs_open_actions(claims) else [],
        },
    )


def _in_batches(values, size=500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def reminder_plan_queue(*, plan: ReminderPlan) -> SweepResult:
    """Record each person's reminders in the ledger and queue their email, in one transaction.

    Set-based: one email row per person and forum, then every claim in batches pointing at its
    email, ignoring those another sweep has already recorded; what this run won is read back,
    and an email that won nothing is removed before anyone could see it. An email that won
    only part of its reminders gets the subject of that part. The worker is told once the
    transaction has committed (``SweepResult.dispatched``).
    """
    if not plan.reminders:
        return SweepResult()
    run = uuid.uuid4().hex[:12]
    by_key = {}
    for reminder in plan.reminders:
        by_key[mail_key(plan.today, reminder.forum_id, reminder.recipient.pk, run)] = reminder
    # Inside a caller's transaction nothing is committed here: the worker is told on commit.
    wrapped = transaction.get_connection().in_atomic_block
    with transaction.atomic():
        outbox.queue_many([_outgoing(plan, r, r.claims, run) for r in by_key.values()])
        mail_ids = {}
        for keys in _in_batches(by_key):
            mail_ids.update(
                OutgoingMail.objects.filter(kind=OutgoingMail.Kind.REMINDER, key__in=keys)
                .values_list("key", "pk")
            )  # fmt: skip
        rows = [
            ReminderClaim(
                subject_key=c.subject_key,
                kind=c.kind,
                occasion=c.occasion,
                recipient_id=reminder.recipient.pk,
                action_id=c.action_id,
                mail_id=mail_ids[key],
            )
            for key, reminder in by_key.items()
            for c in reminder.claims
        ]
        # One order for every sweep, so that two sweeps inserting at once wait on each other
        # rather than deadlock.
        rows.sort(key=lambda r: (r.subject_key, r.kind, r.occasion, r.recipient_id))
        ReminderClaim.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        won = defaultdict(list)
        for ids in _in_batches(mail_ids.values()):
            for mail_id, *claim in ReminderClaim.objects.filter(mail_id__in=ids).values_list(
                "mail_id", "subject_key", "kind", "occasion", "action_id"
            ):
                won[mail_id].append(Claim(*claim))
        # Emails whose every reminder another sweep had recorded: never seen by anyone.
        empty = [pk for pk in mail_ids.values() if pk not in won]
        for ids in _in_batches(empty):
            OutgoingMail.objects.filter(pk__in=ids, status=OutgoingMail.Status.QUEUED).delete()
        for key, reminder in by_key.items():
            claims = won.get(mail_ids[key], [])
            if claims and len(claims) < len(reminder.claims):
                # Another sweep recorded the rest: say what this email is about.
                partial = _outgoing(plan, reminder, claims, run)
                OutgoingMail.objects.filter(pk=mail_ids[key]).update(
                    subject=partial.subject, payload=partial.payload
                )
        queued = sorted(won)
        if wrapped:
            outbox.dispatch_on_commit(queued)
    result = SweepResult(
        queued=len(queued),
        reminders=sum(len(claims) for claims in won.values()),
        dispatched=None if wrapped and queued else True,
        mail_ids=queued,
    )
    if queued and not wrapped:
        result.dispatched = outbox.dispatch(queued)
    return result


def reminders_send_due(*, today: datetime.date | None = None) -> SweepResult:
    """The daily sweep: build the plan for ``today`` and queue it. Safe to run any number of
    times and from several workers at once."""
    today = today or timezone.localdate()
    result = reminder_plan_queue(plan=reminder_plan_build(today=today))
    # Every reminder due today is recorded and queued: the outbox sees each email through, so
    # the day is done and its weekly digests will not be caught up again.
    SweepRun.objects.bulk_create([SweepRun(day=today)], ignore_conflicts=True)
    return result


# Reading one email back, when the worker sends it


@dataclass
class MailReminder:
    plan: ReminderPlan
    reminder: PersonalReminder
    claims: list[Claim]


def mail_reminder(mail: OutgoingMail) -> MailReminder:
    """What one queued reminder email covers, read again when it is sent: its claims, the
    actions they name (and, for a digest or a "please update", the person's open actions of
    the forum), the forum's meetings as of the email's day and, for the secretariat's summary,
    the forum's open actions. The email lists what was owed on that day, so a resend says the
    same as the first attempt."""
    today = datetime.date.fromisoformat(mail.payload["day"])
    claims = [
        Claim(*row)
        for row in ReminderClaim.objects.filter(mail=mail)
        .order_by("pk")
        .values_list("subject_key", "kind", "occasion", "action_id")
    ]
    forum = Forum.objects.filter(pk=mail.forum_id).first()
    forums = {forum.pk: forum} if forum else {}
    open_ids = [pk for pk in mail.payload.get("open_action_ids", []) if isinstance(pk, int)]
    wanted = {c.action_id for c in claims if c.action_id} | set(open_ids)
    summary = forum is not None and any(c.kind == ReminderKind.SECRETARIAT_SUMMARY for c in claims)
    listed = ActionItem.objects.filter(pk__in=wanted)
    only = None
    if not summary:
        # The meetings these actions came from, unless one is due "before the next meeting"
        # with no date filled in yet: the meeting after its own says when, so read them all.
        meeting_ids, undated_rule = set(), False
        for meeting_id, due, rule in listed.values_list("meeting_id", "due_date", "due_rule"):
            meeting_ids.add(meeting_id)
            undated_rule |= due is None and rule == ActionItem.DueRule.NEXT_MEETING
        only = None if undated_rule else meeting_ids - {None}
    meetings = _meetings(today, forums, only)
    next_meetings = dict(meetings[2])
    for claim in claims:
        if claim.kind == ReminderKind.BEFORE_MEETING:
            # The meeting the notice was for, even if another has been planned before it since.
            next_meetings[mail.forum_id] = (
                int(claim.subject_key.partition(":")[2]),
                claim.occasion,
            )
    actions, _owners = _open_actions(meetings, forums, mail.forum_id, queryset=listed)
    no_one = {}
    if summary:
        of_forum, owners = _forum_open_actions(meetings, forum)
        actions.update(of_forum)
        people, contacts = _people()
        holders, _secretariat = _role_holders()
        for pk in of_forum:
            if not _recipients_of(owners[pk], people, contacts, holders):
                no_one[pk] = _why_no_one(owners[pk], bool(holders.get(owners[pk][2])))
    recipient = Recipient(
        mail.person_id,
        mail.person.full_name if mail.person_id else "",
        mail.email,
        mail.language,
    )
    reminder = PersonalReminder(
        recipient,
        mail.forum_id,
        claims,
        [pk for pk in dict.fromkeys(open_ids) if pk in actions],
    )
    plan = ReminderPlan(today, [reminder], actions, meetings[0], next_meetings, no_one, forums)
    return MailReminder(plan, reminder, claims)


def _forum_open_actions(meetings, forum: Forum):
    """The open actions of one forum, as the sweep reads them (the first forum also holds the
    actions of no meeting)."""
    first = forum.slug == slugify(settings.FORUM_NAME)
    where = Q(meeting__forum_id=forum.pk) | (Q(meeting__isnull=True) if first else Q(pk__in=[]))
    queryset = ActionItem.objects.open().filter(where)
    return _open_actions(meetings, {forum.pk: forum}, forum.pk if first else None, queryset)
