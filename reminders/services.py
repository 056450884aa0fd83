"""Deadline reminders: who is owed which reminder today, claimed once, sent in one email each.

A sweep has two steps. ``reminder_plan_build`` reads the open actions, the people who own them
and the ledger of reminders already given, and works out every reminder that is due and not yet
recorded. ``reminder_plan_deliver`` then, person by person, claims those reminders by inserting
ledger rows (committed before anything is sent), and emails only what it won. Whatever another
worker or an earlier run already claimed is skipped, so re-runs and overlapping workers send
nothing twice, and a run after missed days catches up:

- a new action: told once per (action, person) on the next sweep, also to a new owner or holder;
- 7 days before and on the due day: see ``_action_kinds``; keyed on the due date, so a moved
  date is announced again;
- the weekly overdue digest and the secretariat's summary: on the digest day, or later in the
  week if no sweep has finished since that day (``SweepRun``);
- no date: once per NO_DATE_EVERY_DAYS cycle; before a meeting: once per meeting and date, from
  BEFORE_MEETING_DAYS ahead until the day before.

A worker that dies between claiming and recording leaves its claims "being sent": the email may
have gone, so it is never re-sent silently (``ReminderClaim.objects.uncertain()``, the admin).

The sweep makes the same number of queries however many actions a person owns: everything is
read in a fixed number of queries up front, and each person costs one claim, one read of what
was won and one update after sending.
"""

import datetime
import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem
from directory import access
from directory.models import MembershipRole, OwnerRole, Person
from meetings.models import Meeting
from reminders import calendar
from reminders.emails import Links, reminder_email_build
from reminders.models import ReminderClaim, ReminderKind, SweepRun

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
    """Everything one person is owed in this sweep, and their open actions for the digests."""

    recipient: Recipient
    claims: list[Claim] = field(default_factory=list)
    open_action_ids: list[int] = field(default_factory=list)


@dataclass
class ReminderPlan:
    today: datetime.date
    reminders: list[PersonalReminder]
    actions: dict[int, ActionRow]
    meeting_dates: dict[int, datetime.date]
    next_meeting: tuple[int, datetime.date] | None  # (pk, local date)
    # Open actions whose reminders reach nobody, and why: for the secretariat's summary.
    no_one_to_remind: dict[int, NoOneToRemind] = field(default_factory=dict)


@dataclass
class SweepResult:
    sent: int = 0
    failed: int = 0
    released: int = 0  # transient failures: the claim was given back for the next run


def reminder_settings() -> dict:
    return settings.REMINDERS


# Reading


def _meetings(today):
    """Local dates of meetings that were not cancelled, and the next one from ``today``."""
    rows = (
        Meeting.objects.exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .values_list("pk", "starts_at")
    )
    dates = {pk: timezone.localdate(starts_at) for pk, starts_at in rows}
    upcoming = [(day, pk) for pk, day in dates.items() if day >= today]
    next_meeting = min(upcoming) if upcoming else None
    return dates, (next_meeting[1], next_meeting[0]) if next_meeting else None


def _following_meeting_dates(meeting_dates):
    """For each meeting, the date of the meeting after it: what "before the next meeting" means
    (the same rule as actions.services.refresh_next_meeting_due_dates)."""
    ordered = sorted(meeting_dates.items(), key=lambda item: (item[1], item[0]))
    return {pk: later[1] for (pk, _day), later in zip(ordered, ordered[1:], strict=False)}


def _open_actions(meeting_dates, next_meeting):
    following = _following_meeting_dates(meeting_dates)
    rows = ActionItem.objects.open().values_list(
        "pk", "number", "text", "deadline_text", "owner_text", "meeting_id", "due_date",
        "due_rule", "created_at", "owner_person_id", "owner_organisation_id", "owner_role_id",
    )  # fmt: skip
    actions, owners, zone = {}, {}, timezone.get_current_timezone()
    for pk, number, text, deadline, owner, meeting_id, due, rule, created, *owner_ids in rows:
        if due is None and rule == ActionItem.DueRule.NEXT_MEETING:
            # The due date is filled in when meetings change; until then, derive it here.
            if meeting_id:
                due = following.get(meeting_id)
            elif next_meeting:
                due = next_meeting[1]
        actions[pk] = ActionRow(
            pk, number, text, deadline, owner, meeting_id, due, created.astimezone(zone).date()
        )
        owners[pk] = owner_ids
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
    holders, secretariat = defaultdict(list), set()
    rows = OwnerRole.holders.through.objects.values_list(
        "ownerrole_id", "person_id", "ownerrole__category"
    )
    for role_id, person_id, category in rows:
        holders[role_id].append(person_id)
        if category == MembershipRole.SECRETARIAT:
            secretariat.add(person_id)
    return holders, secretariat


def _secretariat_users():
    return set(
        Person.objects.filter(
            user__is_active=True, user__groups__name=access.SECRETARIAT
        ).values_list("pk", flat=True)
    )


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
    lead = datetime.timedelta(days=reminder_settings()["DUE_SOON_DAYS"])
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


def _before_meeting_due(today, next_meeting):
    if next_meeting is None:
        return False
    days = datetime.timedelta(days=reminder_settings()["BEFORE_MEETING_DAYS"])
    return calendar.working_day_on_or_before(next_meeting[1] - days) <= today < next_meeting[1]


class _Planner:
    """Collects, per person, the claims not yet in the ledger."""

    def __init__(self, today, people, told, recent, digest_due):
        self.today, self.people, self.told, self.recent = today, people, told, recent
        self.digest_due = digest_due
        self.by_person: dict[int, PersonalReminder] = {}
        self.with_overdue: set[int] = set()

    def reminder_for(self, person_id):
        if person_id not in self.by_person:
            self.by_person[person_id] = PersonalReminder(self.people[person_id])
        return self.by_person[person_id]

    def want(self, person_id, claim: Claim):
        key = (claim.subject_key, claim.kind, claim.occasion, person_id)
        if claim.kind == ReminderKind.ASSIGNED:
            if (claim.action_id, person_id) in self.told:
                return
        elif key in self.recent:
            return
        self.reminder_for(person_id).claims.append(claim)

    def add_action(self, action, recipients):
        kinds = [(ReminderKind.ASSIGNED, action.created_on), *_action_kinds(action, self.today)]
        for person_id in recipients:
            self.reminder_for(person_id).open_action_ids.append(action.pk)
            if is_overdue(action, self.today):
                self.with_overdue.add(person_id)
            for kind, occasion in kinds:
                self.want(person_id, Claim(f"action:{action.pk}", kind, occasion, action.pk))

    def add_digests(self, next_meeting, secretariat, any_open):
        week = calendar.monday_of(self.today)
        before_meeting = _before_meeting_due(self.today, next_meeting)
        for person_id in list(self.by_person):
            if person_id in self.with_overdue and self.digest_due:
                self.want(person_id, Claim(OVERDUE_DIGEST_KEY, ReminderKind.OVERDUE_DIGEST, week))
            if before_meeting:
                subject, day = f"meeting:{next_meeting[0]}", next_meeting[1]
                self.want(person_id, Claim(subject, ReminderKind.BEFORE_MEETING, day))
        if any_open and self.digest_due:
            for person_id in secretariat & self.people.keys():
                summary = Claim(SECRETARIAT_SUMMARY_KEY, ReminderKind.SECRETARIAT_SUMMARY, week)
                self.want(person_id, summary)


def reminder_plan_build(*, today: datetime.date) -> ReminderPlan:
    """Every reminder due on ``today`` that the ledger does not hold yet, grouped per person."""
    meeting_dates, next_meeting = _meetings(today)
    actions, owners = _open_actions(meeting_dates, next_meeting)
    people, contacts = _people()
    holders, secretariat_roles = _role_holders()
    told, recent = _ledger(today)
    digest_due = weekly_digest_due(today, _finished_sweeps(today))
    planner = _Planner(today, people, told, recent, digest_due)
    no_one = {}
    for pk, action in actions.items():
        recipients = _recipients_of(owners[pk], people, contacts, holders)
        if not recipients:
            no_one[pk] = _why_no_one(owners[pk], bool(holders.get(owners[pk][2])))
        planner.add_action(action, recipients)
    planner.add_digests(next_meeting, secretariat_roles | _secretariat_users(), bool(actions))
    reminders = [r for r in planner.by_person.values() if r.claims]
    return ReminderPlan(today, reminders, actions, meeting_dates, next_meeting, no_one)


def is_overdue(action: ActionRow, today: datetime.date) -> bool:
    return action.due is not None and action.due < today


# Claiming and sending


def _claim(reminder: PersonalReminder) -> tuple[uuid.UUID, list[Claim]]:
    """Insert the ledger rows; return the ones this sweep won. Committed before any send, so a
    second worker that gets here later finds them taken and sends nothing."""
    token = uuid.uuid4()
    rows = [
        ReminderClaim(
            subject_key=c.subject_key,
            kind=c.kind,
            occasion=c.occasion,
            recipient_id=reminder.recipient.pk,
            action_id=c.action_id,
            claim_token=token,
        )
        for c in reminder.claims
    ]
    ReminderClaim.objects.bulk_create(rows, ignore_conflicts=True)
    won = ReminderClaim.objects.filter(claim_token=token).values_list(
        "subject_key", "kind", "occasion", "action_id"
    )
    return token, [Claim(*row) for row in won]


def _is_transient(error: Exception) -> bool:
    """SMTP 4xx replies and lost connections may succeed later; 5xx replies will not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPException, OSError))


def _record_outcome(token, recipient, error, result: SweepResult):
    claims = ReminderClaim.objects.filter(claim_token=token)
    if error is None:
        claims.update(
            status=ReminderClaim.Status.SENT, sent_at=timezone.now(), sent_to=recipient.email
        )
        result.sent += 1
    elif _is_transient(error):
        # Nothing left the building: give the reminders back so the next run sends them.
        claims.delete()
        result.released += 1
    else:
        claims.update(status=ReminderClaim.Status.FAILED, failure_reason=str(error)[:1000])
        result.failed += 1


def _send(message: EmailMultiAlternatives) -> Exception | None:
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Reminder to person %s not sent: %s", message.to, error)
        return error
    return None


def reminder_plan_deliver(*, plan: ReminderPlan) -> SweepResult:
    """Claim and send each person's reminders; what another sweep already claimed is skipped.
    Run it outside any transaction, so that each claim is committed before its email leaves."""
    result = SweepResult()
    links = Links()
    with get_connection() as connection:
        for reminder in plan.reminders:
            token, won = _claim(reminder)
            if not won:
                continue
            with translation.override(reminder.recipient.language):
                message = reminder_email_build(
                    plan=plan, reminder=reminder, claims=won, links=links
                )
            message.connection = connection
            _record_outcome(token, reminder.recipient, _send(message), result)
    return result


def reminders_send_due(*, today: datetime.date | None = None) -> SweepResult:
    """The daily sweep: build the plan for ``today`` and deliver it. Safe to run any number of
    times and from several workers at once."""
    today = today or timezone.localdate()
    result = reminder_plan_deliver(plan=reminder_plan_build(today=today))
    if not result.released:
        # Recorded only when nothing is left to retry: the digests of a day whose sweep gave
        # reminders back are still caught up by the next sweep.
        SweepRun.objects.bulk_create([SweepRun(day=today)], ignore_conflicts=True)
    return result
