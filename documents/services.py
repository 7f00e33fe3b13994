"""Emailing a ticket's estimate or invoice to its customer.

The email is written to the outbox (``mail.services.email_queue``) in the
request's transaction, with the PDF named as an attachment the worker
renders when it sends (``documents.apps`` registers ``estimate_pdf`` and
``invoice_pdf``): the mail carries the document as it is at that moment.
The ticket's history records the send when it is queued, then its outcome
(``documents.receivers``): sent, or failed with the reason (no email
address, the server refused it, given up after the retries)."""

from django.db import transaction

from mail.models import OutboundEmail
from mail.services import email_queue
from tickets.models import ServiceTicket, TicketEvent
from tickets.services.base import lock_ticket, record

from .rendering import INVOICE, require_issued

QUEUED = "queued"


def attachment_name(document: str) -> str:
    return f"{document}_pdf"


def history_entry(email: OutboundEmail, status: str) -> dict:
    """What the ticket's history says of a document's email."""
    return {
        "document": email.kind,
        "email_id": str(email.pk),
        "to": email.to,
        "status": status,
        "error": email.error,
    }


def _message(ticket: ServiceTicket, document: str, shop_name: str) -> tuple[str, str]:
    customer = ticket.customer
    if document == INVOICE:
        subject = f"Invoice {ticket.invoice_number} from {shop_name}"
        what = f"your invoice {ticket.invoice_number} for repair order {ticket.pk}"
    else:
        subject = f"Estimate for repair order {ticket.pk} from {shop_name}"
        what = f"the estimate for repair order {ticket.pk}"
    body = (
        f"Hello {customer.name},\n\n"
        f"Please find attached {what} (VIN {ticket.vin}).\n\n"
        f"{shop_name}\n"
    )
    return subject, body


@transaction.atomic
def document_send(*, ticket: ServiceTicket, document: str, by) -> OutboundEmail:
    """Queue the ticket's ``document`` (estimate or invoice) to the
    customer's email address. An invoice before the ticket is invoiced is
    InvalidState. A customer without an address is accepted and recorded as
    a failed send (history and the documents list), as the outbox records
    it; every other outcome is known once the worker has tried."""
    from shop.selectors import shop_settings

    ticket = lock_ticket(ticket)
    require_issued(ticket, document)
    customer = ticket.customer
    subject, body = _message(ticket, document, shop_settings().name)
    email = email_queue(
        to=customer.user.email,
        subject=subject,
        body=body,
        kind=document,
        ticket=ticket,
        attachment=attachment_name(document),
        attachment_args={"ticket_id": ticket.pk, "document": document},
    )
    if email.status == OutboundEmail.Status.PENDING:
        record(ticket, TicketEvent.Action.DOCUMENT_EMAILED, by, after=history_entry(email, QUEUED))
    return email
