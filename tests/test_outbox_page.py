"""The outgoing mail page: every message for officials, a forum's for its secretariat, filters,
pages of 25, and settling uncertain or failed messages in bulk with a recorded reason."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.models import AuditEvent
from outbox.models import OutgoingMail
from tests import factories

Status = OutgoingMail.Status
Kind = OutgoingMail.Kind
LIST = reverse("outbox:list")
SETTLE = reverse("outbox:settle")
ROW = '<tr class="govuk-table__row">'


@pytest.fixture
def forums(db):
    return factories.ForumFactory(), factories.ForumFactory(board=True)


def a_mail(*, kind=Kind.DIARY_INVITATION, forum=None, status=Status.SENT, key=None, **fields):
    person = factories.PersonFactory()
    return OutgoingMail.objects.create(
        kind=kind,
        key=key or f"test:{person.pk}",
        forum=forum,
        person=person,
        email=person.email,
        language="en",
        subject=fields.pop("subject", f"To {person.full_name}"),
        status=status,
        **fields,
    )


def rows_of(response) -> int:
    return response.content.decode().count(ROW) - 1  # the header row


def test_officials_see_every_message_and_the_secretariat_only_their_forums(
    client, forums, official
):
    wrf, board = forums
    wrf_secretariat = factories.secretariat_user(forum=wrf, username="wrf-secretariat")
    mine = a_mail(forum=wrf, subject="Invitation to the forum")
    theirs = a_mail(forum=board, subject="Invitation to the board")
    account = a_mail(kind=Kind.PASSWORD_RESET, subject="Choose a new password")

    client.force_login(official)
    page = client.get(LIST).content.decode()
    assert all(mail.subject in page for mail in (mine, theirs, account))

    client.force_login(wrf_secretariat)
    page = client.get(LIST).content.decode()
    assert mine.subject in page
    assert theirs.subject not in page and account.subject not in page


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_those_who_keep_no_records_are_refused(client, request, forums, role):
    a_mail(forum=forums[0])
    client.force_login(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 403
    assert client.post(SETTLE, {"action": "confirm", "reason": "x"}).status_code == 403


def test_filters_by_kind_status_forum_and_date(client, forums, official):
    wrf, board = forums
    long_ago = timezone.now() - datetime.timedelta(days=40)
    a_mail(forum=wrf, subject="Sent invitation")
    a_mail(forum=wrf, status=Status.UNCERTAIN, subject="Uncertain invitation")
    a_mail(forum=board, kind=Kind.LETTER, subject="Board letter")
    a_mail(forum=wrf, kind=Kind.REMINDER, subject="Old reminder", queued_at=long_ago)
    client.force_login(official)

    def subjects(**query):
        page = client.get(LIST, query).content.decode()
        return {
            s
            for s in ("Sent invitation", "Uncertain invitation", "Board letter", "Old reminder")
            if s in page
        }

    assert subjects(kind="diary_invitation") == {"Sent invitation", "Uncertain invitation"}
    assert subjects(status="uncertain") == {"Uncertain invitation"}
    assert subjects(forum=board.slug) == {"Board letter"}
    recent = (timezone.now() - datetime.timedelta(days=7)).date().isoformat()
    assert "Old reminder" not in subjects(queued_from=recent)
    assert subjects(queued_to=(long_ago + datetime.timedelta(days=1)).date().isoformat()) == {
        "Old reminder"
    }


def test_pages_of_twenty_five(client, forums, official):
    for n in range(30):
        a_mail(forum=forums[0], key=f"page:{n}")
    client.force_login(official)
    assert rows_of(client.get(LIST)) == 25
    assert rows_of(client.get(LIST, {"page": 2})) == 5


def test_a_row_shows_status_reason_attempts_and_who_settled_it(client, forums, official):
    mail = a_mail(
        forum=forums[0],
        status=Status.FAILED,
        reason="550 5.1.1 Mailbox unavailable",
        attempts=2,
    )
    client.force_login(official)
    client.post(SETTLE, {"mail": [mail.pk], "action": "confirm", "reason": "x"})
    page = client.get(LIST).content.decode()
    assert "550 5.1.1 Mailbox unavailable" in page and "Failed" in page
    assert f'value="{mail.pk}"' in page  # a failed message can be ticked


def test_confirming_in_bulk_records_who_why_and_an_audit_event(client, forums, official):
    uncertain = [a_mail(forum=forums[0], status=Status.UNCERTAIN) for _ in range(3)]
    sent = a_mail(forum=forums[0])
    client.force_login(official)
    response = client.post(
        SETTLE,
        {
            "mail": [m.pk for m in uncertain] + [sent.pk],
            "action": "confirm",
            "reason": "The mail log shows 250 OK",
            "query": "status=uncertain",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{LIST}?status=uncertain"
    for mail in uncertain:
        mail.refresh_from_db()
        assert mail.status == Status.SENT and mail.resolved_by == official
        assert mail.resolution == "The mail log shows 250 OK"
    (event,) = AuditEvent.objects.filter(kind=AuditEvent.Kind.OUTBOX_SETTLED)
    assert event.actor == official and event.forum == forums[0]
    assert "confirm 3" in event.detail and "250 OK" in event.detail
    page = client.get(LIST).content.decode()
    assert "The mail log shows 250 OK" in page and "official" in page


def test_sending_again_requeues_failed_and_uncertain_only(client, forums, official):
    failed = a_mail(forum=forums[0], status=Status.FAILED, attempts=5)
    uncertain = a_mail(forum=forums[0], status=Status.UNCERTAIN)
    sent = a_mail(forum=forums[0])
    client.force_login(official)
    client.post(
        SETTLE,
        {"mail": [failed.pk, uncertain.pk, sent.pk], "action": "resend", "reason": "Bounced"},
    )
    statuses = dict(OutgoingMail.objects.values_list("pk", "status"))
    assert statuses == {failed.pk: "queued", uncertain.pk: "queued", sent.pk: "sent"}
    failed.refresh_from_db()
    assert failed.attempts == 0 and failed.resolution == "Bounced"


def test_a_reason_is_required(client, forums, official):
    mail = a_mail(forum=forums[0], status=Status.UNCERTAIN)
    client.force_login(official)
    response = client.post(SETTLE, {"mail": [mail.pk], "action": "confirm", "reason": ""})
    assert response.status_code == 302
    mail.refresh_from_db()
    assert mail.status == Status.UNCERTAIN
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.OUTBOX_SETTLED).exists()


def test_the_secretariat_cannot_settle_another_forums_or_account_messages(client, forums):
    wrf, board = forums
    secretariat = factories.secretariat_user(forum=wrf, username="wrf-secretariat")
    theirs = a_mail(forum=board, status=Status.UNCERTAIN)
    account = a_mail(kind=Kind.ACCOUNT_INVITATION, status=Status.UNCERTAIN)
    client.force_login(secretariat)
    client.post(
        SETTLE, {"mail": [theirs.pk, account.pk], "action": "confirm", "reason": "Trust me"}
    )
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {Status.UNCERTAIN}


@pytest.mark.parametrize("count", [1, 10, 50])
def test_the_page_costs_the_same_queries_however_many_messages(
    client, forums, official, count, django_assert_max_num_queries
):
    for n in range(count):
        a_mail(
            forum=forums[n % 2],
            status=Status.UNCERTAIN if n % 3 else Status.SENT,
            key=f"count:{n}",
            resolved_by=official if n % 2 else None,
            resolved_at=timezone.now() if n % 2 else None,
        )
    client.force_login(official)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert rows_of(response) == min(count, 25)


def test_the_admin_is_read_only_and_points_to_the_page(client, forums, official):
    mail = a_mail(forum=forums[0], status=Status.UNCERTAIN)
    client.force_login(official)
    changelist = client.get(reverse("admin:outbox_outgoingmail_changelist"))
    assert changelist.status_code == 200
    assert "Outgoing mail page" in changelist.content.decode()
    change = reverse("admin:outbox_outgoingmail_change", args=[mail.pk])
    assert client.get(change).status_code == 200
    client.post(change, {"status": "sent"})
    mail.refresh_from_db()
    assert mail.status == Status.UNCERTAIN
    assert client.get(reverse("admin:outbox_outgoingmail_add")).status_code == 403


def test_the_staff_navigation_links_the_page(client, forums, official, member):
    client.force_login(official)
    assert f'href="{LIST}"' in client.get(reverse("home")).content.decode()
    client.force_login(member)
    assert f'href="{LIST}"' not in client.get(reverse("home")).content.decode()
