"""The statements of the add-part write (tickets.services.ticket_add_part_detail)
as SQL built once per database vendor, from the models' table and column
names.

Building and compiling a queryset costs more than running its statement on
this path: the ticket row alone (28 columns and a subquery) took about half
a millisecond, the writes 0.2 to 0.5 ms each. Values read are converted by
the same converters the ORM applies to these fields, values written are
passed as parameters.
"""

import json
from decimal import Decimal
from functools import lru_cache

from django.db import connection

from customers.models import Customer
from inventory.models import Part
from mechanics.models import Mechanic

from .models import (
    COMPUTED_MONEY_FIELDS,
    LaborLine,
    ServiceTicket,
    TicketEvent,
    TicketMechanic,
    TicketPart,
)
from .selectors import TICKET_COLUMNS


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _col(model, field: str) -> str:
    return _q(model._meta.get_field(field).column)


def _converters(model, fields) -> list[tuple[int, list, object]]:
    """(position, converters, expression) for each field that has any: what
    the ORM's compiler applies to the values it reads."""
    found = []
    for i, name in enumerate(fields):
        col = model._meta.get_field(name).get_col(model._meta.db_table)
        convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if convs:
            found.append((i, convs, col))
    return found


def _convert(row, converters) -> list:
    row = list(row)
    for i, convs, expression in converters:
        value = row[i]
        for convert in convs:
            value = convert(value, expression, connection)
        row[i] = value
    return row


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


@lru_cache(maxsize=4)
def _statements(vendor: str) -> dict:
    st, c, p, tp, ev = ServiceTicket, Customer, Part, TicketPart, TicketEvent
    tm, mech, ll = TicketMechanic, Mechanic, LaborLine
    columns = ", ".join(f"t.{_col(st, name)}" for name in TICKET_COLUMNS)
    money = ", ".join(f"{_col(st, name)} = %s" for name in MONEY_COLUMNS)
    # Only quoted names from the models are interpolated; values are parameters.
    return {
        "ticket": (
            f"SELECT {columns}, (SELECT c.{_col(c, 'name')} FROM {_table(c)} c "  # noqa: S608
            f"WHERE c.{_col(c, 'id')} = t.{_col(st, 'customer')}) "
            f"FROM {_table(st)} t WHERE t.{_col(st, 'id')} = %s{_for_update()}"
        ),
        "ticket_converters": _converters(st, TICKET_COLUMNS),
        "part": (
            f"SELECT {_col(p, 'name')}, {_col(p, 'part_number')}, {_col(p, 'price')}, "  # noqa: S608
            f"{_col(p, 'quantity_in_stock')} FROM {_table(p)} "
            f"WHERE {_col(p, 'id')} = %s{_for_update()}"
        ),
        "part_converters": _converters(p, PART_COLUMNS),
        # The three line queries of selectors.ticket_lines for one ticket, in
        # one round trip: (kind, order, id, text, quantity, three amounts).
        "lines": (
            f"SELECT 0, 0, a.{_col(tm, 'mechanic')}, "  # noqa: S608
            f"(SELECT m.{_col(mech, 'name')} FROM {_table(mech)} m "
            f"WHERE m.{_col(mech, 'id')} = a.{_col(tm, 'mechanic')}), "
            f"NULL, NULL, NULL, NULL FROM {_table(tm)} a WHERE a.{_col(tm, 'ticket')} = %s "
            f"UNION ALL SELECT 1, l.{_col(tp, 'id')}, l.{_col(tp, 'part')}, p.{_col(p, 'name')}, "
            f"l.{_col(tp, 'quantity')}, l.{_col(tp, 'unit_price')}, NULL, NULL "
            f"FROM {_table(tp)} l INNER JOIN {_table(p)} p "
            f"ON p.{_col(p, 'id')} = l.{_col(tp, 'part')} WHERE l.{_col(tp, 'ticket')} = %s "
            f"UNION ALL SELECT 2, l.{_col(ll, 'id')}, l.{_col(ll, 'mechanic')}, "
            f"l.{_col(ll, 'description')}, NULL, l.{_col(ll, 'hours')}, l.{_col(ll, 'rate')}, "
            f"l.{_col(ll, 'line_total')} FROM {_table(ll)} l WHERE l.{_col(ll, 'ticket')} = %s "
            # Mechanics by name in the database's collation, then id.
            "ORDER BY 1, 2, 4, 3"
        ),
        "line_update": (
            f"UPDATE {_table(tp)} SET {_col(tp, 'quantity')} = %s, "  # noqa: S608
            f"{_col(tp, 'updated_at')} = %s "
            f"WHERE {_col(tp, 'ticket')} = %s AND {_col(tp, 'part')} = %s"
        ),
        "line_insert": (
            f"INSERT INTO {_table(tp)} ({_col(tp, 'ticket')}, {_col(tp, 'part')}, "  # noqa: S608
            f"{_col(tp, 'quantity')}, {_col(tp, 'unit_price')}, {_col(tp, 'created_at')}, "
            f"{_col(tp, 'updated_at')}) VALUES (%s, %s, %s, %s, %s, %s)"
        ),
        "event_insert": (
            f"INSERT INTO {_table(ev)} ({_col(ev, 'ticket')}, {_col(ev, 'action')}, "  # noqa: S608
            f"{_col(ev, 'actor')}, {_col(ev, 'before')}, {_col(ev, 'after')}, "
            f"{_col(ev, 'created_at')}) VALUES (%s, %s, %s, %s, %s, %s)"
        ),
        "money_update": (
            f"UPDATE {_table(st)} SET {money}, {_col(st, 'updated_at')} = %s "  # noqa: S608
            f"WHERE {_col(st, 'id')} = %s"
        ),
    }


PART_COLUMNS = ("name", "part_number", "price", "quantity_in_stock")
# The columns money_update writes, in this order (tickets.services.MONEY_FIELDS).
MONEY_COLUMNS = (*COMPUTED_MONEY_FIELDS, "balance_due")


def _datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


def locked_ticket_row(ticket_id: int) -> dict | None:
    """The ticket as a row of tickets.selectors.ticket_list (its columns and
    ``customer_name``), locked; None when there is no such ticket. The
    customer's row is read by a subquery, not locked."""
    statements = _statements(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(statements["ticket"], [ticket_id])
        found = cursor.fetchone()
    if found is None:
        return None
    *values, customer_name = _convert(found, statements["ticket_converters"])
    row = dict(zip(TICKET_COLUMNS, values, strict=True))
    row["customer_name"] = customer_name
    return row


def add_lines(row: dict) -> dict:
    """Add to the ticket's row its ``mechanics``, ``parts`` and ``labor`` as
    tickets.selectors.ticket_lines does (the same tuples, in the same
    order), in one statement instead of three."""
    mechanics, parts, labor = [], [], []
    with connection.cursor() as cursor:
        cursor.execute(_statements(connection.vendor)["lines"], [row["id"]] * 3)
        found = cursor.fetchall()
    for kind, order, id_, text, quantity, amount1, amount2, amount3 in found:
        if kind == 0:
            mechanics.append((id_, text))
        elif kind == 1:
            # int(): MariaDB types a column of integers and NULLs DECIMAL.
            parts.append((id_, text, int(quantity), _decimal(amount1)))
        else:
            labor.append(
                (order, id_, text, _decimal(amount1), _decimal(amount2), _decimal(amount3))
            )
    row["mechanics"], row["parts"], row["labor"] = mechanics, parts, labor
    return row


def _decimal(value) -> Decimal:
    # MySQL hands DECIMAL columns over as Decimal; SQLite as int or float,
    # whose repr is the shortest string that reads back the same number.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def locked_part(part_id: int) -> tuple | None:
    """The part's (name, part_number, price, quantity_in_stock), locked;
    None when there is no such part."""
    statements = _statements(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(statements["part"], [part_id])
        found = cursor.fetchone()
    return None if found is None else tuple(_convert(found, statements["part_converters"]))


def part_line_write(*, ticket_id: int, part_id: int, quantity: int, unit_price, new: bool, now):
    """Create the ticket's line of the part, or set its quantity."""
    statements = _statements(connection.vendor)
    when = _datetime(now)
    with connection.cursor() as cursor:
        if new:
            cursor.execute(
                statements["line_insert"], [ticket_id, part_id, quantity, unit_price, when, when]
            )
        else:
            cursor.execute(statements["line_update"], [quantity, when, ticket_id, part_id])


def event_insert(*, ticket_id: int, action: str, actor_id, before, after, now) -> None:
    """One history entry (a TicketEvent; JSON as its JSONFields write it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _statements(connection.vendor)["event_insert"],
            [ticket_id, action, actor_id, json.dumps(before), json.dumps(after), _datetime(now)],
        )


def ticket_money_update(*, ticket_id: int, money: dict, now) -> None:
    """Write the ticket's money columns (and updated_at)."""
    params = [money[name] for name in MONEY_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            _statements(connection.vendor)["money_update"], [*params, _datetime(now), ticket_id]
        )
