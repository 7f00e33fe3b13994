from decimal import Decimal

from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from mechanic_shop.api.exceptions import Conflict

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
