"""Every letter delivery becomes a row of the outbox, with its status, attempts, reason, times
and who confirmed it; the deliveries table is removed in the next migration.

Going back copies the outbox's letter rows into deliveries again, so nothing is lost either way.
"""

from django.db import migrations

BATCH = 1000


def letter_subject(letter, language):
    """The subject of the reader's copy as the letter's builder writes it (one per language of
    its text, the reader's first); only shown in lists, the builder recomputes it."""
    has_welsh = bool(letter.body_cy.strip())
    available = ["en"] + (["cy"] if has_welsh else [])
    if letter.language_mode == "preferred":
        languages = [language if language in available else "en"]
    else:
        languages = sorted(available, key=lambda code: code != language)
    subjects = [getattr(letter, f"subject_{code}", "") or letter.subject_en for code in languages]
    return " / ".join(dict.fromkeys(subjects))[:300]


def into_the_outbox(apps, schema_editor):
    Delivery = apps.get_model("correspondence", "Delivery")
    OutgoingMail = apps.get_model("outbox", "OutgoingMail")
    rows = Delivery.objects.select_related("letter").order_by("pk")
    batch = []
    for delivery in rows.iterator(chunk_size=BATCH):
        letter = delivery.letter
        batch.append(
            OutgoingMail(
                kind="letter",
                key=f"letter:{delivery.letter_id}:person:{delivery.person_id}",
                forum_id=letter.forum_id,
                person_id=delivery.person_id,
                email=delivery.email,
                language=delivery.language,
                subject=letter_subject(letter, delivery.language),
                letter_id=delivery.letter_id,
                payload={"copy_to": delivery.copy_to_id},
                status=delivery.status,
                attempts=delivery.attempts,
                reason=delivery.reason,
                queued_at=delivery.queued_at,
                enqueued_at=delivery.enqueued_at,
                claimed_at=delivery.claimed_at,
                sent_at=delivery.sent_at,
                # Confirming an uncertain delivery as sent was the one way to settle one by hand.
                resolved_by_id=delivery.confirmed_by_id,
                resolved_at=delivery.sent_at if delivery.confirmed_by_id else None,
            )
        )
        if len(batch) >= BATCH:
            OutgoingMail.objects.bulk_create(batch)
            batch = []
    OutgoingMail.objects.bulk_create(batch)


def back_into_deliveries(apps, schema_editor):
    Delivery = apps.get_model("correspondence", "Delivery")
    OutgoingMail = apps.get_model("outbox", "OutgoingMail")
    mails = OutgoingMail.objects.filter(kind="letter", letter__isnull=False, person__isnull=False)
    batch = []
    for mail in mails.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(
            Delivery(
                letter_id=mail.letter_id,
                person_id=mail.person_id,
                copy_to_id=(mail.payload or {}).get("copy_to"),
                email=mail.email,
                language=mail.language,
                status=mail.status,
                attempts=mail.attempts,
                reason=mail.reason,
                queued_at=mail.queued_at,
                enqueued_at=mail.enqueued_at,
                claimed_at=mail.claimed_at,
                sent_at=mail.sent_at,
                confirmed_by_id=mail.resolved_by_id if mail.status == "sent" else None,
            )
        )
        if len(batch) >= BATCH:
            Delivery.objects.bulk_create(batch)
            batch = []
    Delivery.objects.bulk_create(batch)
    mails.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0004_delivery_copy_to"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(into_the_outbox, back_into_deliveries)]
