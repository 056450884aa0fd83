"""Move the invitation ledger into the outbox: one outgoing message per row, nothing dropped.

A row still "sending" was claimed by a worker that never said how it ended: the mail server may
have the message, so it becomes "uncertain" for a person to confirm or resend, never sent again
on its own.
"""

from django.db import migrations

KIND = "diary_invitation"
STATUSES = {"sent": "sent", "failed": "failed", "sending": "uncertain"}
STOPPED = "The worker stopped while sending: the mail server may have accepted it."


def key(row) -> str:
    return f"diary:{row.meeting_id}:seq:{row.sequence}:person:{row.person_id}"


def forward(apps, schema_editor):
    InvitationDelivery = apps.get_model("calendars", "InvitationDelivery")
    OutgoingMail = apps.get_model("outbox", "OutgoingMail")
    rows = InvitationDelivery.objects.select_related("meeting", "person").order_by("pk")
    mails = []
    for row in rows.iterator(chunk_size=1000):
        status = STATUSES.get(row.status, "uncertain")
        mails.append(
            OutgoingMail(
                kind=KIND,
                key=key(row),
                forum_id=row.meeting.forum_id,
                person_id=row.person_id,
                email=row.email,
                language=row.person.preferred_language or "en",
                meeting_id=row.meeting_id,
                payload={"sequence": row.sequence, "method": row.method},
                status=status,
                attempts=1,
                reason=STOPPED if row.status == "sending" else row.error,
                queued_at=row.claimed_at,
                enqueued_at=row.claimed_at,
                claimed_at=row.claimed_at,
                sent_at=row.sent_at,
            )
        )
    OutgoingMail.objects.bulk_create(mails, batch_size=500)


def backward(apps, schema_editor):
    """Back to the ledger; a message not sent or failed there is recorded as failed with its
    outbox state in the reason, as the ledger knows no other end."""
    InvitationDelivery = apps.get_model("calendars", "InvitationDelivery")
    OutgoingMail = apps.get_model("outbox", "OutgoingMail")
    mails = OutgoingMail.objects.filter(kind=KIND)
    rows = []
    for mail in mails.iterator(chunk_size=1000):
        kept = mail.status in ("sent", "failed")
        rows.append(
            InvitationDelivery(
                meeting_id=mail.meeting_id,
                sequence=mail.payload.get("sequence", 0),
                person_id=mail.person_id,
                email=mail.email,
                method=mail.payload.get("method", "REQUEST"),
                status=mail.status if kept else "failed",
                error=mail.reason if kept else f"{mail.status}: {mail.reason}"[:1000],
                sent_at=mail.sent_at,
            )
        )
    InvitationDelivery.objects.bulk_create(rows, batch_size=500)
    mails.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0001_initial"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
