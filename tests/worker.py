"""Fixtures for the tests that need real processes (a pytest plugin, loaded
by the root conftest):

* ``worker``: a Celery worker process (with beat) on Redis and the test
  database, started by ``worker.start()``. Its tests are marked ``worker``
  and skipped unless WORKER_TESTS=1 (the CI step of .ci/run runs them, with
  CELERY_TASK_ALWAYS_EAGER=false so that the test's process publishes).
* ``smtp_server``: a real SMTP server (aiosmtpd) on 127.0.0.1, which the
  test's own process (eager tasks) and the worker both send to. It keeps
  what it received in ``.messages``; a recipient in ``.refuse`` is refused
  with a 550.
"""

import email
import email.policy
import os
import shutil
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

WORKER_ONLY = pytest.mark.skipif(
    os.environ.get("WORKER_TESTS") != "1",
    reason="needs Redis and a database a worker process can share (WORKER_TESTS=1)",
)


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def wait_for_port(port: int, *, open_: bool, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                is_open = True
        except OSError:
            is_open = False
        if is_open == open_:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} did not {'open' if open_ else 'close'}")


class OwnRedis:
    """A redis-server child process of the test's own on ``port``, to stop
    and start again without touching the one the rest of the suite uses."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server, on loopback
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, open_=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
            wait_for_port(self.port, open_=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, received: list, refuse: set):
        self.received = received
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(message)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self):
        self.messages: list = []
        self.refuse: set[str] = set()
        self.port = free_port()
        self._controller = Controller(
            _Handler(self.messages, self.refuse), hostname="127.0.0.1", port=self.port
        )

    def environment(self) -> dict[str, str]:
        """The settings a worker process needs to send here."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; this process's mail goes to it."""
    server = SmtpServer()
    server._controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server._controller.stop()


def _test_database_url() -> str:
    """DATABASE_URL with the name of the database pytest-django made."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


class Worker:
    def __init__(self, tmp_path, extra_env: dict[str, str]):
        self.tmp_path = tmp_path
        self.extra_env = extra_env
        self.process = None
        self.log_path = tmp_path / "worker.log"
        self._log = self.log_path.open("ab")

    def start(self, **env):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mechanic_shop.settings.test",
            "DATABASE_URL": _test_database_url(),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EVENT_SWEEP_EVERY_SECONDS": "1",
            "EVENT_SWEEP_AFTER_SECONDS": "2",
            "WEBHOOK_SWEEP_EVERY_SECONDS": "1",
            "MAIL_SWEEP_EVERY_SECONDS": "1",
            "MAIL_SWEEP_AFTER_SECONDS": "2",
            **self.extra_env,
            **env,
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mechanic_shop",
                "worker",
                "-B",
                "--concurrency=2",
                "--loglevel=warning",
                f"--schedule={self.tmp_path / 'beat-schedule'}",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        """What the worker processes have logged so far."""
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def restart(self, **env):
        self.stop()
        self.start(**env)


@pytest.fixture
def worker(request, tmp_path):
    """A worker process, started by ``worker.start()``; with the
    ``smtp_server`` fixture it mails there."""
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "run with CELERY_TASK_ALWAYS_EAGER=false"
    extra = {}
    if "smtp_server" in request.fixturenames:
        extra = request.getfixturevalue("smtp_server").environment()
    running = Worker(tmp_path, extra)
    yield running
    running.stop()
    running._log.close()
