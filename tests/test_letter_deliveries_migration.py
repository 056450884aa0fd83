"""The letter deliveries move into the outbox without losing one: every delivery becomes an
outgoing message of kind "letter" with the same status, attempts, reason, times, cc organisation
and the person who confirmed it; migrating back restores them.

The test migrates the test database back to the schema with deliveries, writes with the
historical models, migrates forward and compares; it leaves the database at the latest schema.
"""

import datetime

import pytest
from django.db import connection

from tests.migrating import migrate, models_at

WITH_DELIVERIES = [("correspondence", "0004_delivery_copy_to")]
AT = datetime.datetime(2025, 1, 30, 9, 0, tzinfo=datetime.UTC)
STATUSES = ["queued", "sending", "sent", "failed", "uncertain"]


@pytest.fixture
def old_apps(transactional_db):
    with models_at(WITH_DELIVERIES) as apps:
        yield apps


def make_deliveries(apps) -> list[dict]:
    """Two letters' deliveries in every status, a cc copy and a confirmed one; returned as the
    values each outgoing message must carry."""
    model = apps.get_model
    forum = model("directory", "Forum").objects.create(name="Wales Race Forum", slug="wrf")
    wcva = model("directory", "Organisation").objects.create(
        name="WCVA", normalised_name="wcva", slug="wcva"
    )
    official = model("auth", "User").objects.create(username="official")
    letters = [
        model("correspondence", "Letter").objects.create(
            forum=forum,
            reference=f"JH/PO/{n}/2025",
            date=datetime.date(2025, 1, 30),
            subject_en=f"Subject {n}",
            subject_cy=f"Pwnc {n}",
            body_cy="Corff." if n == 2 else "",
            status="sending",
        )
        for n in (1, 2)
    ]
    expected = []
    Delivery = model("correspondence", "Delivery")
    for n, letter in enumerate(letters):
        for m, status in enumerate(STATUSES):
            person = model("directory", "Person").objects.create(
                full_name=f"Person {n}-{m}", email=f"p{n}-{m}@example.org", calendar_token=f"{n}{m}"
            )
            confirmed = official if status == "sent" and m % 2 == 0 else None
            delivery = Delivery.objects.create(
                letter=letter,
                person=person,
                copy_to=wcva if m == 1 else None,
                email=person.email,
                language="cy" if m == 3 else "en",
                status=status,
                attempts=m,
                reason=f"reason {n}-{m}" if status in ("failed", "uncertain") else "",
                queued_at=AT,
                enqueued_at=AT + datetime.timedelta(minutes=1),
                claimed_at=AT + datetime.timedelta(minutes=2) if status != "queued" else None,
                sent_at=AT + datetime.timedelta(minutes=3) if status == "sent" else None,
                confirmed_by=confirmed,
            )
            expected.append(
                {
                    "key": f"letter:{letter.pk}:person:{person.pk}",
                    "letter_id": letter.pk,
                    "forum_id": forum.pk,
                    "person_id": person.pk,
                    "email": delivery.email,
                    "language": delivery.language,
                    "payload": {"copy_to": wcva.pk if m == 1 else None},
                    "status": status,
                    "attempts": m,
                    "reason": delivery.reason,
                    "queued_at": delivery.queued_at,
                    "enqueued_at": delivery.enqueued_at,
                    "claimed_at": delivery.claimed_at,
                    "sent_at": delivery.sent_at,
                    "resolved_by_id": confirmed.pk if confirmed else None,
                }
            )
    return expected


def delivery_values(apps):
    fields = [
        "letter_id", "person_id", "copy_to_id", "email", "language", "status", "attempts",
        "reason", "queued_at", "enqueued_at", "claimed_at", "sent_at", "confirmed_by_id",
    ]  # fmt: skip
    rows = apps.get_model("correspondence", "Delivery").objects.order_by("letter", "person")
    return list(rows.values(*fields))


@pytest.mark.django_db(transaction=True)
def test_every_delivery_becomes_an_outgoing_letter_with_its_state(old_apps):
    expected = make_deliveries(old_apps)
    before = delivery_values(old_apps)

    new_apps = migrate(None)

    OutgoingMail = new_apps.get_model("outbox", "OutgoingMail")
    mails = OutgoingMail.objects.filter(kind="letter").order_by("letter", "person")
    assert mails.count() == len(before) == 10
    assert list(mails.values(*expected[0])) == sorted(
        expected, key=lambda row: (row["letter_id"], row["person_id"])
    )
    counts = {status: mails.filter(status=status).count() for status in STATUSES}
    assert counts == {status: 2 for status in STATUSES}
    # The subject each reader's copy has: the Welsh as well where the letter has Welsh text.
    assert set(mails.values_list("subject", flat=True)) == {
        "Subject 1",
        "Subject 2 / Pwnc 2",
        "Pwnc 2 / Subject 2",
    }
    confirmed = mails.exclude(resolved_by=None)
    assert all(mail.resolved_at == mail.sent_at for mail in confirmed)
    assert not any(table.endswith("correspondence_delivery") for table in tables())

    # And back: the deliveries are as they were, and the outbox holds no letter rows.
    back = migrate(WITH_DELIVERIES)
    assert delivery_values(back) == before
    assert not back.get_model("outbox", "OutgoingMail").objects.filter(kind="letter").exists()


def tables():
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)
