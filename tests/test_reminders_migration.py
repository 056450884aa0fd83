"""The ledger's move into the outbox: every reminder email recorded before it is an outbox row
after it, with the state it had, and every reminder keeps its place in the ledger.

The test migrates the reminders app back to its first schema, writes claims with the historical
model as the sweep used to (one token per email), migrates forward and compares; it leaves the
database at the latest schema whatever happens.
"""

import datetime
import uuid
import zoneinfo

import pytest

from tests import factories
from tests.migrating import migrate, models_at

LONDON = zoneinfo.ZoneInfo("Europe/London")
BEFORE_OUTBOX = [("reminders", "0001_initial")]


@pytest.fixture
def old_apps(transactional_db):
    with models_at(BEFORE_OUTBOX) as apps:
        yield apps


def at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def ledger(apps):
    Claim = apps.get_model("reminders", "ReminderClaim")
    return {
        row["id"]: row
        for row in Claim.objects.values(
            "id", "subject_key", "kind", "occasion", "recipient_id", "action_id"
        )
    }


@pytest.mark.django_db(transaction=True)
def test_every_recorded_reminder_email_becomes_an_outbox_row_with_its_state(old_apps):
    meeting = factories.MeetingFactory(starts_at=at(datetime.date(2026, 9, 17), 12))
    alice = factories.PersonFactory(email="alice@example.org")
    bethan = factories.PersonFactory(email="bethan@example.org", preferred_language="cy")
    a1, a2 = factories.ActionItemFactory.create_batch(2, meeting=meeting, owner_person=alice)
    Claim = old_apps.get_model("reminders", "ReminderClaim")
    monday, tuesday = datetime.date(2026, 9, 7), datetime.date(2026, 9, 8)
    sent, failed, in_flight, digest = (uuid.uuid4() for _ in range(4))

    def claim(token, person, status, claimed_at, subject_key, kind, occasion, **extra):
        return Claim.objects.create(
            claim_token=token,
            recipient_id=person.pk,
            status=status,
            claimed_at=claimed_at,
            subject_key=subject_key,
            kind=kind,
            occasion=occasion,
            **extra,
        )

    # Alice's email of Monday: two reminders, sent.
    sent_at = at(monday, 7)
    for action in (a1, a2):
        claim(sent, alice, "sent", sent_at, f"action:{action.pk}", "assigned", monday,
              action_id=action.pk, sent_at=sent_at, sent_to="alice@old.example.org")  # fmt: skip
    # Bethan's of Monday: refused by her mail server.
    claim(failed, bethan, "failed", sent_at, f"action:{a1.pk}", "due_soon", a1.due_date or monday,
          action_id=a1.pk, failure_reason="550 5.1.1 Mailbox unavailable")  # fmt: skip
    # Alice's of Tuesday: the worker died between claiming and recording the send.
    claim(in_flight, alice, "claimed", at(tuesday, 7), f"action:{a1.pk}", "due_today", tuesday,
          action_id=a1.pk)  # fmt: skip
    # Bethan's weekly digest of the forum, sent on Tuesday.
    claim(digest, bethan, "sent", at(tuesday, 7), f"digest:overdue:{meeting.forum_id}",
          "overdue_digest", monday, sent_at=at(tuesday, 7), sent_to="")  # fmt: skip
    before = ledger(old_apps)

    new_apps = migrate(None)

    assert ledger(new_apps) == before  # every reminder keeps its place in the ledger
    Mail = new_apps.get_model("outbox", "OutgoingMail")
    NewClaim = new_apps.get_model("reminders", "ReminderClaim")
    mails = {mail.pk: mail for mail in Mail.objects.filter(kind="reminder")}
    assert len(mails) == 4  # one per email the old sweep sent or tried to
    by_mail = {}
    for row in NewClaim.objects.values("mail_id", "recipient_id", "kind"):
        by_mail.setdefault(row["mail_id"], []).append(row)
    assert set(by_mail) == set(mails)
    statuses = sorted(
        (mail.email, mail.status, len(by_mail[pk]), mail.sent_at is not None)
        for pk, mail in mails.items()
    )
    assert statuses == [
        ("alice@example.org", "uncertain", 1, False),
        ("alice@old.example.org", "sent", 2, True),
        ("bethan@example.org", "failed", 1, False),
        ("bethan@example.org", "sent", 1, True),
    ]
    for pk, mail in mails.items():
        assert {row["recipient_id"] for row in by_mail[pk]} == {mail.person_id}
        assert mail.forum_id == meeting.forum_id
        assert mail.key.startswith("reminder:2026-09-0")
    failed_mail = next(mail for mail in mails.values() if mail.status == "failed")
    assert failed_mail.reason == "550 5.1.1 Mailbox unavailable" and failed_mail.language == "cy"
    uncertain = next(mail for mail in mails.values() if mail.status == "uncertain")
    assert "may have accepted" in uncertain.reason
    sent_mail = next(m for m in mails.values() if m.email == "alice@old.example.org")
    assert sent_mail.sent_at == sent_at and sent_mail.payload["day"] == "2026-09-07"
