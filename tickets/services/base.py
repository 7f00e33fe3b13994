"""What every ticket service does: lock the ticket, check that it can
still change, record the change in its history, and recompute its money."""

from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum

from inventory.models import Part
from mechanic_shop.errors import Conflict, InvalidState, NotFound

from .. import workflow
from ..models import (
    COMPUTED_MONEY_FIELDS,
    MONEY_FIELDS,
    LaborLine,
    ServiceTicket,
    TicketEvent,
    TicketPart,
)
from ..totals import ZERO, compute_totals

MAX_LINE_QUANTITY = 100_000
# Money columns hold 16 digits, 2 after the point.
MAX_TOTAL = Decimal("99999999999999.99")
Action = TicketEvent.Action


def lock_ticket(ticket: ServiceTicket) -> ServiceTicket:
    try:
        return ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
    except ServiceTicket.DoesNotExist:
        raise NotFound("No ServiceTicket matches the given query.")


def lock_part(part: Part) -> Part:
    return Part.objects.select_for_update().get(pk=part.pk)


def require_editable(ticket: ServiceTicket) -> None:
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


def record(ticket, action: str, by, *, before: dict | None = None, after: dict | None = None):
    TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        before={k: _json(v) for k, v in before.items()} if before is not None else None,
        after={k: _json(v) for k, v in after.items()} if after is not None else None,
    )


def recalculate_totals(ticket: ServiceTicket) -> None:
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
