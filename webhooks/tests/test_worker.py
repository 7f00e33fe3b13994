"""The real thing: a Celery worker process (with beat) on Redis and the
MariaDB test database delivers to a receiver on 127.0.0.1, which checks the
signature. Run by the CI step of .ci/run (WORKER_TESTS=1, with
CELERY_TASK_ALWAYS_EAGER=false so that this process publishes to Redis);
skipped elsewhere."""

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from mechanic_shop.celery import app as celery_app

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("WORKER_TESTS") != "1",
        reason="needs Redis and a database a worker process can share (WORKER_TESTS=1)",
    ),
]

NEW_CUSTOMER = {
    "name": "Rosa Diaz",
    "email": "rosa@example.com",
    "phone": "555-0102",
    "password": "s3cure-Garage-pass",
}


def _test_database_url() -> str:
    """DATABASE_URL with the name of the database pytest-django made."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


class Worker:
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.process = None

    def start(self):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mechanic_shop.settings.test",
            "DATABASE_URL": _test_database_url(),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EVENT_SWEEP_EVERY_SECONDS": "1",
            "EVENT_SWEEP_AFTER_SECONDS": "2",
            "WEBHOOK_SWEEP_EVERY_SECONDS": "1",
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
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


@pytest.fixture
def worker(tmp_path):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "run with CELERY_TASK_ALWAYS_EAGER=false"
    running = Worker(tmp_path)
    yield running
    running.stop()


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_delivers_a_signed_event(anon, worker, endpoint, receiver):
    worker.start()
    assert anon.post("/customers/", NEW_CUSTOMER).status_code == 201
    assert wait_for(lambda: receiver.received), "nothing delivered"
    assert receiver.types() == ["customer.created"]
    assert receiver.refused == []


def test_a_worker_down_at_commit_delivers_once_it_starts(anon, worker, endpoint, receiver):
    assert anon.post("/customers/", NEW_CUSTOMER).status_code == 201
    time.sleep(1)
    assert receiver.received == []  # queued in Redis, nobody to take it
    worker.start()
    assert wait_for(lambda: receiver.received), "nothing delivered"
    assert receiver.types() == ["customer.created"]


def test_a_broker_unreachable_at_commit_is_made_good_by_the_sweep(
    anon, worker, endpoint, receiver, monkeypatch
):
    worker.start()
    # This process's broker is a port nobody listens on: the commit cannot
    # queue the dispatch. The worker, on the real Redis, sweeps it up.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setattr(celery_app.conf, "broker_write_url", None)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    started = time.monotonic()
    assert anon.post("/customers/", NEW_CUSTOMER).status_code == 201
    assert time.monotonic() - started < 5  # the request did not wait on the broker
    assert wait_for(lambda: receiver.received), "the sweep delivered nothing"
    assert receiver.types() == ["customer.created"]
    monkeypatch.undo()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
