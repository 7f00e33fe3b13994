"""Property-level authorization (OWASP API3): fields a caller may not set
are ignored or refused, never applied. Each case sends a body carrying
such fields and then looks at what the database holds."""

from decimal import Decimal

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from conftest import client_for
from inventory.models import Part
from mechanics.models import Mechanic
from tests.factories import (
    PASSWORD,
    AdminFactory,
    CustomerFactory,
    MechanicFactory,
    PartFactory,
    ServiceTicketFactory,
    VehicleFactory,
)
from tickets import services as ticket_services
from tickets.models import LaborLine, Payment, ServiceTicket, TicketPart
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

PRIVILEGES = {"role": "admin", "is_staff": True, "is_superuser": True, "is_active": True}


@pytest.fixture
def shop():
    customer_a = CustomerFactory()
    customer_b = CustomerFactory()
    mechanic = MechanicFactory(salary="50000.00")
    part = PartFactory(price="12.50", quantity_in_stock=10)
    ticket = ServiceTicketFactory(customer=customer_a, mechanics=[mechanic])
    ticket_services.ticket_add_part(ticket=ticket, part=part, quantity=2)
    return {
        "a": customer_a,
        "b": customer_b,
        "mechanic": mechanic,
        "admin": AdminFactory(),
        "part": part,
        "ticket": ticket,
    }


def caller(shop, who):
    return client_for(
        {
            "anonymous": None,
            "customer_a": shop["a"].user,
            "mechanic": shop["mechanic"].user,
            "admin": shop["admin"],
        }[who]
    )


def test_registering_cannot_choose_a_role(shop):
    body = {
        "name": "Eve",
        "email": "eve@example.com",
        "phone": "555-0100",
        "password": "a-long-new-password-1",
        **PRIVILEGES,
        "user_id": shop["admin"].pk,
    }
    response = caller(shop, "anonymous").post("/customers/", body, format="json")
    assert response.status_code == 201
    user = User.objects.get(email="eve@example.com")
    assert (user.role, user.is_staff, user.is_superuser) == ("customer", False, False)
    assert user.pk != shop["admin"].pk


@pytest.mark.parametrize("who", ["customer_a", "admin"])
def test_a_profile_update_cannot_raise_privileges_or_move_the_login(shop, who):
    a, b = shop["a"], shop["b"]
    body = {
        "name": "Alice",
        **PRIVILEGES,
        "id": b.pk,
        "user": b.user.pk,
        "user_id": b.user.pk,
        "customer_id": b.pk,
    }
    response = caller(shop, who).patch(f"/customers/{a.pk}/", body, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == a.pk
    a.refresh_from_db()
    a.user.refresh_from_db()
    assert a.name == "Alice" and a.user_id == a.user.pk
    assert (a.user.role, a.user.is_staff, a.user.is_superuser) == ("customer", False, False)
    b.refresh_from_db()
    assert b.user_id == b.user.pk and b.name != "Alice"


def test_a_mechanic_cannot_set_its_own_salary(shop):
    mechanic = shop["mechanic"]
    response = caller(shop, "mechanic").patch(
        f"/mechanics/{mechanic.pk}/", {"salary": "999999.00"}, format="json"
    )
    assert response.status_code == 403
    assert Mechanic.objects.get(pk=mechanic.pk).salary == Decimal("50000.00")


def test_an_admin_edit_of_a_mechanic_cannot_change_its_role(shop):
    mechanic = shop["mechanic"]
    response = caller(shop, "admin").patch(
        f"/mechanics/{mechanic.pk}/", {"name": "Mo", **PRIVILEGES}, format="json"
    )
    assert response.status_code == 200
    mechanic.user.refresh_from_db()
    assert (mechanic.user.role, mechanic.user.is_staff) == ("mechanic", False)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_customer_cannot_move_its_ticket_to_someone_else(shop, method):
    ticket = shop["ticket"]
    body = {
        "customer_id": shop["b"].pk,
        "vin": ticket.vin,
        "service_date": "2026-03-01",
        "service_desc": "x",
    }
    response = getattr(caller(shop, "customer_a"), method)(
        f"/service-tickets/{ticket.pk}/", body, format="json"
    )
    assert response.status_code == 403
    assert ServiceTicket.objects.get(pk=ticket.pk).customer_id == shop["a"].pk


# What no caller sets on a ticket: totals, status and invoice numbers are
# the services' to compute and assign.
TICKET_OWNED_BY_THE_SERVICES = {
    "id": 999_999,
    "parts_total": "0.01",
    "status": "paid",
    "invoice_number": "INV-EVIL-1",
    "created_at": "2000-01-01T00:00:00Z",
}


@pytest.mark.parametrize("who", ["mechanic", "admin"])
def test_ticket_totals_status_and_numbers_cannot_be_written(shop, who):
    ticket = shop["ticket"]
    before = ServiceTicket.objects.filter(pk=ticket.pk).values().get()
    response = caller(shop, who).patch(
        f"/service-tickets/{ticket.pk}/",
        {"service_desc": "Squeak", **TICKET_OWNED_BY_THE_SERVICES},
        format="json",
    )
    assert response.status_code == 200
    after = ServiceTicket.objects.filter(pk=ticket.pk).values().get()
    assert after["service_desc"] == "Squeak"
    for field, value in before.items():
        if field not in {"service_desc", "updated_at"}:
            assert after[field] == value, field
    assert response.json()["parts_total"] == "25.00"


def test_a_new_ticket_starts_from_nothing_whatever_the_body_says(shop):
    response = caller(shop, "mechanic").post(
        "/service-tickets/",
        {
            "customer_id": shop["a"].pk,
            "vin": "1HGCM82633A004352",
            "service_date": "2026-03-01",
            "service_desc": "New",
            **TICKET_OWNED_BY_THE_SERVICES,
            "parts": [{"part_id": shop["part"].pk, "quantity": 1, "unit_price": "0.01"}],
        },
        format="json",
    )
    assert response.status_code == 201
    ticket = ServiceTicket.objects.get(pk=response.json()["id"])
    assert ticket.pk != 999_999
    assert ticket.parts_total == Decimal("0.00")
    assert not ticket.part_lines.exists()


def test_a_part_line_takes_the_catalog_price_not_the_body(shop):
    ticket, part = shop["ticket"], shop["part"]
    response = caller(shop, "mechanic").post(
        f"/service-tickets/{ticket.pk}/add-part/{part.pk}/",
        {"quantity": 1, "unit_price": "0.01", "price": "0.01", "line_total": "0.01"},
        format="json",
    )
    assert response.status_code == 200
    line = TicketPart.objects.get(ticket=ticket, part=part)
    assert (line.quantity, line.unit_price) == (3, Decimal("12.50"))
    assert ServiceTicket.objects.get(pk=ticket.pk).parts_total == Decimal("37.50")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"quantity_in_stock": -5}, "quantity_in_stock"),
        ({"price": "-1.00"}, "price"),
        ({"reorder_level": -1}, "reorder_level"),
    ],
)
def test_stock_and_prices_cannot_go_negative(shop, body, field):
    part = shop["part"]
    response = caller(shop, "admin").patch(f"/inventory/{part.pk}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    stored = Part.objects.get(pk=part.pk)
    assert (stored.quantity_in_stock, stored.price, stored.reorder_level) == (
        8,
        Decimal("12.50"),
        part.reorder_level,
    )


def test_a_login_cannot_ask_for_a_role(shop):
    response = caller(shop, "anonymous").post(
        "/auth/login/",
        {"email": shop["a"].user.email, "password": PASSWORD, "role": "admin"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["role"] == "customer"
    assert AccessToken(response.json()["access"])["role"] == "customer"


def test_a_customer_cannot_hand_its_vehicle_to_someone_else(shop):
    vehicle = VehicleFactory(customer=shop["a"])
    response = caller(shop, "customer_a").patch(
        f"/vehicles/{vehicle.pk}/", {"customer_id": shop["b"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "customer_id" in response.json()
    assert Vehicle.objects.get(pk=vehicle.pk).customer_id == shop["a"].pk


def test_workflow_actions_ignore_a_body_that_names_the_outcome(shop):
    """approve moves estimate -> approved, whatever status or totals the
    body asks for."""
    ticket = shop["ticket"]
    response = caller(shop, "customer_a").post(
        f"/service-tickets/{ticket.pk}/approve/",
        {"status": "paid", "total": "0.00", "invoice_number": 1},
        format="json",
    )
    assert response.status_code == 200
    stored = ServiceTicket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.invoice_number) == ("approved", None)
    assert stored.parts_total == Decimal("25.00")


def test_a_labor_line_total_is_computed_not_taken(shop):
    ticket = shop["ticket"]
    response = caller(shop, "mechanic").post(
        f"/service-tickets/{ticket.pk}/labor/",
        {
            "description": "Pads",
            "hours": "2.00",
            "rate": "90.00",
            "mechanic_id": shop["mechanic"].pk,
            "line_total": "0.01",
            "ticket_id": 999_999,
        },
        format="json",
    )
    assert response.status_code == 201
    line = LaborLine.objects.get(ticket=ticket)
    assert line.line_total == Decimal("180.00")


def test_a_payment_records_who_took_it_not_who_the_body_names(shop):
    ticket = shop["ticket"]
    for action in ("approve", "start", "complete", "invoice"):
        ticket = ticket_services.ticket_transition(ticket=ticket, action=action)
    response = caller(shop, "mechanic").post(
        f"/service-tickets/{ticket.pk}/payments/",
        {
            "amount": "5.00",
            "method": "cash",
            "received_by": shop["admin"].email,
            "id": 999_999,
            "created_at": "2000-01-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201
    payment = Payment.objects.get(ticket=ticket)
    assert payment.received_by_id == shop["mechanic"].user.pk
    assert payment.pk != 999_999
    assert response.json()["received_by"] == shop["mechanic"].user.email
