"""The ticket's lifecycle, estimate to paid (see tickets.workflow)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from events.representations import ticket_data
from events.services import event_record
from mechanic_shop.errors import InvalidState
from timeclock.services import ticket_clock_out_all
from vehicles.models import Vehicle

from .. import workflow
from ..models import JobStatus, ServiceTicket
from ..totals import ZERO
from ..workflow import Status
from .base import Action, lock_ticket, recalculate_totals, record
from .invoice import invoice_counter_ensure, next_invoice_number
from .jobs import AUTHORIZABLE, approve_all, decline_all, default_method
from .lines import return_part


def ticket_transition(
    *, by=None, ticket: ServiceTicket, action: str, reason: str = ""
) -> ServiceTicket:
    """Move the ticket along its lifecycle (see tickets.workflow).

    An action the current status does not allow is a 409 naming the status
    and the actions it allows. ``approve`` and ``decline`` (which needs a
    reason) decide every pending job and record the authorization (see
    tickets.services.jobs); they also act on a ticket further on that has
    pending jobs, without moving its status. ``start`` needs an approved
    job. ``complete`` records the vehicle's mileage; ``invoice`` needs no
    job pending, freezes the totals and takes the next invoice number (a
    zero-total invoice is paid at once); ``cancel`` returns every part to
    stock.
    """
    if action == "invoice":
        invoice_counter_ensure()
    return _ticket_transition(by=by, ticket=ticket, action=action, reason=reason)


@transaction.atomic
def _ticket_transition(*, by, ticket: ServiceTicket, action: str, reason: str) -> ServiceTicket:
    ticket = lock_ticket(ticket)
    if action in ("approve", "decline"):
        return _decide_all(by=by, ticket=ticket, action=action, reason=reason)
    target = workflow.next_status(action, ticket.status)
    if target is None:
        raise _invalid_transition(ticket, action)
    before = {"status": ticket.status}
    after = {"status": target}
    now = timezone.now()
    if action == "start" and not ticket.jobs.filter(status=JobStatus.APPROVED).exists():
        raise InvalidState(
            "No job of the ticket is approved: the work cannot start.",
            code="no_approved_job",
            status=ticket.status,
        )
    if action == "invoice":
        _require_nothing_pending(ticket)
    if action == "complete":
        ticket.completed_at = now
        if ticket.vehicle_id:
            vehicle = Vehicle.objects.select_for_update().get(pk=ticket.vehicle_id)
            reading = max(vehicle.mileage, ticket.mileage_out or 0, ticket.mileage_in or 0)
            if reading != vehicle.mileage:
                vehicle.mileage = reading
                vehicle.save(update_fields=["mileage", "updated_at"])
    elif action == "cancel":
        # A declined job's parts went back when it was declined.
        lines = ticket.part_lines.exclude(job__status=JobStatus.DECLINED)
        for line in lines.select_related("part").order_by("part_id", "id"):
            return_part(ticket, line, line.quantity, by)
    if action in ("complete", "cancel"):  # the work is over: every clock on it stops
        ticket_clock_out_all(ticket=ticket, at=now)
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
    data = ticket_data(ticket)
    event_record(type="ticket.status_changed", resource=ticket, data=data)
    if action == "invoice":
        event_record(type="ticket.invoiced", resource=ticket, data=data)
    return ticket


def _require_nothing_pending(ticket: ServiceTicket) -> None:
    waiting = list(
        ticket.jobs.filter(status=JobStatus.PENDING)
        .order_by("position", "id")
        .values("id", "title")
    )
    if waiting:
        names = ", ".join(f"{job['id']} ({job['title']})" for job in waiting)
        raise InvalidState(
            f"Jobs wait for the customer's authorization: {names}.",
            code="jobs_pending",
            status=ticket.status,
            jobs=waiting,
        )


def _decide_all(*, by, ticket: ServiceTicket, action: str, reason: str) -> ServiceTicket:
    """``approve`` / ``decline`` of the whole ticket: the workflow's moves
    from an estimate (and decline from approved), or, on a ticket still
    open to authorization, its pending jobs."""
    has_pending = ticket.jobs.filter(status=JobStatus.PENDING).exists()
    moves = workflow.next_status(action, ticket.status) is not None
    if not moves and not (has_pending and ticket.status in AUTHORIZABLE):
        raise _invalid_transition(ticket, action)
    method = default_method(by)
    if action == "approve":
        approve_all(by=by, ticket=ticket, method=method)
        return ticket
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the estimate is declined."]})
    status = ticket.status
    withdrawn = status == Status.APPROVED and not has_pending
    decline_all(by=by, ticket=ticket, method=method, reason=reason)
    if status == Status.ESTIMATE or withdrawn:
        ticket.status = Status.ESTIMATE
        ticket.declined_reason = reason
        ticket.save(update_fields=["status", "declined_reason", "updated_at"])
        record(
            ticket,
            Action.STATUS_CHANGED,
            by,
            before={"status": status},
            after={"status": Status.ESTIMATE, "reason": reason},
        )
        event_record(type="ticket.status_changed", resource=ticket, data=ticket_data(ticket))
    return ticket


def _invalid_transition(ticket: ServiceTicket, action: str) -> InvalidState:
    allowed = workflow.allowed_actions(ticket.status)
    return InvalidState(
        f"Cannot {action} a ticket that is {ticket.status}; "
        f"allowed: {', '.join(allowed) or 'nothing, it is closed'}.",
        code="invalid_transition",
        status=ticket.status,
        allowed=allowed,
    )
