from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from events.representations import part_data
from events.services import event_record
from mechanic_shop.api import response_cache
from mechanic_shop.errors import Conflict

from .models import Part

DUPLICATE = {"part_number": ["A part with this part number already exists."]}


def part_create(
    *, name: str, part_number: str, price: Decimal, quantity_in_stock: int, reorder_level: int = 0
) -> Part:
    try:
        with transaction.atomic():
            return Part.objects.create(
                name=name,
                part_number=part_number,
                price=price,
                quantity_in_stock=quantity_in_stock,
                reorder_level=reorder_level,
            )
    except IntegrityError:
        raise ValidationError(DUPLICATE)


def part_update(*, part: Part, **changes) -> Part:
    """Edit a catalog entry. The stock is locked while it is rewritten, so a
    stock correction cannot interleave with a ticket taking parts."""
    try:
        with transaction.atomic():
            locked = Part.objects.select_for_update().get(pk=part.pk)
            for field, value in changes.items():
                setattr(locked, field, value)
            locked.save()
    except IntegrityError:
        raise ValidationError(DUPLICATE)
    return locked


@transaction.atomic
def part_delete(*, part: Part) -> None:
    """A part used on any ticket stays in the catalog (409)."""
    if part.ticket_lines.exists():
        raise Conflict("This part is used on service tickets and cannot be deleted.")
    part.delete()


def part_take_stock(*, part_id: int, quantity: int, now=None) -> bool:
    """Take ``quantity`` of a part from stock in one guarded UPDATE (never
    below zero, whatever else runs); False, and nothing changes, when there
    are not that many. Runs in the caller's transaction; the cached catalog
    is made stale when it commits, as any save of a part does
    (inventory.apps)."""
    taken = Part.objects.filter(pk=part_id, quantity_in_stock__gte=quantity).update(
        quantity_in_stock=F("quantity_in_stock") - quantity, updated_at=now or timezone.now()
    )
    if taken:
        response_cache.bump_on_commit("inventory")
        # part.low_stock once, on the take that crosses the reorder level:
        # at or below it now, above it before (one read, under the row lock
        # the caller holds).
        # Compared here, not in SQL: reorder_level - quantity can go below
        # zero, out of range for MariaDB's unsigned columns.
        part = Part.objects.get(pk=part_id)
        if part.quantity_in_stock <= part.reorder_level < part.quantity_in_stock + quantity:
            event_record(type="part.low_stock", resource=part, data=part_data(part))
    return bool(taken)
