from django.urls import reverse
from django.utils import timezone

from .selectors import shop_settings


class AdminShopTimeZoneMiddleware:
    """The admin shows and reads times on the shop's own clock (its time
    zone in the shop settings): staff book 09:00 as 09:00, not as the UTC
    the database keeps. The API is not touched: it answers in UTC, with the
    offset, whatever the shop's zone."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        if self._prefix is None:
            self._prefix = reverse("admin:index")
        if not request.path.startswith(self._prefix):
            return self.get_response(request)
        timezone.activate(shop_settings().zone())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
