"""Money received against an invoiced ticket."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from events.representations import payment_data, ticket_data
from events.services import event_record
from mechanic_shop.errors import InvalidState

from .. import workflow
from ..models import Payment, ServiceTicket
from ..totals import ZERO
from ..workflow import Status
from .base import Action, lock_ticket, record


@transaction.atomic
def ticket_record_payment(
    *, by=None, ticket: ServiceTicket, amount: Decimal, method: str, reference: str = ""
) -> Payment:
    """Record money received on an invoiced ticket. Partial payments are
    fine; more than the balance due is a 400; when the balance reaches zero
    the ticket is paid. The ticket is locked, so concurrent payments are
    checked one after the other and can never overpay."""
    ticket = lock_ticket(ticket)
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
    record(ticket, Action.PAYMENT_RECORDED, by, before=before, after=after)
    event_record(type="payment.created", resource=payment, data=payment_data(payment))
    if ticket.status == Status.PAID:
        record(
            ticket,
            Action.STATUS_CHANGED,
            by,
            before={"status": Status.INVOICED},
            after={"status": Status.PAID},
        )
        event_record(type="ticket.status_changed", resource=ticket, data=ticket_data(ticket))
    return payment
