"""The outbox: what happened in the shop, written in the transaction that
made it happen, dispatched to the integrations once that commits."""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class EventType(models.TextChoices):
    CUSTOMER_CREATED = "customer.created"
    VEHICLE_CREATED = "vehicle.created"
    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    TICKET_STATUS_CHANGED = "ticket.status_changed"
    TICKET_INVOICED = "ticket.invoiced"
    PAYMENT_CREATED = "payment.created"
    PART_LOW_STOCK = "part.low_stock"
    JOB_AUTHORIZED = "job.authorized"
    APPOINTMENT_CREATED = "appointment.created"
    APPOINTMENT_UPDATED = "appointment.updated"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    # A webhook endpoint's test (webhooks), delivered to that endpoint only.
    PING = "ping"


class Event(models.Model):
    """One thing that happened to a resource, with the resource's API
    representation at that moment (``data``). ``dispatched_at`` is set once
    the integrations have taken it (events.services.event_dispatch)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=64, choices=EventType.choices)
    resource_type = models.CharField(max_length=64)
    resource_id = models.CharField(max_length=64)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list, newest first (and the purge, by age).
            models.Index(fields=["-created_at", "-id"], name="event_newest"),
            models.Index(fields=["type", "-created_at", "-id"], name="event_type_newest"),
            # The sweep: not dispatched, oldest first.
            models.Index(fields=["dispatched_at", "created_at"], name="event_undispatched"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.resource_type} {self.resource_id}"
