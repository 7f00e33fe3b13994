"""Request ids and the shape of log lines.

Every answer carries ``X-Request-ID``: the caller's own when it sends a sane
one (1-200 characters of ``[A-Za-z0-9._-]``), else a new UUID, so a client
and the shop's logs can name the same request. While the request runs the id
sits in a context variable, and every log line of the request carries it
(``RequestIdFilter`` on the handler; ``-`` outside a request). Under
production settings the lines are JSON, one object per event
(``JsonFormatter``).
"""

import contextvars
import json
import logging
import re
import time
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

logger = logging.getLogger("mechanic_shop.requests")


def request_id_for(sent: str | None) -> str:
    """The caller's id when it is sane, else a new one: an id is echoed in
    headers and logs, so nothing else (no newline, no quote) passes."""
    if sent and _SANE_ID.fullmatch(sent):
        return sent
    return str(uuid.uuid4())


class RequestIdMiddleware:
    """Outermost: the id is set before anything else runs and logs, and is
    on every answer, the ones other middleware build (413, redirects)
    included. One INFO line per request (method, path, status, duration)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            return response
        finally:
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each record (``record.request_id``)."""

    def filter(self, record):
        record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger,
    message, the request id, and the traceback when there is one."""

    def format(self, record):
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
