"""The estimate and the invoice as PDF: a Django template rendered to HTML,
then laid out and printed by WeasyPrint.

The money printed is the API's: the ticket's representation
(``ServiceTicketSerializer``) and its payments' (``PaymentSerializer``), two
decimals as the API writes them; nothing is added up here. The page loads
nothing from anywhere (fonts are the system's, no image, no stylesheet
link): the fetcher refuses every URL, so a customer's name or a job title
written as HTML (escaped anyway) can never make the server fetch one.
"""

import functools

from django.template.loader import render_to_string
from django.utils import timezone

from mechanic_shop.errors import InvalidState
from tickets import workflow
from tickets.models import JobStatus, ServiceTicket
from tickets.serializers import PaymentSerializer, ServiceTicketSerializer

ESTIMATE = "estimate"
INVOICE = "invoice"
DOCUMENTS = (ESTIMATE, INVOICE)
TITLES = {ESTIMATE: "Estimate", INVOICE: "Invoice"}
PDF = "application/pdf"


def require_issued(ticket: ServiceTicket, document: str) -> None:
    """An estimate exists at every status; an invoice once the ticket is
    invoiced (InvalidState naming the status before)."""
    if document == INVOICE and ticket.status not in workflow.BILLED:
        raise InvalidState(
            f"The ticket is {ticket.status}: it has no invoice until it is invoiced.",
            code="not_invoiced",
            status=ticket.status,
            allowed=workflow.allowed_actions(ticket.status),
        )


def document_filename(ticket: ServiceTicket, document: str) -> str:
    if document == INVOICE:
        return f"invoice-{ticket.invoice_number}.pdf"
    return f"estimate-{ticket.pk}.pdf"


def _shop():
    """The shop's header: its settings row (the shop app)."""
    from shop.selectors import shop_settings

    return shop_settings()


def document_context(ticket: ServiceTicket, document: str) -> dict:
    """What the template prints, from a ticket of
    ``documents.selectors.document_ticket``."""
    shop = _shop()
    zone = shop.zone()
    data = ServiceTicketSerializer(ticket).data
    for job in data["jobs"]:
        job["status_label"] = JobStatus(job["status"]).label
    declined = [job for job in data["jobs"] if job["status"] == JobStatus.DECLINED]
    billed = [job for job in data["jobs"] if job["status"] != JobStatus.DECLINED]
    payments = PaymentSerializer(ticket.payments.all(), many=True).data
    for payment, row in zip(payments, ticket.payments.all(), strict=True):
        payment["received_at"] = timezone.localtime(row.created_at, zone)
        payment["method_label"] = row.get_method_display()
    return {
        "document": document,
        "title": TITLES[document],
        "shop": shop,
        "ticket": data,
        "customer": ticket.customer,
        "customer_email": ticket.customer.user.email,
        "vehicle": ticket.vehicle,
        "status_label": workflow.Status(ticket.status).label,
        "billed_jobs": billed,
        "declined_jobs": declined,
        "discount_percent": data["discount_type"] == "percent",
        "has_discount": data["discount_type"] != "none",
        "payments": payments,
        "created_at": timezone.localtime(ticket.created_at, zone),
        "completed_at": ticket.completed_at and timezone.localtime(ticket.completed_at, zone),
        "invoiced_at": ticket.invoiced_at and timezone.localtime(ticket.invoiced_at, zone),
        "printed_at": timezone.localtime(timezone.now(), zone),
    }


@functools.cache
def _url_fetcher():
    """WeasyPrint's url_fetcher for the documents: every URL refused (they
    load nothing). Made on first use: WeasyPrint is a heavy import, paid by
    the first document, not by every process start."""
    from weasyprint.urls import URLFetcher

    class RefuseEveryURL(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"a document loads nothing ({url[:80]!r} refused)")

    return RefuseEveryURL(fail_on_errors=False)


def render_pdf(ticket: ServiceTicket, document: str) -> bytes:
    """The document as PDF bytes (InvalidState for an invoice not issued)."""
    from weasyprint import HTML

    require_issued(ticket, document)
    html = render_to_string(f"documents/{document}.html", document_context(ticket, document))
    return HTML(string=html, url_fetcher=_url_fetcher()).write_pdf()
