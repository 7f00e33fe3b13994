from decimal import Decimal
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from mechanic_shop.api import response_cache
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


def part_take_stock(*, part_id: int, quantity: int, now=None) -> bool:
    """Take ``quantity`` of a part from stock in one guarded UPDATE (never
    below zero, whatever else runs); False, and nothing changes, when there
    are not that many. Runs in the caller's transaction; the cached catalog
    is made stale when it commits, as any save of a part does
    (inventory.apps). The statement is built once: on the add-part path,
    building the queryset cost more than running it."""
    when = connection.ops.adapt_datetimefield_value(now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_take_stock_sql(connection.vendor), [quantity, when, part_id, quantity])
        taken = cursor.rowcount
    if taken:
        response_cache.bump_on_commit("inventory")
    return bool(taken)


@lru_cache(maxsize=4)
def _take_stock_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    table = q(Part._meta.db_table)
    stock, updated, pk = (
        q(Part._meta.get_field(name).column) for name in ("quantity_in_stock", "updated_at", "id")
    )
    # Only quoted names from the model are interpolated; values are parameters.
    return (
        f"UPDATE {table} SET {stock} = {stock} - %s, {updated} = %s "  # noqa: S608
        f"WHERE {pk} = %s AND {stock} >= %s"
    )
