"""Reads behind the documents: a ticket with everything its estimate or
invoice prints, and the record of the documents emailed."""

from django.db.models import Prefetch, QuerySet

from mail.models import OutboundEmail
from mail.selectors import emails_of
from mechanics.models import Mechanic
from tickets.models import Job, LaborLine, Payment, ServiceTicket, TicketPart
from tickets.selectors import open_recommendations, ticket_scope

from .rendering import DOCUMENTS


def document_ticket(*, user, pk: int) -> ServiceTicket:
    """One ticket the caller may reach, with what ServiceTicketSerializer
    shows plus what the page prints besides (the customer's contact, the
    vehicle, the payments): seven queries whatever the number of lines.
    DoesNotExist when the caller may not reach it (``user`` None: the worker,
    which may reach every ticket)."""
    return (
        ticket_scope(user=user)
        .select_related("customer__user", "vehicle")
        .prefetch_related(
            Prefetch(
                "mechanics", queryset=Mechanic.objects.only("id", "name").order_by("name", "id")
            ),
            Prefetch(
                "vehicle__recommendations",
                queryset=open_recommendations(),
                to_attr="open_recommendations",
            ),
            Prefetch(
                "jobs",
                queryset=Job.objects.order_by("position", "id").prefetch_related(
                    Prefetch(
                        "part_lines",
                        queryset=TicketPart.objects.select_related("part").order_by("id"),
                    ),
                    Prefetch("labor_lines", queryset=LaborLine.objects.order_by("id")),
                ),
            ),
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("received_by").order_by("id"),
            ),
        )
        .get(pk=pk)
    )


def ticket_documents(*, ticket: ServiceTicket) -> QuerySet[OutboundEmail]:
    """The estimates and invoices emailed for a ticket, newest first."""
    return emails_of(ticket=ticket, kinds=DOCUMENTS)
