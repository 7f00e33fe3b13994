from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import Role
from customers.models import Customer
from inventory.models import Part
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
    queryset = _ticket_rows().all()  # a clone: the template is never evaluated
    if getattr(user, "role", None) == Role.CUSTOMER:
        queryset = queryset.filter(customer__user_id=user.pk)
    return queryset


@lru_cache(maxsize=1)
def _ticket_rows() -> QuerySet[dict]:
    """All tickets as rows, built once (each call of ticket_list clones it:
    setting up 28 columns and a subquery per request cost a millisecond)."""
    customer_name = Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("name")[:1])
    return (
        ServiceTicket.objects.order_by("-service_date", "-id")
        .values(*TICKET_COLUMNS, customer_name=customer_name)
        .all()
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
    rows, answering plain tuples.

    Hand-written SQL, built once: these run on every ticket page, and
    building and compiling three querysets cost more than running them.
    The mechanics are read from the assignment table by ticket (its unique
    index), the names by primary key: joining the mechanics first would
    scan every assignment of every mechanic.
    """
    if not rows:
        return rows
    by_id = {}
    for row in rows:
        row["mechanics"], row["parts"], row["labor"] = [], [], []
        by_id[row["id"]] = row
    ids = list(by_id)
    statements = _line_statements(connection.vendor, len(ids))
    with connection.cursor() as cursor:
        cursor.execute(statements["mechanics"], ids)
        mechanics = cursor.fetchall()
        cursor.execute(statements["parts"], ids)
        parts = cursor.fetchall()
        cursor.execute(statements["labor"], ids)
        labor = cursor.fetchall()
    for ticket_id, mechanic_id, name in sorted(mechanics, key=lambda m: (m[2], m[1])):
        by_id[ticket_id]["mechanics"].append((mechanic_id, name))
    for ticket_id, part_id, name, quantity, unit_price in parts:
        by_id[ticket_id]["parts"].append((part_id, name, quantity, _decimal(unit_price)))
    for ticket_id, line_id, mechanic_id, description, hours, rate, total in labor:
        by_id[ticket_id]["labor"].append(
            (line_id, mechanic_id, description, _decimal(hours), _decimal(rate), _decimal(total))
        )
    return rows


def _decimal(value) -> Decimal:
    # MySQL hands DECIMAL columns over as Decimal; SQLite as int or float,
    # whose repr is the shortest string that reads back the same number.
    return value if isinstance(value, Decimal) else Decimal(str(value))


@lru_cache(maxsize=256)
def _line_statements(vendor: str, count: int) -> dict[str, str]:
    """The three line queries for ``count`` ticket ids, from the models'
    table and column names."""
    q = connection.ops.quote_name

    def table(model):
        return q(model._meta.db_table)

    def col(model, field):
        return q(model._meta.get_field(field).column)

    ids = ", ".join(["%s"] * count)
    tm, mech, tp, part, ll = TicketMechanic, Mechanic, TicketPart, Part, LaborLine
    # Names from the models' metadata; the ids are query parameters.
    return {
        "mechanics": (
            f"SELECT a.{col(tm, 'ticket')}, a.{col(tm, 'mechanic')}, "  # noqa: S608
            f"(SELECT m.{col(mech, 'name')} FROM {table(mech)} m "
            f"WHERE m.{col(mech, 'id')} = a.{col(tm, 'mechanic')}) "
            f"FROM {table(tm)} a WHERE a.{col(tm, 'ticket')} IN ({ids})"
        ),
        "parts": (
            f"SELECT l.{col(tp, 'ticket')}, l.{col(tp, 'part')}, p.{col(part, 'name')}, "  # noqa: S608
            f"l.{col(tp, 'quantity')}, l.{col(tp, 'unit_price')} "
            f"FROM {table(tp)} l INNER JOIN {table(part)} p "
            f"ON p.{col(part, 'id')} = l.{col(tp, 'part')} "
            f"WHERE l.{col(tp, 'ticket')} IN ({ids}) ORDER BY l.{col(tp, 'id')}"
        ),
        "labor": (
            f"SELECT l.{col(ll, 'ticket')}, l.{col(ll, 'id')}, l.{col(ll, 'mechanic')}, "  # noqa: S608
            f"l.{col(ll, 'description')}, l.{col(ll, 'hours')}, l.{col(ll, 'rate')}, "
            f"l.{col(ll, 'line_total')} FROM {table(ll)} l "
            f"WHERE l.{col(ll, 'ticket')} IN ({ids}) ORDER BY l.{col(ll, 'id')}"
        ),
    }


def ticket_detail(*, user, pk: int) -> dict:
    """One ticket's row with its lines; DoesNotExist when the caller may not
    reach it."""
    rows = list(ticket_list(user=user).filter(pk=pk))
    if not rows:
        raise ServiceTicket.DoesNotExist(f"No ticket {pk} for this user.")
    return ticket_lines(rows)[0]


def ticket_history(*, ticket: ServiceTicket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("id")
