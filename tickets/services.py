"""The rules of a service ticket: who works it, which parts it uses.

Every function is one transaction that starts by locking the ticket row, so
changes to one ticket are serialized; stock is only changed with the part's
row locked too (ticket first, then parts in id order, everywhere, so two
transactions never wait on each other in a cycle).
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.http import Http404

from customers.models import Customer
from inventory.models import Part
from mechanic_shop.api.exceptions import Conflict
from mechanics.models import Mechanic

from .models import ServiceTicket, TicketMechanic, TicketPart

MAX_LINE_QUANTITY = 100_000
# Totals are stored with 16 digits, 2 after the point.
MAX_TOTAL = Decimal("99999999999999.99")


def _lock_ticket(ticket: ServiceTicket) -> ServiceTicket:
    return ServiceTicket.objects.select_for_update().get(pk=ticket.pk)


def _lock_part(part: Part) -> Part:
    return Part.objects.select_for_update().get(pk=part.pk)


def _recalculate_parts_total(ticket: ServiceTicket) -> None:
    total = TicketPart.objects.filter(ticket=ticket).aggregate(
        total=Sum(
            ExpressionWrapper(
                F("quantity") * F("unit_price"),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            )
        )
    )["total"]
    if total is not None and total > MAX_TOTAL:
        raise Conflict("The ticket's parts total would exceed what can be recorded.")
    ticket.parts_total = total or 0
    ticket.save(update_fields=["parts_total", "updated_at"])


def _set_mechanics(
    ticket: ServiceTicket, *, add: Iterable[Mechanic] = (), remove: Iterable[Mechanic] = ()
) -> None:
    remove_ids = {m.pk for m in remove}
    if remove_ids:
        # Deleted one by one so each removal is seen by signal receivers.
        for assignment in TicketMechanic.objects.filter(ticket=ticket, mechanic_id__in=remove_ids):
            assignment.delete()
    present = set(
        TicketMechanic.objects.filter(ticket=ticket).values_list("mechanic_id", flat=True)
    )
    for mechanic in add:
        if mechanic.pk not in present and mechanic.pk not in remove_ids:
            TicketMechanic.objects.create(ticket=ticket, mechanic=mechanic)
            present.add(mechanic.pk)


@transaction.atomic
def ticket_create(
    *,
    customer: Customer,
    vin: str,
    service_date,
    service_desc: str,
    mechanics: Iterable[Mechanic] = (),
) -> ServiceTicket:
    ticket = ServiceTicket(
        customer=customer, vin=vin, service_date=service_date, service_desc=service_desc
    )
    ticket.full_clean(exclude=["mechanics"])
    ticket.save()
    _set_mechanics(ticket, add=mechanics)
    return ticket


@transaction.atomic
def ticket_update(
    *, ticket: ServiceTicket, mechanics: Iterable[Mechanic] | None = None, **fields
) -> ServiceTicket:
    """Change the ticket's own fields; ``mechanics``, when given, replaces
    the assigned set."""
    ticket = _lock_ticket(ticket)
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save()
    if mechanics is not None:
        wanted = list(mechanics)
        wanted_ids = {m.pk for m in wanted}
        current = Mechanic.objects.filter(assignments__ticket=ticket)
        _set_mechanics(ticket, add=wanted, remove=[m for m in current if m.pk not in wanted_ids])
    return ticket


@transaction.atomic
def ticket_delete(*, ticket: ServiceTicket) -> None:
    """Delete a ticket; the parts it used go back on the shelf."""
    ticket = _lock_ticket(ticket)
    for line in ticket.part_lines.order_by("part_id"):
        part = _lock_part(line.part)
        part.quantity_in_stock += line.quantity
        part.save(update_fields=["quantity_in_stock", "updated_at"])
    for assignment in ticket.assignments.all():
        assignment.delete()
    ticket.delete()


@transaction.atomic
def ticket_assign_mechanic(*, ticket: ServiceTicket, mechanic: Mechanic) -> ServiceTicket:
    """Idempotent: assigning an assigned mechanic changes nothing."""
    ticket = _lock_ticket(ticket)
    _set_mechanics(ticket, add=[mechanic])
    return ticket


@transaction.atomic
def ticket_remove_mechanic(*, ticket: ServiceTicket, mechanic: Mechanic) -> ServiceTicket:
    """Idempotent: removing a mechanic who is not on the ticket changes nothing."""
    ticket = _lock_ticket(ticket)
    _set_mechanics(ticket, remove=[mechanic])
    return ticket


@transaction.atomic
def ticket_edit_mechanics(
    *, ticket: ServiceTicket, add: Iterable[Mechanic], remove: Iterable[Mechanic]
) -> ServiceTicket:
    ticket = _lock_ticket(ticket)
    _set_mechanics(ticket, add=add, remove=remove)
    return ticket


@transaction.atomic
def ticket_add_part(*, ticket: ServiceTicket, part: Part, quantity: int = 1) -> TicketPart:
    """Put ``quantity`` of ``part`` on the ticket and take them from stock.

    The line carries the part's price at this moment; adding a part already on
    the ticket raises that line's quantity (its price stays). Not enough stock
    is a 409 and nothing changes. Safe under concurrent requests: the part row
    is locked while its stock is checked and decremented.
    """
    ticket = _lock_ticket(ticket)
    part = _lock_part(part)
    if part.quantity_in_stock < quantity:
        raise Conflict(
            f"Not enough stock of {part.part_number}: {part.quantity_in_stock} left, "
            f"{quantity} asked.",
            code="insufficient_stock",
            available=part.quantity_in_stock,
        )
    line = TicketPart.objects.filter(ticket=ticket, part=part).first()
    if line is None:
        line = TicketPart(ticket=ticket, part=part, quantity=0, unit_price=part.price)
    if line.quantity + quantity > MAX_LINE_QUANTITY:
        raise Conflict(f"A part line holds at most {MAX_LINE_QUANTITY} units.")
    line.quantity += quantity
    line.save()
    part.quantity_in_stock -= quantity
    part.save(update_fields=["quantity_in_stock", "updated_at"])
    _recalculate_parts_total(ticket)
    return line


@transaction.atomic
def ticket_remove_part(*, ticket: ServiceTicket, part: Part, quantity: int | None = None) -> None:
    """Take ``quantity`` (default: all) of ``part`` off the ticket and put
    them back in stock."""
    ticket = _lock_ticket(ticket)
    line = TicketPart.objects.filter(ticket=ticket, part=part).first()
    if line is None:
        raise Http404("This part is not on this ticket.")
    if quantity is None:
        quantity = line.quantity
    if quantity > line.quantity:
        raise Conflict(
            f"Only {line.quantity} of this part are on the ticket.", available=line.quantity
        )
    part = _lock_part(part)
    if quantity == line.quantity:
        line.delete()
    else:
        line.quantity -= quantity
        line.save(update_fields=["quantity", "updated_at"])
    part.quantity_in_stock += quantity
    part.save(update_fields=["quantity_in_stock", "updated_at"])
    _recalculate_parts_total(ticket)
