"""Cached GET answers that are never stale after a write.

A cached answer is keyed by the caller's role and the full absolute URL
(scheme, host, path and query string: the ``next`` links inside the body
depend on all of them), and stored with its namespace's *generation*. A write
bumps the generation of every namespace it affects, after its transaction
commits, so the next read sees an older generation on the entry, misses and
recomputes.

Why generations rather than deleting keys: a namespace holds one entry per
query string and role, which cannot be listed cheaply in Redis; one atomic
INCR invalidates them all, across every server process.

A hit is served before DRF's dispatch (see :meth:`CachedListMixin.as_view`):
the view's own authentication, permission and throttle classes decide as
they would in DRF, and on Redis one round trip counts the throttles and
reads the generation and the entry. Anything else (a miss, a refusal, a
throttled client, an error, an Accept header the API cannot answer) goes
through DRF's ordinary path, which answers exactly as it does uncached.
"""

import hashlib
import logging
import time
from functools import partial, update_wrapper

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from drf_orjson_renderer.renderers import ORJSONRenderer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from mechanic_shop.redis_retry import log_outage

from .redis_scripts import redis_client, registered
from .throttles import (
    PRECOUNTED_ATTR,
    SHARED_CACHE_DOWN_ATTR,
    FixedWindowRateThrottle,
    incr_counter,
)

logger = logging.getLogger(__name__)

_renderer = ORJSONRenderer()


def _generation_key(namespace: str) -> str:
    return f"respgen:{namespace}"


def generation(namespace: str) -> int:
    key = _generation_key(namespace)
    value = cache.get(key)
    if value is None:
        # Start from the clock, never from 0: if the counter was evicted, a
        # restart from a small number could meet entries cached long ago.
        cache.add(key, time.time_ns() // 1000, timeout=None)
        value = cache.get(key)
    return value or 0


# Bumps each generation (KEYS) by one, or starts it from ARGV[1] (the clock)
# when there is none yet; in one round trip for all of them.
BUMP = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('INCR', key)
  else
    redis.call('SET', key, ARGV[1], 'NX')
  end
end
return #KEYS
"""


def bump(*namespaces: str) -> None:
    """Make every cached answer of these namespaces stale: one round trip
    on Redis. When Redis is unreachable the answers already cached stay
    until they expire (RESPONSE_CACHE_TIMEOUT)."""
    keys = [_generation_key(namespace) for namespace in dict.fromkeys(namespaces)]
    if not keys:
        return
    start = time.time_ns() // 1000
    client = redis_client(cache)
    if client is not None:
        try:
            script = registered(client, BUMP)
            script(keys=[cache.make_key(key) for key in keys], args=[start])
        except RedisError as error:  # the write has committed: never fail its answer
            log_outage(logger, "shared cache unreachable: cached answers kept to expiry", error)
        return
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # no counter yet: nothing can be cached under it
            cache.add(key, start, timeout=None)


class _PendingBumps:
    """The namespaces a transaction's writes made stale, bumped together
    once it commits."""

    def __init__(self):
        self.namespaces: dict[str, None] = {}

    def flush(self) -> None:
        bump(*self.namespaces)


_PENDING_ATTR = "_response_cache_pending"


def bump_on_commit(*namespaces: str) -> None:
    """Bump these namespaces once the current transaction commits; every
    namespace of one transaction in a single bump (a ticket with two
    mechanics made five round trips to Redis, one per saved row).

    The namespaces join the bump already waiting on this transaction's
    commit; a bump that a rollback took away (Django drops the callbacks of
    a rolled back transaction or savepoint) is not joined but started
    again. A namespace added inside a savepoint that then rolls back may
    still be bumped with the others: one needless miss, never a stale hit.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # on_commit runs it now
        transaction.on_commit(partial(bump, *namespaces))
        return
    pending = getattr(connection, _PENDING_ATTR, None)
    if pending is None or not any(
        callback[1] == pending.flush for callback in connection.run_on_commit
    ):
        pending = _PendingBumps()
        setattr(connection, _PENDING_ATTR, pending)
        transaction.on_commit(pending.flush)
    pending.namespaces.update(dict.fromkeys(namespaces))


def invalidate_on_change(model, *namespaces: str, when=None) -> None:
    """Bump ``namespaces`` after any save or delete of ``model`` commits
    (the Django admin included)."""

    def handler(sender, instance, **kwargs):
        if when is None or when(instance):
            bump_on_commit(*namespaces)

    uid = f"response_cache:{model._meta.label}:{':'.join(namespaces)}"
    post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid + ":delete")


def _role(request) -> str:
    """The caller's role, as the cache key uses it (``request`` is DRF's or
    the fast path's stand-in)."""
    user = request.user
    if user is None or not user.is_authenticated:
        return "anonymous"
    return user.role


def response_key(namespace: str, request) -> str:
    url = request.build_absolute_uri()
    digest = hashlib.blake2b(f"{_role(request)}|{url}".encode(), digest_size=16).hexdigest()
    return f"resp:{namespace}:{digest}"


def lookup(namespace: str, key: str):
    """The namespace's current generation and the value stored under
    ``key`` (as ``(generation, value)``) if it was computed in that
    generation, else None; in one round trip."""
    generation_key = _generation_key(namespace)
    found = cache.get_many([generation_key, key])
    current = found.get(generation_key)
    if current is None:
        current = generation(namespace)
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return current, entry[1]
    return current, None


def _json_response(body: bytes, hit: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response["X-Cache"] = "HIT" if hit else "MISS"
    # The body depends on the caller's role: no shared HTTP cache may keep it.
    response["Cache-Control"] = "private, no-cache"
    return response


# Counts the throttles' hits (KEYS[1..n], expiries in ARGV), then reads the
# generation (KEYS[n+1]) and the entry (KEYS[n+2]).
COUNT_AND_READ = """
local n = #KEYS - 2
local out = {}
for i = 1, n do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then redis.call('EXPIRE', KEYS[i], ARGV[i]) end
  out[i] = count
end
out[n + 1] = redis.call('GET', KEYS[n + 1]) or false
out[n + 2] = redis.call('GET', KEYS[n + 2]) or false
return out
"""


def _plan(answers, counters):
    """The raw Redis client of the throttle counters and the script, when
    that Redis also holds the cached answers (same server, database and key
    prefix), else None; worked out once per cache object (Django makes one
    per thread)."""
    plan = getattr(counters, "_count_and_read_plan", False)
    if plan is False or plan[0] is not answers:
        client = None
        if (
            hasattr(answers, "_server")
            and hasattr(counters, "_server")
            and answers._server == counters._server
            and answers.key_prefix == counters.key_prefix
        ):
            client = registered(redis_client(counters), COUNT_AND_READ)
        plan = counters._count_and_read_plan = (answers, client)
    return plan[1]


def _count_and_read(throttles, namespace: str, key: str):
    """Count every throttle's hit and read the namespace's generation and the
    entry: ``(counts, generation or None, entry or None)``. One round trip on
    Redis; raises when the cache is unreachable."""
    answers = caches["default"]
    counters = caches[FixedWindowRateThrottle.cache_alias]
    script = _plan(answers, counters)
    generation_key = _generation_key(namespace)
    if script is None:
        counts = [incr_counter(t) for t in throttles]
        found = answers.get_many([generation_key, key])
        return counts, found.get(generation_key), found.get(key)
    keys = [counters.make_key(t.key) for t in throttles]
    keys += [answers.make_key(generation_key), answers.make_key(key)]
    values = script(keys=keys, args=[t.duration + 1 for t in throttles])
    n = len(throttles)
    decode = answers.client.decode
    current, entry = values[n], values[n + 1]
    return (
        [int(c) for c in values[:n]],
        None if current is None else decode(current),
        None if entry is None else decode(entry),
    )


def _acceptable(request) -> bool:
    """True when DRF's negotiation would pick JSON (the only renderer)."""
    accept = request.META.get("HTTP_ACCEPT", "")
    return not accept or "*/*" in accept or "application/json" in accept


def fast_hit(
    view_class, initkwargs: dict, action: str, namespace: str, allow: str, request, kwargs
):
    """The cached answer to ``request`` when DRF would serve it from the
    cache, else None (the caller then runs DRF's ordinary path).

    Authentication, permissions and throttles are the view's own classes,
    applied as DRF applies them; a hit the throttles refuse is left to DRF,
    which answers 429 with the count taken here (no second count).
    """
    if request.method != "GET" or not getattr(settings, "RESPONSE_CACHE_ENABLED", True):
        return None
    if "format" in request.GET or not _acceptable(request):
        return None
    view = view_class(**initkwargs)
    view.action_map = {"get": action}
    view.args, view.kwargs = (), kwargs
    view.format_kwarg = None
    try:
        # DRF's own request wrapper: its .user runs the view's authenticators.
        drf_request = view.request = view.initialize_request(request, **kwargs)
        drf_request.user  # noqa: B018  (authenticates)
        for permission in view.get_permissions():
            if not permission.has_permission(drf_request, view):
                return None
        throttles = []
        for throttle in view.get_throttles():
            if not isinstance(throttle, FixedWindowRateThrottle):
                return None
            if throttle.plan(drf_request, view):
                throttles.append(throttle)
        key = response_key(namespace, drf_request)
        counts, current, entry = _count_and_read(throttles, namespace, key)
    except (RedisConnectionError, RedisTimeoutError) as error:
        # Redis unreachable: DRF's path answers without waiting on it again
        # (the throttles count in process memory, the cache is skipped).
        log_outage(logger, "shared cache unreachable, answering without it", error)
        setattr(request, SHARED_CACHE_DOWN_ATTR, True)
        return None
    except Exception:  # refused, malformed: DRF's path decides
        return None
    setattr(request, PRECOUNTED_ATTR, {t.key: c for t, c in zip(throttles, counts, strict=True)})
    if any(c > t.num_requests for t, c in zip(throttles, counts, strict=True)):
        return None
    if current is None or entry is None or entry[0] != current:
        return None
    response = _json_response(entry[1], hit=True)
    response["Allow"] = allow
    return response


class CachedListMixin:
    """For a viewset whose ``list`` (or listed actions) may be cached.

    ``cache_namespace`` names what the list shows; the models it shows call
    :func:`invalidate_on_change` (or a service calls :func:`bump_on_commit`).
    ``cached_actions`` maps each cached action to its namespace, for the
    fast path; the action itself calls :meth:`cached_response`.
    """

    cache_namespace: str
    cached_actions: dict[str, str] | None = None

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        view = super().as_view(actions, **initkwargs)
        cached = cls.cached_actions or {"list": cls.cache_namespace}
        action = (actions or {}).get("get")
        if action not in cached:
            return view
        namespace = cached[action]
        # DRF's Allow header: the methods this route binds (HEAD with GET).
        probe = cls(**initkwargs)
        for method, bound in {"head": action, **view.actions}.items():
            setattr(probe, method, getattr(probe, bound))
        allow = ", ".join(probe.allowed_methods)

        def cached_view(request, *args, **kwargs):
            response = fast_hit(cls, initkwargs, action, namespace, allow, request, kwargs)
            return response if response is not None else view(request, *args, **kwargs)

        # The router, drf-spectacular and Django read the view's attributes
        # (cls, initkwargs, actions, csrf_exempt): update_wrapper copies them.
        return update_wrapper(cached_view, view)

    def cached_response(self, request, namespace: str, build):
        if not getattr(settings, "RESPONSE_CACHE_ENABLED", True):
            return build()
        # Redis already found unreachable for this request: not asked again.
        cache_down = getattr(request, SHARED_CACHE_DOWN_ATTR, False)
        if not cache_down:
            key = response_key(namespace, request)
            # The generation is read before the answer is computed: a write
            # committing meanwhile bumps it, so this answer is stored as stale.
            current, body = lookup(namespace, key)
            if body is not None:
                return _json_response(body, hit=True)
        response = build()
        if response.status_code != 200:
            return response
        body = _renderer.render(response.data)
        if not cache_down:
            cache.set(key, (current, body), settings.RESPONSE_CACHE_TIMEOUT)
        return _json_response(body, hit=False)

    def list(self, request, *args, **kwargs):
        return self.cached_response(
            request,
            self.cache_namespace,
            lambda: super(CachedListMixin, self).list(request, *args, **kwargs),
        )
