"""Appointments: a customer's vehicle booked into one of the shop's bays for
a stretch of one day's opening hours (the rules: ``appointments.services``)."""

from datetime import timedelta

from django.db import models
from django.db.models import F, Q


class Status(models.TextChoices):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    ARRIVED = "arrived"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled"
    CONVERTED = "converted"


# The appointments that hold a bay.
ACTIVE = (Status.BOOKED, Status.CONFIRMED, Status.ARRIVED)
# Those still ahead of the customer: moved, confirmed, cancelled, reminded.
UPCOMING = (Status.BOOKED, Status.CONFIRMED)

# An appointment lies within one day's opening hours, so none is longer
# than a day (25 hours: the day the clocks go back). The overlap queries
# use it to bound their range on the starts_at index.
MAX_LENGTH = timedelta(hours=25)
CONCERN_MAX = 1000
NOTES_MAX = 4000


class Appointment(models.Model):
    """A booking of a bay: who, which vehicle, what for, when (UTC; the
    opening hours it must lie within are the shop's, in its time zone).
    ``reminded_for`` is the start the reminder was sent for: a moved
    appointment no longer matches it and is reminded again."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="appointments"
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle", on_delete=models.CASCADE, related_name="appointments"
    )
    concern = models.TextField(max_length=CONCERN_MAX, help_text="What the customer comes in for.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    ticket = models.OneToOneField(
        "tickets.ServiceTicket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
        help_text="The estimate the appointment was converted to.",
    )
    notes = models.TextField(max_length=NOTES_MAX, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminded_for = models.DateTimeField(
        null=True, blank=True, help_text="The start the reminder was sent for."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # The list (by start), the capacity sweep and availability (a
            # start range, status read from the index), the reminders.
            models.Index(fields=["starts_at", "status"], name="appointment_start_idx"),
            models.Index(fields=["customer", "status", "ends_at"], name="appointment_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment #{self.pk} {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.status})"
