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

A cached answer is served inside DRF's dispatch, like any other: the view's
``list`` (or a cached action) calls :meth:`CachedListMixin.cached_response`
once DRF's ``initial()`` has authenticated the caller, checked the
permissions, counted the throttles and negotiated the content type. A hit
then costs one Redis round trip of its own (the generation and the entry,
read together; the throttle's count is another) and no database query: none
at all for an anonymous caller, only the authentication's lookup of the
caller's user otherwise. When Redis is unreachable every read misses and
nothing is stored; the answer is computed as if uncached.
"""

import hashlib
import logging
import time
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from drf_orjson_renderer.renderers import ORJSONRenderer
from redis.exceptions import RedisError

from mechanic_shop.redis_retry import log_outage

from .redis_scripts import redis_client, registered

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
    user = request.user
    if user is None or not user.is_authenticated:
        return "anonymous"
    return user.role


def response_key(namespace: str, request, per_user_roles=frozenset()) -> str:
    """The entry of ``request``'s answer: its role and full URL, and the
    caller's user id too when its role is one of ``per_user_roles`` (the
    answer is then that caller's own, as a customer's tickets are)."""
    url = request.build_absolute_uri()
    caller = _role(request)
    if caller in per_user_roles:
        caller = f"{caller}:{request.user.pk}"
    digest = hashlib.blake2b(f"{caller}|{url}".encode(), digest_size=16).hexdigest()
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


def cached_response(request, namespace: str, build, *, per_user_roles=frozenset()):
    """The cached answer to ``request`` in ``namespace``, else the response
    of ``build()``, stored when it is a 200. Called from a view's action, so
    DRF has already authenticated, permitted, throttled and negotiated this
    request."""
    if not getattr(settings, "RESPONSE_CACHE_ENABLED", True):
        return build()
    key = response_key(namespace, request, per_user_roles)
    # The generation is read before the answer is computed: a write
    # committing meanwhile bumps it, so this answer is stored as stale.
    current, body = lookup(namespace, key)
    if body is not None:
        return _json_response(body, hit=True)
    response = build()
    if response.status_code != 200:
        return response
    body = _renderer.render(response.data)
    cache.set(key, (current, body), settings.RESPONSE_CACHE_TIMEOUT)
    return _json_response(body, hit=False)


class CachedListMixin:
    """For a viewset whose ``list`` may be cached; another GET action is
    cached by answering through :meth:`cached_response`.

    ``cache_namespace`` names what the list shows; the models it shows call
    :func:`invalidate_on_change` (or a service calls :func:`bump_on_commit`).
    """

    cache_namespace: str
    # The roles whose answers are each caller's own (keyed by user too).
    cache_per_user_roles: frozenset[str] = frozenset()

    def cached_response(self, request, namespace: str, build):
        return cached_response(request, namespace, build, per_user_roles=self.cache_per_user_roles)

    def list(self, request, *args, **kwargs):
        return self.cached_response(
            request,
            self.cache_namespace,
            lambda: super(CachedListMixin, self).list(request, *args, **kwargs),
        )
