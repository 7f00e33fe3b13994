"""Rate limits whose counters live in the shared Django cache.

DRF's stock throttles keep a list of timestamps and rewrite it with a
read-modify-write, so two server processes can both read "4 of 5" and both
let a request through. These use a fixed window counter instead: the cache's
``incr`` is a single atomic INCR in Redis, so every process sharing Redis
enforces one exact limit.

When the shared cache is unreachable, each process falls back to a counter of
its own (process-local memory): limits keep holding per process (a client
gets at most ``limit x processes``) instead of failing open, and the API stays
up. See README, "Reliability". The rest of a request that found Redis
unreachable here does not wait on it again: for a few seconds every Redis
call fails at once (mechanic_shop.redis_retry), and the response cache
misses.
"""

import logging
import math

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework import throttling
from rest_framework.settings import api_settings

from mechanic_shop.redis_retry import log_outage

from .redis_scripts import redis_client, registered

logger = logging.getLogger(__name__)

# Process-local counters used only while the shared cache is down.
_fallback_cache = LocMemCache("throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})

INCR_WITH_EXPIRY = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


RATE_LIMITS_ATTR = "_rate_limits"


def record_rate_limit(request, *, limit: int, remaining: int, reset: int) -> None:
    """Note a counted limit on the request, for the ``X-RateLimit-*``
    headers (``RateLimitHeadersMiddleware``). Kept on Django's request, so
    the middleware finds it under DRF's wrapper too and on every answer the
    view builds itself (a cached hit, an error page)."""
    http_request = getattr(request, "_request", request)
    limits = getattr(http_request, RATE_LIMITS_ATTR, None)
    if limits is None:
        limits = []
        setattr(http_request, RATE_LIMITS_ATTR, limits)
    limits.append((remaining, -reset, limit))


def closest_rate_limit(request) -> tuple[int, int, int] | None:
    """``(limit, remaining, reset)`` of the limit this request came closest
    to: the fewest requests remaining, then the longest wait."""
    limits = getattr(request, RATE_LIMITS_ATTR, None)
    if not limits:
        return None
    remaining, negative_reset, limit = min(limits)
    return limit, remaining, -negative_reset


class FixedWindowRateThrottle(throttling.SimpleRateThrottle):
    cache_alias = "throttle"

    def get_rate(self):
        # Read at request time (not import time) so tests and settings
        # overrides change the rates.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        # One counter per client and window, expiring with it.
        now = self.timer()
        window = int(now // self.duration)
        self.key = f"{ident}:{window}"
        self.retry_after = max(1, math.ceil((window + 1) * self.duration - now))
        count = self._count_hit()
        record_rate_limit(
            request,
            limit=self.num_requests,
            remaining=max(0, self.num_requests - count),
            reset=self.retry_after,
        )
        return count <= self.num_requests

    def wait(self):
        return self.retry_after

    def _count_hit(self) -> int:
        try:
            return self._incr(caches[self.cache_alias])
        except Exception as error:  # the shared cache is down: degrade, never fail the request
            log_outage(logger, "throttle cache unavailable, counting in process memory", error)
            return self._incr(_fallback_cache)

    def _incr(self, cache) -> int:
        client = redis_client(cache)
        if client is not None:
            return self._incr_redis(cache, client)
        try:
            return cache.incr(self.key)
        except ValueError:
            pass
        # First hit of the window. add() is atomic: of racing processes only
        # one creates the counter, the others increment it.
        if cache.add(self.key, 1, self.duration + 1):
            return 1
        return cache.incr(self.key)

    def _incr_redis(self, cache, client) -> int:
        """One round trip: INCR, and on the window's first hit EXPIRE, in a
        Lua script run by its SHA (django-redis's ``incr`` sends a script's
        text on every call and checks the key first). Errors propagate to
        _count_hit."""
        return int(
            registered(client, INCR_WITH_EXPIRY)(
                keys=[cache.make_key(self.key)], args=[self.duration + 1]
            )
        )


class AnonRateThrottle(FixedWindowRateThrottle):
    """Anonymous clients, by IP address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"throttle:anon:{self.get_ident(request)}"


class UserRateThrottle(FixedWindowRateThrottle):
    """Authenticated users, by user id."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return f"throttle:user:{request.user.pk}"


class LoginRateThrottle(FixedWindowRateThrottle):
    """Login attempts per client IP *and* email: every attempt counts, failed
    or not. Keyed by both, so one person hammering a login does not lock out
    the colleagues who share the shop's IP address."""

    scope = "login"

    def get_cache_key(self, request, view):
        try:
            email = request.data.get("email", "")
        except AttributeError:  # a JSON body that is not an object
            email = ""
        email = str(email).strip().lower()[:254]
        return f"throttle:login:{self.get_ident(request)}:{email}"
