"""Every error answers JSON with a stable shape.

* 400: ``{"field": ["message", ...]}`` (DRF's shape), non-field problems under
  ``non_field_errors``.
* Others: ``{"detail": "...", "code": "..."}``, plus extra keys where a
  client can act on them (e.g. a 409 on a ticket names ``status`` and
  ``allowed``).
* A service's domain error (``mechanic_shop.errors``) is mapped here, and
  only here: ``NotFound`` is a 404, ``Conflict`` and ``InvalidState`` a 409.
* A database that cannot be reached answers 503 with ``Retry-After`` instead
  of a traceback; the broken connection is dropped so the next request
  reconnects by itself.
"""

import logging
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError, connections
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from mechanic_shop import errors

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 5


class Conflict(exceptions.APIException):
    """409: the request is valid but clashes with the current state (the
    HTTP face of :class:`mechanic_shop.errors.Conflict`)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"

    def __init__(self, detail=None, code=None, **extra):
        super().__init__(detail, code)
        self.extra = extra


def _from_domain_error(exc: errors.DomainError) -> exceptions.APIException:
    """The HTTP answer of a service's domain error: its message, its code
    and what a client can act on (``extra``)."""
    if isinstance(exc, errors.NotFound):
        found = exceptions.NotFound(exc.message, exc.code)
        found.extra = exc.extra
        return found
    # A conflict, an invalid state, or any other refused business rule.
    return Conflict(exc.message, exc.code, **exc.extra)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable, please retry shortly."
    default_code = "service_unavailable"


def _is_connection_error(exc: Exception) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    # MySQL client codes for "cannot connect" / "server has gone away" /
    # "lost connection"; SQLite "unable to open database file".
    code = exc.args[0] if exc.args else None
    if code in {2002, 2003, 2005, 2006, 2013, 2055, 1040, 1053}:
        return True
    return "unable to open database" in str(exc)


def database_unavailable_response() -> dict:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # already broken: dropping it is all we want
            logger.debug("closing a broken connection failed", exc_info=True)
    return {
        "detail": ServiceUnavailable.default_detail,
        "code": "database_unavailable",
    }


def exception_handler(exc, context):
    if isinstance(exc, errors.DomainError):
        exc = _from_domain_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict("This record is still referenced by other records and cannot be deleted.")
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, (OperationalError, InterfaceError)) and _is_connection_error(exc):
        logger.error("database unavailable: %s", exc)
        response = Response(
            database_unavailable_response(), status=status.HTTP_503_SERVICE_UNAVAILABLE
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    if isinstance(exc, exceptions.ValidationError) and not isinstance(exc.detail, dict):
        # ValidationError("message") (DRF's search filter raises one for a NUL
        # byte) would answer a bare list: keep the documented object shape.
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.detail})

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException) and isinstance(response.data, dict):
        if "detail" in response.data and not isinstance(exc, exceptions.ValidationError):
            codes = exc.get_codes()
            if isinstance(codes, str):
                response.data["code"] = codes
        extra = getattr(exc, "extra", None)
        if extra:
            response.data.update(extra)
    return response


# Plain Django views for errors raised outside DRF (unknown URLs, crashes in
# middleware): JSON too, never an HTML page or a traceback.


def json_not_found(request, exception=None):
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def json_server_error(request):
    # Django calls this while handling the exception, so sys.exc_info() is
    # it. A database that cannot be reached from outside a DRF view (the
    # admin, a middleware touching sessions or users) answers the same 503 as
    # inside one, and drops the broken connection so the next request
    # reconnects.
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)) and _is_connection_error(exc):
        response = JsonResponse(database_unavailable_response(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"detail": "Internal server error.", "code": "server_error"}, status=500)


def json_bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)


def json_permission_denied(request, exception=None):
    return JsonResponse(
        {
            "detail": "You do not have permission to perform this action.",
            "code": "permission_denied",
        },
        status=403,
    )
