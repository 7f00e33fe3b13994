"""Outages: Redis stopped while serving, the database unreachable.

Redis: a redis-server of the test's own (port 8821, no persistence), killed
and restarted mid-test. Reads and writes keep answering without a 5xx (the
response cache is bypassed); the throttles fall back to counting in each
process's memory (the deliberate choice: limits still hold per process, the
API stays up) and go back to Redis when it returns.

Database: wherever the error surfaces (a DRF view, the admin, a
middleware), a connection error answers a JSON 503 with Retry-After and no
traceback. On MariaDB, the real thing: the connection goes through a TCP
relay of the test's own; the relay is stopped (nothing listens: every
request answers 503), then started again, and the API recovers by itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time

import pytest
from django.db import OperationalError, connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.test import APIClient

from conftest import client_for, mysql_only
from mechanic_shop.settings.base import cache_config
from tests.factories import PASSWORD, AdminFactory, CustomerFactory, MechanicFactory, PartFactory
from tests.worker import OwnRedis, wait_for_port

REDIS_PORT = 8821
RELAY_PORT = 8831
# How long a Redis found unreachable is left alone (short, so that the
# tests see it come back).
UNREACHABLE_SECONDS = 0.2


class OutageRedis(OwnRedis):
    def start(self, *, past_window: bool = True) -> None:
        super().start()
        if past_window:  # a process that found it unreachable tries again after it
            time.sleep(UNREACHABLE_SECONDS + 0.05)


def use_redis_at(settings, port: int) -> None:
    """Both cache aliases on the test's own port, exactly as production
    configures them, with a short unreachable window."""
    settings.CACHES = cache_config(f"redis://127.0.0.1:{port}/0")
    settings.REDIS_UNREACHABLE_SECONDS = UNREACHABLE_SECONDS


@pytest.fixture
def own_redis(settings):
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is needed for the Redis outage tests")
        pytest.skip("redis-server not installed")
    server = OutageRedis(REDIS_PORT)
    server.start()
    use_redis_at(settings, REDIS_PORT)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }

    return set_rates


def throttle_fallback_counters():
    from mechanic_shop.api import throttles

    return throttles._fallback_cache


@pytest.fixture(autouse=True)
def _empty_fallback_counters():
    throttle_fallback_counters().clear()
    yield
    throttle_fallback_counters().clear()


@pytest.mark.django_db
def test_reads_and_writes_keep_working_when_redis_stops(own_redis):
    anon = APIClient()
    mechanic = MechanicFactory()
    staff = client_for(mechanic.user)
    customer = CustomerFactory()
    part = PartFactory(quantity_in_stock=5)

    assert anon.get("/inventory/")["X-Cache"] == "MISS"
    assert anon.get("/inventory/")["X-Cache"] == "HIT"  # the cache is on our Redis

    own_redis.stop()
    started = time.monotonic()
    answers = {
        "list": anon.get("/inventory/"),
        "detail": anon.get(f"/inventory/{part.pk}/"),
        "create": staff.post(
            "/inventory/",
            {"name": "Fuse", "part_number": "F-9", "price": "1.00", "quantity_in_stock": 2},
        ),
        "update": staff.patch(f"/inventory/{part.pk}/", {"price": "3.00"}),
        "mechanics": staff.get("/mechanics/"),
        "login": anon.post(
            "/customers/login/", {"email": customer.user.email, "password": PASSWORD}
        ),
        "ticket": staff.post(
            "/service-tickets/",
            {
                "customer_id": customer.pk,
                "vin": "1HGCM82633A004352",
                "service_date": "2026-03-01",
                "service_desc": "Brakes",
            },
        ),
    }
    elapsed = time.monotonic() - started
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {
        "list": 200,
        "detail": 200,
        "create": 201,
        "update": 200,
        "mechanics": 200,
        "login": 200,
        "ticket": 201,
    }
    assert answers["list"]["X-Cache"] == "MISS"  # bypassed, not served stale
    assert anon.get(f"/inventory/{part.pk}/").json()["price"] == "3.00"
    assert elapsed < 10, "a dead Redis must not stall requests"

    own_redis.start()
    assert anon.get("/inventory/")["X-Cache"] == "MISS"
    assert anon.get("/inventory/")["X-Cache"] == "HIT"  # back on Redis by itself


@pytest.mark.django_db
def test_a_cached_read_tries_a_dead_redis_once(own_redis, monkeypatch):
    """Found unreachable by the request's first Redis call (its throttle's
    count), Redis is not tried again for that request (the throttle counts in
    process memory; the cache read that follows fails at once, inside the
    window of mechanic_shop.redis_retry, and misses): a Redis that times out
    costs one call's timeouts (redis-py's own retries included), not one per
    use."""
    import traceback

    anon = APIClient()
    assert anon.get("/inventory/")["X-Cache"] == "MISS"
    own_redis.stop()
    attempts = []  # per connection attempt to Redis: made by the throttle's count?
    connect = socket.socket.connect

    def counting_connect(sock, address):
        if address[1:2] == (REDIS_PORT,):
            attempts.append(
                any(
                    frame.name == "allow_request" and frame.filename.endswith("throttles.py")
                    for frame in traceback.extract_stack()
                )
            )
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", counting_connect)
    response = anon.get("/inventory/")
    assert (response.status_code, response["X-Cache"]) == (200, "MISS")
    assert attempts and all(attempts), attempts
    assert len(throttle_fallback_counters()._cache) == 1  # counted locally


@pytest.mark.django_db
def test_without_redis_throttles_count_per_process_then_return_to_redis(own_redis, rates):
    """The documented choice: limits keep holding (in each process's memory)
    while Redis is down, and the shared count resumes when it is back."""
    rates(anon="3/min")
    anon = APIClient()

    own_redis.stop()
    statuses = [anon.get("/inventory/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(throttle_fallback_counters()._cache) > 0  # counted locally

    own_redis.start()
    throttle_fallback_counters().clear()
    statuses = [anon.get("/inventory/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(throttle_fallback_counters()._cache) == 0  # counted on Redis again


@pytest.mark.django_db
def test_login_throttle_still_holds_without_redis(own_redis):
    customer = CustomerFactory()
    anon = APIClient()
    own_redis.stop()
    statuses = [
        anon.post(
            "/customers/login/", {"email": customer.user.email, "password": "wrong"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]


class Blackhole:
    """A partitioned Redis as a client meets it: the port accepts
    connections and then never answers, so every call waits out its socket
    timeout. Counts the connections made to it."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.accepted.append(self.listener.accept()[0])

    def close(self) -> None:
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def partitioned_redis(settings):
    hole = Blackhole()
    use_redis_at(settings, hole.port)
    try:
        yield hole
    finally:
        hole.close()


@pytest.fixture
def staff_and_customer(db):
    """Made before the partition: their saves bump cached answers in Redis."""
    return client_for(MechanicFactory().user), CustomerFactory()


# This test's window: long enough for its five requests to run inside it on
# a busy machine (0.2 s was not, now and then).
PARTITION_WINDOW = 2.0


@pytest.mark.django_db
def test_a_partitioned_redis_is_waited_on_once_per_window(
    staff_and_customer, partitioned_redis, caplog, settings
):
    """Each Redis call into a partition waits its socket timeout. The first
    one that does marks Redis unreachable for the process: the calls that
    follow (throttles, cached reads, list counts, invalidation after a
    write) fail at once, and the API answers without Redis. After the window
    one call tries the server again."""
    settings.REDIS_UNREACHABLE_SECONDS = PARTITION_WINDOW
    anon = APIClient()
    staff, customer = staff_and_customer

    first = anon.get("/inventory/")
    assert (first.status_code, first["X-Cache"]) == (200, "MISS")
    assert len(partitioned_redis.accepted) == 1  # the one wait
    assert any(r.exc_info for r in caplog.records)  # logged, with the cause
    caplog.clear()

    answers = [
        anon.get("/inventory/").status_code,
        staff.get("/service-tickets/").status_code,
        staff.get("/mechanics/popular/").status_code,
        staff.post(
            "/service-tickets/",
            {
                "customer_id": customer.pk,
                "vin": "1HGCM82633A004352",
                "service_date": "2026-03-01",
                "service_desc": "Brakes",
            },
        ).status_code,
        staff.get("/service-tickets/").status_code,
    ]
    assert answers == [200, 200, 200, 201, 200]
    assert len(partitioned_redis.accepted) == 1  # no call waited again
    assert len(throttle_fallback_counters()._cache) > 0  # counted in process memory
    assert not [r for r in caplog.records if r.exc_info]  # no traceback per call

    time.sleep(PARTITION_WINDOW + 0.05)
    assert anon.get("/inventory/").status_code == 200
    assert len(partitioned_redis.accepted) == 2  # tried again once, after the window
    assert anon.get("/inventory/").status_code == 200
    assert len(partitioned_redis.accepted) == 2


@pytest.mark.django_db
def test_a_restarted_redis_is_used_again_at_once(own_redis):
    """The pooled connections to a Redis that restarted are closed: the
    next call reconnects at once, without marking Redis unreachable."""
    anon = APIClient()
    assert anon.get("/inventory/")["X-Cache"] == "MISS"
    own_redis.stop()
    own_redis.start(past_window=False)
    assert anon.get("/inventory/")["X-Cache"] == "MISS"  # the restart emptied it
    assert anon.get("/inventory/")["X-Cache"] == "HIT"
    assert len(throttle_fallback_counters()._cache) == 0  # counted on Redis throughout


@pytest.mark.parametrize(
    ("errors", "answered", "marked"),
    [
        ([], True, False),
        ([RedisConnectionError("reset")], True, False),  # a broken connection: retried
        ([RedisConnectionError("reset"), RedisConnectionError("refused")], False, True),
        ([RedisTimeoutError("timeout")], False, True),  # never retried
        ([TimeoutError("timeout")], False, True),  # a socket timeout
    ],
)
def test_fail_fast_retry_policy(errors, answered, marked):
    """One immediate retry of a connection error, none of a timeout; a call
    that fails for good opens the window, and inside it nothing is tried."""
    from mechanic_shop.redis_retry import FailedFast, FailFastRetry, unreachable

    pending, failed, tried = list(errors), [], []

    def do():
        tried.append(1)
        if pending:
            raise pending.pop(0)
        return "answer"

    retry = FailFastRetry()
    if answered:
        assert retry.call_with_retry(do, failed.append) == "answer"
    else:
        with pytest.raises(type(errors[-1])):
            retry.call_with_retry(do, failed.append)
    assert failed == errors  # each failure handed to redis-py (it closes the connection)
    assert unreachable() is marked
    if marked:
        with pytest.raises(FailedFast):
            retry.call_with_retry(do, failed.append)
        assert len(tried) == len(errors)  # not tried inside the window


def test_django_redis_logs_no_traceback_for_a_call_that_failed_fast():
    """django-redis logs each error it ignores; inside the window those are
    the fast failures, dropped like the API's own (settings.LOGGING)."""
    import logging

    from django_redis.exceptions import ConnectionInterrupted

    from mechanic_shop.redis_retry import FailedFast, SkipFailedFast

    def record(error):
        try:
            try:
                raise error
            except Exception as cause:
                raise ConnectionInterrupted(connection=None) from cause
        except ConnectionInterrupted:
            import sys

            return logging.LogRecord("django_redis", 40, __file__, 1, "x", None, sys.exc_info())

    assert not SkipFailedFast().filter(record(FailedFast("window")))
    assert SkipFailedFast().filter(record(ConnectionRefusedError("first")))


# -- the database -------------------------------------------------------------


def connection_refused() -> OperationalError:
    return OperationalError(2003, "Can't connect to MySQL server on '127.0.0.1' (111)")


class FailingMiddleware:
    """Stands for any middleware that reaches the database (sessions, auth)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/inventory/"):
            raise connection_refused()
        return self.get_response(request)


def assert_database_unavailable(response) -> None:
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "The service is temporarily unavailable, please retry shortly.",
        "code": "database_unavailable",
    }
    assert b"Traceback" not in response.content and b"OperationalError" not in response.content


@pytest.mark.django_db
def test_database_error_in_a_drf_view_is_a_json_503(monkeypatch):
    from rest_framework.settings import api_settings

    client = client_for(MechanicFactory().user)

    def down(self, validated_token):
        raise connection_refused()

    # The JWT authentication in use (a subclass of simplejwt's) loads the user.
    authentication = api_settings.DEFAULT_AUTHENTICATION_CLASSES[0]
    monkeypatch.setattr(authentication, "get_user", down)
    assert_database_unavailable(client.get("/service-tickets/"))


@pytest.mark.django_db
def test_database_error_in_the_admin_is_a_json_503(monkeypatch, admin_user):
    from django.contrib.sessions.backends.db import SessionStore

    client = APIClient(raise_request_exception=False)
    client.force_login(admin_user)

    def down(self):
        raise connection_refused()

    monkeypatch.setattr(SessionStore, "load", down)
    assert_database_unavailable(client.get("/admin/"))


@pytest.mark.django_db
def test_database_error_in_a_middleware_is_a_json_503(settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "mechanic_shop.tests.test_outages.FailingMiddleware",
    ]
    client = APIClient(raise_request_exception=False)
    assert_database_unavailable(client.get("/inventory/"))


@pytest.mark.django_db
def test_other_server_errors_stay_a_plain_json_500(settings):
    class Boom(Exception):
        pass

    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "mechanic_shop.tests.test_outages.BoomMiddleware"]
    client = APIClient(raise_request_exception=False)
    response = client.get("/inventory/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
    assert "Retry-After" not in response


class BoomMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError("boom")


class TcpRelay:
    """Forwards 127.0.0.1:``port`` to the real database server. stop() closes
    the listener and every relayed connection: from then on nothing listens
    on the port, as when the database host is down."""

    def __init__(self, port: int, upstream: tuple[str, int]):
        self.port, self.upstream = port, upstream
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self, *, past_window: bool = True) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        wait_for_port(self.port, open_=True)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets = []
        wait_for_port(self.port, open_=False)


@pytest.fixture
def database_through_relay():
    """The test's database connection, re-routed through a relay it owns."""
    settings_dict = connection.settings_dict
    upstream = (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 3306))
    relay = TcpRelay(RELAY_PORT, upstream)
    relay.start()
    saved = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", RELAY_PORT
    try:
        yield relay
    finally:
        relay.stop()
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = saved


@mysql_only()
@pytest.mark.django_db(transaction=True)
def test_database_down_answers_503_then_recovers_by_itself(database_through_relay):
    relay = database_through_relay
    mechanic = MechanicFactory()
    staff = client_for(mechanic.user)
    anon = APIClient(raise_request_exception=False)
    admin_session = APIClient(raise_request_exception=False)
    admin_session.force_login(AdminFactory())
    assert staff.get("/service-tickets/").status_code == 200
    assert connection.settings_dict["PORT"] == RELAY_PORT

    relay.stop()  # the database host is gone: nothing listens any more
    for answer in (
        staff.get("/service-tickets/"),
        staff.post("/inventory/", {"name": "x", "part_number": "x", "price": "1"}),
        anon.get("/inventory/"),
        anon.post("/auth/login/", {"email": "a@b.c", "password": "x"}),
        admin_session.get("/admin/"),
    ):
        assert_database_unavailable(answer)

    relay.start()  # back: no restart, no reconnect by hand
    assert staff.get("/service-tickets/").status_code == 200
    assert anon.get("/inventory/").status_code == 200
    assert admin_session.get("/admin/").status_code == 200
