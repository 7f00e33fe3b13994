"""Cached GET answers that are never stale after a write.

A cached answer is keyed by the caller's role and the full absolute URL
(scheme, host, path and query string: the ``next`` links inside the body
depend on all of them), and stored with its namespace's *generation*. A write
bumps the generation of every namespace it affects, after its transaction
commits, so the next read sees an older generation on the entry, misses and
recomputes.

Why generations rather than deleting keys: a namespace holds one entry per
query string and role, which cannot be listed cheaply in Redis; one atomic
INCR invalidates them all, across every server process. A hit costs one
round trip: the generation and the entry are read together (MGET).
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


def bump(*namespaces: str) -> None:
    """Make every cached answer of these namespaces stale."""
    for namespace in namespaces:
        key = _generation_key(namespace)
        try:
            cache.incr(key)
        except ValueError:  # no counter yet: nothing can be cached under it
            cache.add(key, time.time_ns() // 1000, timeout=None)


def bump_on_commit(*namespaces: str) -> None:
    transaction.on_commit(partial(bump, *namespaces))


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


class CachedListMixin:
    """For a viewset whose ``list`` (or listed actions) may be cached.

    ``cache_namespace`` names what the list shows; the models it shows call
    :func:`invalidate_on_change` (or a service calls :func:`bump_on_commit`).
    """

    cache_namespace: str

    def cached_response(self, request, namespace: str, build):
        if not getattr(settings, "RESPONSE_CACHE_ENABLED", True):
            return build()
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
        cache.set(key, (current, body), settings.RESPONSE_CACHE_TIMEOUT)
        return _json_response(body, hit=False)

    def list(self, request, *args, **kwargs):
        return self.cached_response(
            request,
            self.cache_namespace,
            lambda: super(CachedListMixin, self).list(request, *args, **kwargs),
        )
