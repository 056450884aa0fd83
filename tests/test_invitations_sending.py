"""Diary invitations through the outbox: exactly once per person and version, through a real
worker, broker and SMTP server, whatever fails on the way."""

import datetime
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from calendars import services
from meetings.models import Meeting
from outbox import services as outbox
from outbox.models import OutgoingMail
from tests import factories
from tests.worker import WorkerProcess, wait_until

Status = OutgoingMail.Status


def a_meeting_with(count: int):
    """A meeting whose forum has one member organisation of ``count`` people with an email."""
    forum = factories.ForumFactory()
    starts = timezone.now() + datetime.timedelta(days=30)
    meeting = factories.MeetingFactory(
        forum=forum,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        status=Meeting.Status.PLANNED,
    )
    organisation = factories.OrganisationFactory()
    factories.MembershipFactory(forum=forum, organisation=organisation)
    with transaction.atomic():
        people = factories.PersonFactory.create_batch(count, organisation=organisation)
    return meeting, people


def invitations(meeting):
    return OutgoingMail.objects.filter(kind=OutgoingMail.Kind.DIARY_INVITATION, meeting=meeting)


def report(meeting) -> str:
    rows = invitations(meeting).values_list("email", "status", "attempts", "reason")
    return "\n".join(" | ".join(map(str, row)) for row in rows)


def wait_for(meeting, worker, timeout=90):
    wait_until(
        lambda: not invitations(meeting).pending().exists(),
        timeout=timeout,
        message=lambda: f"{report(meeting)}\n{worker.log()}",
    )


def press_send(meeting) -> bool:
    """What the send button does."""
    return services.invitations_send(meeting=meeting)


def assert_once_each(meeting, people, smtp_server, *, uncertain_at_most=0):
    """Nobody got this version twice, and everyone not settled as uncertain got it once."""
    received = smtp_server.count_by_recipient()
    assert max(received.values(), default=0) <= 1, "someone got the invitation twice"
    counts = invitations(meeting).status_counts()
    assert counts[Status.SENT] + counts[Status.UNCERTAIN] == len(people), report(meeting)
    assert counts[Status.UNCERTAIN] <= uncertain_at_most, report(meeting)
    for mail in invitations(meeting):
        if mail.status == Status.SENT:
            assert received[mail.email.lower()] == 1, mail.email
        else:
            assert received.get(mail.email.lower(), 0) <= 1


@pytest.mark.worker
def test_a_worker_killed_mid_batch_leaves_one_uncertain_and_the_rest_are_sent(
    celery_worker_process, smtp_server
):
    meeting, people = a_meeting_with(150)
    assert press_send(meeting)
    wait_until(
        lambda: len(smtp_server.messages) >= 20, timeout=60, message=celery_worker_process.log
    )

    celery_worker_process.kill()
    assert invitations(meeting).pending().exists(), "killed too late"
    # Beat's sweep once its waits have passed: the row the worker held is uncertain, and every
    # row still queued is handed over again (broker redelivery is not relied on).
    outbox.sweep(sending_timeout=timedelta(0), queue_stale=timedelta(0))
    assert not invitations(meeting).filter(status=Status.SENDING).exists()
    celery_worker_process.start()
    wait_for(meeting, celery_worker_process)

    assert_once_each(meeting, people, smtp_server, uncertain_at_most=1)
    for mail in invitations(meeting).filter(status=Status.UNCERTAIN):
        assert "may have accepted" in mail.reason


@pytest.mark.worker
def test_a_deferral_is_retried_until_accepted_and_sent_once(celery_worker_process, smtp_server):
    meeting, people = a_meeting_with(4)
    smtp_server.defer(people[0].email, times=2)
    assert press_send(meeting)
    wait_for(meeting, celery_worker_process)

    assert_once_each(meeting, people, smtp_server)
    deferred = invitations(meeting).get(person=people[0])
    assert deferred.status == Status.SENT and deferred.attempts == 3


@pytest.mark.worker
def test_a_refusal_fails_with_the_reason_and_sending_again_reaches_only_them(
    celery_worker_process, smtp_server, official
):
    meeting, people = a_meeting_with(4)
    smtp_server.refuse([people[0].email])
    assert press_send(meeting)
    wait_for(meeting, celery_worker_process)
    refused = invitations(meeting).get(person=people[0])
    assert refused.status == Status.FAILED and refused.reason.startswith("550"), report(meeting)
    # Pressing send again does not retry a refusal on its own: a person checks the address.
    assert press_send(meeting)
    assert invitations(meeting).get(person=people[0]).status == Status.FAILED

    smtp_server.accept_all()
    with transaction.atomic():
        count = outbox.resend(invitations(meeting), user=official, reason="Mailbox fixed")
    assert count == 1
    wait_for(meeting, celery_worker_process)

    assert smtp_server.count_by_recipient() == {p.email.lower(): 1 for p in people}
    assert invitations(meeting).status_counts()[Status.SENT] == 4


@pytest.mark.worker
def test_a_line_dropped_after_the_message_leaves_it_uncertain_never_sent_twice(
    celery_worker_process, smtp_server
):
    meeting, people = a_meeting_with(3)
    smtp_server.hang_up_after_data()
    assert press_send(meeting)
    wait_for(meeting, celery_worker_process)

    assert invitations(meeting).status_counts()[Status.UNCERTAIN] == 3, report(meeting)
    assert smtp_server.count_by_recipient() == {p.email.lower(): 1 for p in people}
    smtp_server.accept_all()
    # Sending again and the sweep leave an uncertain invitation to a person to settle.
    assert press_send(meeting)
    outbox.sweep(sending_timeout=timedelta(0), queue_stale=timedelta(0))
    wait_for(meeting, celery_worker_process)
    assert smtp_server.count_by_recipient() == {p.email.lower(): 1 for p in people}
    for mail in invitations(meeting):
        assert mail.status == Status.UNCERTAIN and "check before resending" in mail.reason


@pytest.mark.worker
def test_two_workers_and_two_beats_send_each_invitation_once(
    celery_worker_process, celery_broker, celery_worker_env, smtp_server, tmp_path
):
    second = WorkerProcess(
        broker=celery_broker, smtp=smtp_server, log_dir=tmp_path, env=celery_worker_env
    ).start()
    try:
        meeting, people = a_meeting_with(40)
        # A double click, then two beats sweeping at once while both workers send.
        assert press_send(meeting) and press_send(meeting)
        outbox.sweep(queue_stale=timedelta(0))
        outbox.sweep(queue_stale=timedelta(0))
        wait_for(meeting, celery_worker_process)
    finally:
        second.kill()

    assert_once_each(meeting, people, smtp_server)
    assert smtp_server.count_by_recipient() == {p.email.lower(): 1 for p in people}


@pytest.mark.worker
def test_a_new_version_is_a_new_message_and_an_old_one_queued_is_not_sent(
    celery_worker_process, smtp_server
):
    meeting, people = a_meeting_with(2)
    assert press_send(meeting)
    wait_for(meeting, celery_worker_process)
    # Queued for version 1, but the meeting is cancelled (version 2) before the worker sends.
    meeting.venue = "Tŷ Hywel, Cardiff Bay"
    meeting.save()
    stale = services.invitations_queue(meeting=meeting)
    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    outbox.dispatch(stale)
    wait_for(meeting, celery_worker_process)
    assert press_send(meeting)
    wait_for(meeting, celery_worker_process)

    assert smtp_server.count_by_recipient() == {p.email.lower(): 2 for p in people}
    by_version = invitations(meeting).order_by("payload__sequence", "person_id")
    rows = [(m.payload["sequence"], m.payload["method"], m.status) for m in by_version]
    assert rows == [
        (0, "REQUEST", Status.SENT),
        (0, "REQUEST", Status.SENT),
        (1, "REQUEST", Status.FAILED),
        (1, "REQUEST", Status.FAILED),
        (2, "CANCEL", Status.SENT),
        (2, "CANCEL", Status.SENT),
    ]
    assert all("changed after" in m.reason for m in invitations(meeting).filter(status="failed"))


def test_with_the_broker_down_the_page_says_the_invitations_are_queued(client, db, broker_down):
    meeting, people = a_meeting_with(3)
    client.force_login(factories.official_user(username="official"))
    url = reverse("calendars:send_invitations", args=[meeting.pk])
    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert "queued and will be sent when the worker is reachable again" in response.text
    assert invitations(meeting).status_counts()[Status.QUEUED] == 3
