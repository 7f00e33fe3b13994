"""Error answers match what the OpenAPI schema declares for them (the schema
fuzzing checks the same, at random; these pin the cases it found)."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from conftest import client_for
from tests.factories import AdminFactory, CustomerFactory, MechanicFactory, ServiceTicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def json_schema(node):
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable: true`` means null is allowed."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    return node


def assert_conforms(openapi, response, path: str, method: str) -> None:
    """The body of ``response`` validates against the schema declared for its
    status on ``method path``; a status not declared fails."""
    declared = openapi["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in declared, f"{method.upper()} {path} answered undeclared {status}"
    content = declared[status].get("content")
    if content is None:
        assert not response.content
        return
    schema = content["application/json"]["schema"]
    document = json_schema({**schema, "components": openapi["components"]})
    jsonschema.validate(response.json(), document)


# (what, method, path template, concrete path, body)
BAD_INPUT = [
    ("missing fields", "post", "/inventory/", "/inventory/", {}),
    ("malformed JSON", "post", "/inventory/", "/inventory/", "{bad"),
    ("both pagination styles", "get", "/inventory/", "/inventory/?page=1&limit=1", None),
    ("login without a body", "post", "/auth/login/", "/auth/login/", {}),
    ("register with bad email", "post", "/customers/", "/customers/", {"email": "x"}),
    (
        "bad list item",
        "post",
        "/service-tickets/",
        "/service-tickets/",
        {"mechanic_ids": [1, "x"]},
    ),
    ("NUL byte in a search", "get", "/mechanics/", "/mechanics/?search=a%00b", None),
    ("unknown object", "get", "/inventory/{id}/", "/inventory/999999/", None),
    ("page past the end", "get", "/inventory/", "/inventory/?page=99", None),
    ("offset past the end", "get", "/service-tickets/", "/service-tickets/?offset=10", None),
    ("huge offset", "get", "/customers/", "/customers/?offset=1000000000000", None),
    ("unknown ticket", "delete", "/service-tickets/{id}/", "/service-tickets/999999/", None),
]


@pytest.mark.parametrize(
    "method, template, path, body", [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_error_bodies_match_the_schema(openapi, method, template, path, body):
    client = client_for(AdminFactory())
    if isinstance(body, str):
        response = getattr(client, method)(path, body, content_type="application/json")
    elif body is not None:
        response = getattr(client, method)(path, body, format="json")
    else:
        response = getattr(client, method)(path)
    assert 400 <= response.status_code < 500
    assert_conforms(openapi, response, template, method)


def test_customer_not_found_matches_the_schema(openapi):
    response = client_for(CustomerFactory().user).get("/customers/999999/")
    assert response.status_code == 404
    assert_conforms(openapi, response, "/customers/{id}/", "get")


@pytest.mark.parametrize(
    "template, path",
    [
        ("/mechanics/", "/mechanics/"),
        ("/mechanics/{id}/", "/mechanics/{id}/"),
        ("/mechanics/search/", "/mechanics/search/?name=a"),
        ("/mechanics/popular/", "/mechanics/popular/"),
    ],
)
@pytest.mark.parametrize("role", ["mechanic", "admin"])
def test_mechanic_answers_match_the_schema_for_each_staff_role(openapi, template, path, role):
    """Mechanics do not see salaries, admins do: both answers are valid."""
    mechanic = MechanicFactory(name="Ana")
    user = mechanic.user if role == "mechanic" else AdminFactory()
    response = client_for(user).get(path.format(id=mechanic.pk))
    assert response.status_code == 200
    body = response.json()
    first = body["results"][0] if "results" in body else body
    assert ("salary" in first) is (role == "admin")
    assert_conforms(openapi, response, template, "get")


def test_every_operation_declares_the_cross_cutting_answers(openapi):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            where = f"{method.upper()} {path}"
            assert {"401", "429", "503"} <= declared, where
            if "requestBody" in operation:
                assert {"413", "415"} <= declared, where
            if any(p["name"] == "page" for p in operation.get("parameters", [])):
                assert "404" in declared, where


def test_cross_cutting_answers_match_the_schema(openapi, settings):
    client = client_for(AdminFactory())
    wrong_type = client.post("/inventory/", b"name=x", content_type="text/plain")
    assert wrong_type.status_code == 415
    assert_conforms(openapi, wrong_type, "/inventory/", "post")

    settings.REQUEST_BODY_MAX_BYTES = 100
    too_big = client.post("/inventory/", {"name": "x" * 200}, format="json")
    assert too_big.status_code == 413
    assert_conforms(openapi, too_big, "/inventory/", "post")

    anonymous_with_bad_token = APIClient()
    anonymous_with_bad_token.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    refused = anonymous_with_bad_token.get("/inventory/")
    assert refused.status_code == 401
    assert_conforms(openapi, refused, "/inventory/", "get")

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "1/min",
        },
    }
    client.get("/auth/me/")
    throttled = client.get("/auth/me/")
    assert throttled.status_code == 429
    assert_conforms(openapi, throttled, "/auth/me/", "get")


def test_a_message_without_a_field_is_under_non_field_errors():
    response = client_for(AdminFactory()).get("/inventory/?search=brake%00pad")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Null characters are not allowed."]}


@pytest.mark.parametrize(
    "method, template, body",
    [
        ("patch", "/service-tickets/{id}/", {"service_desc": "x"}),
        ("put", "/service-tickets/{id}/assign-mechanic/{mechanic_id}/", None),
        ("put", "/service-tickets/{id}/remove-mechanic/{mechanic_id}/", None),
        ("put", "/service-tickets/{id}/edit/", {"add_ids": []}),
    ],
)
def test_changing_a_closed_ticket_is_a_declared_409(openapi, method, template, body):
    from tickets import services

    mechanic = MechanicFactory()
    ticket = services.ticket_transition(ticket=ServiceTicketFactory(), action="cancel")
    path = template.format(id=ticket.pk, mechanic_id=mechanic.pk)
    response = getattr(client_for(mechanic.user), method)(path, body, format="json")
    assert response.status_code == 409
    assert_conforms(openapi, response, template, method)


def test_ticket_filters_do_not_apply_to_its_payments(openapi):
    """?customer= on a ticket's payments used to filter the ticket itself
    (404, or a 500 for a huge number); the schema declared those filters."""
    from tickets import services

    admin = AdminFactory()
    ticket = ServiceTicketFactory()
    for action in ("approve", "start", "complete", "invoice"):
        ticket = services.ticket_transition(ticket=ticket, action=action)
    response = client_for(admin).get(
        f"/service-tickets/{ticket.pk}/payments/?customer=999999&mechanic=1e300"
    )
    assert response.status_code == 200
    assert_conforms(openapi, response, "/service-tickets/{id}/payments/", "get")
    parameters = openapi["paths"]["/service-tickets/{id}/payments/"]["get"]["parameters"]
    assert {p["name"] for p in parameters} & {"customer", "mechanic", "status"} == set()
