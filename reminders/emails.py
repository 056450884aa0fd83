"""The one builder of reminder emails: subject, plain text and HTML in the recipient's language.

The outbox calls ``reminder_build`` with the queued row when it sends it; the email is rendered
then, from the reminders the row carries (reminders.services.mail_reminder), with the
recipient's language active (``translation.override``), so every string and every date below
comes out in English or Welsh. There is no page where a person chooses which reminders they
receive, so the email carries no List-Unsubscribe link.
"""

from collections import defaultdict
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from actions.models import due_soon_days
from outbox.email import Composed, MessageRefused
from reminders.models import ReminderKind

TEMPLATE = "reminders/email/reminder"
# Each action is listed once per email, in the first of these sections it belongs to.
SECTION_ORDER = ("due_today", "overdue", "due_soon", "assigned", "open", "no_date")
# The subject names the most pressing reason for the email.
SUBJECT_ORDER = (
    ReminderKind.BEFORE_MEETING,
    ReminderKind.DUE_TODAY,
    ReminderKind.OVERDUE_DIGEST,
    ReminderKind.DUE_SOON,
    ReminderKind.ASSIGNED,
    ReminderKind.NO_DATE,
    ReminderKind.SECRETARIAT_SUMMARY,
)


class Links:
    """Absolute links for emails. The "My actions" page may not be installed everywhere: fall
    back to the list of actions, then to the site's home page."""

    def __init__(self):
        self.site = settings.SITE_URL.rstrip("/")
        self.my_actions = self._first(["actions:mine", "actions:list"]) or self.site + "/"
        try:
            reverse("actions:detail", args=[1])
            self.has_detail = True
        except NoReverseMatch:
            self.has_detail = False

    def _first(self, names):
        for name in names:
            try:
                return self.site + reverse(name)
            except NoReverseMatch:
                continue
        return None

    def action(self, pk):
        return self.site + reverse("actions:detail", args=[pk]) if self.has_detail else ""


def long_date(day):
    return _long_date(day, translation.get_language())


@lru_cache(maxsize=2048)
def _long_date(day, language):
    # A sweep formats the same few hundred dates thousands of times.
    return formats.date_format(day, "DATE_FORMAT")  # the product's format: wrc/formats


def _buckets(plan, reminder, claims):
    kinds = {claim.kind for claim in claims}
    by_kind = defaultdict(list)
    for claim in claims:
        if claim.action_id in plan.actions:
            by_kind[claim.kind].append(claim.action_id)
    mine = [plan.actions[pk] for pk in reminder.open_action_ids]
    digest = ReminderKind.OVERDUE_DIGEST in kinds
    meeting = ReminderKind.BEFORE_MEETING in kinds
    return {
        "due_today": by_kind[ReminderKind.DUE_TODAY],
        "overdue": [a.pk for a in mine if digest and a.due and a.due < plan.today],
        "due_soon": by_kind[ReminderKind.DUE_SOON],
        "assigned": by_kind[ReminderKind.ASSIGNED],
        "open": [a.pk for a in mine if meeting and a.due],
        "no_date": by_kind[ReminderKind.NO_DATE] + [a.pk for a in mine if meeting and not a.due],
    }


def reminder_sections(plan, reminder, claims) -> list[tuple[str, list[int]]]:
    """(section, action ids) in display order, each action in one section only."""
    buckets, seen, sections = _buckets(plan, reminder, claims), set(), []
    for name in SECTION_ORDER:
        ids = [pk for pk in dict.fromkeys(buckets[name]) if pk not in seen]
        seen.update(ids)
        if ids:
            ids.sort(key=lambda pk: (plan.actions[pk].due or plan.today.max, pk))
            sections.append((name, ids))
    return sections


def _section_title(name, ids, plan):
    if name == "due_today":
        if all(plan.actions[pk].due == plan.today for pk in ids):
            return _("Due today")
        return _("Due before the next working day")
    days = due_soon_days()
    return {
        "overdue": _("Overdue"),
        "due_soon": _("Due in the next %(days)s days") % {"days": days},
        "assigned": _("New actions for you"),
        "open": _("Your other open actions"),
        "no_date": _("No date set"),
    }[name]


def _line(action, plan, links, with_owner=False):
    meeting_day = plan.meeting_dates.get(action.meeting_id)
    return {
        "number": action.number,
        "text": action.text,
        "due": long_date(action.due) if action.due else (action.deadline_text or _("No date set")),
        "deadline_text": action.deadline_text if action.due else "",
        "meeting": _("From the meeting of %(date)s") % {"date": long_date(meeting_day)}
        if meeting_day
        else "",
        "owner": action.owner_text if with_owner else "",
        "url": links.action(action.pk),
    }


def reminder_subject(plan, reminder, claims):
    """The most pressing reason for the email, after the forum's name: someone in two forums
    tells their emails apart."""
    forum = plan.forums.get(reminder.forum_id)
    reason = _reason(plan, reminder, claims)
    if forum is None:
        return reason
    return _("%(forum)s: %(subject)s") % {
        "forum": forum.name_in(translation.get_language()),
        "subject": reason,
    }


def _reason(plan, reminder, claims):
    kinds = {claim.kind for claim in claims}
    top = next(kind for kind in SUBJECT_ORDER if kind in kinds)
    if top == ReminderKind.BEFORE_MEETING:
        return _("Please update your actions before the meeting on %(date)s") % {
            "date": long_date(plan.next_meeting_of(reminder.forum_id)[1])
        }
    if top == ReminderKind.DUE_TODAY:
        due = min(c.occasion for c in claims if c.kind == top)  # the due date it was for
        return _("Reminder: actions due on %(date)s") % {"date": long_date(due)}
    return {
        ReminderKind.OVERDUE_DIGEST: _("Your overdue actions"),
        ReminderKind.DUE_SOON: _("Reminder: actions due soon"),
        ReminderKind.ASSIGNED: _("New actions for you"),
        ReminderKind.NO_DATE: _("Actions with no date set: please give an update"),
        ReminderKind.SECRETARIAT_SUMMARY: _("Weekly summary of open and overdue actions"),
    }[top]


def _secretariat_summary(plan, reminder, links) -> list[dict]:
    """Counts of every open action of the forum, then the overdue and undated ones and those
    whose reminders reach nobody, listed up to a limit."""
    limit = settings.REMINDERS["SUMMARY_MAX_LISTED"]
    of_forum = [a for a in plan.actions.values() if a.forum_id == reminder.forum_id]
    everything = sorted(of_forum, key=lambda a: (a.due or plan.today.max, a.pk))
    overdue = [a for a in everything if a.due and a.due < plan.today]
    undated = [a for a in everything if not a.due]
    no_one = [a for a in everything if a.pk in plan.no_one_to_remind]
    counts = [
        _("Open actions: %(count)s") % {"count": len(everything)},
        _("Overdue: %(count)s") % {"count": len(overdue)},
        _("No date set: %(count)s") % {"count": len(undated)},
        _("No one to remind: %(count)s") % {"count": len(no_one)},
    ]
    sections = [{"lead": _("Summary for the secretariat"), "counts": counts}]
    for title, rows, why in (
        (_("Overdue"), overdue, False),
        (_("No date set"), undated, False),
        # Reminders of these reach nobody: say why, so the secretariat knows what to fix.
        (_("No one to remind"), no_one, True),
    ):
        if rows:
            more = len(rows) - limit
            lines = [_line(a, plan, links, with_owner=True) for a in rows[:limit]]
            if why:
                for line, action in zip(lines, rows, strict=False):
                    line["reason"] = str(plan.no_one_to_remind[action.pk].label)
            sections.append(
                {
                    "title": title,
                    "actions": lines,
                    "more": _("…and %(count)s more.") % {"count": more} if more > 0 else "",
                }
            )
    return sections


def reminder_compose(*, plan, reminder, claims, links) -> Composed:
    """One email to one person with every reminder ``claims`` holds for them."""
    sections = reminder_sections(plan, reminder, claims)
    kinds = {claim.kind for claim in claims}
    forum = plan.forums.get(reminder.forum_id)
    context = {
        "name": reminder.recipient.name,
        "forum_name": forum.name_in(translation.get_language()) if forum else settings.FORUM_NAME,
        "meeting_date": long_date(plan.next_meeting_of(reminder.forum_id)[1])
        if ReminderKind.BEFORE_MEETING in kinds
        else "",
        "sections": [
            {
                "title": _section_title(name, ids, plan),
                "actions": [_line(plan.actions[pk], plan, links) for pk in ids],
            }
            for name, ids in sections
        ]
        + (
            _secretariat_summary(plan, reminder, links)
            if ReminderKind.SECRETARIAT_SUMMARY in kinds
            else []
        ),
        "my_actions_url": links.my_actions,
    }
    return Composed(
        subject=reminder_subject(plan, reminder, claims),
        text=render_to_string(f"{TEMPLATE}.txt", context),
        html=render_to_string(f"{TEMPLATE}.html", context),
    )


def reminder_build(mail) -> Composed:
    """The outbox's builder for kind "reminder": the email of one queued row, in its language."""
    from reminders.services import mail_reminder

    covered = mail_reminder(mail)
    if not covered.claims:
        raise MessageRefused(_("The reminders this email carried no longer exist."))
    with translation.override(mail.language):
        links = _links(translation.get_language(), settings.SITE_URL)
        return reminder_compose(
            plan=covered.plan, reminder=covered.reminder, claims=covered.claims, links=links
        )


@lru_cache(maxsize=8)
def _links(language, site_url) -> Links:
    # A worker sends thousands of reminders with the same few links.
    return Links()
