"""Every field of the ticket model reaches the API: in the answer of the
detail and in its schema; every editable field in the body staff send and
its schema. A field added to the model and forgotten in the serializer
fails here (docs/architecture.md, "Adding a field to a ticket")."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.factories import ServiceTicketFactory
from tickets.models import EDITABLE_FIELDS, ServiceTicket

pytestmark = pytest.mark.django_db


def api_name(field) -> str:
    """The name a model field has in the API: a relation by its id
    (``vehicle_id``), except the customer, shown as ``{id, name}``."""
    if field.is_relation and field.name != "customer":
        return field.attname
    return field.name


def model_fields():
    return [api_name(f) for f in ServiceTicket._meta.concrete_fields]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def component(schema, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_every_model_field_is_in_the_answer(admin_client):
    ticket = ServiceTicketFactory()
    body = admin_client.get(f"/service-tickets/{ticket.pk}/").json()
    missing = [name for name in model_fields() if name not in body]
    assert not missing, f"not in the ticket's representation: {missing}"


def test_every_model_field_is_in_the_schema(schema):
    answer = schema["paths"]["/service-tickets/{id}/"]["get"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"]
    properties = component(schema, ref)["properties"]
    missing = [name for name in model_fields() if name not in properties]
    assert not missing, f"not in the schema of the ticket: {missing}"


def test_every_editable_field_is_in_the_request_body_and_its_schema(schema):
    body = schema["paths"]["/service-tickets/"]["post"]["requestBody"]
    properties = component(schema, body["content"]["application/json"]["schema"]["$ref"])
    fields = [ServiceTicket._meta.get_field(name) for name in EDITABLE_FIELDS]
    wanted = [f.attname if f.is_relation else f.name for f in fields]
    missing = [name for name in wanted if name not in properties["properties"]]
    assert not missing, f"editable but not in the request schema: {missing}"
