"""URLs of the benchmark server: the API's, plus the framework ceiling.

The ceiling is a bare Django view (no DRF, no database, no cache) answering
a fixed JSON list of a requested size through the same middleware, the same
URL resolver and the same gunicorn workers as the API. Its route comes
first, so it is resolved as cheaply as a route can be: the yardstick errs on
the fast side. Only ``mechanic_shop.settings.bench`` points here.
"""

from functools import lru_cache

import orjson
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import re_path
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from inventory.models import Part

from . import urls as api_urls

DEFAULT_BYTES = 2_000
MAX_BYTES = 1_000_000


@lru_cache(maxsize=8)
def ceiling_items(size: int) -> tuple[dict, ...]:
    """A list of part-like objects whose JSON encoding is exactly ``size``
    bytes (for any size from 60 up): built once per size."""
    filler = {"id": 0, "name": "", "part_number": "", "price": "0.00"}
    items = [filler]
    n = 0
    while True:
        n += 1
        item = {
            "id": n,
            "name": f"Item {n:04d}",
            "part_number": f"CEIL-{n:05d}",
            "price": "12.50",
            "quantity_in_stock": 40,
            "reorder_level": 5,
        }
        if len(orjson.dumps([*items, item])) > size:
            break
        items.insert(-1, item)
    filler["name"] = "x" * (size - len(orjson.dumps(items)))
    assert len(orjson.dumps(items)) == size
    return tuple(items)


def ceiling(request):
    """``?bytes=N``: the same JSON list of N bytes on every call, encoded per
    request with the API's encoder (orjson)."""
    try:
        size = min(max(int(request.GET.get("bytes", DEFAULT_BYTES)), 60), MAX_BYTES)
    except ValueError:
        size = DEFAULT_BYTES
    return HttpResponse(orjson.dumps(list(ceiling_items(size))), content_type="application/json")


def ceiling_redis(request):
    """The ceiling plus one Redis round trip (a GET of one key, through the
    cache's client as every request's throttle count goes): what the
    cheapest answer that must consult the shared cache can reach."""
    caches["throttle"].get("bench:ceiling-redis")
    return ceiling(request)


class PlainPartSerializer(serializers.ModelSerializer):
    class Meta:
        model = Part
        fields = ["id", "name", "part_number", "price", "quantity_in_stock", "reorder_level"]


class PlainDRFList(generics.ListAPIView):
    """A calibration point, not the API: a plain DRF ListAPIView over a flat
    10-row table (ModelSerializer, the project's renderer, authentication and
    throttles; no pagination, no filters), the "about 0.3 of the ceiling"
    the issue quotes."""

    queryset = Part.objects.order_by("id")
    serializer_class = PlainPartSerializer
    permission_classes = [AllowAny]
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return super().get_queryset()[:10]


urlpatterns = [
    re_path(r"^bench/ceiling/?$", ceiling, name="bench-ceiling"),
    re_path(r"^bench/ceiling-redis/?$", ceiling_redis, name="bench-ceiling-redis"),
    re_path(r"^bench/plain-drf/?$", PlainDRFList.as_view(), name="bench-plain-drf"),
    *api_urls.urlpatterns,
]

handler400 = api_urls.handler400
handler403 = api_urls.handler403
handler404 = api_urls.handler404
handler500 = api_urls.handler500
