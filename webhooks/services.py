"""Webhook endpoints and the delivery of events to them.

Every event dispatched (events.services.event_dispatch) makes one delivery
per active endpoint subscribed to its type, in the dispatch's transaction:
a delivery is never made twice (unique event and endpoint). Each is sent by
a task queued on commit; a send that is not a 2xx within
``WEBHOOK_TIMEOUT_SECONDS`` is tried again after each delay of
``WEBHOOK_RETRY_DELAYS`` (the sweep, on beat's schedule, queues what is
due), then given up. ``WEBHOOK_DISABLE_AFTER`` events in a row given up
disable the endpoint.

A queued send carries a token, the delivery's ``next_attempt_at`` when it
was queued; the send claims the delivery only while that still matches, so
a message delivered twice, or queued again by the sweep, sends once. A
claimed delivery is due again after a lease: a worker that died mid-send is
replaced by the sweep (at least once).
"""

import logging
import time
from datetime import datetime, timedelta

import orjson
import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from events.models import Event, EventType

from . import signing
from .addresses import check_url, pinned_session, resolve_checked
from .models import AttemptStatus, Delivery, DeliveryAttempt, DeliveryStatus, Endpoint

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
ERROR_LENGTH = 500


def _lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 50)


# -- endpoints ----------------------------------------------------------------


@transaction.atomic
def endpoint_create(
    *, url: str, event_types: list[str], description: str = "", is_active: bool = True
) -> Endpoint:
    """A new endpoint with a new secret (shown to its creator only)."""
    check_url(url)
    return Endpoint.objects.create(
        url=url,
        event_types=event_types,
        description=description,
        is_active=is_active,
        secret=signing.new_secret(),
    )


@transaction.atomic
def endpoint_update(*, endpoint: Endpoint, **changes) -> Endpoint:
    """Change an endpoint; turning it active again clears its failures."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if "url" in changes:
        check_url(changes["url"])
    for name, value in changes.items():
        setattr(endpoint, name, value)
    if changes.get("is_active"):
        endpoint.failure_count = 0
        endpoint.disabled_reason = ""
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint) -> Endpoint:
    """A new secret; sends from now on are signed with it."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_ping(*, endpoint: Endpoint) -> Event:
    """A ``ping`` event for this endpoint alone (never fanned out)."""
    event = Event.objects.create(
        type=EventType.PING,
        resource_type="webhook_endpoint",
        resource_id=str(endpoint.pk),
        data={"endpoint_id": endpoint.pk, "url": endpoint.url},
        dispatched_at=timezone.now(),
    )
    _queue([Delivery.objects.create(event=event, endpoint=endpoint, **_due_now())])
    return event


# -- deliveries ---------------------------------------------------------------


def _due_now() -> dict:
    return {"next_attempt_at": timezone.now() + _lease()}


def _queue(deliveries) -> None:
    """Send each delivery once the transaction commits (token: its
    ``next_attempt_at`` now)."""
    jobs = [(d.pk, d.next_attempt_at.isoformat()) for d in deliveries]

    def publish():
        from .tasks import delivery_send

        for pk, token in jobs:
            try:
                delivery_send.delay(pk, token)
            except Exception:  # the broker: the sweep sends it once its lease ends
                logger.warning("delivery %s not queued; the sweep will send it", pk, exc_info=True)

    if jobs:
        transaction.on_commit(publish)


def event_fan_out(sender, event: Event, **kwargs) -> None:
    """Receiver of ``events.signals.event_dispatched``: a delivery per
    active endpoint subscribed to the event's type, queued on commit."""
    endpoints = [e for e in Endpoint.objects.filter(is_active=True) if e.subscribes_to(event.type)]
    if not endpoints:
        return
    Delivery.objects.bulk_create(
        [Delivery(event=event, endpoint=e, **_due_now()) for e in endpoints],
        ignore_conflicts=True,
    )
    _queue(Delivery.objects.filter(event=event, status=DeliveryStatus.PENDING, attempts=0))


@transaction.atomic
def event_redeliver(*, event: Event) -> list[Delivery]:
    """Send an event again, from the first attempt of the schedule, to every
    active endpoint subscribed to it (a ``ping`` to its own endpoint)."""
    if event.type != EventType.PING:
        for endpoint in Endpoint.objects.filter(is_active=True):
            if endpoint.subscribes_to(event.type):
                Delivery.objects.get_or_create(event=event, endpoint=endpoint, defaults=_due_now())
    deliveries = list(
        Delivery.objects.select_for_update()
        .filter(event=event, endpoint__is_active=True)
        .order_by("id")
    )
    for delivery in deliveries:
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now() + _lease()
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    _queue(deliveries)
    return deliveries


def _claim(delivery_id: int, token: datetime) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("event", "endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at=token)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = timezone.now() + _lease()
        delivery.save(update_fields=["attempts", "next_attempt_at"])
        return delivery


def _post(endpoint: Endpoint, event: Event) -> tuple[int | None, str]:
    """POST the event; (status code, error), the error empty on a 2xx."""
    body = orjson.dumps(
        {
            "id": str(event.pk),
            "type": event.type,
            "created_at": event.created_at.isoformat(),
            "data": event.data,
        }
    )
    try:
        address = resolve_checked(endpoint.url)
    except ValidationError as refused:
        return None, refused.message_dict["url"][0]
    headers = signing.headers(endpoint.secret, str(event.pk), int(time.time()), body)
    try:
        response = pinned_session(address).post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}"


def delivery_send(*, delivery_id: int, token: str) -> DeliveryAttempt | None:
    """One attempt of a queued delivery (nothing when the token is stale):
    POST it outside any transaction, then log the attempt and schedule the
    next one, give it up, or disable the endpoint."""
    delivery = _claim(delivery_id, datetime.fromisoformat(token))
    if delivery is None:
        return None
    started = time.monotonic()
    status_code, error = _post(delivery.endpoint, delivery.event)
    duration_ms = round((time.monotonic() - started) * 1000)
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery,
            event_id=delivery.event_id,
            endpoint=endpoint,
            attempt=DeliveryAttempt.objects.filter(delivery=delivery).count() + 1,
            status=AttemptStatus.FAILED if error else AttemptStatus.SUCCEEDED,
            status_code=status_code,
            duration_ms=duration_ms,
            error=error,
        )
        delays = settings.WEBHOOK_RETRY_DELAYS
        if not error:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
            if endpoint.failure_count:
                endpoint.failure_count = 0
                endpoint.save(update_fields=["failure_count", "updated_at"])
        elif delivery.attempts <= len(delays):
            delay = timedelta(seconds=delays[delivery.attempts - 1])
            delivery.next_attempt_at = timezone.now() + delay
        else:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            _count_failure(endpoint)
        delivery.save(update_fields=["status", "next_attempt_at"])
    return attempt


def _count_failure(endpoint: Endpoint) -> None:
    endpoint.failure_count = F("failure_count") + 1
    endpoint.save(update_fields=["failure_count", "updated_at"])
    endpoint.refresh_from_db(fields=["failure_count"])
    if endpoint.is_active and endpoint.failure_count >= settings.WEBHOOK_DISABLE_AFTER:
        endpoint.is_active = False
        endpoint.disabled_reason = (
            f"Disabled after {endpoint.failure_count} events in a row failed every attempt."
        )
        endpoint.save(update_fields=["is_active", "disabled_reason", "updated_at"])
        logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, endpoint.disabled_reason)


def deliveries_sweep(*, now=None) -> int:
    """Queue the deliveries due by now (retries, and sends whose lease ran
    out), each with a fresh token; the number queued."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", "next_attempt_at")[:SWEEP_BATCH]
    )
    queued = []
    with transaction.atomic():
        for pk, at in due:
            token = now + _lease()
            moved = Delivery.objects.filter(
                pk=pk, status=DeliveryStatus.PENDING, next_attempt_at=at
            ).update(next_attempt_at=token)
            if moved:
                queued.append(Delivery(pk=pk, next_attempt_at=token))
        _queue(queued)
    return len(queued)
