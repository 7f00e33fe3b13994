import datetime
from decimal import Decimal
from functools import lru_cache

import orjson
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Role
from customers.models import Customer
from inventory.models import Part
from mechanic_shop.api.counts import cached_count, count_key
from mechanics.models import Mechanic

from .models import (
    COMPUTED_MONEY_FIELDS,
    LaborLine,
    ServiceTicket,
    TicketEvent,
    TicketMechanic,
    TicketPart,
)

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
    *COMPUTED_MONEY_FIELDS,
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
    it, then give the page to :func:`ticket_representations` (or
    :func:`ticket_lines`): a page costs a fixed number of queries whatever
    its size. An unfiltered page is read by :func:`ticket_page` instead.

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
    for ticket_id, mechanic_id, name in mechanics:
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
            f"FROM {table(tm)} a WHERE a.{col(tm, 'ticket')} IN ({ids}) "
            # By name in the database's collation, as the JSON path orders
            # them (case and accents compare as the database compares them).
            "ORDER BY 3, 2"
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


# -- ticket pages as JSON from the database ------------------------------------


class TicketPage:
    """``ticket_list(user=...)`` as the pagination of an unfiltered list sees
    it: ``count()`` is the queryset's, a slice is a list of finished
    representations read by :func:`ticket_page` in one query."""

    def __init__(self, user):
        self.user = user

    def count(self) -> int:
        return ticket_list(user=self.user).count()

    def __getitem__(self, bounds: slice) -> list[dict]:
        return ticket_page(user=self.user, offset=bounds.start, limit=bounds.stop - bounds.start)


def ticket_page(*, user, offset: int, limit: int) -> list[dict]:
    """What ``ServiceTicketSerializer(ticket_lines(rows), many=True)``
    answers for ``ticket_list(user=user)[offset:offset + limit]``, in one
    query: each ticket, its customer, mechanics and lines built as JSON by
    the database (money and dates as text, the way the API writes them).

    The ORM path took two thirds of a page's time: compiling the row query,
    three line queries, converting every DECIMAL and DATETIME to Python and
    back to text.
    """
    statement = _json_statement(user, "page")
    if statement is None:
        return _representations(list(ticket_list(user=user)[offset : offset + limit]))
    params = [user.pk] if _is_customer(user) else []
    tickets = _run_json(statement, [*params, limit, offset])
    if tickets is None:
        return _representations(list(ticket_list(user=user)[offset : offset + limit]))
    return tickets


def ticket_representation(*, user, pk: int) -> dict:
    """``ServiceTicketSerializer(ticket_detail(user=user, pk=pk)).data``, in
    one query; DoesNotExist when the caller may not reach the ticket."""
    statement = _json_statement(user, "one")
    if statement is not None:
        params = [pk, user.pk] if _is_customer(user) else [pk]
        found = _run_json(statement, params)
        if found == []:
            raise ServiceTicket.DoesNotExist(f"No ticket {pk} for this user.")
        if found is not None:
            return found[0]
    return _representations([ticket_detail(user=user, pk=pk)], lines=False)[0]


def ticket_representations(rows: list[dict]) -> list[dict]:
    """``ServiceTicketSerializer(ticket_lines(rows), many=True).data`` for a
    page of ``ticket_list`` rows (scoped, filtered, ordered and sliced by the
    ORM: the paths ``ticket_page`` does not take), in one more query: the
    tickets read again by id as JSON, answered in the rows' order."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    statement = _json_statement(None, "ids")
    if statement is not None:
        placeholders = ", ".join(["%s"] * len(ids))
        tickets = _run_json(f"{statement}({placeholders})", ids)
        if tickets is not None and len(tickets) == len(ids):
            by_id = {ticket["id"]: ticket for ticket in tickets}
            return [by_id[pk] for pk in ids]
        # Or a ticket deleted in between: the rows as they were read.
    return _representations(rows)


def _representations(rows: list[dict], lines: bool = True) -> list[dict]:
    from .serializers import ServiceTicketSerializer

    return ServiceTicketSerializer(ticket_lines(rows) if lines else rows, many=True).data


def _is_customer(user) -> bool:
    return getattr(user, "role", None) == Role.CUSTOMER


def _run_json(statement: str, params: list) -> list[dict] | None:
    """The tickets the statement answers, or None when its JSON cannot be
    trusted: MariaDB cuts an aggregate longer than group_concat_max_len (1
    MiB by default) with only a warning; the caller then takes the ORM path."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        texts = cursor.fetchall()
        if connection.vendor == "mysql" and connection.connection.warning_count():
            return None
    try:
        tickets = [orjson.loads(text) for (text,) in texts]
    except (orjson.JSONDecodeError, TypeError):
        return None
    zone = timezone.get_current_timezone()
    if connection.vendor == "sqlite" or getattr(zone, "key", None) != "UTC":
        # MariaDB writes ISO 8601 in UTC; another zone is converted here, and
        # SQLite's stored text (UTC) is read as Django would read it.
        from .serializers import DATETIME_FIELDS, iso_datetime

        for ticket in tickets:
            for name in DATETIME_FIELDS:
                if ticket[name] is not None:
                    moment = datetime.datetime.fromisoformat(ticket[name])
                    if moment.tzinfo is None:
                        moment = moment.replace(tzinfo=datetime.UTC)
                    ticket[name] = iso_datetime(moment, zone)
    return tickets


def _json_statement(user, shape: str) -> str | None:
    """The statement for this database, caller's scope and ``shape``
    ("page": LIMIT/OFFSET, "one": by id, "ids": by ids), or None where it cannot be
    written (another database, datetimes not stored in UTC)."""
    vendor = connection.vendor
    if connection.timezone_name != "UTC":
        return None
    if vendor == "mysql":
        if not connection.mysql_is_mariadb:  # JSON_ARRAYAGG(... ORDER BY)
            return None
    elif vendor != "sqlite":
        return None
    return _json_statements(vendor, _is_customer(user), shape)


@lru_cache(maxsize=16)
def _json_statements(vendor: str, customer: bool, shape: str) -> str:
    """One ticket per row, as JSON in the keys and order of
    ServiceTicketSerializer; names from the models' metadata, every value a
    query parameter (MySQLdb and Django's SQLite cursor read ``%%`` as %)."""
    q = connection.ops.quote_name

    def table(model):
        return q(model._meta.db_table)

    def col(alias, model, field):
        return f"{alias}.{q(model._meta.get_field(field).column)}"

    if vendor == "mysql":
        obj = "JSON_OBJECT"

        def money(expr):
            return f"CAST({expr} AS CHAR)"

        def date(expr):
            return f"CAST({expr} AS CHAR)"

        def moment(expr):
            # ISO 8601 in UTC, as DRF writes it: no fraction when it is zero.
            return (
                f"IF(MICROSECOND({expr}) = 0, DATE_FORMAT({expr}, '%%Y-%%m-%%dT%%H:%%i:%%sZ'), "
                f"DATE_FORMAT({expr}, '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ'))"
            )

        def array(element, source, order):
            return f"COALESCE((SELECT JSON_ARRAYAGG({element} ORDER BY {order}) {source}), JSON_ARRAY())"

    else:
        obj = "json_object"

        def money(expr):
            return f"printf('%%.2f', {expr})"

        def date(expr):
            return f"CAST({expr} AS TEXT)"

        def moment(expr):
            # The stored text (UTC), formatted in _run_json: whatever wrote
            # it (Django's 'YYYY-MM-DD HH:MM:SS[.ffffff]', or a database
            # function's milliseconds), it reads as Django would read it.
            return f"CAST({expr} AS TEXT)"

        def array(element, source, order):
            return (
                f"json((SELECT json_group_array(json(j)) FROM "  # noqa: S608
                f"(SELECT {element} AS j {source} ORDER BY {order})))"
            )

    t, st = "t", ServiceTicket
    tm, mech, tp, part, ll = TicketMechanic, Mechanic, TicketPart, Part, LaborLine
    mechanics = array(
        f"{obj}('id', {col('m', mech, 'id')}, 'name', {col('m', mech, 'name')})",
        f"FROM {table(tm)} a INNER JOIN {table(mech)} m "
        f"ON {col('m', mech, 'id')} = {col('a', tm, 'mechanic')} "
        f"WHERE {col('a', tm, 'ticket')} = {col(t, st, 'id')}",
        f"{col('m', mech, 'name')}, {col('m', mech, 'id')}",
    )
    quantity, unit_price = col("l", tp, "quantity"), col("l", tp, "unit_price")
    parts = array(
        f"{obj}('part_id', {col('l', tp, 'part')}, 'name', {col('p', part, 'name')}, "
        f"'quantity', {quantity}, 'unit_price', {money(unit_price)}, "
        f"'line_total', {money(f'{quantity} * {unit_price}')})",
        f"FROM {table(tp)} l INNER JOIN {table(part)} p "
        f"ON {col('p', part, 'id')} = {col('l', tp, 'part')} "
        f"WHERE {col('l', tp, 'ticket')} = {col(t, st, 'id')}",
        col("l", tp, "id"),
    )
    labor = array(
        f"{obj}('id', {col('l', ll, 'id')}, 'mechanic_id', {col('l', ll, 'mechanic')}, "
        f"'description', {col('l', ll, 'description')}, 'hours', {money(col('l', ll, 'hours'))}, "
        f"'rate', {money(col('l', ll, 'rate'))}, 'line_total', {money(col('l', ll, 'line_total'))})",
        f"FROM {table(ll)} l WHERE {col('l', ll, 'ticket')} = {col(t, st, 'id')}",
        col("l", ll, "id"),
    )
    cust = Customer
    if customer:
        customer_name = col("c", cust, "name")
        source = (
            f"FROM {table(st)} t INNER JOIN {table(cust)} c "
            f"ON {col('c', cust, 'id')} = {col(t, st, 'customer')}"
        )
    else:
        customer_name = (
            f"(SELECT {col('c', cust, 'name')} FROM {table(cust)} c "  # noqa: S608
            f"WHERE {col('c', cust, 'id')} = {col(t, st, 'customer')})"
        )
        source = f"FROM {table(st)} t"

    def plain(name):
        return f"'{name}', {col(t, st, name)}"

    fields = [
        plain("id"),
        f"'customer', {obj}('id', {col(t, st, 'customer')}, 'name', {customer_name})",
        plain("vehicle_id"),
        plain("vin"),
        plain("status"),
        f"'service_date', {date(col(t, st, 'service_date'))}",
        plain("service_desc"),
        plain("mileage_in"),
        plain("mileage_out"),
        plain("declined_reason"),
        f"'mechanics', {mechanics}",
        f"'parts', {parts}",
        f"'labor', {labor}",
        plain("discount_type"),
        *(
            f"'{name}', {money(col(t, st, name))}"
            for name in ("discount_value", *COMPUTED_MONEY_FIELDS, "amount_paid", "balance_due")
        ),
        plain("invoice_number"),
        *(
            f"'{name}', {moment(col(t, st, name))}"
            for name in ("completed_at", "invoiced_at", "paid_at", "created_at", "updated_at")
        ),
    ]
    conditions = []
    if shape == "one":
        conditions.append(f"{col(t, st, 'id')} = %s")
    if shape == "ids":  # the caller adds the parenthesized list of placeholders
        conditions.append(f"{col(t, st, 'id')} IN ")
    if customer:
        conditions.append(f"{col('c', cust, 'user')} = %s")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    tail = (
        f" ORDER BY {col(t, st, 'service_date')} DESC, {col(t, st, 'id')} DESC LIMIT %s OFFSET %s"
        if shape == "page"
        else ""
    )
    return f"SELECT {obj}({', '.join(fields)}) {source}{where}{tail}"


def ticket_history(*, ticket: ServiceTicket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("id")
