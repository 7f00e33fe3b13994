"""The real thing: a Celery worker process (with beat) on Redis and the
MariaDB test database delivers to a receiver on 127.0.0.1, which checks the
signature. Run by the CI step of .ci/run (WORKER_TESTS=1, with
CELERY_TASK_ALWAYS_EAGER=false so that this process publishes to Redis);
skipped elsewhere."""

import time

import pytest

from mechanic_shop.celery import app as celery_app
from tests.worker import WORKER_ONLY, OwnRedis, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), WORKER_ONLY]

NEW_CUSTOMER = {
    "name": "Rosa Diaz",
    "email": "rosa@example.com",
    "phone": "555-0102",
    "password": "s3cure-Garage-pass",
}


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
    _use_broker(monkeypatch, "redis://127.0.0.1:9/0")
    started = time.monotonic()
    assert anon.post("/customers/", NEW_CUSTOMER).status_code == 201
    assert time.monotonic() - started < 5  # the request did not wait on the broker
    assert wait_for(lambda: receiver.received), "the sweep delivered nothing"
    assert receiver.types() == ["customer.created"]
    monkeypatch.undo()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_redis():
    """A Redis of the test's own, the broker only: stopped and started again."""
    server = OwnRedis()
    yield server
    server.stop()


def _use_broker(monkeypatch, url):
    monkeypatch.setattr(celery_app.conf, "broker_url", url)
    monkeypatch.setattr(celery_app.conf, "broker_write_url", None)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)


def test_redis_stopped_at_commit_is_made_good_by_the_sweep_once_it_returns(
    anon, worker, endpoint, receiver, private_redis, monkeypatch
):
    private_redis.start()
    _use_broker(monkeypatch, private_redis.url)
    worker.start(CELERY_BROKER_URL=private_redis.url)
    time.sleep(3)  # the worker connected and beat running
    private_redis.stop()

    started = time.monotonic()
    assert anon.post("/customers/", NEW_CUSTOMER).status_code == 201
    assert time.monotonic() - started < 5  # the request did not wait on the broker
    time.sleep(2)
    assert receiver.received == []

    private_redis.start()  # the same port: the worker and beat reconnect
    assert wait_for(lambda: receiver.received, seconds=60), (
        "nothing delivered after Redis came back"
    )
    assert receiver.types() == ["customer.created"]
    monkeypatch.undo()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
