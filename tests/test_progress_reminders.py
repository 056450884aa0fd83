"""Reminders chasing progress returns: one email per lead organisation's main contact, once
when the returns fall due soon and once when they are overdue, however often the task runs."""

import datetime

import pytest
from django.core import mail as django_mail
from django.db import transaction

from outbox import services as outbox
from outbox.models import OutgoingMail
from progress import reminders
from progress.models import ProgressReturn
from progress.tasks import send_progress_return_reminders
from tests import factories
from tests.worker import wait_until

State = ProgressReturn.State
DUE = datetime.date(2026, 10, 30)
SOON_DAY = DUE - datetime.timedelta(days=5)
EARLY_DAY = DUE - datetime.timedelta(days=20)
LATE_DAY = DUE + datetime.timedelta(days=3)


def make_world():
    forum = factories.ForumFactory()
    plan = factories.DeliveryPlanFactory(
        forum=forum,
        title_en="Hate crime delivery plan",
        title_cy="Cynllun cyflawni troseddau casineb",
    )
    period = factories.ReportingPeriodFactory(
        plan=plan,
        label="2026-27 Q2",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 9, 30),
        due_on=DUE,
    )
    tai_pawb = factories.OrganisationFactory(name="Tai Pawb")
    eyst = factories.OrganisationFactory(name="EYST")
    no_contact = factories.OrganisationFactory(name="No contact organisation")
    first = factories.PlanActionLeadFactory(
        organisation=tai_pawb,
        action__area__objective__plan=plan,
        action__reference="1.1",
        action__text="Train housing staff.",
        action__text_cy="Hyfforddi staff tai.",
    ).action
    second = factories.PlanActionLeadFactory(
        organisation=tai_pawb,
        action__area=first.area,
        action__reference="1.2",
        action__text="Publish the data.",
    ).action
    shared = factories.PlanActionLeadFactory(
        organisation=eyst,
        action__area=first.area,
        action__reference="2.1",
        action__text="Run a campaign.",
    ).action
    factories.PlanActionLeadFactory(organisation=tai_pawb, action=shared)
    factories.PlanActionLeadFactory(
        organisation=no_contact, action__area=first.area, action__reference="3.1"
    )
    welsh = factories.PersonFactory(
        full_name="Aled Roberts",
        organisation=tai_pawb,
        is_organisation_contact=True,
        preferred_language="cy",
        email="aled@taipawb.example",
    )
    factories.member_user(person=welsh, forum=forum, username="aled")
    english = factories.PersonFactory(
        full_name="Sarah Jones",
        organisation=eyst,
        is_organisation_contact=True,
        email="sarah@eyst.example",
    )
    # Someone at Tai Pawb who is not its main contact is not written to.
    factories.PersonFactory(organisation=tai_pawb, email="other@taipawb.example")
    return {
        "forum": forum,
        "plan": plan,
        "period": period,
        "tai_pawb": tai_pawb,
        "eyst": eyst,
        "first": first,
        "second": second,
        "shared": shared,
        "welsh": welsh,
        "english": english,
    }


@pytest.fixture
def world(db):
    return make_world()


def rows():
    return OutgoingMail.objects.filter(key__startswith="progress-due:").order_by("email", "key")


def run_on(day):
    return send_progress_return_reminders(day.isoformat())


def send_all():
    for mail_id in rows().filter(status=OutgoingMail.Status.QUEUED).values_list("pk", flat=True):
        outbox.send(mail_id=mail_id)


def test_nothing_is_sent_before_the_reminder_window(world):
    run_on(EARLY_DAY)
    assert not rows().exists()


def test_each_lead_organisations_main_contact_gets_one_email(world):
    run_on(SOON_DAY)
    period = world["period"]
    assert [(row.email, row.key, row.forum_id, row.kind) for row in rows()] == [
        (
            "aled@taipawb.example",
            f"progress-due:{period.pk}:org:{world['tai_pawb'].pk}:soon",
            world["forum"].pk,
            OutgoingMail.Kind.NOTIFICATION,
        ),
        (
            "sarah@eyst.example",
            f"progress-due:{period.pk}:org:{world['eyst'].pk}:soon",
            world["forum"].pk,
            OutgoingMail.Kind.NOTIFICATION,
        ),
    ]
    tai_pawb = rows().get(email="aled@taipawb.example")
    assert tai_pawb.person_id == world["welsh"].pk
    listed = [action["reference"] for action in tai_pawb.payload["context"]["actions"]]
    assert listed == ["1.1", "1.2", "2.1"]


def test_each_stage_is_sent_once_however_often_the_task_runs(world):
    run_on(SOON_DAY)
    run_on(SOON_DAY)
    run_on(SOON_DAY + datetime.timedelta(days=1))
    assert rows().count() == 2
    run_on(LATE_DAY)
    run_on(LATE_DAY)
    run_on(LATE_DAY + datetime.timedelta(days=7))
    keys = list(rows().values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 4
    assert sorted(key.rsplit(":", 1)[1] for key in keys) == ["overdue"] * 2 + ["soon"] * 2


def test_actions_already_returned_are_not_listed(world):
    period = world["period"]
    factories.ProgressReturnFactory(action=world["first"], period=period, state=State.SUBMITTED)
    factories.ProgressReturnFactory(action=world["shared"], period=period, state=State.ACCEPTED)
    # A draft, or a return sent back for changes, is still owed.
    factories.ProgressReturnFactory(action=world["second"], period=period, state=State.DRAFT)
    run_on(SOON_DAY)
    assert list(rows().values_list("email", flat=True)) == ["aled@taipawb.example"]
    listed = [a["reference"] for a in rows().get().payload["context"]["actions"]]
    assert listed == ["1.2"]


def test_nothing_is_sent_when_every_return_is_in(world):
    period = world["period"]
    for action in (world["first"], world["second"], world["shared"]):
        factories.ProgressReturnFactory(action=action, period=period, state=State.SUBMITTED)
    run_on(LATE_DAY)
    assert not rows().exists()


def test_a_welsh_contact_is_written_to_in_welsh_with_links_to_the_return(world):
    run_on(LATE_DAY)
    row = rows().get(email="aled@taipawb.example")
    assert row.language == "cy"
    send_all()
    message = next(m for m in django_mail.outbox if m.to == ["aled@taipawb.example"])
    body = message.body
    assert "Hyfforddi staff tai." in body
    assert "Cynllun cyflawni troseddau casineb" in body
    assert "Hydref 2026" in body  # October, in Welsh
    assert message.message()["Content-Language"] == "cy"
    assert (
        f"/progress/{world['plan'].slug}/1.1/return/?reporting_period={world['period'].pk}" in body
    )


def test_a_contact_without_an_account_gets_no_link(world):
    run_on(SOON_DAY)
    send_all()
    message = next(m for m in django_mail.outbox if m.to == ["sarah@eyst.example"])
    assert "Run a campaign." in message.body
    assert "/return/" not in message.body
    assert "Hydref" not in message.body


def test_the_reminder_window_is_a_setting(world, settings):
    settings.PROGRESS_RETURN_REMINDER_DAYS = 30
    run_on(EARLY_DAY)
    assert rows().count() == 2


def test_the_beat_schedule_runs_the_task_daily():
    from wrc.celery import app

    entry = app.conf.beat_schedule["progress-return-reminders"]
    assert entry["task"] == send_progress_return_reminders.name
    assert entry["schedule"].day_of_week == set(range(7))


@pytest.mark.worker
def test_through_a_real_worker_and_smtp_server_no_one_gets_a_duplicate(
    celery_worker_process, smtp_server
):
    with transaction.atomic():
        make_world()
    for _ in range(3):
        reminders.send_due_return_reminders(today=SOON_DAY)
    for _ in range(3):
        reminders.send_due_return_reminders(today=LATE_DAY)
    wait_until(
        lambda: not OutgoingMail.objects.pending().exists(),
        timeout=60,
        message=celery_worker_process.log,
    )
    assert smtp_server.count_by_recipient() == {
        "aled@taipawb.example": 2,
        "sarah@eyst.example": 2,
    }
    assert OutgoingMail.objects.status_counts()[OutgoingMail.Status.SENT] == 4
