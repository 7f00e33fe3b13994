"""The admin pages of events and webhooks, and its redeliver action."""

import pytest

from events.models import Event
from tests.factories import AdminFactory
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(client):
    client.force_login(AdminFactory())
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/events/event/",
        "/admin/webhooks/endpoint/",
        "/admin/webhooks/endpoint/add/",
        "/admin/webhooks/delivery/",
        "/admin/webhooks/deliveryattempt/",
    ],
)
def test_pages_load(staff, url):
    assert staff.get(url).status_code == 200


def test_an_endpoint_added_in_the_admin_gets_a_secret(staff, receiver):
    response = staff.post(
        "/admin/webhooks/endpoint/add/",
        {"url": receiver.url, "event_types": '["*"]', "description": "", "is_active": "on"},
    )
    assert response.status_code == 302, response.content
    endpoint = Endpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")


def test_the_redeliver_action(staff, anon, endpoint, receiver):
    anon.post(
        "/customers/",
        {
            "name": "Rosa",
            "email": "rosa@example.com",
            "phone": "555-0102",
            "password": "s3cure-Garage-pass",
        },
    )
    event = Event.objects.get()
    response = staff.post(
        "/admin/events/event/", {"action": "redeliver", "_selected_action": [str(event.pk)]}
    )
    assert response.status_code == 302
    assert receiver.types() == ["customer.created", "customer.created"]
    assert Delivery.objects.get().status == "succeeded"
