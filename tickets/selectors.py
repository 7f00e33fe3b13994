"""Reads of tickets: the querysets behind every ticket answer.

Each carries the joins its representation (tickets.serializers) needs, so a
page of any size costs the same few indexed queries: the tickets with their
customer, then their mechanics, part lines and labor lines by ticket id.
"""

from django.db.models import Prefetch, QuerySet

from accounts.models import Role
from customers.models import Customer
from mechanic_shop.api.counts import cached_count, count_key
from mechanics.models import Mechanic
from vehicles.models import Vehicle

from .models import (
    Authorization,
    Job,
    LaborLine,
    Recommendation,
    RecommendationStatus,
    ServiceTicket,
    TicketEvent,
    TicketPart,
)

# The cache namespace of ticket list counts (bumped by tickets.receivers).
TICKET_COUNTS = "ticket-counts"
# The cache namespace of the ticket answers (lists, my-tickets, details):
# bumped by any change to what ServiceTicketSerializer shows (tickets.apps).
TICKETS = "tickets"
# A customer's ticket answers are its own: cached per user, not per role.
TICKETS_PER_USER_ROLES = frozenset({Role.CUSTOMER})


def ticket_scope(*, user) -> QuerySet[ServiceTicket]:
    """Tickets the caller may reach: all for staff, its own for a customer."""
    queryset = ServiceTicket.objects.all()
    if getattr(user, "role", None) == Role.CUSTOMER:
        queryset = queryset.filter(customer__user_id=user.pk)
    return queryset


def ticket_list(*, user) -> QuerySet[ServiceTicket]:
    """``ticket_scope`` with what ServiceTicketSerializer shows, newest
    service date first: filter, order and slice it, then serialize.

    The customers, the mechanics (by name, in the database's collation), the
    jobs, the part lines with their part's name and the labor lines come by
    one query each for the whole page, by primary key or ticket id; the
    ticket's own ``parts`` and ``labor`` are its jobs' lines.

    The customer is prefetched, not joined: with the join, MariaDB starts
    from the customers and sorts every ticket to find a page (EXPLAIN at
    10,000 tickets: a full scan of customers, "Using temporary; Using
    filesort"); alone, the page is read straight from the
    ``(service_date, id)`` index.
    """
    return (
        ticket_scope(user=user)
        .prefetch_related(
            Prefetch("customer", queryset=Customer.objects.only("id", "name")),
            Prefetch(
                "mechanics", queryset=Mechanic.objects.only("id", "name").order_by("name", "id")
            ),
            # The vehicle only for its open recommendations (open_recommendations).
            Prefetch(
                "vehicle",
                queryset=Vehicle.objects.only("id").prefetch_related(
                    Prefetch(
                        "recommendations",
                        queryset=open_recommendations(),
                        to_attr="open_recommendations",
                    )
                ),
            ),
            Prefetch(
                "jobs",
                queryset=Job.objects.order_by("position", "id").prefetch_related(
                    Prefetch(
                        "part_lines",
                        queryset=TicketPart.objects.select_related("part")
                        .only(
                            "ticket_id", "job_id", "part_id", "part__name", "quantity", "unit_price"
                        )
                        .order_by("id"),
                    ),
                    Prefetch("labor_lines", queryset=LaborLine.objects.order_by("id")),
                ),
            ),
        )
        .order_by("-service_date", "-id")
    )


def open_recommendations() -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.filter(status=RecommendationStatus.OPEN)
        .only("id", "vehicle_id", "ticket_id", "title", "amount")
        .order_by("-id")
    )


def vehicle_recommendations(*, vehicle, status: str | None = None) -> QuerySet[Recommendation]:
    queryset = Recommendation.objects.filter(vehicle=vehicle)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-id")


def ticket_detail(*, user, pk: int) -> ServiceTicket:
    """One ticket as ``ticket_list`` reads it; DoesNotExist when the caller
    may not reach it."""
    return ticket_list(user=user).get(pk=pk)


def ticket_list_count(queryset, *, user, endpoint: str, query_params) -> int:
    """The size of a (filtered) ticket list, counted once per change of
    which tickets it holds (see tickets.receivers), not once per request:
    at a million tickets a count is a scan of an index."""
    if getattr(user, "role", None) == Role.CUSTOMER:
        scope = f"{endpoint}:customer:{user.pk}"
    else:
        scope = f"{endpoint}:staff"
    key = count_key(scope, query_params)
    return cached_count(queryset, namespace=TICKET_COUNTS, key=key)


def ticket_history(*, ticket: ServiceTicket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("id")


def ticket_authorizations(*, ticket: ServiceTicket) -> QuerySet[Authorization]:
    return (
        Authorization.objects.filter(ticket=ticket)
        .select_related("authorized_by__customer", "authorized_by__mechanic")
        .order_by("id")
    )


def ticket_jobs(*, ticket: ServiceTicket) -> QuerySet[Job]:
    """A ticket's jobs with their lines, as JobSerializer shows them."""
    return (
        Job.objects.filter(ticket=ticket)
        .prefetch_related(
            Prefetch(
                "part_lines",
                queryset=TicketPart.objects.select_related("part").order_by("id"),
            ),
            Prefetch("labor_lines", queryset=LaborLine.objects.order_by("id")),
        )
        .order_by("position", "id")
    )
