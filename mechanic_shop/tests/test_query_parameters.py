"""A query parameter that is sent is used or refused, never ignored: an
unknown choice or ordering field, an empty value, or a single-valued
parameter sent twice is a 400 naming it, on every list and report."""

import pytest

from mechanic_shop.api.filters import BLANK, REPEATED
from tests.factories import PartFactory, ServiceTicketFactory

pytestmark = pytest.mark.django_db

GROUP_CHOICE = '"{}" is not a valid choice.'
DATE_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
PART_ORDER = "price, name, quantity_in_stock, part_number, updated_at, id"
TICKET_ORDER = "service_date, created_at, updated_at, id"


def cannot_order(term: str, fields: str) -> str:
    return f"Cannot order by {term!r}: use {fields}, with '-' first for descending."


# (query, the field named, its message)
REFUSED = [
    # The revenue report's group: empty, unknown, twice.
    ("/reports/revenue/?group=", "group", BLANK),
    ("/reports/revenue/?group=week", "group", GROUP_CHOICE.format("week")),
    ("/reports/revenue/?group=DAY", "group", GROUP_CHOICE.format("DAY")),
    ("/reports/revenue/?group=day&group=month", "group", REPEATED),
    ("/reports/revenue/?from=", "from", BLANK),
    ("/reports/revenue/?to=", "to", BLANK),
    ("/reports/revenue/?to=2026-03-01&to=2026-03-02", "to", REPEATED),
    ("/reports/mechanics/?from=", "from", BLANK),
    ("/reports/mechanics/?to=soon", "to", DATE_FORMAT),
    # Choice filters.
    ("/inventory/?low_stock=", "low_stock", BLANK),
    (
        "/inventory/?low_stock=yes",
        "low_stock",
        "Select a valid choice. yes is not one of the available choices.",
    ),
    ("/inventory/?low_stock=true&low_stock=false", "low_stock", REPEATED),
    ("/service-tickets/?status=", "status", BLANK),
    ("/service-tickets/?status=paid&status=", "status", BLANK),
    (
        "/service-tickets/?status=lost",
        "status",
        "Select a valid choice. lost is not one of the available choices.",
    ),
    # Other filters: empty or twice.
    ("/inventory/?min_price=", "min_price", BLANK),
    ("/inventory/?part_number=", "part_number", BLANK),
    ("/customers/?email=", "email", BLANK),
    ("/vehicles/?customer=", "customer", BLANK),
    ("/vehicles/?make=", "make", BLANK),
    ("/vehicles/?customer=1&customer=2", "customer", REPEATED),
    ("/service-tickets/?customer=", "customer", BLANK),
    ("/service-tickets/?vin=", "vin", BLANK),
    ("/service-tickets/?service_date_after=", "service_date_after", BLANK),
    ("/service-tickets/?service_date_before=someday", "service_date", "Enter a valid date."),
    # Ordering: a field the list does not order by, an empty one.
    ("/inventory/?ordering=colour", "ordering", cannot_order("colour", PART_ORDER)),
    ("/inventory/?ordering=-price,bogus", "ordering", cannot_order("bogus", PART_ORDER)),
    ("/inventory/?ordering=price,", "ordering", cannot_order("", PART_ORDER)),
    ("/inventory/?ordering=--price", "ordering", cannot_order("--price", PART_ORDER)),
    ("/inventory/?ordering=", "ordering", BLANK),
    ("/inventory/?ordering=name&ordering=", "ordering", BLANK),
    (
        "/customers/?ordering=email",
        "ordering",
        cannot_order("email", "name, id, created_at, updated_at"),
    ),
    ("/mechanics/?ordering=salary", "ordering", cannot_order("salary", "name, id")),
    (
        "/vehicles/?ordering=vin",
        "ordering",
        cannot_order("vin", "id, year, mileage, created_at, updated_at"),
    ),
    ("/service-tickets/?ordering=total", "ordering", cannot_order("total", TICKET_ORDER)),
    # Pagination garbage (an empty page or page_size still means the default).
    ("/inventory/?page_size=abc", "page_size", "A whole number is required, not 'abc'."),
    ("/inventory/?page_size=1.5", "page_size", "A whole number is required, not '1.5'."),
    ("/inventory/?page_size=0", "page_size", "Must be at least 1."),
    ("/inventory/?page_size=101", "page_size", "Must be at most 100."),
    ("/inventory/?page=-1", "page", "Must be at least 1."),
    ("/customers/?limit=x", "limit", "A whole number is required, not 'x'."),
]


@pytest.mark.parametrize("path, field, message", REFUSED, ids=[row[0] for row in REFUSED])
def test_a_bad_query_value_is_a_400_naming_it(admin_client, path, field, message):
    response = admin_client.get(path)
    assert response.status_code == 400, response.content
    assert response.json() == {field: [message]}


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_ordering_by_several_fields_comma_separated_or_repeated(admin_client):
    PartFactory(name="B", price="1.00")
    PartFactory(name="A", price="2.00")
    PartFactory(name="C", price="2.00")
    expected = ["A", "C", "B"]
    assert names(admin_client.get("/inventory/?ordering=-price,name")) == expected
    assert names(admin_client.get("/inventory/?ordering=-price&ordering=name")) == expected
    assert names(admin_client.get("/inventory/?ordering= -price , name")) == expected


def test_what_is_still_accepted(admin_client):
    """A multiple choice repeats; an empty search searches nothing; an empty
    cursor is the first page; a parameter no list reads is not a filter."""
    estimate = ServiceTicketFactory()
    ids = [
        row["id"]
        for row in admin_client.get("/service-tickets/?status=estimate&status=approved").json()[
            "results"
        ]
    ]
    assert ids == [estimate.pk]
    PartFactory(name="Fuse")
    assert names(admin_client.get("/inventory/?search=")) == ["Fuse"]
    assert admin_client.get("/service-tickets/?cursor=").json()["results"][0]["id"] == estimate.pk
    assert names(admin_client.get("/inventory/?colour=red")) == ["Fuse"]


def test_the_schema_declares_the_strict_parameters(anon):
    """Ordering lists its fields; a text filter is never empty; report dates
    are dates; query ids are integers."""
    paths = anon.get("/api/schema/?format=json").json()["paths"]

    def parameter(path, name):
        (found,) = [p for p in paths[path]["get"]["parameters"] if p["name"] == name]
        return found["schema"]

    assert parameter("/mechanics/", "ordering") == {
        "type": "array",
        "items": {"type": "string", "enum": ["name", "-name", "id", "-id"]},
    }
    assert parameter("/vehicles/", "vin") == {"type": "string", "minLength": 1}
    assert parameter("/customers/", "email") == {"type": "string", "minLength": 1}
    assert parameter("/reports/revenue/", "from") == {"type": "string", "format": "date"}
    assert parameter("/reports/revenue/", "group")["enum"] == ["day", "month"]
    assert parameter("/service-tickets/", "customer")["type"] == "integer"
    assert parameter("/vehicles/", "customer")["type"] == "integer"
    # Free text and the first cursor may be empty.
    assert parameter("/inventory/", "search") == {"type": "string"}
    assert parameter("/service-tickets/", "cursor") == {"type": "string"}
