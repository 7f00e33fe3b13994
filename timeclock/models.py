from django.conf import settings
from django.db import models


class TimeEntry(models.Model):
    """A mechanic's time on one job of a repair order, from clock-in to
    clock-out (``ended_at`` empty while the clock runs).

    ``minutes`` is computed by the model whenever it is saved with an end
    (clock-out, a correction, ``ticket_clock_out_all``): the whole minutes
    between start and end, rounded down; empty while open. Reports add up
    the exact times, not these minutes.

    ``open_mechanic`` is the mechanic while the entry is open and empty once
    it is closed, and it is unique: the database itself refuses a second
    open entry of one mechanic. MariaDB has no partial index (a unique
    index on ``mechanic WHERE ended_at IS NULL``); a unique index on a
    nullable column says the same there and on SQLite, since both let any
    number of rows hold NULL.
    """

    mechanic = models.ForeignKey(
        "mechanics.Mechanic", on_delete=models.PROTECT, related_name="time_entries"
    )
    ticket = models.ForeignKey(
        "tickets.ServiceTicket", on_delete=models.CASCADE, related_name="time_entries"
    )
    job = models.ForeignKey("tickets.Job", on_delete=models.CASCADE, related_name="time_entries")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    open_mechanic = models.OneToOneField(
        "mechanics.Mechanic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="open_time_entry",
        help_text="The mechanic while the entry is open; empty once closed (unique).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "time entries"
        indexes = [
            models.Index(fields=["mechanic", "started_at"], name="time_entry_mechanic_idx"),
            models.Index(fields=["started_at", "id"], name="time_entry_started_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True, open_mechanic=models.F("mechanic"))
                | models.Q(ended_at__isnull=False, open_mechanic__isnull=True),
                name="time_entry_open_mechanic",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gt=models.F("started_at")),
                name="time_entry_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mechanic} on job #{self.job_id} from {self.started_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.open_mechanic_id = self.mechanic_id if self.ended_at is None else None
        self.minutes = entry_minutes(self.started_at, self.ended_at)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "open_mechanic", "minutes", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


def entry_minutes(started_at, ended_at) -> int | None:
    """Whole minutes from start to end, rounded down; None while open."""
    if ended_at is None:
        return None
    return max(int((ended_at - started_at).total_seconds() // 60), 0)


class TimeEntryCorrection(models.Model):
    """An admin's correction of a time entry: who, when, and the entry's
    times before and after. Written by ``timeclock.services`` only, never
    changed."""

    entry = models.ForeignKey(TimeEntry, on_delete=models.CASCADE, related_name="corrections")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField()
    after = models.JSONField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Correction of time entry #{self.entry_id} at {self.at:%Y-%m-%d %H:%M}"
