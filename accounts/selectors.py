from functools import lru_cache

from django.db import connection

from .models import User


def user_me(*, user) -> dict:
    """The caller's identity and the ids of its profiles, in one query."""
    profile = User.objects.filter(pk=user.pk).values("customer__id", "mechanic__id").get()
    return {
        "id": user.pk,
        "email": user.email,
        "role": user.role,
        "customer_id": profile["customer__id"],
        "mechanic_id": profile["mechanic__id"],
    }


def user_by_id(user_id) -> User | None:
    """The user with this primary key, or None: what
    ``User.objects.filter(pk=user_id).first()`` answers, for one query built
    once. Every authenticated request loads its user (a deactivated or
    deleted user must be refused), and building and compiling that query
    cost more than running it."""
    sql, names, converters = _user_statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, functions in converters:
        for convert in functions:
            values[index] = convert(values[index], None, connection)
    return User.from_db(connection.alias, names, values)


@lru_cache(maxsize=4)
def _user_statement(vendor: str):
    """The SELECT of every column, and the value converters the ORM would
    apply to each (booleans, time zones, SQLite's text dates)."""
    fields = User._meta.concrete_fields
    table = User._meta.db_table
    q = connection.ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    sql = f"SELECT {columns} FROM {q(table)} WHERE {q(User._meta.pk.column)} = %s"  # noqa: S608
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, functions))
    return sql, [f.attname for f in fields], converters
