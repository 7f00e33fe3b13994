"""The tombstones of deleted records, for clients that mirror the shop."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Tombstone


def tombstone_record(*, type: str, object_id: int) -> Tombstone:
    """Note that the record ``type``/``object_id`` was deleted. Called in
    the deleting transaction (a post_delete receiver): a rolled back delete
    leaves no tombstone."""
    return Tombstone.objects.create(type=type, object_id=object_id)


def tombstones_purge(*, now=None) -> int:
    """Delete the tombstones older than ``SYNC_TOMBSTONE_DAYS``; the number
    deleted. A mirror that has not synced for longer must start again from
    a full copy."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SYNC_TOMBSTONE_DAYS)
    deleted, _ = Tombstone.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted
