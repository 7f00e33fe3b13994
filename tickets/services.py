"""The rules of a repair order: its vehicle, its lifecycle, who works it,
the parts and labor on it, its totals, invoice and payments, and its history.

Every function here is one transaction that starts by locking the ticket row,
so changes to one ticket are serialized (no lost update on a total, no double
invoice, no overpayment). Other rows are locked after the ticket, always in
the same order (ticket, vehicle, mechanics by id, parts by id, invoice
counter), so two transactions never wait on each other in a cycle. Every change is recorded in
the ticket's history with the user who made it (``by``).
"""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer
from inventory.models import Part
from inventory.services import part_take_stock
from mechanic_shop.errors import Conflict, InvalidState, NotFound
from mechanics.models import Mechanic
from vehicles.models import Vehicle

from . import workflow
from .models import (
    COMPUTED_MONEY_FIELDS,
    EDITABLE_FIELDS,
    MONEY_FIELDS,
    InvoiceCounter,
    LaborLine,
    Payment,
    ServiceTicket,
    TicketEvent,
    TicketMechanic,
    TicketPart,
)
from .totals import ZERO, cents, compute_totals
from .workflow import Status

MAX_LINE_QUANTITY = 100_000
# Money columns hold 16 digits, 2 after the point.
MAX_TOTAL = Decimal("99999999999999.99")
Action = TicketEvent.Action


# -- building blocks ------------------------------------------------------


def _lock_ticket(ticket: ServiceTicket) -> ServiceTicket:
    try:
        return ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
    except ServiceTicket.DoesNotExist:
        raise NotFound("No ServiceTicket matches the given query.")


def _lock_part(part: Part) -> Part:
    return Part.objects.select_for_update().get(pk=part.pk)


def _require_editable(ticket: ServiceTicket) -> None:
    if ticket.status not in workflow.EDITABLE:
        raise InvalidState(
            f"The ticket is {ticket.status}: it can no longer be changed.",
            code="ticket_locked",
            status=ticket.status,
            allowed=workflow.allowed_actions(ticket.status),
        )


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _record(ticket, action: str, by, *, before: dict | None = None, after: dict | None = None):
    TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        before={k: _json(v) for k, v in before.items()} if before is not None else None,
        after={k: _json(v) for k, v in after.items()} if after is not None else None,
    )


def _recalculate_totals(ticket: ServiceTicket) -> None:
    """Sum the lines in the database and recompute the ticket's money
    columns (see tickets.totals). Called after every change that moves them,
    while the ticket is locked."""
    line_total = ExpressionWrapper(
        F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )
    # Both sums in one query.
    sums = (
        ServiceTicket.objects.filter(pk=ticket.pk)
        .values(
            parts=_line_sum(TicketPart, line_total),
            labor=_line_sum(LaborLine, F("line_total")),
        )
        .get()
    )
    money = _money_columns(
        parts_total=sums["parts"] or ZERO,
        labor_total=sums["labor"] or ZERO,
        discount_type=ticket.discount_type,
        discount_value=ticket.discount_value,
        amount_paid=ticket.amount_paid,
    )
    for field, value in money.items():
        setattr(ticket, field, value)
    ticket.save(update_fields=[*MONEY_FIELDS, "updated_at"])


def _money_columns(
    *,
    parts_total: Decimal,
    labor_total: Decimal,
    discount_type: str,
    discount_value: Decimal,
    amount_paid: Decimal,
) -> dict[str, Decimal]:
    """The ticket's money columns (MONEY_FIELDS) for these line sums; a 409
    when they would not fit in their columns."""
    totals = compute_totals(
        parts_total=parts_total,
        labor_total=labor_total,
        discount_type=discount_type,
        discount_value=discount_value,
        parts_tax_rate=settings.SHOP_PARTS_TAX_RATE,
        labor_tax_rate=settings.SHOP_LABOR_TAX_RATE,
    )
    if totals.total > MAX_TOTAL or parts_total > MAX_TOTAL or labor_total > MAX_TOTAL:
        raise Conflict("The ticket's total would exceed what can be recorded.")
    money = {name: getattr(totals, name) for name in COMPUTED_MONEY_FIELDS}
    money["balance_due"] = max(totals.total - amount_paid, ZERO)
    return money


def _line_sum(model, amount):
    """The sum of ``amount`` over the ticket's lines of ``model``, as a
    subquery of the ticket."""
    per_ticket = (
        model.objects.filter(ticket_id=OuterRef("pk"))
        .order_by()
        .values("ticket_id")
        .annotate(s=Sum(amount))
        .values("s")
    )
    return Subquery(per_ticket, output_field=DecimalField(max_digits=20, decimal_places=2))


def ticket_vehicle_check(
    *, customer: Customer, vehicle: Vehicle | None, vin: str | None
) -> Vehicle | None:
    """Check that a ticket of ``customer`` may be for this vehicle or VIN;
    answer the registered vehicle (None for a VIN the shop has never seen).
    Raises ValidationError on ``vehicle_id`` or ``vin``."""
    if vehicle is not None:
        if vehicle.customer_id != customer.pk:
            raise ValidationError({"vehicle_id": ["This vehicle belongs to another customer."]})
        if vin and vin != vehicle.vin:
            raise ValidationError({"vin": ["The VIN does not match the vehicle."]})
        return vehicle
    if not vin:
        raise ValidationError({"vin": ["Give the vehicle's VIN or vehicle_id."]})
    existing = Vehicle.objects.filter(vin=vin).first()
    if existing is not None and existing.customer_id != customer.pk:
        raise ValidationError({"vin": ["This VIN is registered to another customer."]})
    return existing


def _resolve_vehicle(*, customer: Customer, vehicle: Vehicle | None, vin: str | None) -> Vehicle:
    """The vehicle a ticket is for: the one named, or the customer's vehicle
    with that VIN, registered on the spot when the shop has never seen it."""
    existing = ticket_vehicle_check(customer=customer, vehicle=vehicle, vin=vin)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Vehicle.objects.create(customer=customer, vin=vin)
    except IntegrityError:  # registered meanwhile by a concurrent request
        existing = Vehicle.objects.get(vin=vin)
    if existing.customer_id != customer.pk:
        raise ValidationError({"vin": ["This VIN is registered to another customer."]})
    return existing


def ticket_mileage_check(
    ticket: ServiceTicket, fields: Iterable[str] = ("mileage_in", "mileage_out")
) -> None:
    """Odometer readings (the ``fields`` being set) never go below the
    vehicle's last recorded value, and out is never below in. Raises
    ValidationError on the field."""
    recorded = ticket.vehicle.mileage if ticket.vehicle_id else 0
    errors = {}
    if "mileage_in" in fields and ticket.mileage_in is not None and ticket.mileage_in < recorded:
        errors["mileage_in"] = [f"Below the vehicle's last recorded mileage ({recorded})."]
    if "mileage_out" in fields and ticket.mileage_out is not None:
        if ticket.mileage_out < recorded:
            errors["mileage_out"] = [f"Below the vehicle's last recorded mileage ({recorded})."]
    if ticket.mileage_out is not None and ticket.mileage_in is not None:
        if ticket.mileage_out < ticket.mileage_in and "mileage_out" not in errors:
            errors["mileage_out"] = [f"Below the mileage in ({ticket.mileage_in})."]
    if errors:
        raise ValidationError(errors)


def _set_mechanics(
    ticket: ServiceTicket,
    *,
    by=None,
    add: Iterable[Mechanic] = (),
    remove: Iterable[Mechanic] = (),
) -> None:
    remove_ids = {m.pk for m in remove}
    present = set(
        TicketMechanic.objects.filter(ticket=ticket).values_list("mechanic_id", flat=True)
    )
    to_remove = sorted(present & remove_ids)
    to_add = []
    for mechanic in add:
        if mechanic.pk not in present and mechanic.pk not in remove_ids:
            to_add.append(mechanic)
            present.add(mechanic.pk)
    if not to_remove and not to_add:
        return
    # Each change moves the mechanic's maintained ticket_count (a row lock):
    # take those locks now, in id order, as the module docstring says.
    moved = sorted({*to_remove, *(m.pk for m in to_add)})
    list(Mechanic.objects.select_for_update().filter(pk__in=moved).order_by("pk").values("pk"))
    # One by one so signal receivers (the popular ranking) see each.
    for assignment in TicketMechanic.objects.filter(
        ticket=ticket, mechanic_id__in=to_remove
    ).order_by("mechanic_id"):
        assignment.delete()
        _record(ticket, Action.MECHANIC_REMOVED, by, before={"mechanic_id": assignment.mechanic_id})
    for mechanic in to_add:
        TicketMechanic.objects.create(ticket=ticket, mechanic=mechanic)
        _record(ticket, Action.MECHANIC_ASSIGNED, by, after={"mechanic_id": mechanic.pk})


def mechanic_ticket_count_add(*, counts: dict[int, int]) -> None:
    """Add ``counts`` (mechanic id -> assignments added, negative when
    removed) to the mechanics' maintained ``ticket_count`` (what the popular
    ranking reads), in the caller's transaction. Rows are updated in id
    order, the order in which these services lock mechanics, so two
    transactions never wait on each other in a cycle. The assignments are
    the tickets app's: it keeps the count (tickets.receivers)."""
    for mechanic_id in sorted(counts):
        if counts[mechanic_id]:
            Mechanic.objects.filter(pk=mechanic_id).update(
                ticket_count=F("ticket_count") + counts[mechanic_id]
            )


def mechanic_ticket_counts_rebuild() -> int:
    """Recount every mechanic's ``ticket_count`` from the assignment table
    (a repair tool: the counts are maintained on every write). Answers how
    many mechanics were updated."""
    counted = (
        TicketMechanic.objects.filter(mechanic_id=OuterRef("pk"))
        .order_by()
        .values("mechanic_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Mechanic.objects.update(ticket_count=Coalesce(Subquery(counted), Value(0)))


def _next_invoice_number() -> int:
    """The next invoice number, under the counter row's lock: held until the
    invoice's transaction ends, so numbers are sequential and a rolled-back
    invoice gives its number back (``invoice_counter_ensure`` made the row)."""
    counter = InvoiceCounter.objects.select_for_update().filter(pk=1).first()
    if counter is None:  # removed while this transaction ran: made here, locked
        invoice_counter_ensure()
        counter = InvoiceCounter.objects.select_for_update().get(pk=1)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def invoice_counter_ensure() -> None:
    """Make the invoice counter's row if there is none yet, numbering on
    from the highest invoice number already given (a new shop starts at 1).

    Called before the invoicing transaction takes its locks, in a
    transaction of its own: concurrent first invoices then race on a plain
    insert that one wins, never on locks they hold. Inside an invoice's
    transaction, on MySQL/MariaDB, every insert that meets another's new row
    waits with a shared lock on it and then wants it exclusive, which
    deadlocks two such invoices.
    """
    if InvoiceCounter.objects.filter(pk=1).exists():
        return
    start = ServiceTicket.objects.aggregate(n=Max("invoice_number"))["n"] or 0
    try:
        with transaction.atomic():
            InvoiceCounter.objects.create(pk=1, last_number=start)
    except IntegrityError:  # made meanwhile by a concurrent first invoice
        pass


def _return_part(ticket, line: TicketPart, quantity: int, by) -> None:
    part = _lock_part(line.part)
    before = {"part_id": part.pk, "quantity": line.quantity, "unit_price": line.unit_price}
    if quantity == line.quantity:
        line.delete()
    else:
        line.quantity -= quantity
        line.save(update_fields=["quantity", "updated_at"])
    part.quantity_in_stock += quantity
    part.save(update_fields=["quantity_in_stock", "updated_at"])
    _record(
        ticket,
        Action.PART_REMOVED,
        by,
        before=before,
        after={"part_id": part.pk, "quantity": line.quantity if line.pk else 0},
    )


# -- the ticket -----------------------------------------------------------


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
    by ``vehicle`` or by ``vin`` (registered for the customer if new)."""
    vehicle = _resolve_vehicle(customer=customer, vehicle=vehicle, vin=vin)
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
    )
    ticket_mileage_check(ticket)
    ticket.full_clean(exclude=["mechanics"])
    ticket.save()
    _record(ticket, Action.CREATED, by, after={f: getattr(ticket, f) for f in EDITABLE_FIELDS})
    _set_mechanics(ticket, by=by, add=mechanics)
    _recalculate_totals(ticket)
    return ticket


@transaction.atomic
def ticket_update(
    *, by=None, ticket: ServiceTicket, mechanics: Iterable[Mechanic] | None = None, **fields
) -> ServiceTicket:
    """Change the ticket's own fields; ``mechanics``, when given, replaces
    the assigned set. Not once invoiced (409)."""
    ticket = _lock_ticket(ticket)
    _require_editable(ticket)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"ticket_update() got unexpected fields {sorted(unknown)}")
    before = {f: getattr(ticket, f) for f in fields}
    for name, value in fields.items():
        setattr(ticket, name, value)
    if {"customer", "vehicle", "vin"} & set(fields):
        vehicle = fields.get("vehicle")
        vin = fields.get("vin") if "vin" in fields else (None if vehicle else ticket.vin)
        ticket.vehicle = _resolve_vehicle(customer=ticket.customer, vehicle=vehicle, vin=vin)
        ticket.vin = ticket.vehicle.vin
        ticket_mileage_check(ticket)
    else:
        ticket_mileage_check(ticket, fields={"mileage_in", "mileage_out"} & set(fields))
    ticket.full_clean(exclude=["mechanics"])
    ticket.save()
    changed = {f: getattr(ticket, f) for f in fields if getattr(ticket, f) != before[f]}
    if changed:
        _record(ticket, Action.UPDATED, by, before={f: before[f] for f in changed}, after=changed)
    if mechanics is not None:
        wanted = list(mechanics)
        wanted_ids = {m.pk for m in wanted}
        current = Mechanic.objects.filter(assignments__ticket=ticket)
        _set_mechanics(
            ticket, by=by, add=wanted, remove=[m for m in current if m.pk not in wanted_ids]
        )
    if {"discount_type", "discount_value"} & set(changed):
        _recalculate_totals(ticket)
    return ticket


@transaction.atomic
def ticket_delete(*, ticket: ServiceTicket) -> None:
    """Delete a ticket that was never billed; its parts go back on the shelf.
    A billed ticket is part of the books and stays (409)."""
    ticket = _lock_ticket(ticket)
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
    for line in ticket.part_lines.select_related("part").order_by("part_id"):
        _return_part(ticket, line, line.quantity, None)
    ticket.delete()


# -- lifecycle --------------------------------------------------------------


def ticket_transition(
    *, by=None, ticket: ServiceTicket, action: str, reason: str = ""
) -> ServiceTicket:
    """Move the ticket along its lifecycle (see tickets.workflow).

    An action the current status does not allow is a 409 naming the status
    and the actions it allows. ``complete`` records the vehicle's mileage;
    ``invoice`` freezes the totals and takes the next invoice number (a
    zero-total invoice is paid at once); ``cancel`` returns every part to
    stock; ``decline`` needs a reason.
    """
    if action == "invoice":
        invoice_counter_ensure()
    return _ticket_transition(by=by, ticket=ticket, action=action, reason=reason)


@transaction.atomic
def _ticket_transition(*, by, ticket: ServiceTicket, action: str, reason: str) -> ServiceTicket:
    ticket = _lock_ticket(ticket)
    target = workflow.next_status(action, ticket.status)
    if target is None:
        allowed = workflow.allowed_actions(ticket.status)
        raise InvalidState(
            f"Cannot {action} a ticket that is {ticket.status}; "
            f"allowed: {', '.join(allowed) or 'nothing, it is closed'}.",
            code="invalid_transition",
            status=ticket.status,
            allowed=allowed,
        )
    before = {"status": ticket.status}
    after = {"status": target}
    now = timezone.now()
    if action == "decline":
        if not reason.strip():
            raise ValidationError({"reason": ["Say why the estimate is declined."]})
        ticket.declined_reason = reason.strip()
        after["reason"] = ticket.declined_reason
    elif action == "complete":
        ticket.completed_at = now
        if ticket.vehicle_id:
            vehicle = Vehicle.objects.select_for_update().get(pk=ticket.vehicle_id)
            reading = max(vehicle.mileage, ticket.mileage_out or 0, ticket.mileage_in or 0)
            if reading != vehicle.mileage:
                vehicle.mileage = reading
                vehicle.save(update_fields=["mileage", "updated_at"])
    elif action == "cancel":
        for line in ticket.part_lines.select_related("part").order_by("part_id"):
            _return_part(ticket, line, line.quantity, by)
    ticket.status = target
    if action == "invoice":
        _recalculate_totals(ticket)
        ticket.invoice_number = _next_invoice_number()
        ticket.invoiced_at = now
        after["invoice_number"] = ticket.invoice_number
        after["total"] = ticket.total
        if ticket.balance_due == ZERO:
            ticket.status = Status.PAID
            ticket.paid_at = now
            after["status"] = Status.PAID
    ticket.save()
    if action == "cancel":
        _recalculate_totals(ticket)
    _record(ticket, Action.STATUS_CHANGED, by, before=before, after=after)
    return ticket


# -- mechanics ----------------------------------------------------------------


@transaction.atomic
def ticket_assign_mechanic(*, by=None, ticket: ServiceTicket, mechanic: Mechanic) -> ServiceTicket:
    """Idempotent: assigning an assigned mechanic changes nothing."""
    ticket = _lock_ticket(ticket)
    _require_editable(ticket)
    _set_mechanics(ticket, by=by, add=[mechanic])
    return ticket


@transaction.atomic
def ticket_remove_mechanic(*, by=None, ticket: ServiceTicket, mechanic: Mechanic) -> ServiceTicket:
    """Idempotent: removing a mechanic who is not on the ticket changes nothing."""
    ticket = _lock_ticket(ticket)
    _require_editable(ticket)
    _set_mechanics(ticket, by=by, remove=[mechanic])
    return ticket


@transaction.atomic
def ticket_edit_mechanics(
    *, by=None, ticket: ServiceTicket, add: Iterable[Mechanic], remove: Iterable[Mechanic]
) -> ServiceTicket:
    ticket = _lock_ticket(ticket)
    _require_editable(ticket)
    _set_mechanics(ticket, by=by, add=add, remove=remove)
    return ticket


# -- part lines -------------------------------------------------------------


@transaction.atomic
def ticket_add_part(*, by=None, ticket: ServiceTicket, part: Part, quantity: int = 1) -> TicketPart:
    """Put ``quantity`` of the part on the ticket and take them from stock;
    answer the part line.

    The line carries the part's price at this moment; adding a part already
    on the ticket raises that line's quantity (its price stays). Not enough
    stock is a 409 and nothing changes. Safe under concurrent requests: the
    ticket, then the part, are locked while the stock is checked and taken,
    by an UPDATE that cannot go below zero in any case.
    """
    ticket = _lock_ticket(ticket)
    _require_editable(ticket)
    part = _lock_part(part)
    if part.quantity_in_stock < quantity:
        raise Conflict(
            f"Not enough stock of {part.part_number}: "
            f"{part.quantity_in_stock} left, {quantity} asked.",
            code="insufficient_stock",
            available=part.quantity_in_stock,
        )
    line = TicketPart.objects.filter(ticket=ticket, part=part).first()
    held = 0 if line is None else line.quantity
    if held + quantity > MAX_LINE_QUANTITY:
        raise Conflict(f"A part line holds at most {MAX_LINE_QUANTITY} units.")
    if line is None:
        line = TicketPart(ticket=ticket, part=part, quantity=quantity, unit_price=part.price)
    else:
        line.quantity = held + quantity
    line.save()
    if not part_take_stock(part_id=part.pk, quantity=quantity):
        # Cannot happen: the part is locked and its stock was checked.
        raise Conflict("The stock changed meanwhile; try again.")
    _record(
        ticket,
        Action.PART_ADDED,
        by,
        before={"part_id": part.pk, "quantity": held},
        after={"part_id": part.pk, "quantity": line.quantity, "unit_price": cents(line.unit_price)},
    )
    _recalculate_totals(ticket)
    return line


@transaction.atomic
def ticket_remove_part(
    *, by=None, ticket: ServiceTicket, part: Part, quantity: int | None = None
) -> None:
    """Take ``quantity`` (default: all) of ``part`` off the ticket and put
    them back in stock."""
    ticket = _lock_ticket(ticket)
    _require_editable(ticket)
    line = TicketPart.objects.filter(ticket=ticket, part=part).first()
    if line is None:
        raise NotFound("This part is not on this ticket.")
    if quantity is None:
        quantity = line.quantity
    if quantity > line.quantity:
        raise Conflict(
            f"Only {line.quantity} of this part are on the ticket.", available=line.quantity
        )
    _return_part(ticket, line, quantity, by)
    _recalculate_totals(ticket)


# -- labor lines ------------------------------------------------------------


def _labor_snapshot(line: LaborLine) -> dict:
    return {
        "labor_id": line.pk,
        "mechanic_id": line.mechanic_id,
        "description": line.description,
        "hours": line.hours,
        "rate": line.rate,
        "line_total": line.line_total,
    }


@transaction.atomic
def ticket_add_labor(
    *,
    by=None,
    ticket: ServiceTicket,
    mechanic: Mechanic,
    description: str,
    hours: Decimal,
    rate: Decimal | None = None,
) -> LaborLine:
    """Bill ``hours`` of work by ``mechanic`` at ``rate`` (the shop's labor
    rate when omitted); the mechanic is assigned to the ticket if not yet."""
    ticket = _lock_ticket(ticket)
    _require_editable(ticket)
    line = LaborLine(
        ticket=ticket,
        mechanic=mechanic,
        description=description,
        hours=hours,
        rate=settings.SHOP_LABOR_RATE if rate is None else rate,
    )
    line.full_clean(exclude=["line_total"])
    line.save()
    _set_mechanics(ticket, by=by, add=[mechanic])
    _record(ticket, Action.LABOR_ADDED, by, after=_labor_snapshot(line))
    _recalculate_totals(ticket)
    return line


@transaction.atomic
def ticket_update_labor(*, by=None, ticket: ServiceTicket, line: LaborLine, **changes) -> LaborLine:
    ticket = _lock_ticket(ticket)
    _require_editable(ticket)
    line = LaborLine.objects.get(pk=line.pk, ticket=ticket)
    before = _labor_snapshot(line)
    for field, value in changes.items():
        if field not in {"mechanic", "description", "hours", "rate"}:
            raise TypeError(f"ticket_update_labor() got an unexpected field {field!r}")
        setattr(line, field, value)
    line.full_clean(exclude=["line_total"])
    line.save()
    if "mechanic" in changes:
        _set_mechanics(ticket, by=by, add=[line.mechanic])
    _record(ticket, Action.LABOR_CHANGED, by, before=before, after=_labor_snapshot(line))
    _recalculate_totals(ticket)
    return line


@transaction.atomic
def ticket_delete_labor(*, by=None, ticket: ServiceTicket, line: LaborLine) -> None:
    ticket = _lock_ticket(ticket)
    _require_editable(ticket)
    line = LaborLine.objects.get(pk=line.pk, ticket=ticket)
    before = _labor_snapshot(line)
    line.delete()
    _record(ticket, Action.LABOR_REMOVED, by, before=before)
    _recalculate_totals(ticket)


# -- payments ---------------------------------------------------------------


@transaction.atomic
def ticket_record_payment(
    *, by=None, ticket: ServiceTicket, amount: Decimal, method: str, reference: str = ""
) -> Payment:
    """Record money received on an invoiced ticket. Partial payments are
    fine; more than the balance due is a 400; when the balance reaches zero
    the ticket is paid. The ticket is locked, so concurrent payments are
    checked one after the other and can never overpay."""
    ticket = _lock_ticket(ticket)
    if ticket.status != Status.INVOICED:
        detail = (
            "The ticket is already paid."
            if ticket.status == Status.PAID
            else f"The ticket is {ticket.status}: payments are taken once it is invoiced."
        )
        raise InvalidState(
            detail,
            code="not_payable",
            status=ticket.status,
            allowed=workflow.allowed_actions(ticket.status),
        )
    if amount > ticket.balance_due:
        raise ValidationError({"amount": [f"More than the balance due ({ticket.balance_due})."]})
    payment = Payment.objects.create(
        ticket=ticket,
        amount=amount,
        method=method,
        reference=reference,
        received_by=by if by is not None and by.is_authenticated else None,
    )
    ticket.amount_paid += amount
    ticket.balance_due -= amount
    before = {
        "amount_paid": ticket.amount_paid - amount,
        "balance_due": ticket.balance_due + amount,
    }
    after = {
        "payment_id": payment.pk,
        "amount": amount,
        "method": method,
        "amount_paid": ticket.amount_paid,
        "balance_due": ticket.balance_due,
    }
    if ticket.balance_due == ZERO:
        ticket.status = Status.PAID
        ticket.paid_at = timezone.now()
    ticket.save()
    _record(ticket, Action.PAYMENT_RECORDED, by, before=before, after=after)
    if ticket.status == Status.PAID:
        _record(
            ticket,
            Action.STATUS_CHANGED,
            by,
            before={"status": Status.INVOICED},
            after={"status": Status.PAID},
        )
    return payment
