"""``/healthz`` and ``/readyz``, for the load balancer and the orchestrator.

``/healthz`` says the process answers: no database, no cache, no
authentication, no throttle. ``/readyz`` says whether it can serve: each
dependency is ``ok`` or the error met (its class and message, with any
configured password taken out; no versions), and 503 when the database is
unreachable (the one dependency without which nothing works: a Redis outage
costs speed, see README "Reliability"; a broker outage delays background
work, caught up by the sweep).

Both are left out of the OpenAPI schema on purpose: they are for the
deployment, not for integrators, and answer outside the API's conventions
(no 401, no 429).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

OK = "ok"
NOT_CONFIGURED = "not configured"
_PROBE_KEY = "readyz:probe"
HEARTBEAT_KEY = "worker:heartbeat"


def _secrets() -> list[str]:
    found = [db.get("PASSWORD") for db in settings.DATABASES.values()]
    for url in (getattr(settings, "REDIS_URL", None), getattr(settings, "CELERY_BROKER_URL", "")):
        if url:
            found.append(urlsplit(url).password)
    return [secret for secret in found if secret]


def _error(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}"[:300]
    for secret in _secrets():
        text = text.replace(secret, "***")
    return text


def database_state() -> str:
    connection = connections["default"]
    try:
        connection.ensure_connection()
        if not connection.is_usable():  # a ping on MySQL/MariaDB
            raise ConnectionError("the connection is not usable")
    except Exception as exc:
        try:  # the next request reconnects rather than reuse a broken connection
            connection.close_if_unusable_or_obsolete()
        except Exception:  # noqa: S110 - already broken: dropping it is all we want
            pass
        return _error(exc)
    return OK


def cache_state() -> str:
    # The throttle alias raises on errors; the default one turns them into misses.
    cache = caches["throttle"]
    try:
        cache.set(_PROBE_KEY, 1, 10)
        if cache.get(_PROBE_KEY) != 1:
            raise ConnectionError("a value written was not read back")
    except Exception as exc:
        return _error(exc)
    return OK


def broker_state() -> str:
    if not getattr(settings, "CELERY_BROKER_URL", "") or getattr(
        settings, "CELERY_TASK_ALWAYS_EAGER", False
    ):
        return NOT_CONFIGURED
    from mechanic_shop.celery import app

    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return _error(exc)
    return OK


def heartbeat_write() -> None:
    """The worker's sign of life (mechanic_shop.celery): in the shared cache,
    gone once it is older than a few beats."""
    caches["default"].set(
        HEARTBEAT_KEY, timezone.now().isoformat(), timeout=_heartbeat_stale_after()
    )


def _heartbeat_stale_after() -> int:
    return int(3 * settings.WORKER_HEARTBEAT_SECONDS)


def worker_state() -> str:
    """``ok`` while a worker has written its heartbeat in the last few beats;
    not configured where tasks run in the web process (no broker)."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return NOT_CONFIGURED
    try:
        beat = caches["default"].get(HEARTBEAT_KEY)
    except Exception as exc:
        return _error(exc)
    if beat is None:
        return f"no worker heartbeat in the last {_heartbeat_stale_after()} s"
    return OK


class OperationsView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


@extend_schema(exclude=True)
class HealthView(OperationsView):
    def get(self, request):
        return Response({"status": OK})


@extend_schema(exclude=True)
class ReadyView(OperationsView):
    def get(self, request):
        states = {
            "database": database_state(),
            "cache": cache_state(),
            "broker": broker_state(),
            "worker": worker_state(),
        }
        ready = states["database"] == OK
        return Response(
            states, status=status.HTTP_200_OK if ready else status.HTTP_503_SERVICE_UNAVAILABLE
        )
