"""/healthz, /readyz and request ids."""

import io
import json
import logging
import uuid

import pytest
from django.core.cache import caches
from django.db import OperationalError, connections

from mechanic_shop.celery import worker_heartbeat
from mechanic_shop.health import HEARTBEAT_KEY
from mechanic_shop.request_log import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


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


def test_healthz_needs_no_database_no_login_and_is_never_throttled(
    anon, rates, django_assert_num_queries
):
    rates(anon="1/min")
    anon.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    with django_assert_num_queries(0):
        answers = [anon.get("/healthz") for _ in range(3)]
    assert [(a.status_code, a.json()) for a in answers] == [(200, {"status": "ok"})] * 3
    assert "X-RateLimit-Limit" not in answers[-1]


def test_readyz_reports_each_dependency(anon, settings):
    settings.CELERY_BROKER_URL = ""
    response = anon.get("/readyz/")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "broker": "not configured",
        "worker": "not configured",
    }


def test_readyz_is_503_without_the_database_and_names_the_error(anon, monkeypatch, settings):
    # setitem: put back after the test, or every later connection would use it.
    monkeypatch.setitem(settings.DATABASES["default"], "PASSWORD", "s3cret-db-pass")

    def refuse():
        raise OperationalError(2003, "Can't connect (password s3cret-db-pass)")

    monkeypatch.setattr(connections["default"], "ensure_connection", refuse)
    response = anon.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"].startswith("OperationalError")
    assert "s3cret-db-pass" not in response.content.decode()
    assert body["cache"] == "ok"


def test_readyz_names_an_unreachable_broker(anon, settings):
    settings.CELERY_BROKER_URL = "redis://:brokerpass@127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from mechanic_shop.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = anon.get("/readyz")
    finally:
        app.conf.broker_url = None
    assert response.status_code == 200  # background work waits; requests are served
    assert response.json()["broker"] not in ("ok", "not configured")
    assert "brokerpass" not in response.content.decode()


def test_readyz_reads_the_workers_heartbeat(anon, settings):
    # A worker on a broker (not the in-process tasks of a laptop).
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.WORKER_HEARTBEAT_SECONDS = 10
    assert anon.get("/readyz").json()["worker"] == "no worker heartbeat in the last 30 s"

    worker_heartbeat()  # what beat has a worker run

    assert anon.get("/readyz").json()["worker"] == "ok"
    # Stale after three beats: the key is gone, as if it had expired.
    caches["default"].delete(HEARTBEAT_KEY)
    assert anon.get("/readyz").json()["worker"].startswith("no worker heartbeat")


@pytest.mark.parametrize("path", ["/healthz", "/inventory/", "/no-such-page/", "/service-tickets/"])
def test_every_answer_carries_a_new_request_id(anon, path):
    response = anon.get(path)
    assert uuid.UUID(response["X-Request-ID"])
    assert anon.get(path)["X-Request-ID"] != response["X-Request-ID"]


@pytest.mark.parametrize(
    "sent, kept",
    [
        ("abc-123_DEF.9", True),
        ("x" * 200, True),
        ("x" * 201, False),
        ("has space", False),
        ("new\\nline", False),
        ("", False),
    ],
)
def test_a_sane_request_id_from_the_caller_is_kept(anon, sent, kept):
    answered = anon.get("/inventory/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert (answered == sent) is kept
    if not kept:
        assert uuid.UUID(answered)


def test_the_log_lines_of_a_request_carry_its_id_as_json(anon):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("mechanic_shop.requests")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        anon.get("/inventory/", HTTP_X_REQUEST_ID="trace-42")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["request_id"] == "trace-42"
    assert entry["message"].startswith("GET /inventory/ 200")
    assert {"time", "level", "logger"} <= entry.keys()


def test_json_lines_hold_a_traceback_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), exc_info=__import__("sys").exc_info()
        )
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] == "-"
    assert "ValueError: boom" in entry["exc_info"]
