"""The PDFs the worker attaches when it sends a document's email
(registered with mail.attachments in documents.apps)."""

from .rendering import ESTIMATE, INVOICE, PDF, document_filename, render_pdf
from .selectors import document_ticket


def _render(email, document: str) -> tuple[str, bytes, str]:
    ticket = document_ticket(user=None, pk=email.attachment_args["ticket_id"])
    return document_filename(ticket, document), render_pdf(ticket, document), PDF


def estimate_pdf(email) -> tuple[str, bytes, str]:
    return _render(email, ESTIMATE)


def invoice_pdf(email) -> tuple[str, bytes, str]:
    return _render(email, INVOICE)
