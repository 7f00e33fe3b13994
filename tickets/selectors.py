from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import Role
from customers.models import Customer
from mechanic_shop.api.counts import cached_count, count_key
from mechanics.models import Mechanic

from .models import LaborLine, ServiceTicket, TicketEvent, TicketMechanic, TicketPart

# The cache namespace of ticket list counts (bumped by tickets.receivers).
TICKET_COUNTS = "ticket-counts"

# The ticket's own columns that its representation shows.
TICKET_COLUMNS = (
    "id",
    "customer_id",
    "vehicle_id",
    "vin",
    "status",
    "service_date",
    "service_desc",
    "mileage_in",
    "mileage_out",
    "declined_reason",
    "discount_type",
    "discount_value",
    "parts_total",
    "labor_total",
    "discount",
    "parts_tax",
    "labor_tax",
    "tax",
    "total",
    "amount_paid",
    "balance_due",
    "invoice_number",
    "completed_at",
    "invoiced_at",
    "paid_at",
    "created_at",
    "updated_at",
)


def ticket_scope(*, user) -> QuerySet[ServiceTicket]:
    """Tickets the caller may reach: all for staff, its own for a customer."""
    queryset = ServiceTicket.objects.all()
    if getattr(user, "role", None) == Role.CUSTOMER:
        queryset = queryset.filter(customer__user_id=user.pk)
    return queryset


def ticket_list(*, user) -> QuerySet[dict]:
    """``ticket_scope`` as rows (dicts of the ticket's columns and its
    customer's name), newest service date first. Filter, order and slice
    it, then give the page to :func:`ticket_lines`: a page costs a fixed
    number of queries whatever its size.

    Rows rather than model instances, and the customer's name by a
    correlated subquery rather than a join: a join lets the database start
    from the customers and sort every ticket to find the first page; this
    way the page is read straight from the ``(service_date, id)`` index.
    """
    customer_name = Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("name")[:1])
    return (
        ticket_scope(user=user)
        .order_by("-service_date", "-id")
        .values(*TICKET_COLUMNS, customer_name=customer_name)
    )


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


def ticket_lines(rows: list[dict]) -> list[dict]:
    """Add to each ticket row its ``mechanics`` (by name), ``parts`` and
    ``labor`` lines (in the order added): three queries for any number of
    rows, answering plain tuples (no model instances)."""
    if not rows:
        return rows
    by_id = {}
    for row in rows:
        row["mechanics"], row["parts"], row["labor"] = [], [], []
        by_id[row["id"]] = row
    ids = list(by_id)
    # Read from the assignment table by ticket (its unique index), the name
    # by primary key: joining the mechanics first would scan every
    # assignment of every mechanic.
    mechanic_name = Subquery(Mechanic.objects.filter(pk=OuterRef("mechanic_id")).values("name")[:1])
    mechanics = (
        TicketMechanic.objects.filter(ticket_id__in=ids)
        .annotate(name=mechanic_name)
        .values_list("ticket_id", "mechanic_id", "name")
    )
    for ticket_id, mechanic_id, name in sorted(mechanics, key=lambda m: (m[2], m[1])):
        by_id[ticket_id]["mechanics"].append((mechanic_id, name))
    parts = (
        TicketPart.objects.filter(ticket_id__in=ids)
        .order_by("id")
        .values_list("ticket_id", "part_id", "part__name", "quantity", "unit_price")
    )
    for ticket_id, *line in parts:
        by_id[ticket_id]["parts"].append(line)
    labor = (
        LaborLine.objects.filter(ticket_id__in=ids)
        .order_by("id")
        .values_list("ticket_id", "id", "mechanic_id", "description", "hours", "rate", "line_total")
    )
    for ticket_id, *line in labor:
        by_id[ticket_id]["labor"].append(line)
    return rows


def ticket_detail(*, user, pk: int) -> dict:
    """One ticket's row with its lines; DoesNotExist when the caller may not
    reach it."""
    rows = list(ticket_list(user=user).filter(pk=pk))
    if not rows:
        raise ServiceTicket.DoesNotExist(f"No ticket {pk} for this user.")
    return ticket_lines(rows)[0]


def ticket_history(*, ticket: ServiceTicket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("id")
