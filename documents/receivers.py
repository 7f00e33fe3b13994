"""The outcome of a document's email, written to its ticket's history (in
the transaction that records it: mail.signals)."""

from tickets.models import TicketEvent
from tickets.services.base import record

from .rendering import DOCUMENTS
from .services import history_entry


def _record_outcome(email, status: str) -> None:
    if email.kind not in DOCUMENTS or email.ticket_id is None:
        return
    record(
        email.ticket,
        TicketEvent.Action.DOCUMENT_EMAILED,
        None,
        after=history_entry(email, status),
    )


def document_email_sent(sender, email, **kwargs):
    _record_outcome(email, "sent")


def document_email_failed(sender, email, **kwargs):
    _record_outcome(email, "failed")
