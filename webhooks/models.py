"""Webhook endpoints, one delivery per event and endpoint, and the log of
every attempt to send it."""

from django.db import models
from django.utils import timezone

from events.models import Event


class Endpoint(models.Model):
    """A URL of an integrator's that hears of the events it subscribes to
    (``event_types``, or ``["*"]`` for every one), signed with ``secret``."""

    url = models.URLField(max_length=2000)
    event_types = models.JSONField(default=list)
    description = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100)
    # Events in a row whose every attempt failed; back to 0 on a success.
    failure_count = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Delivery(models.Model):
    """One event to one endpoint: made once (unique), sent until a 2xx or
    the retry schedule is spent. ``next_attempt_at`` is when it is due, and
    the token a queued send must match (webhooks.services)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # Attempts since it was (re)queued: its place in the retry schedule.
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id} ({self.status})"


class AttemptStatus(models.TextChoices):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class DeliveryAttempt(models.Model):
    """One POST of an event to an endpoint, and what came of it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="+")
    attempt = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=AttemptStatus.choices)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="attempt_newest"),
            models.Index(fields=["endpoint", "-created_at", "-id"], name="attempt_endpoint_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id}, attempt {self.attempt}: {self.status}"
