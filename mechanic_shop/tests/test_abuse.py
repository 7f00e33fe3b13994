"""Bad input and abuse (OWASP API4/API8): every case answers a 4xx in JSON
and stores nothing; text that is valid (any script, emoji) is stored as
sent."""

from __future__ import annotations

import json

import pytest

from conftest import client_for
from customers.models import Customer
from inventory.models import Part
from tests.database_state import snapshot
from tests.factories import (
    AdminFactory,
    CustomerFactory,
    MechanicFactory,
    PartFactory,
    ServiceTicketFactory,
)

pytestmark = pytest.mark.django_db

PART = {"name": "Fuse", "part_number": "F-1", "price": "1.00", "quantity_in_stock": 3}
CUSTOMER = {
    "name": "Nina",
    "email": "nina@example.com",
    "phone": "555-0100",
    "password": "a-long-new-password-1",
}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# (what, path, raw body or JSON-able, content type, status, where the error is)
# ``{ticket}``, ``{part}``, ``{customer}`` are filled in; bodies go to POST
# unless the path says PATCH.
CASES = [
    # -- size
    ("body over 1 MiB", "/inventory/", {**PART, "name": "x" * 1_100_000}, None, 413, "code"),
    # -- not JSON, or not the JSON asked for
    ("malformed JSON", "/inventory/", b'{"name": "Fuse",', None, 400, "code"),
    ("JSON with a trailing comma", "/inventory/", b'{"name": "F",}', None, 400, "code"),
    ("a JSON list, not an object", "/inventory/", [PART], None, 400, "non_field_errors"),
    ("a JSON string", "/inventory/", "just text", None, 400, "non_field_errors"),
    ("JSON null", "/inventory/", b"null", None, 400, "non_field_errors"),
    ("empty body", "/inventory/", b"", None, 400, "name"),
    ("form-encoded", "/inventory/", b"name=Fuse", "application/x-www-form-urlencoded", 415, "code"),
    (
        "multipart",
        "/inventory/",
        b"--x\r\n\r\n--x--",
        "multipart/form-data; boundary=x",
        415,
        "code",
    ),
    ("plain text", "/inventory/", b"Fuse", "text/plain", 415, "code"),
    ("XML", "/inventory/", b"<part/>", "application/xml", 415, "code"),
    ("deep nesting", "/inventory/", nested(100_000), None, 400, "code"),
    (
        "deep nesting in a field",
        "/inventory/",
        b'{"name": ' + nested(5_000) + b"}",
        None,
        400,
        "code",
    ),
    # -- wrong types
    ("price as an object", "/inventory/", {**PART, "price": {"amount": 1}}, None, 400, "price"),
    ("price as a list", "/inventory/", {**PART, "price": [1]}, None, 400, "price"),
    ("price as a boolean", "/inventory/", {**PART, "price": True}, None, 400, "price"),
    (
        "stock as text",
        "/inventory/",
        {**PART, "quantity_in_stock": "ten"},
        None,
        400,
        "quantity_in_stock",
    ),
    (
        "stock as a fraction",
        "/inventory/",
        {**PART, "quantity_in_stock": 1.5},
        None,
        400,
        "quantity_in_stock",
    ),
    ("name as an object", "/inventory/", {**PART, "name": {"x": 1}}, None, 400, "name"),
    (
        "ids as a string",
        "/service-tickets/{ticket}/edit/",
        {"add_ids": "1,2"},
        "PUT",
        400,
        "add_ids",
    ),
    # -- long strings
    ("name of 10,000 characters", "/inventory/", {**PART, "name": "x" * 10_000}, None, 400, "name"),
    (
        "part number of 41",
        "/inventory/",
        {**PART, "part_number": "P" * 41},
        None,
        400,
        "part_number",
    ),
    (
        "email of 300",
        "/customers/",
        {**CUSTOMER, "email": "a" * 290 + "@example.com"},
        None,
        400,
        "email",
    ),
    # -- Unicode that is not valid input
    (
        "lone surrogate",
        "/inventory/",
        b'{"name": "\\ud800", "part_number": "F", "price": "1", "quantity_in_stock": 1}',
        None,
        400,
        "code",
    ),
    (
        "invalid UTF-8",
        "/inventory/",
        b'{"name": "\xff\xfe", "part_number": "F", "price": "1", "quantity_in_stock": 1}',
        None,
        400,
        "code",
    ),
    (
        "full-width digits in a phone",
        "/customers/",
        {**CUSTOMER, "phone": "\uff15\uff15\uff15-0100"},
        None,
        400,
        "phone",
    ),
    (
        "Cyrillic look-alike in an email",
        "/customers/",
        {**CUSTOMER, "email": "n\u0456na@example"},
        None,
        400,
        "email",
    ),
    # -- NUL bytes
    ("NUL in a name", "/inventory/", {**PART, "name": "Fu\x00se"}, None, 400, "name"),
    (
        "NUL in a password",
        "/customers/",
        {**CUSTOMER, "password": "long-pass\x00word-1"},
        None,
        400,
        "password",
    ),
    ("NUL in a search", "GET /inventory/?search=a%00b", None, None, 400, "non_field_errors"),
    # -- huge and negative numbers
    (
        "stock of 10^30",
        "/inventory/",
        {**PART, "quantity_in_stock": 10**30},
        None,
        400,
        "quantity_in_stock",
    ),
    (
        "price of 10^20",
        "/inventory/",
        {**PART, "price": "100000000000000000000"},
        None,
        400,
        "price",
    ),
    ("price 1e400", "/inventory/", {**PART, "price": "1e400"}, None, 400, "price"),
    ("price NaN", "/inventory/", {**PART, "price": "NaN"}, None, 400, "price"),
    ("price Infinity", "/inventory/", {**PART, "price": "Infinity"}, None, 400, "price"),
    (
        "negative stock",
        "/inventory/",
        {**PART, "quantity_in_stock": -1},
        None,
        400,
        "quantity_in_stock",
    ),
    ("negative price", "/inventory/", {**PART, "price": "-0.01"}, None, 400, "price"),
    (
        "quantity of 10^18",
        "/service-tickets/{ticket}/add-part/{part}/",
        {"quantity": 10**18},
        None,
        400,
        "quantity",
    ),
    (
        "negative quantity",
        "/service-tickets/{ticket}/add-part/{part}/",
        {"quantity": -3},
        None,
        400,
        "quantity",
    ),
    (
        "zero quantity",
        "/service-tickets/{ticket}/add-part/{part}/",
        {"quantity": 0},
        None,
        400,
        "quantity",
    ),
    (
        "mechanic id of 10^30",
        "/service-tickets/{ticket}/edit/",
        {"add_ids": [10**30]},
        "PUT",
        400,
        "add_ids",
    ),
    (
        "negative labor hours",
        "/service-tickets/{ticket}/labor/",
        {"description": "x", "hours": "-1", "mechanic_id": 1},
        None,
        400,
        "hours",
    ),
    (
        "a million labor hours",
        "/service-tickets/{ticket}/labor/",
        {"description": "x", "hours": "1000000", "mechanic_id": 1},
        None,
        400,
        "hours",
    ),
    (
        "discount of -5%",
        "/service-tickets/{ticket}/",
        {"discount_type": "percent", "discount_value": "-5"},
        "PATCH",
        400,
        "discount_value",
    ),
    (
        "id of 10^30 in a path",
        "GET /inventory/1000000000000000000000000000000/",
        None,
        None,
        404,
        "code",
    ),
    # -- only unknown fields: nothing to create
    ("unknown fields only", "/inventory/", {"colour": "red", "is_admin": True}, None, 400, "name"),
    # -- pagination out of range
    ("page_size=100000", "GET /inventory/?page_size=100000", None, None, 400, "page_size"),
    ("page=-1", "GET /service-tickets/?page=-1", None, None, 400, "page"),
    ("page=0", "GET /vehicles/?page=0", None, None, 400, "page"),
    ("offset=10^12", "GET /customers/?offset=1000000000000", None, None, 404, "code"),
    ("limit=10^12", "GET /mechanics/?limit=1000000000000", None, None, 400, "limit"),
    ("page=10^30", "GET /inventory/?page=1000000000000000000000000000000", None, None, 404, "code"),
    ("page as text", "GET /service-tickets/?page=two", None, None, 400, "page"),
    # -- ids in filters: whole numbers in range
    ("customer id 1.5", "GET /service-tickets/?customer=1.5", None, None, 400, "customer"),
    ("mechanic id 10^30", "GET /service-tickets/?mechanic=1e30", None, None, 400, "mechanic"),
    (
        "vehicle id of 20 digits",
        "GET /service-tickets/?vehicle=99999999999999999999",
        None,
        None,
        400,
        "vehicle",
    ),
    (
        "negative invoice number",
        "GET /service-tickets/?invoice_number=-1",
        None,
        None,
        400,
        "invoice_number",
    ),
    ("customer id 10^40", "GET /vehicles/?customer=1e40", None, None, 400, "customer"),
]


@pytest.fixture
def shop():
    customer = CustomerFactory()
    mechanic = MechanicFactory()
    ticket = ServiceTicketFactory(customer=customer, mechanics=[mechanic])
    return {
        "client": client_for(AdminFactory()),
        "ids": {"ticket": ticket.pk, "part": PartFactory().pk, "customer": customer.pk},
    }


@pytest.mark.parametrize(
    "path, body, kind, status, where", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_a_json_4xx_and_stores_nothing(shop, path, body, kind, status, where):
    client = shop["client"]
    method = "post"
    if path.startswith("GET "):
        method, path = "get", path[4:]
    elif kind in ("PUT", "PATCH"):
        method, kind = kind.lower(), None
    path = path.format(**shop["ids"])
    before = snapshot()

    if method == "get":
        response = client.get(path)
    elif isinstance(body, bytes):
        response = getattr(client, method)(path, body, content_type=kind or "application/json")
    else:
        raw = json.dumps(body)
        response = getattr(client, method)(path, raw, content_type="application/json")

    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert where in response.json()
    assert b"Traceback" not in response.content
    assert snapshot() == before, "a refused request stored something"


@pytest.mark.parametrize(
    "name",
    [
        "José Ñúñez",
        "Zoë Ölçer-Łukasiewicz",
        "李小龍",
        "محمد الأحمد",
        "Emoji 🚗🔧 Garage",  # 4-byte UTF-8: needs utf8mb4 on MariaDB
        "Combining é (e + \u0301)",
        "Right-to-left \u202eevil",
    ],
)
def test_any_script_is_stored_as_sent(name):
    """Unicode text is valid input: stored and answered back unchanged."""
    response = client_for(None).post("/customers/", {**CUSTOMER, "name": name}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == name
    assert Customer.objects.get(pk=response.json()["id"]).name == name


def test_unknown_fields_are_ignored_and_never_stored():
    """Extra fields beside a valid body are ignored (DRF's behaviour): the
    part is created from the known fields only."""
    response = client_for(MechanicFactory().user).post(
        "/inventory/", {**PART, "colour": "red", "id": 424242}, format="json"
    )
    assert response.status_code == 201
    assert "colour" not in response.json()
    assert Part.objects.get().pk != 424242
