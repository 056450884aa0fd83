"""The invitation ledger moves into the outbox without losing a record.

The test migrates the diary app back to its ledger, writes ledger rows with the historical
model, migrates forward and compares; it leaves the database at the latest schema whatever
happens.
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from outbox.models import OutgoingMail
from tests import factories
from tests.migrating import migrate, models_at

LEDGER = [("calendars", "0001_initial")]


@pytest.fixture
def ledger_apps(transactional_db):
    with models_at(LEDGER) as apps:
        yield apps


@pytest.mark.django_db(transaction=True)
def test_every_ledger_row_becomes_one_outgoing_message_with_its_state(ledger_apps):
    meeting = factories.MeetingFactory()
    other = factories.MeetingFactory()
    people = factories.PersonFactory.create_batch(3)
    welsh = factories.PersonFactory(preferred_language="cy")
    sent_at = timezone.now() - datetime.timedelta(days=2)
    Ledger = ledger_apps.get_model("calendars", "InvitationDelivery")
    rows = [
        Ledger(meeting_id=meeting.pk, sequence=0, person_id=people[0].pk, status="sent",
               email=people[0].email, sent_at=sent_at),
        Ledger(meeting_id=meeting.pk, sequence=1, person_id=people[0].pk, status="sent",
               email=people[0].email, sent_at=sent_at),
        Ledger(meeting_id=meeting.pk, sequence=1, person_id=people[1].pk, status="failed",
               email=people[1].email, error="Permanent failure: 550 Mailbox unavailable"),
        # Claimed by a worker that died: the mail server may have it.
        Ledger(meeting_id=meeting.pk, sequence=1, person_id=people[2].pk, status="sending",
               email=people[2].email),
        Ledger(meeting_id=other.pk, sequence=3, person_id=welsh.pk, status="sent",
               email="old-address@example.org", method="CANCEL", sent_at=sent_at),
    ]  # fmt: skip
    Ledger.objects.bulk_create(rows)
    before = sorted(
        (r.meeting_id, r.sequence, r.person_id, r.email, r.method, r.status, r.error, r.sent_at)
        for r in Ledger.objects.all()
    )

    migrate(None)

    mails = OutgoingMail.objects.filter(kind=OutgoingMail.Kind.DIARY_INVITATION)
    assert mails.count() == len(before) == 5
    status = {"sent": "sent", "failed": "failed", "sending": "uncertain"}
    after = sorted(
        (m.meeting_id, m.payload["sequence"], m.person_id, m.email, m.payload["method"],
         m.status, m.sent_at)
        for m in mails
    )  # fmt: skip
    assert after == sorted(
        (meeting_id, seq, person, email, method, status[state], sent)
        for meeting_id, seq, person, email, method, state, _error, sent in before
    )
    for mail in mails:
        assert mail.key == (
            f"diary:{mail.meeting_id}:seq:{mail.payload['sequence']}:person:{mail.person_id}"
        )
        assert mail.forum_id == mail.meeting.forum_id
        assert mail.language == mail.person.preferred_language
    assert mails.get(status="failed").reason == "Permanent failure: 550 Mailbox unavailable"
    assert "may have accepted" in mails.get(status="uncertain").reason
    # The ledger is gone: the outbox is the one record of what was sent.
    assert "calendars_invitationdelivery" not in connection.introspection.table_names()
