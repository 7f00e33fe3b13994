"""A Redis found unreachable is not waited on again for a few seconds.

Every Redis call that meets a dead or partitioned server waits out its socket
timeout (``REDIS_SOCKET_TIMEOUT``, a quarter of a second) before the caller
falls back: the response cache misses, the throttles count in process memory.
A request makes several such calls (its throttle, a list's count, a write's
cache invalidation), and a sync worker serves one request at a time, so a
partition would turn every request into a wait of a second or more.

:class:`FailFastRetry` is the redis-py ``Retry`` policy of the connections
(``CONNECTION_POOL_KWARGS``, see ``settings.base.cache_config``), so it sees
every connect and every command of every client, scripts and pipelines
included, over any transport. When one times out, or fails again on a fresh
connection (refused, reset), the process marks Redis unreachable for
``REDIS_UNREACHABLE_SECONDS``; until then every call fails at once with a
``ConnectionError``, which the callers already handle as an outage. The first
call after that window tries the server again: one wait per window and
process, instead of one per call.

This module is imported by the settings: it reads Django's settings only when
a call fails.
"""

import logging
import time

from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

DEFAULT_UNREACHABLE_SECONDS = 5.0
TIMEOUTS = (RedisTimeoutError, TimeoutError)  # redis-py's, and a socket's

# Monotonic time until which Redis counts as unreachable in this process.
_unreachable_until = 0.0


def unreachable() -> bool:
    return time.monotonic() < _unreachable_until


def mark_unreachable() -> None:
    from django.conf import settings

    global _unreachable_until
    seconds = getattr(settings, "REDIS_UNREACHABLE_SECONDS", DEFAULT_UNREACHABLE_SECONDS)
    if not unreachable():
        logger.warning("Redis unreachable: not asked again for %s s", seconds)
    _unreachable_until = time.monotonic() + seconds


def reset() -> None:
    """Forget a failure (tests)."""
    global _unreachable_until
    _unreachable_until = 0.0


class FailedFast(RedisConnectionError):
    """Raised without trying while Redis counts as unreachable."""


def log_outage(logger: logging.Logger, message: str, error: Exception) -> None:
    """Log a fallback with its traceback, except for the calls that failed
    at once inside the window (the failure that opened it was logged):
    one line per outage window, not one per request."""
    if not isinstance(error, FailedFast):
        logger.warning(message, exc_info=True)


class SkipFailedFast(logging.Filter):
    """For django-redis's log of the errors it ignores: the same rule as
    :func:`log_outage`."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, FailedFast):
                return False
            error = error.__cause__ or error.__context__
        return True


class FailFastRetry(Retry):
    """The retry policy described above. A timeout is not retried (a retry
    would wait a second timeout) and opens the window at once. Any other
    connection error is retried once, straight away: a pooled connection
    that Redis closed (a restart, an idle timeout) fails once and then
    reconnects, and only a failed reconnect opens the window."""

    def __init__(self):
        super().__init__(NoBackoff(), 1)

    def call_with_retry(self, do, fail, is_retryable=None, with_failure_count=False):
        if unreachable():
            raise FailedFast("Redis was found unreachable moments ago")
        failures = 0
        while True:
            try:
                return do()
            except self._supported_errors as error:
                if is_retryable and not is_retryable(error):
                    raise
                failures += 1
                if with_failure_count:
                    fail(error, failures)
                else:
                    fail(error)
                if failures > self._retries or isinstance(error, TIMEOUTS):
                    mark_unreachable()
                    raise
