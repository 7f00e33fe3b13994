"""Request-level guards that run before any view parses a body."""

from django.conf import settings
from django.http import JsonResponse

from .throttles import closest_rate_limit


class RequestBodyLimitMiddleware:
    """Refuse bodies larger than ``REQUEST_BODY_MAX_BYTES`` with a JSON 413.

    Django only enforces DATA_UPLOAD_MAX_MEMORY_SIZE when ``request.body`` is
    read; DRF's parsers read the stream directly, so the limit is enforced
    here from Content-Length, before anything is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_BODY_MAX_BYTES
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return JsonResponse(
                {"detail": "Invalid Content-Length header.", "code": "bad_request"}, status=400
            )
        if length > limit:
            return JsonResponse(
                {
                    "detail": f"Request body too large: at most {limit} bytes.",
                    "code": "payload_too_large",
                },
                status=413,
            )
        return self.get_response(request)


class RateLimitHeadersMiddleware:
    """``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (seconds until
    the window ends, like ``Retry-After``) on every answer a rate limit
    counted, from the limit closest to being reached. Set here rather than
    in a view so the answers built outside DRF's response (cached hits,
    429s, the approval pages) carry them as well."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        closest = closest_rate_limit(request)
        if closest is not None:
            limit, remaining, reset = closest
            response["X-RateLimit-Limit"] = str(limit)
            response["X-RateLimit-Remaining"] = str(remaining)
            response["X-RateLimit-Reset"] = str(reset)
        return response
