"""The outbox's throughput: messages per second from queued to accepted by a local SMTP server.

Timed: from ``queue_many`` + ``dispatch`` of N notifications until every one is marked sent.
The worker (prefork, two processes, as ``make run`` starts it) claims, renders and hands each
message over SMTP to an aiosmtpd server on loopback, which records it; the case then checks the
server received each message once. The worker and the server are started once and stopped after
the last repetition. ``WRC_BENCH_OUTBOX_MESSAGES`` sets N (default 1,000) for a quick run.
"""

import os
import shutil
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from bench.registry import benchmark

MESSAGES = int(os.environ.get("WRC_BENCH_OUTBOX_MESSAGES", "1000"))
KEY_PREFIX = "bench-throughput:"
_running: dict = {}
_runs: list[dict] = []


def _start_worker():
    from tests.worker import SMTPServer, WorkerProcess, private_broker

    folder = Path(tempfile.mkdtemp(prefix="wrc-bench-outbox-"))
    stack = ExitStack()
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    smtp = SMTPServer()
    smtp.controller.start()
    stack.callback(smtp.controller.stop)
    broker = stack.enter_context(private_broker(folder))
    worker = WorkerProcess(broker=broker, smtp=smtp, log_dir=folder, pool="prefork", concurrency=2)
    stack.callback(worker.stop)
    worker.start(timeout=60)
    _running.update(worker=worker, smtp=smtp, stack=stack)


def _remove_previous_messages():
    from outbox.models import OutgoingMail

    OutgoingMail.objects.filter(
        kind=OutgoingMail.Kind.NOTIFICATION, key__startswith=KEY_PREFIX
    ).delete()


def make_messages() -> tuple[str, list]:
    """N unsaved notifications under a fresh key prefix, so that no repetition finds its keys
    already sent; the server's record is cleared so that each repetition counts its own."""
    from outbox.models import OutgoingMail

    if not _running:
        _start_worker()
    _remove_previous_messages()
    with _running["smtp"].handler.lock:
        _running["smtp"].handler.messages.clear()
    run = uuid.uuid4().hex[:8]
    subject = "Forum meeting moved"
    body = "The next meeting of the forum has moved to Thursday at 10:00.\n\n" * 5
    mails = [
        OutgoingMail(
            kind=OutgoingMail.Kind.NOTIFICATION,
            key=f"{KEY_PREFIX}{run}:{n}",
            email=f"reader{n}@example.org",
            language="cy" if n % 5 == 0 else "en",
            subject=subject,
            payload={"template": "outbox/message", "subject": subject, "context": {"body": body}},
        )
        for n in range(MESSAGES)
    ]
    return f"{KEY_PREFIX}{run}:", mails


def stop_worker():
    if _running:
        _running.pop("stack").close()
        _running.clear()
    _remove_previous_messages()


@benchmark(
    f"outbox: {MESSAGES:,} notifications to a local SMTP server through the worker",
    setup=make_messages,
    repeat=3,
    atomic=False,
    teardown=stop_worker,
)
def outbox_throughput(context):
    from outbox import services
    from outbox.models import OutgoingMail
    from tests.worker import wait_until

    prefix, mails = context
    start = time.perf_counter()
    services.dispatch(services.queue_many(mails))
    rows = OutgoingMail.objects.filter(kind=OutgoingMail.Kind.NOTIFICATION, key__startswith=prefix)
    wait_until(
        lambda: not rows.pending().exists(),
        timeout=900,
        interval=0.25,
        message=_running["worker"].log,
    )
    seconds = time.perf_counter() - start
    sent = rows.filter(status=OutgoingMail.Status.SENT).count()
    assert sent == MESSAGES, f"only {sent} of {MESSAGES} messages were sent"
    received = _running["smtp"].count_by_recipient()
    assert len(received) == MESSAGES and set(received.values()) == {1}, (
        f"the SMTP server received {sum(received.values())} messages for "
        f"{len(received)} recipients, expected {MESSAGES} once each"
    )
    _runs.append(
        {
            "repetition": len(_runs) + 1,
            "messages": MESSAGES,
            "seconds": round(seconds, 2),
            "messages per second": round(MESSAGES / seconds, 1),
        }
    )
    # Every repetition so far: the report keeps what the last one returns.
    return list(_runs)
