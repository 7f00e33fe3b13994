from django.conf import settings

from mechanic_shop.api.throttles import FixedWindowRateThrottle


class ApprovalPageThrottle(FixedWindowRateThrottle):
    """Requests to the approval pages per client IP, counted in the shared
    cache like every other limit: a link's token cannot be guessed, and
    this keeps anyone from trying. The rate is ``THROTTLE_APPROVAL``."""

    scope = "approval_page"

    def get_rate(self):
        # Read at request time, so tests and settings overrides change it.
        return settings.THROTTLE_APPROVAL

    def get_cache_key(self, request, view):
        return f"throttle:approval_page:{self.get_ident(request)}"
