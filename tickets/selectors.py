from django.db.models import Prefetch, QuerySet

from accounts.models import Role
from mechanics.models import Mechanic

from .models import ServiceTicket, TicketPart


def ticket_list(*, user) -> QuerySet[ServiceTicket]:
    """Tickets the caller may see (all for staff, its own for a customer),
    with everything the ticket representation reads: a fixed number of
    queries whatever the page size."""
    queryset = ServiceTicket.objects.select_related("customer").prefetch_related(
        Prefetch("mechanics", queryset=Mechanic.objects.only("id", "name").order_by("name", "id")),
        Prefetch(
            "part_lines",
            queryset=TicketPart.objects.select_related("part").only(
                "id", "ticket_id", "part_id", "quantity", "unit_price", "part__name"
            ),
        ),
    )
    if user.role == Role.CUSTOMER:
        queryset = queryset.filter(customer__user_id=user.pk)
    return queryset


def ticket_detail(*, user, pk: int) -> ServiceTicket:
    return ticket_list(user=user).get(pk=pk)
