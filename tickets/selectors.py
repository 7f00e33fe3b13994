from django.db.models import Prefetch, QuerySet

from accounts.models import Role
from mechanics.models import Mechanic

from .models import LaborLine, ServiceTicket, TicketEvent, TicketPart


def ticket_scope(*, user) -> QuerySet[ServiceTicket]:
    """Tickets the caller may reach: all for staff, its own for a customer."""
    queryset = ServiceTicket.objects.all()
    if getattr(user, "role", None) == Role.CUSTOMER:
        queryset = queryset.filter(customer__user_id=user.pk)
    return queryset


def ticket_list(*, user) -> QuerySet[ServiceTicket]:
    """``ticket_scope`` with everything the ticket representation reads: a
    fixed number of queries whatever the page size."""
    return (
        ticket_scope(user=user)
        .select_related("customer")
        .prefetch_related(
            Prefetch(
                "mechanics", queryset=Mechanic.objects.only("id", "name").order_by("name", "id")
            ),
            Prefetch(
                "part_lines",
                queryset=TicketPart.objects.select_related("part").only(
                    "id", "ticket_id", "part_id", "quantity", "unit_price", "part__name"
                ),
            ),
            Prefetch(
                "labor_lines",
                queryset=LaborLine.objects.only(
                    "id", "ticket_id", "mechanic_id", "description", "hours", "rate", "line_total"
                ),
            ),
        )
    )


def ticket_detail(*, user, pk: int) -> ServiceTicket:
    return ticket_list(user=user).get(pk=pk)


def ticket_history(*, ticket: ServiceTicket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("id")
