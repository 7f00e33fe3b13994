"""Error answers match what the OpenAPI schema declares for them (the schema
fuzzing checks the same, at random; these pin the cases it found)."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from conftest import client_for
from tests.factories import AdminFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


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
    jsonschema.validate(response.json(), {**schema, "components": openapi["components"]})


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
    ("unknown object", "get", "/inventory/{id}/", "/inventory/999999/", None),
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
