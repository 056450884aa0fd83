"""A real Celery worker process and a real SMTP server on loopback, as pytest fixtures.

Registered in tests/conftest.py through ``pytest_plugins``. A test that uses them:

    @pytest.mark.worker
    def test_something(celery_worker_process, smtp_server):
        ...  # enqueue work (it is published after commit), then
        wait_until(lambda: ..., timeout=30)
        assert smtp_server.count_by_recipient() == {...}

- ``smtp_server``: aiosmtpd in a thread on a free loopback port; it records every message and can
  refuse (5xx) or defer (4xx) chosen addresses.
- ``celery_broker``: points this process's Celery app at a private queue (and, for the embedded
  filesystem broker, a private temporary folder), so that parallel runs never take each other's
  tasks. Redis is used when CELERY_BROKER_URL says so.
- ``private_redis``: a ``redis-server`` of the test's own, without persistence, to kill and
  start again empty; ``private_redis_broker`` and ``private_redis_worker`` are the two fixtures
  above on it, whatever the configured broker.
- ``celery_worker_process``: ``celery -A wrc worker`` as a subprocess (solo pool: one process,
  so SIGKILL stops everything at once) on that queue, against the test database (a file for
  SQLite, pytest's test database for PostgreSQL) and sending mail to ``smtp_server``. It uses
  ``transactional_db``: the worker only sees committed rows.
"""

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from wrc.celery import app as celery_app

PROJECT_DIR = Path(__file__).resolve().parent.parent


class WaitTimeout(AssertionError):
    """What a test (or the benchmark) was waiting for did not happen in time."""


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.1, message=""):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds.

    ``message`` (a string, or a callable such as ``worker.log``) explains the failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise WaitTimeout(text or f"Timed out after {timeout} s waiting for {predicate}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The SMTP server -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


class RecordingHandler:
    """aiosmtpd handler: records accepted messages; refuses or defers chosen recipients."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[ReceivedMessage] = []
        self.refused: dict[str, str] = {}  # address → permanent reply, every time
        self.deferred: dict[str, list] = {}  # address → [replies left, reply]
        self.hang_up_after_data = False  # take the message, then drop the line before replying

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            key = address.lower()
            if key in self.refused:
                return self.refused[key]
            deferral = self.deferred.get(key)
            if deferral and deferral[0] > 0:
                deferral[0] -= 1
                return deferral[1]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received = ReceivedMessage(
            envelope.mail_from, tuple(envelope.rcpt_tos), envelope.original_content
        )
        with self.lock:
            self.messages.append(received)
            hang_up = self.hang_up_after_data
        if hang_up:
            server.transport.close()
            return "421 Closing"  # never reaches the client: the line is already closed
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.host, self.port = "127.0.0.1", free_port()
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def count_by_recipient(self) -> Counter:
        return Counter(rcpt.lower() for msg in self.messages for rcpt in msg.rcpt_tos)

    def refuse(self, addresses, reply="550 5.1.1 Mailbox unavailable"):
        with self.handler.lock:
            self.handler.refused.update({address.lower(): reply for address in addresses})

    def defer(self, address, times, reply="451 4.3.0 Try again later"):
        with self.handler.lock:
            self.handler.deferred[address.lower()] = [times, reply]

    def hang_up_after_data(self, value=True):
        """Keep each message but close the connection before saying so (an uncertain send)."""
        with self.handler.lock:
            self.handler.hang_up_after_data = value

    def accept_all(self):
        with self.handler.lock:
            self.handler.refused.clear()
            self.handler.deferred.clear()
            self.handler.hang_up_after_data = False


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()
        # aiosmtpd leaves the thread's event loop set on the main thread in some versions.
        asyncio.set_event_loop(None)


# The broker ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokerConfig:
    url: str
    queue: str
    var_dir: Path  # the worker's WRC_VAR_DIR: holds its filesystem broker folders


@pytest.fixture
def celery_broker(tmp_path_factory):
    """This process's Celery app, publishing to a private queue for the length of one test."""
    with private_broker(tmp_path_factory.mktemp("worker-var")) as config:
        yield config


@contextmanager
def private_broker(var_dir: Path, url: str | None = None):
    """Point this process's Celery app at a private queue (and filesystem broker folder).

    ``url`` names another broker (a private Redis server) for this process and the worker;
    by default it is the configured one.
    """
    queue = f"wrc-test-{uuid.uuid4().hex[:12]}"
    config = BrokerConfig(url or settings.CELERY_BROKER_URL, queue, var_dir)
    keys = ["task_default_queue", "broker_transport_options"]
    if url:
        keys += ["broker_url", "broker_read_url", "broker_write_url", "broker_transport"]
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.task_default_queue = config.queue
    if url:
        # The transport named too: the filesystem broker's setting would otherwise win.
        celery_app.conf.update(
            broker_url=url,
            broker_read_url=url,
            broker_write_url=url,
            broker_transport=url.split("://", 1)[0],
            broker_transport_options={},
        )
    if config.url.startswith("filesystem://"):
        folder = var_dir / "broker"  # the same folders wrc.settings gives the worker
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        celery_app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": settings.CELERY_BROKER_TRANSPORT_OPTIONS["polling_interval"],
        }
    _forget_connections()
    try:
        yield config
    finally:
        _purge(config.queue)
        celery_app.conf.update(saved)
        _forget_connections()


def _forget_connections() -> None:
    """Forget the app's broker pools so that the next publish uses the current options.

    The pools themselves live in kombu's registry, keyed by connection and transport options,
    and are shared: they are not closed here.
    """
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def _purge(queue: str) -> None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
    except Exception:  # noqa: BLE001 - a queue never declared has nothing to purge
        pass


class RedisServer:
    """A private ``redis-server`` on a free loopback port, keeping nothing on disk: killed and
    started again, it comes back empty, as a production Redis without persistence does."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.host, self.port = "127.0.0.1", free_port()
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self, timeout: float = 10.0) -> "RedisServer":
        assert self.process is None, "The Redis server is already running"
        self.starts += 1
        command = [
            "redis-server", "--bind", self.host, "--port", str(self.port),
            "--save", "", "--appendonly", "no", "--dir", str(self.directory),
        ]  # fmt: skip
        log = (self.directory / f"redis-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until(self._answers, timeout=timeout, message=f"redis-server did not start: {command}")
        return self

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise WaitTimeout(f"redis-server exited with {self.process.returncode}")
        try:
            with socket.create_connection((self.host, self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: everything queued on it is gone."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path_factory):
    """A Redis server of this test's own (never the machine's), to kill and start again."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def private_redis_broker(private_redis, tmp_path_factory):
    """Like ``celery_broker``, on ``private_redis``."""
    with private_broker(tmp_path_factory.mktemp("worker-var"), url=private_redis.url) as config:
        yield config


# The worker ------------------------------------------------------------------------------------


def database_url() -> str:
    """The URL of the database this test process uses (pytest's test database)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("A worker needs a file SQLite database (see tests/worker.py).")
        return f"sqlite:///{name}"
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


class WorkerProcess:
    """``celery -A wrc worker`` in a subprocess; start, kill (SIGKILL) and stop it."""

    def __init__(
        self,
        *,
        broker: BrokerConfig,
        smtp: SMTPServer | None,
        log_dir: Path,
        env=None,
        pool: str = "solo",
        concurrency: int = 1,
    ):
        self.broker, self.smtp, self.log_dir = broker, smtp, log_dir
        self.extra_env = dict(env or {})
        self.pool, self.concurrency = pool, concurrency
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "WRC_TEST_DB"}
        env.update(
            DJANGO_SETTINGS_MODULE="wrc.settings",
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=self.broker.url,
            CELERY_TASK_DEFAULT_QUEUE=self.broker.queue,
            WRC_VAR_DIR=str(self.broker.var_dir),
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            DEFAULT_FROM_EMAIL=settings.DEFAULT_FROM_EMAIL,
        )
        if self.smtp is not None:
            env.update(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST=self.smtp.host,
                EMAIL_PORT=str(self.smtp.port),
                EMAIL_USE_TLS="False",
                EMAIL_HOST_USER="",
                EMAIL_HOST_PASSWORD="",
                EMAIL_TIMEOUT="10",
            )
        env.update(self.extra_env)
        return env

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"worker-{self.starts}.log"

    def start(self, timeout: float = 30.0) -> "WorkerProcess":
        assert self.process is None, "The worker is already running"
        self.starts += 1
        command = [
            sys.executable, "-m", "celery", "-A", "wrc", "worker",
            f"--pool={self.pool}", f"--concurrency={self.concurrency}",
            "--hostname", f"{self.broker.queue}-{self.starts}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel=INFO",
        ]  # fmt: skip
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=self.environment(), stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        wait_until(self._ready, timeout=timeout, message=self.log)
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise WaitTimeout(f"The worker exited with {self.process.returncode}:\n{self.log()}")
        return b" ready." in self.log_path.read_bytes()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, wherever it is (mid-SMTP included)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self, timeout: float = 15.0) -> None:
        """A warm shutdown: the current task finishes first."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def celery_worker_env():
    """Extra environment for the worker; override in a test module to change its settings."""
    return {"OUTBOX_RETRY_BASE_SECONDS": "0.2"}


@pytest.fixture
def celery_worker_process(
    transactional_db, celery_broker, smtp_server, celery_worker_env, tmp_path_factory
):
    """A running worker; stopped before the database is flushed at the end of the test."""
    with running_worker(celery_broker, smtp_server, celery_worker_env, tmp_path_factory) as worker:
        yield worker


@pytest.fixture
def private_redis_worker(
    transactional_db, private_redis_broker, smtp_server, celery_worker_env, tmp_path_factory
):
    """Like ``celery_worker_process``, on ``private_redis``."""
    with running_worker(
        private_redis_broker, smtp_server, celery_worker_env, tmp_path_factory
    ) as worker:
        yield worker


@contextmanager
def running_worker(broker, smtp, env, tmp_path_factory):
    worker = WorkerProcess(
        broker=broker, smtp=smtp, log_dir=tmp_path_factory.mktemp("worker-log"), env=env
    )
    worker.start()
    try:
        yield worker
    finally:
        worker.kill()  # the test is over: no need to wait for a warm shutdown


# The test database -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """A file SQLite test database, one per pytest process, when a worker test is collected.

    The worker is a separate process: it cannot open pytest's in-memory database. Other runs keep
    the faster in-memory default; WRC_TEST_DB still names a file explicitly.
    """
    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    if not db["ENGINE"].endswith("sqlite3") or test.get("NAME"):
        return
    if any(item.get_closest_marker("worker") for item in request.session.items):
        folder = Path(settings.VAR_DIR)
        test["NAME"] = str(folder / f"test-{os.getpid()}.sqlite3")


# A broker that cannot be reached ----------------------------------------------------------------


def forget_pools(app):
    """Make the next publish use a pool for the current broker address. The pools live in
    kombu's registry, shared by every app: they are forgotten here, never closed."""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """The broker cannot be reached: publishing a task fails at once."""
    keys = (
        "broker_url",
        "broker_write_url",
        "broker_transport",
        "broker_connection_retry_on_startup",
        "broker_connection_max_retries",
    )
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(
        # A port nothing listens on; the transport named too, as the filesystem broker's
        # setting would otherwise win over the address.
        broker_url="redis://127.0.0.1:1/0",
        broker_write_url="redis://127.0.0.1:1/0",
        broker_transport="redis",
        broker_connection_retry_on_startup=False,
        broker_connection_max_retries=0,
    )
    forget_pools(celery_app)
    yield
    celery_app.conf.update(saved)
    forget_pools(celery_app)
