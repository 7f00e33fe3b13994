"""Labor lines, payments and the history of a ticket, through the HTTP API."""

from decimal import Decimal

import pytest

from tests.factories import MechanicFactory, PartFactory
from tickets.models import LaborLine, Payment, ServiceTicket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop_rates(settings):
    settings.SHOP_PARTS_TAX_RATE = Decimal("0.10")
    settings.SHOP_LABOR_TAX_RATE = Decimal("0")
    settings.SHOP_LABOR_RATE = Decimal("80.00")


def labor(client, ticket, **body):
    return client.post(f"/service-tickets/{ticket.pk}/labor/", body)


# -- labor ---------------------------------------------------------------------


def test_labor_line_with_default_rate_assigns_the_mechanic(mechanic_client, ticket):
    worker = MechanicFactory()
    response = labor(
        mechanic_client, ticket, description="Replace pads", hours="2.5", mechanic_id=worker.pk
    )
    assert response.status_code == 201
    body = response.json()
    assert body["labor"] == [
        {
            "id": body["labor"][0]["id"],
            "job_id": body["jobs"][0]["id"],
            "mechanic_id": worker.pk,
            "description": "Replace pads",
            "hours": "2.50",
            "rate": "80.00",
            "line_total": "200.00",
        }
    ]
    assert worker.pk in [m["id"] for m in body["mechanics"]]
    assert body["labor_total"] == "200.00"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "abc"}, "hours"),
        ({"hours": "1001"}, "hours"),
        ({"rate": "-5"}, "rate"),
        ({"mechanic_id": 999999}, "mechanic_id"),
        ({"description": ""}, "description"),
    ],
)
def test_labor_validation(mechanic_client, ticket, mechanic, body, field):
    data = {"description": "Work", "hours": "1", "mechanic_id": mechanic.pk, **body}
    response = labor(mechanic_client, ticket, **data)
    assert response.status_code == 400 and field in response.json()
    assert not LaborLine.objects.exists()


def test_labor_update_and_delete(mechanic_client, ticket, mechanic):
    line_id = labor(
        mechanic_client, ticket, description="A", hours="1", mechanic_id=mechanic.pk
    ).json()["labor"][0]["id"]
    url = f"/service-tickets/{ticket.pk}/labor/{line_id}/"
    put = mechanic_client.put(
        url, {"description": "B", "hours": "3", "rate": "50", "mechanic_id": mechanic.pk}
    )
    assert put.status_code == 200 and put.json()["labor"][0]["line_total"] == "150.00"
    assert mechanic_client.put(url, {"hours": "3"}).status_code == 400  # PUT needs every field
    assert mechanic_client.delete(url).json()["labor"] == []
    assert mechanic_client.delete(url).status_code == 404


def test_labor_roles_and_not_found(anon, customer_client, mechanic_client, ticket, mechanic):
    body = {"description": "A", "hours": "1", "mechanic_id": mechanic.pk}
    assert labor(anon, ticket, **body).status_code == 401
    assert labor(customer_client, ticket, **body).status_code == 403
    assert mechanic_client.post("/service-tickets/999999/labor/", body).status_code == 404


def test_labor_line_of_another_ticket_is_404(mechanic_client, ticket, mechanic):
    from tests.factories import ServiceTicketFactory

    other = ServiceTicketFactory()
    line_id = labor(
        mechanic_client, other, description="A", hours="1", mechanic_id=mechanic.pk
    ).json()["labor"][0]["id"]
    assert (
        mechanic_client.delete(f"/service-tickets/{ticket.pk}/labor/{line_id}/").status_code == 404
    )


# -- payments ------------------------------------------------------------------


@pytest.fixture
def invoiced(mechanic_client, ticket):
    """An invoiced ticket of 110.00 (part 100.00 + 10 % tax)."""
    part = PartFactory(price="100.00", quantity_in_stock=5)
    mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/")
    for action in ("approve", "start", "complete", "invoice"):
        assert mechanic_client.post(f"/service-tickets/{ticket.pk}/{action}/").status_code == 200
    ticket.refresh_from_db()
    assert (ticket.status, str(ticket.total)) == ("invoiced", "110.00")
    return ticket


def pay(client, ticket, amount, method="card"):
    return client.post(
        f"/service-tickets/{ticket.pk}/payments/", {"amount": amount, "method": method}
    )


def test_partial_then_full_payment_makes_it_paid(mechanic_client, customer_client, invoiced):
    first = pay(mechanic_client, invoiced, "40.00", "cash")
    assert first.status_code == 201
    assert first.json()["amount"] == "40.00" and first.json()["method"] == "cash"
    body = mechanic_client.get(f"/service-tickets/{invoiced.pk}/").json()
    assert (body["status"], body["amount_paid"], body["balance_due"]) == (
        "invoiced",
        "40.00",
        "70.00",
    )
    assert pay(mechanic_client, invoiced, "70.00").status_code == 201
    body = customer_client.get(f"/service-tickets/{invoiced.pk}/").json()
    assert (body["status"], body["amount_paid"], body["balance_due"]) == ("paid", "110.00", "0.00")
    assert body["paid_at"] is not None
    listed = customer_client.get(f"/service-tickets/{invoiced.pk}/payments/").json()
    assert [p["amount"] for p in listed["results"]] == ["40.00", "70.00"]


def test_overpayment_is_400_and_nothing_recorded(mechanic_client, invoiced):
    response = pay(mechanic_client, invoiced, "110.01")
    assert response.status_code == 400 and "amount" in response.json()
    assert not Payment.objects.exists()


def test_payment_on_paid_ticket_is_409(mechanic_client, invoiced):
    pay(mechanic_client, invoiced, "110.00")
    response = pay(mechanic_client, invoiced, "1.00")
    assert response.status_code == 409 and response.json()["status"] == "paid"


def test_payment_before_invoice_is_409(mechanic_client, ticket):
    response = pay(mechanic_client, ticket, "1.00")
    assert response.status_code == 409
    assert response.json()["code"] == "not_payable" and response.json()["status"] == "estimate"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "x"}, "amount"),
        ({"method": "bitcoin"}, "method"),
    ],
)
def test_payment_validation(mechanic_client, invoiced, body, field):
    response = mechanic_client.post(
        f"/service-tickets/{invoiced.pk}/payments/", {"amount": "10", "method": "card", **body}
    )
    assert response.status_code == 400 and field in response.json()


def test_payment_roles(anon, customer_client, other_customer_client, invoiced):
    assert pay(anon, invoiced, "1.00").status_code == 401
    assert pay(customer_client, invoiced, "1.00").status_code == 403
    assert customer_client.get(f"/service-tickets/{invoiced.pk}/payments/").status_code == 200
    assert other_customer_client.get(f"/service-tickets/{invoiced.pk}/payments/").status_code == 404
    assert not Payment.objects.exists()


def test_invoice_numbers_are_sequential(mechanic_client, customer):
    from tests.factories import ServiceTicketFactory

    numbers = []
    for _ in range(3):
        ticket = ServiceTicketFactory(customer=customer)
        for action in ("approve", "start", "complete", "invoice"):
            body = mechanic_client.post(f"/service-tickets/{ticket.pk}/{action}/").json()
        numbers.append(body["invoice_number"])
    assert numbers[1] == numbers[0] + 1 and numbers[2] == numbers[1] + 1


# -- history -------------------------------------------------------------------


def test_history_records_who_what_and_when(
    mechanic, mechanic_client, customer, customer_client, ticket
):
    part = PartFactory(quantity_in_stock=5)
    helper = MechanicFactory()
    mechanic_client.put(f"/service-tickets/{ticket.pk}/assign-mechanic/{helper.pk}/")
    mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 2})
    labor(mechanic_client, ticket, description="Diag", hours="1", mechanic_id=mechanic.pk)
    customer_client.post(f"/service-tickets/{ticket.pk}/approve/")
    mechanic_client.patch(f"/service-tickets/{ticket.pk}/", {"service_desc": "Brakes and rotors"})
    url = f"/service-tickets/{ticket.pk}/history/?page_size=50"
    events = mechanic_client.get(url).json()["results"]
    by_action = {e["action"]: e for e in events}
    assert by_action["mechanic_assigned"]["after"] == {"mechanic_id": helper.pk}
    assert by_action["mechanic_assigned"]["actor"] == mechanic.user.email
    # The customer sees the same history, with roles instead of emails.
    own_view = customer_client.get(url).json()["results"]
    assert [e["action"] for e in own_view] == [e["action"] for e in events]
    assert {e["actor"] for e in own_view} == {None}
    assert own_view[0]["actor_role"] == "mechanic"
    job_id = by_action["part_added"]["before"]["job_id"]
    assert by_action["part_added"]["before"] == {
        "part_id": part.pk,
        "job_id": job_id,
        "quantity": 0,
    }
    assert by_action["part_added"]["after"]["quantity"] == 2
    assert by_action["labor_added"]["after"]["hours"] == "1.00"
    approve = by_action["status_changed"]
    assert approve["before"] == {"status": "estimate"} and approve["after"] == {
        "status": "approved"
    }
    assert approve["actor"] == customer.user.email and approve["actor_role"] == "customer"
    assert by_action["updated"]["before"]["service_desc"] != "Brakes and rotors"
    assert by_action["updated"]["after"] == {"service_desc": "Brakes and rotors"}
    assert all(e["created_at"] for e in events)


def test_history_of_payments(mechanic_client, invoiced):
    pay(mechanic_client, invoiced, "110.00")
    events = mechanic_client.get(f"/service-tickets/{invoiced.pk}/history/?page_size=50").json()[
        "results"
    ]
    recorded = next(e for e in events if e["action"] == "payment_recorded")
    assert recorded["after"]["amount"] == "110.00" and recorded["after"]["balance_due"] == "0.00"
    assert events[-1]["after"] == {"status": "paid"}


def test_history_scope(other_customer_client, anon, ticket):
    assert other_customer_client.get(f"/service-tickets/{ticket.pk}/history/").status_code == 404
    assert anon.get(f"/service-tickets/{ticket.pk}/history/").status_code == 401


def test_deleting_an_unbilled_ticket_is_allowed(admin_client, ticket):
    assert admin_client.delete(f"/service-tickets/{ticket.pk}/").status_code == 204
    assert not ServiceTicket.objects.filter(pk=ticket.pk).exists()
