from django.db import models
from django.utils import timezone


class SyncedType(models.TextChoices):
    TICKET = "ticket", "service ticket"
    CUSTOMER = "customer", "customer"
    VEHICLE = "vehicle", "vehicle"
    PART = "part", "part"


class Tombstone(models.Model):
    """A deleted record a mirror must drop: which kind, its id, when. Kept
    ``SYNC_TOMBSTONE_DAYS`` days (``purge_tombstones``)."""

    type = models.CharField(max_length=16, choices=SyncedType.choices)
    object_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deleted_at", "id"]
        indexes = [
            models.Index(fields=["deleted_at", "id"], name="tombstone_deleted_idx"),
            models.Index(fields=["type", "deleted_at", "id"], name="tombstone_type_idx"),
        ]

    def __str__(self):
        return f"{self.type} {self.object_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"
