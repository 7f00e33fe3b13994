import uuid

from django.db import models
from django.utils import timezone


class OutboundEmail(models.Model):
    """An email the shop sends (approval links, reminders, documents): the
    outbox row written in the transaction of the change that asks for it,
    sent by the worker after it commits (mail.services)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # What it is (approval_link, appointment_reminder, estimate, invoice):
    # what its outcome means is the sender's business (mail.signals).
    kind = models.CharField(max_length=40)
    # A sender's own name for "this email, once": queueing it again returns
    # the first and sends nothing more.
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    # Rendered by the worker when it sends (mail.attachments), from these.
    attachment = models.CharField(max_length=40, blank=True)
    attachment_args = models.JSONField(default=dict, blank=True)
    ticket = models.ForeignKey(
        "tickets.ServiceTicket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the sweep takes a pending email: shortly after its commit (should
    # the dispatch never arrive), then after each failed try's delay.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "email"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="mail_due_idx"),
            models.Index(fields=["ticket", "kind", "created_at"], name="mail_ticket_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject!r} ({self.status})"
