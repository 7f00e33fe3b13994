"""List counts that are computed once per change of what they count.

A paginated answer carries ``count``, the size of the whole filtered list:
on a table of a million tickets that is a scan of an index per request.
``cached_count`` keeps each count (per caller scope and filter query) in the
cache under a namespace's generation, like the response cache does: a write
that can change which rows a list holds bumps the generation (after its
transaction commits), and the next request counts again. Writes that only
change what a row shows (a total, a line) do not.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from . import response_cache

# Query parameters that page or order a list without changing its size.
NOT_FILTERS = frozenset({"page", "page_size", "limit", "offset", "cursor", "ordering"})


def count_key(scope: str, query_params) -> str:
    """Who is asking (``scope``) and the filters of the request, in a
    stable order."""
    filters = sorted(
        (name, values) for name, values in query_params.lists() if name not in NOT_FILTERS
    )
    raw = f"{scope}|{filters!r}"
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def cached_count(queryset, *, namespace: str, key: str) -> int:
    """``queryset.count()``, from the cache while the namespace's generation
    is the one it was counted in."""
    entry_key = f"count:{namespace}:{key}"
    current, value = response_cache.lookup(namespace, entry_key)
    if value is not None:
        return value
    value = queryset.count()
    cache.set(entry_key, (current, value), settings.COUNT_CACHE_TIMEOUT)
    return value
