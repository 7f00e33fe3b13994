"""Recording events (in the caller's transaction) and dispatching them (after
it commits, at least once)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Event
from .signals import event_dispatched

logger = logging.getLogger(__name__)

# A resource's name in an event, where its model's name is not the API's.
RESOURCE_NAMES = {"serviceticket": "ticket"}
PURGE_BATCH = 1_000
SWEEP_BATCH = 1_000


def event_record(*, type: str, resource, data: dict) -> Event:
    """Write the event ``type`` of ``resource`` (a model instance) with
    ``data``, its API representation, in the caller's transaction, and queue
    its dispatch for when that commits: a rolled-back change leaves no
    event, a committed one always has its event."""
    name = resource._meta.model_name
    event = Event.objects.create(
        type=type,
        resource_type=RESOURCE_NAMES.get(name, name),
        resource_id=str(resource.pk),
        data=data,
    )
    transaction.on_commit(lambda: event_publish(event_id=event.pk))
    return event


def event_publish(*, event_id) -> None:
    """Queue the dispatch of an event (run in the process without a
    broker). A broker that cannot be reached is not waited on: the event
    stays undispatched and the sweep dispatches it."""
    from .tasks import event_dispatch

    try:
        event_dispatch.delay(str(event_id))
    except Exception:  # kombu's connection errors are not one class
        logger.warning("event %s not queued; the sweep will dispatch it", event_id, exc_info=True)


@transaction.atomic
def event_dispatch(*, event_id) -> bool:
    """Hand an event to the integrations (``event_dispatched``) and mark it
    dispatched, once: the row is locked and a dispatched event is left
    alone, so a task that runs twice, or next to the sweep, does nothing
    the second time. False when there was nothing to do."""
    event = Event.objects.select_for_update().filter(pk=event_id, dispatched_at=None).first()
    if event is None:
        return False
    event_dispatched.send(sender=Event, event=event)
    event.dispatched_at = timezone.now()
    event.save(update_fields=["dispatched_at"])
    return True


def events_sweep(*, now=None) -> int:
    """Dispatch the events still undispatched ``EVENT_SWEEP_AFTER_SECONDS``
    after they were written: those whose commit found the broker or the
    worker down. Oldest first; the number dispatched."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EVENT_SWEEP_AFTER_SECONDS)
    waiting = (
        Event.objects.filter(dispatched_at=None, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(event_dispatch(event_id=pk) for pk in list(waiting))


def events_purge(*, now=None) -> int:
    """Delete the events older than ``EVENT_RETENTION_DAYS`` (with what the
    integrations keep of them), a batch per transaction; the number
    deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EVENT_RETENTION_DAYS)
    deleted = 0
    while True:
        batch = list(
            Event.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not batch:
            return deleted
        with transaction.atomic():
            Event.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
