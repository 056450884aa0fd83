"""Chasing the returns that are due: one email per lead organisation's main contact, listing the
actions it leads that still have no return sent in for the period.

Each period is chased twice at most: once when its due date comes within
``PROGRESS_RETURN_REMINDER_DAYS`` ("soon") and once when it has passed ("overdue"). The stage is
part of the outbox key, so the daily task may run any number of times (two beats, a rerun by
hand) and each contact still gets each stage once.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from directory.contacts import main_contacts
from hatecrime.models import PlanAction, PlanActionLead
from outbox import services as outbox
from outbox.models import OutgoingMail
from progress.models import ProgressReturn, ReportingPeriod

SOON = "soon"
OVERDUE = "overdue"
TEMPLATE = "progress/email/return_due"
# A return counts as sent in once it has left the lead organisation; one sent back for changes
# is owed again.
RETURNED_STATES = (ProgressReturn.State.SUBMITTED, ProgressReturn.State.ACCEPTED)


@dataclass
class ReminderRun:
    queued: int = 0
    dispatched: bool = True


def reminder_days() -> int:
    return getattr(settings, "PROGRESS_RETURN_REMINDER_DAYS", 7)


def stage_of(period: ReportingPeriod, today: datetime.date) -> str | None:
    if period.due_on < today:
        return OVERDUE
    if (period.due_on - today).days <= reminder_days():
        return SOON
    return None


def periods_to_chase(today: datetime.date):
    """Periods whose returns are due within the reminder window, or overdue."""
    horizon = today + datetime.timedelta(days=reminder_days())
    return ReportingPeriod.objects.filter(due_on__lte=horizon).select_related("plan__forum")


def mail_key(period_id: int, organisation_id: int, stage: str) -> str:
    return f"progress-due:{period_id}:org:{organisation_id}:{stage}"


def owed_actions(period: ReportingPeriod) -> dict[int, list[PlanAction]]:
    """Lead organisation id → the period's plan actions it leads with no return sent in."""
    returned = ProgressReturn.objects.filter(period=period, state__in=RETURNED_STATES).values(
        "action_id"
    )
    links = (
        PlanActionLead.objects.filter(action__plan_id=period.plan_id)
        .exclude(action_id__in=returned)
        .select_related("action")
        .order_by("action__sort_major", "action__sort_minor", "action__reference")
    )
    owed: dict[int, list[PlanAction]] = {}
    for link in links:
        owed.setdefault(link.organisation_id, []).append(link.action)
    return owed


def _return_url(period, action) -> str:
    path = reverse("progress:return_edit", args=[period.plan.slug, action.reference])
    return f"{settings.SITE_URL.rstrip('/')}{path}?reporting_period={period.pk}"


def _mail(period, organisation_id, contact, actions, stage) -> OutgoingMail:
    language = contact.preferred_language
    has_account = contact.user_id is not None and contact.user.is_active
    with translation.override(language):
        due = date_format(period.due_on, "j F Y")
        if stage == OVERDUE:
            subject = _("Progress returns overdue for %(period)s") % {"period": period.label}
        else:
            subject = _("Progress returns due by %(date)s for %(period)s") % {
                "date": due,
                "period": period.label,
            }
        context = {
            "name": contact.full_name,
            "plan": (
                period.plan.title_cy
                if language == "cy" and period.plan.title_cy
                else period.plan.title_en
            ),
            "period": period.label,
            "due": due,
            "overdue": stage == OVERDUE,
            "actions": [
                {
                    "reference": action.reference,
                    "text": (
                        action.text_cy if language == "cy" and action.text_cy else action.text
                    ),
                    "url": _return_url(period, action) if has_account else "",
                }
                for action in actions
            ],
        }
    return OutgoingMail(
        kind=OutgoingMail.Kind.NOTIFICATION,
        key=mail_key(period.pk, organisation_id, stage),
        forum_id=period.plan.forum_id,
        person_id=contact.pk,
        email=contact.email,
        language=language,
        subject=subject[:300],
        payload={"template": TEMPLATE, "subject": subject[:300], "context": context},
    )


def send_due_return_reminders(today: datetime.date | None = None) -> ReminderRun:
    """Queue the reminders due ``today`` (the outbox keeps the ones already queued as they are)
    and hand them to the worker once committed."""
    today = today or timezone.localdate()
    run = ReminderRun()
    for period in periods_to_chase(today):
        stage = stage_of(period, today)
        if stage is None:
            continue
        owed = owed_actions(period)
        if not owed:
            continue
        contacts = main_contacts(owed.keys())
        mails = [
            _mail(period, organisation_id, contacts[organisation_id], actions, stage)
            for organisation_id, actions in owed.items()
            if organisation_id in contacts
        ]
        with transaction.atomic():
            ids = outbox.queue_many(mails)
        run.queued += len(ids)
        run.dispatched = outbox.dispatch(ids) and run.dispatched
    return run
