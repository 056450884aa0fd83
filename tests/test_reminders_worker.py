"""The reminder sweep run by real Celery worker processes on the real broker, mailing a real SMTP
server on loopback (fixtures in tests/worker.py)."""

import datetime

import pytest
import time_machine

from reminders.models import ReminderClaim
from reminders.tasks import send_due_reminders
from tests.test_reminders import (
    ALICE,
    BETHAN,
    CARYS,
    DAFYDD,
    EXPECTED,
    at_morning,
    make_cast,
    without_forum,
)
from tests.worker import WorkerProcess, wait_until

pytestmark = pytest.mark.worker

TUESDAY = datetime.date(2026, 9, 1)


@pytest.fixture
def celery_worker_env():
    return {
        "REMINDERS_DUE_SOON_DAYS": "7",
        "REMINDERS_DIGEST_WEEKDAY": "0",
        "REMINDERS_NO_DATE_EVERY_DAYS": "28",
        "REMINDERS_BEFORE_MEETING_DAYS": "7",
    }


def finished_sweeps(*workers) -> int:
    marker = "reminders.tasks.send_due_reminders["
    return sum(
        line.count("succeeded")
        for worker in workers
        for line in worker.log().splitlines()
        if marker in line
    )


def subjects(smtp_server):
    return {m.rcpt_tos[0]: without_forum(str(m.message["Subject"])) for m in smtp_server.messages}


def test_the_worker_sends_each_reminder_once_however_often_the_sweep_runs(
    celery_worker_process, smtp_server
):
    with time_machine.travel(at_morning(datetime.date(2026, 8, 20), 10), tick=False):
        make_cast()
    send_due_reminders.delay(day=TUESDAY.isoformat())
    send_due_reminders.delay(day=TUESDAY.isoformat())
    wait_until(lambda: finished_sweeps(celery_worker_process) == 2, timeout=60)
    assert smtp_server.count_by_recipient() == {ALICE: 1, BETHAN: 1, CARYS: 1, DAFYDD: 1}
    expected = {email: subject for email, (subject, _) in EXPECTED[TUESDAY].items()}
    assert subjects(smtp_server) == expected
    assert set(ReminderClaim.objects.values_list("status", flat=True)) == {"sent"}


def test_two_workers_sweeping_at_once_send_each_reminder_once(
    celery_worker_process, celery_broker, smtp_server, celery_worker_env, tmp_path
):
    second = WorkerProcess(
        broker=celery_broker, smtp=smtp_server, log_dir=tmp_path, env=celery_worker_env
    ).start()
    try:
        with time_machine.travel(at_morning(datetime.date(2026, 8, 20), 10), tick=False):
            make_cast()
        for _ in range(4):
            send_due_reminders.delay(day=TUESDAY.isoformat())
        wait_until(lambda: finished_sweeps(celery_worker_process, second) == 4, timeout=90)
    finally:
        second.stop()
    assert smtp_server.count_by_recipient() == {ALICE: 1, BETHAN: 1, CARYS: 1, DAFYDD: 1}
