"""The ``Idempotency-Key`` header of every POST and PATCH, inside DRF's
dispatch (the design: ``idempotency.services``)."""

import logging
from contextlib import contextmanager
from functools import partial

from django.db import DatabaseError, transaction
from django.http import HttpResponse
from rest_framework import exceptions, status

from . import services

logger = logging.getLogger(__name__)

HEADER_META = "HTTP_IDEMPOTENCY_KEY"


class IdempotencyKeyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being handled: retry shortly."
    default_code = "idempotency_key_in_progress"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was first sent with another method, path or body: "
        "use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


def is_stored(response) -> bool:
    """An answer to keep: a success or a 4xx. A 5xx, or a 429 (come back
    later), says nothing of the request: a retry should try it again."""
    return response.status_code < 500 and response.status_code != status.HTTP_429_TOO_MANY_REQUESTS


@contextmanager
def key_errors():
    """The services' refusals of a key as their HTTP answers."""
    try:
        yield
    except services.KeyInProgress as exc:
        raise IdempotencyKeyInProgress from exc
    except services.KeyReused as exc:
        raise IdempotencyKeyReused from exc


def replay(row) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status_code)
    for name, value in row.headers.items():
        response[name] = value
    response[services.REPLAYED_HEADER] = "true"
    return response


class IdempotencyKeyMixin:
    """Mixed into every API view that takes POST or PATCH (``ShopViewSet``,
    the token doors). A keyed request is claimed once authentication,
    permissions and throttles have run (``initial``), then its handler runs
    inside the transaction that stores its answer: DRF's dispatch calls the
    method's handler from the instance after ``initial``, so the handler is
    replaced there, on the instance (as a viewset's ``as_view`` sets its
    handlers). A request without the header runs as if there were no mixin.
    """

    # False on the token doors: their answers are credentials, never stored
    # at rest (nor a digest of a body holding a password); the header is
    # checked and every attempt answered afresh.
    idempotency_stores_answers = True

    def initial(self, request, *args, **kwargs):
        keyed = request.method in services.METHODS and HEADER_META in request.META
        body = b""
        if keyed and self.idempotency_stores_answers:
            # Before anything parses it (a throttle may read the data); the
            # middleware has capped it at REQUEST_BODY_MAX_BYTES.
            body = request._request.body
        super().initial(request, *args, **kwargs)
        if not keyed:
            return
        try:
            key = services.key_check(request.META[HEADER_META])
        except services.KeyInvalid as exc:
            raise exceptions.ValidationError({services.HEADER: [str(exc)]}) from exc
        method = request.method.lower()
        handler = getattr(self, method, None) if method in self.http_method_names else None
        if handler is None or not self.idempotency_stores_answers:
            return  # a 405 is answered as always
        claim = services.request_claim(
            user=request.user,
            key=key,
            method=request.method,
            path=request.get_full_path(),
            body=body,
        )
        with key_errors():
            inserted, answered = services.key_claim(claim=claim)
        if answered is not None:
            setattr(self, method, lambda *args, **kwargs: replay(answered))
        else:
            setattr(self, method, partial(self._handle_keyed, handler, claim, inserted))

    def _handle_keyed(self, handler, claim, inserted, request, *args, **kwargs):
        """The handler, its answer stored in the same transaction; run again
        when that transaction was a deadlock's victim (services docstring)."""
        for attempt in range(1, services.DEADLOCK_ATTEMPTS + 1):
            try:
                with key_errors(), transaction.atomic():
                    row = services.key_lock(claim=claim, inserted=inserted)
                    if row.answered:  # by the request that held the lock
                        return replay(row)
                    response = self._idempotent_answer(handler, request, *args, **kwargs)
                    if is_stored(response) and not transaction.get_rollback():
                        services.key_answer(
                            row=row,
                            status_code=response.status_code,
                            body=response.content,
                            headers=response.headers,
                        )
                        return response
                    transaction.set_rollback(True)
            except Exception as exc:
                if services.is_deadlock(exc) and attempt < services.DEADLOCK_ATTEMPTS:
                    inserted = True  # the row is this request's: wait for its lock
                    continue
                if not isinstance(exc, (IdempotencyKeyInProgress, IdempotencyKeyReused)):
                    self._release(claim)
                raise
            self._release(claim)
            return response

    def _idempotent_answer(self, handler, request, *args, **kwargs):
        """The handler's answer as DRF's dispatch would make it, rendered."""
        try:
            response = handler(request, *args, **kwargs)
        except Exception as exc:
            if services.is_deadlock(exc):
                raise
            response = self.handle_exception(exc)
        response = self.finalize_response(request, response, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        return response

    @staticmethod
    def _release(claim):
        try:
            services.key_release(claim=claim)
        except DatabaseError:  # unreachable: the claim lapses by itself (CLAIM_LEASE)
            logger.warning("idempotency key not released", exc_info=True)
