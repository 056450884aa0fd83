"""A letter to 1,000 recipients through a real Celery worker, on the configured database and broker.

Timed: from the send button's service (``letter_send``) until every copy in the outbox is marked
sent. The worker (prefork, two processes, as ``make run`` starts it) renders each personalised
copy and writes it with the file email backend into a temporary folder. The recipients are
created before each repetition, untimed; the worker is started once and stopped after the last
repetition.
"""

import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench.registry import benchmark

RECIPIENTS = 1000
REFERENCE = "BENCH/LETTER/1000"
_running: dict = {}


def _start_worker():
    from tests.worker import WorkerProcess, private_broker

    folder = Path(tempfile.mkdtemp(prefix="wrc-bench-letters-"))
    stack = ExitStack()
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    broker = stack.enter_context(private_broker(folder))
    worker = WorkerProcess(
        broker=broker,
        smtp=None,
        log_dir=folder,
        env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(folder / "sent-email"),
        },
        pool="prefork",
        concurrency=2,
    )
    stack.callback(worker.stop)
    worker.start(timeout=60)
    _running.update(worker=worker, stack=stack)


def _remove_previous_letter():
    from correspondence.models import Letter
    from directory.models import Organisation, Person
    from outbox.models import OutgoingMail

    OutgoingMail.objects.filter(letter__reference=REFERENCE).delete()
    Letter.objects.filter(reference=REFERENCE).delete()
    Person.objects.filter(organisation__name="Benchmark recipients").delete()
    Organisation.objects.filter(name="Benchmark recipients").delete()


def make_letter() -> int:
    from correspondence.models import Letter
    from directory.models import Forum, Organisation, Person

    if not _running:
        _start_worker()
    _remove_previous_letter()
    organisation = Organisation.objects.create(name="Benchmark recipients")
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Recipient {n}",
            email=f"recipient{n}@example.org",
            organisation=organisation,
            preferred_language="cy" if n % 5 == 0 else "en",
        )
        for n in range(RECIPIENTS)
    )
    letter = Letter.objects.create(
        forum=Forum.default(),
        reference=REFERENCE,
        date="2025-01-30",
        sender_name="Jane Hutt AS/MS",
        subject_en="Support for social media misinformation",
        subject_cy="Cymorth ar gyfer camwybodaeth ar y cyfryngau cymdeithasol",
        body_en="I am writing to let you know we stand in solidarity with you.\n\n" * 20,
        body_cy="Rwy'n ysgrifennu i roi gwybod i chi ein bod yn sefyll gyda chi.\n\n" * 20,
        welsh_language_statement_en="We welcome receiving correspondence in Welsh.",
        welsh_language_statement_cy="Rydym yn croesawu derbyn gohebiaeth yn Gymraeg.",
        audience=Letter.Audience.PEOPLE,
        status=Letter.Status.DRAFT,
    )
    letter.recipient_people.set(people)
    return letter.pk


def stop_worker():
    if _running:
        _running.pop("stack").close()
        _running.clear()
    _remove_previous_letter()


@benchmark(
    f"letters: send to {RECIPIENTS:,} recipients through the worker",
    setup=make_letter,
    repeat=3,
    atomic=False,
    teardown=stop_worker,
)
def send_letter(letter_pk):
    from correspondence.models import Letter
    from correspondence.sending import letter_mails, letter_send
    from outbox.models import OutgoingMail
    from tests.worker import wait_until

    letter_send(letter=Letter.objects.get(pk=letter_pk))
    mails = letter_mails(letter_pk)
    wait_until(
        lambda: not mails.pending().exists(),
        timeout=900,
        interval=0.25,
        message=_running["worker"].log,
    )
    sent = mails.filter(status=OutgoingMail.Status.SENT).count()
    assert sent == RECIPIENTS, f"only {sent} of {RECIPIENTS} copies were sent"
