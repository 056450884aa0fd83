"""Every reminder email recorded in the ledger becomes a row of the outbox.

Before the outbox, each claim carried its email's state itself. A sweep claimed one person's
reminders of one forum under one token and sent them in one email, so the claims of a token are
one email: they become one OutgoingMail of kind "reminder" with the state they had — sent (with
the address and time), failed (with the mail server's reason), or, for claims still "being
sent" (the worker stopped between claiming and recording), uncertain, for a person to confirm or
resend from the outbox. Nothing is re-sent by this migration.
"""

import datetime
from collections import defaultdict

from django.db import migrations
from django.utils import timezone

UNCERTAIN_REASON = (
    "The worker stopped while sending this reminder: the mail server may have accepted it. "
    "Check with the recipient before resending."
)
STATUS = {"sent": "sent", "failed": "failed", "claimed": "uncertain"}


def _forum_of(claim, action_forum, meeting_forum):
    """The forum a claim's email was about: its action's, its meeting's, or its digest's."""
    if claim.action_id:
        return action_forum.get(claim.action_id)
    kind, _sep, rest = claim.subject_key.partition(":")
    if kind == "meeting" and rest.isdigit():
        return meeting_forum.get(int(rest))
    if kind == "digest" and rest.rpartition(":")[2].isdigit():
        return int(rest.rpartition(":")[2])
    return None


def claims_into_outbox(apps, schema_editor):
    ReminderClaim = apps.get_model("reminders", "ReminderClaim")
    OutgoingMail = apps.get_model("outbox", "OutgoingMail")
    ActionItem = apps.get_model("actions", "ActionItem")
    Meeting = apps.get_model("meetings", "Meeting")
    Forum = apps.get_model("directory", "Forum")
    Person = apps.get_model("directory", "Person")

    by_token = defaultdict(list)
    for claim in ReminderClaim.objects.filter(mail__isnull=True).order_by("pk").iterator():
        by_token[claim.claim_token].append(claim)
    if not by_token:
        return
    action_forum = dict(
        ActionItem.objects.filter(meeting__isnull=False).values_list("pk", "meeting__forum_id")
    )
    meeting_forum = dict(Meeting.objects.values_list("pk", "forum_id"))
    forums = set(Forum.objects.values_list("pk", flat=True))
    people = {
        pk: (email, language)
        for pk, email, language in Person.objects.values_list("pk", "email", "preferred_language")
    }
    zone = timezone.get_current_timezone()
    for token, claims in by_token.items():
        first = claims[0]
        forum_id = next(
            (
                forum
                for claim in claims
                if (forum := _forum_of(claim, action_forum, meeting_forum)) in forums
            ),
            None,
        )
        day = first.claimed_at.astimezone(zone).date() if first.claimed_at else datetime.date.min
        email, language = people.get(first.recipient_id, ("", "en"))
        status = STATUS.get(first.status, "uncertain")
        reason = first.failure_reason if status == "failed" else ""
        if status == "uncertain":
            reason = UNCERTAIN_REASON
        mail = OutgoingMail.objects.create(
            kind="reminder",
            key=f"reminder:{day.isoformat()}:forum:{forum_id}:person:{first.recipient_id}"
            f":run:{token.hex[:12]}",
            forum_id=forum_id,
            person_id=first.recipient_id,
            email=first.sent_to or email or "",
            language=language or "en",
            payload={"day": day.isoformat(), "open_action_ids": []},
            status=status,
            attempts=1,
            reason=reason,
            queued_at=first.claimed_at,
            enqueued_at=first.claimed_at,
            claimed_at=first.claimed_at,
            sent_at=first.sent_at if status == "sent" else None,
        )
        ReminderClaim.objects.filter(pk__in=[claim.pk for claim in claims]).update(mail=mail)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
        ("directory", "0001_initial"),
        ("meetings", "0001_initial"),
        ("outbox", "0001_initial"),
        ("reminders", "0002_reminderclaim_mail"),
    ]

    operations = [migrations.RunPython(claims_into_outbox, migrations.RunPython.noop)]
