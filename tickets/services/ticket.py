"""Opening, changing and deleting a ticket."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from customers.models import Customer
from events.representations import ticket_data
from events.services import event_record
from mechanic_shop.errors import InvalidState
from mechanics.models import Mechanic
from shop.selectors import shop_settings
from vehicles.models import Vehicle

from .. import workflow
from ..models import EDITABLE_FIELDS, JobStatus, ServiceTicket
from ..totals import ZERO
from .base import Action, lock_ticket, recalculate_totals, record, require_editable
from .lines import return_part
from .mechanics import set_mechanics
from .vehicle import resolve_vehicle, ticket_mileage_check


@transaction.atomic
def ticket_create(
    *,
    by=None,
    customer: Customer,
    service_date,
    service_desc: str,
    vin: str | None = None,
    vehicle: Vehicle | None = None,
    mechanics: Iterable[Mechanic] = (),
    mileage_in: int | None = None,
    mileage_out: int | None = None,
    discount_type: str = "none",
    discount_value: Decimal = ZERO,
) -> ServiceTicket:
    """Open a repair order (status estimate) for a customer's vehicle, named
    by ``vehicle`` or by ``vin`` (registered for the customer if new). It is
    priced at the shop's tax rates of now, and keeps them."""
    vehicle = resolve_vehicle(customer=customer, vehicle=vehicle, vin=vin)
    shop = shop_settings()
    ticket = ServiceTicket(
        customer=customer,
        vehicle=vehicle,
        vin=vehicle.vin,
        service_date=service_date,
        service_desc=service_desc,
        mileage_in=mileage_in,
        mileage_out=mileage_out,
        discount_type=discount_type,
        discount_value=discount_value,
        parts_tax_rate=shop.parts_tax_rate,
        labor_tax_rate=shop.labor_tax_rate,
    )
    ticket_mileage_check(ticket)
    ticket.full_clean(exclude=["mechanics"])
    ticket.save()
    record(ticket, Action.CREATED, by, after={f: getattr(ticket, f) for f in EDITABLE_FIELDS})
    set_mechanics(ticket, by=by, add=mechanics)
    recalculate_totals(ticket)
    event_record(type="ticket.created", resource=ticket, data=ticket_data(ticket))
    return ticket


@transaction.atomic
def ticket_update(
    *, by=None, ticket: ServiceTicket, mechanics: Iterable[Mechanic] | None = None, **fields
) -> ServiceTicket:
    """Change the ticket's own fields; ``mechanics``, when given, replaces
    the assigned set. Not once invoiced (409)."""
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"ticket_update() got unexpected fields {sorted(unknown)}")
    before = {f: getattr(ticket, f) for f in fields}
    for name, value in fields.items():
        setattr(ticket, name, value)
    if {"customer", "vehicle", "vin"} & set(fields):
        vehicle = fields.get("vehicle")
        vin = fields.get("vin") if "vin" in fields else (None if vehicle else ticket.vin)
        ticket.vehicle = resolve_vehicle(customer=ticket.customer, vehicle=vehicle, vin=vin)
        ticket.vin = ticket.vehicle.vin
        ticket_mileage_check(ticket)
    else:
        ticket_mileage_check(ticket, fields={"mileage_in", "mileage_out"} & set(fields))
    ticket.full_clean(exclude=["mechanics"])
    ticket.save()
    changed = {f: getattr(ticket, f) for f in fields if getattr(ticket, f) != before[f]}
    if changed:
        record(ticket, Action.UPDATED, by, before={f: before[f] for f in changed}, after=changed)
    reassigned = False
    if mechanics is not None:
        wanted = list(mechanics)
        wanted_ids = {m.pk for m in wanted}
        current = list(Mechanic.objects.filter(assignments__ticket=ticket))
        reassigned = wanted_ids != {m.pk for m in current}
        set_mechanics(
            ticket, by=by, add=wanted, remove=[m for m in current if m.pk not in wanted_ids]
        )
    if {"discount_type", "discount_value"} & set(changed):
        recalculate_totals(ticket)
    # An update that changed nothing (the same values sent again) is no news.
    if changed or reassigned:
        event_record(type="ticket.updated", resource=ticket, data=ticket_data(ticket))
    return ticket


@transaction.atomic
def ticket_delete(*, ticket: ServiceTicket) -> None:
    """Delete a ticket that was never billed; its parts go back on the shelf.
    A billed ticket is part of the books and stays (409)."""
    ticket = lock_ticket(ticket)
    if ticket.status in workflow.BILLED:
        raise InvalidState(
            f"The ticket is {ticket.status}: billed tickets are kept.",
            code="ticket_locked",
            status=ticket.status,
            allowed=workflow.allowed_actions(ticket.status),
        )
    assignments = list(ticket.assignments.order_by("mechanic_id"))
    if assignments:  # mechanics before parts: the lock order
        moved = [a.mechanic_id for a in assignments]
        list(Mechanic.objects.select_for_update().filter(pk__in=moved).order_by("pk").values("pk"))
        for assignment in assignments:
            assignment.delete()
    # A declined job's parts went back when it was declined.
    lines = ticket.part_lines.exclude(job__status=JobStatus.DECLINED)
    for line in lines.select_related("part").order_by("part_id", "id"):
        return_part(ticket, line, line.quantity, None)
    ticket.delete()
