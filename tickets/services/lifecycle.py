"""The ticket's lifecycle, estimate to paid (see tickets.workflow)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mechanic_shop.errors import InvalidState
from vehicles.models import Vehicle

from .. import workflow
from ..models import ServiceTicket
from ..totals import ZERO
from ..workflow import Status
from .base import Action, lock_ticket, recalculate_totals, record
from .invoice import invoice_counter_ensure, next_invoice_number
from .lines import return_part


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
    ticket = lock_ticket(ticket)
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
            return_part(ticket, line, line.quantity, by)
    ticket.status = target
    if action == "invoice":
        recalculate_totals(ticket)
        ticket.invoice_number = next_invoice_number()
        ticket.invoiced_at = now
        after["invoice_number"] = ticket.invoice_number
        after["total"] = ticket.total
        if ticket.balance_due == ZERO:
            ticket.status = Status.PAID
            ticket.paid_at = now
            after["status"] = Status.PAID
    ticket.save()
    if action == "cancel":
        recalculate_totals(ticket)
    record(ticket, Action.STATUS_CHANGED, by, before=before, after=after)
    return ticket
