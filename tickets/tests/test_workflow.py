"""A repair order from estimate to paid invoice, through the HTTP API."""

import pytest

from inventory.models import Part
from tests.factories import CustomerFactory, MechanicFactory, PartFactory, VehicleFactory
from tickets.models import Job, ServiceTicket
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

PATH = ["approve", "start", "complete", "invoice"]
ORDER = ["estimate", "approved", "in_progress", "completed", "invoiced"]


def act(client, ticket, action, body=None):
    return client.post(f"/service-tickets/{ticket.pk}/{action}/", body or {})


def advance(client, ticket, to):
    for action in PATH[: ORDER.index(to)]:
        assert act(client, ticket, action).status_code == 200, action
    ticket.refresh_from_db()
    assert ticket.status == to
    return ticket


def test_a_new_ticket_is_an_estimate(mechanic_client, customer):
    body = mechanic_client.post(
        "/service-tickets/",
        {
            "customer_id": customer.pk,
            "vin": "1HGCM82633A004352",
            "service_date": "2026-03-01",
            "service_desc": "Noise",
        },
    ).json()
    assert body["status"] == "estimate"
    assert body["invoice_number"] is None and body["total"] == "0.00"


def test_the_whole_path(mechanic_client, ticket):
    statuses = [act(mechanic_client, ticket, a).json()["status"] for a in PATH]
    assert statuses == ["approved", "in_progress", "completed", "paid"]  # zero total: paid at once


# (action, status it is tried from, expected status or 409)
ALLOWED = {
    ("approve", "estimate"): "approved",
    ("decline", "estimate"): "estimate",
    ("decline", "approved"): "estimate",
    ("start", "approved"): "in_progress",
    ("complete", "in_progress"): "completed",
    ("invoice", "completed"): "invoiced",
    ("cancel", "estimate"): "cancelled",
    ("cancel", "approved"): "cancelled",
    ("cancel", "in_progress"): "cancelled",
}
ALLOWED_FROM = {
    "estimate": ["approve", "decline", "cancel"],
    "approved": ["decline", "start", "cancel"],
    "in_progress": ["complete", "cancel"],
    "completed": ["invoice"],
    "invoiced": [],
    "paid": [],
    "cancelled": [],
}


@pytest.fixture
def priced_ticket(ticket, part, mechanic):
    """A ticket with something to pay, so invoicing leaves it invoiced."""
    from tickets import services

    services.ticket_add_part(ticket=ticket, part=part, quantity=1)
    return ticket


@pytest.mark.parametrize(
    "status", ["estimate", "approved", "in_progress", "completed", "invoiced", "paid", "cancelled"]
)
@pytest.mark.parametrize("action", ["approve", "decline", "start", "complete", "invoice", "cancel"])
def test_each_transition_allowed_or_refused(mechanic_client, priced_ticket, action, status):
    ticket = priced_ticket
    ServiceTicket.objects.filter(pk=ticket.pk).update(status=status)
    # Its job as the workflow leaves it: approved once the estimate was.
    job_status = "pending" if status == "estimate" else "approved"
    Job.objects.filter(ticket=ticket).update(status=job_status)
    response = act(mechanic_client, ticket, action, {"reason": "Too expensive"})
    expected = ALLOWED.get((action, status))
    if expected is None:
        assert response.status_code == 409, response.content
        body = response.json()
        assert body["code"] == "invalid_transition"
        assert body["status"] == status
        assert body["allowed"] == ALLOWED_FROM[status]
        assert status in body["detail"]
        assert ServiceTicket.objects.get(pk=ticket.pk).status == status
    else:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == expected


def test_owner_approves_and_declines(customer_client, ticket):
    declined = act(customer_client, ticket, "decline", {"reason": "Get a second quote"})
    assert declined.status_code == 200
    assert declined.json()["status"] == "estimate"
    assert declined.json()["declined_reason"] == "Get a second quote"
    assert act(customer_client, ticket, "approve").json()["status"] == "approved"
    assert (
        act(customer_client, ticket, "decline", {"reason": "Changed my mind"}).json()["status"]
        == "estimate"
    )


def test_decline_needs_a_reason(customer_client, ticket):
    response = act(customer_client, ticket, "decline")
    assert response.status_code == 400
    assert "reason" in response.json()


def test_other_customer_cannot_approve(other_customer_client, ticket):
    assert act(other_customer_client, ticket, "approve").status_code == 404
    assert ServiceTicket.objects.get(pk=ticket.pk).status == "estimate"


@pytest.mark.parametrize("action", ["start", "complete", "invoice", "cancel"])
def test_every_other_step_is_staff(customer_client, anon, ticket, action):
    assert act(customer_client, ticket, action).status_code == 403
    assert act(anon, ticket, action).status_code == 401


def test_unknown_ticket_is_404(mechanic_client):
    assert mechanic_client.post("/service-tickets/999999/approve/").status_code == 404


def test_lines_locked_after_invoice(mechanic_client, admin_client, priced_ticket, part, mechanic):
    ticket = advance(mechanic_client, priced_ticket, "invoiced")
    labor = {"description": "Diag", "hours": "1", "mechanic_id": mechanic.pk}
    attempts = [
        mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/"),
        mechanic_client.post(f"/service-tickets/{ticket.pk}/remove-part/{part.pk}/"),
        mechanic_client.post(f"/service-tickets/{ticket.pk}/labor/", labor),
        mechanic_client.patch(f"/service-tickets/{ticket.pk}/", {"service_desc": "changed"}),
        mechanic_client.patch(
            f"/service-tickets/{ticket.pk}/", {"discount_type": "amount", "discount_value": "5"}
        ),
        mechanic_client.put(
            f"/service-tickets/{ticket.pk}/assign-mechanic/{MechanicFactory().pk}/"
        ),
        admin_client.delete(f"/service-tickets/{ticket.pk}/"),
    ]
    for response in attempts:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "ticket_locked"
        assert response.json()["status"] == "invoiced"
    ticket.refresh_from_db()
    assert ticket.part_lines.get().quantity == 1 and ticket.service_desc != "changed"


def test_lines_change_until_invoiced(mechanic_client, priced_ticket, part):
    ticket = advance(mechanic_client, priced_ticket, "completed")
    assert (
        mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/").status_code == 200
    )


def test_cancel_returns_every_part(mechanic_client, ticket):
    a, b = PartFactory(quantity_in_stock=5), PartFactory(quantity_in_stock=5)
    mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{a.pk}/", {"quantity": 2})
    mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{b.pk}/", {"quantity": 5})
    advance(mechanic_client, ticket, "in_progress")
    body = act(mechanic_client, ticket, "cancel").json()
    assert body["status"] == "cancelled" and body["parts"] == [] and body["parts_total"] == "0.00"
    assert Part.objects.get(pk=a.pk).quantity_in_stock == 5
    assert Part.objects.get(pk=b.pk).quantity_in_stock == 5


def test_status_filter(mechanic_client, customer):
    from tests.factories import ServiceTicketFactory

    estimate = ServiceTicketFactory(customer=customer)
    approved = ServiceTicketFactory(customer=customer)
    act(mechanic_client, approved, "approve")

    def ids(q):
        return {t["id"] for t in mechanic_client.get(f"/service-tickets/?{q}").json()["results"]}

    assert ids("status=approved") == {approved.pk}
    assert ids("status=estimate") == {estimate.pk}
    assert ids("status=estimate&status=approved") == {estimate.pk, approved.pk}
    assert mechanic_client.get("/service-tickets/?status=flying").status_code == 400


def test_status_is_not_writable(mechanic_client, ticket):
    mechanic_client.patch(
        f"/service-tickets/{ticket.pk}/", {"status": "paid", "invoice_number": 7, "total": "1.00"}
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.invoice_number, str(ticket.total)) == ("estimate", None, "0.00")


# -- vehicles on tickets -------------------------------------------------------


def new_ticket(customer, **extra):
    return {
        "customer_id": customer.pk,
        "service_date": "2026-03-01",
        "service_desc": "Service",
        **extra,
    }


def test_vin_finds_the_customers_vehicle(mechanic_client, customer):
    vehicle = VehicleFactory(customer=customer)
    body = mechanic_client.post(
        "/service-tickets/", new_ticket(customer, vin=vehicle.vin.lower())
    ).json()
    assert body["vehicle_id"] == vehicle.pk
    assert Vehicle.objects.count() == 1


def test_new_vin_registers_a_vehicle(mechanic_client, customer):
    body = mechanic_client.post(
        "/service-tickets/", new_ticket(customer, vin="JH4KA7561PC008269")
    ).json()
    vehicle = Vehicle.objects.get(vin="JH4KA7561PC008269")
    assert body["vehicle_id"] == vehicle.pk and vehicle.customer_id == customer.pk


def test_vin_of_another_customer_is_400(mechanic_client, customer):
    theirs = VehicleFactory(customer=CustomerFactory())
    response = mechanic_client.post("/service-tickets/", new_ticket(customer, vin=theirs.vin))
    assert response.status_code == 400 and "vin" in response.json()
    assert not ServiceTicket.objects.exists()


def test_vehicle_id(mechanic_client, customer):
    vehicle = VehicleFactory(customer=customer)
    body = mechanic_client.post(
        "/service-tickets/", new_ticket(customer, vehicle_id=vehicle.pk)
    ).json()
    assert body["vin"] == vehicle.vin and body["vehicle_id"] == vehicle.pk
    theirs = VehicleFactory(customer=CustomerFactory())
    response = mechanic_client.post("/service-tickets/", new_ticket(customer, vehicle_id=theirs.pk))
    assert response.status_code == 400 and "vehicle_id" in response.json()
    mismatch = mechanic_client.post(
        "/service-tickets/", new_ticket(customer, vehicle_id=vehicle.pk, vin="JH4KA7561PC008269")
    )
    assert mismatch.status_code == 400 and "vin" in mismatch.json()


def test_mileage_rules(mechanic_client, customer):
    vehicle = VehicleFactory(customer=customer, mileage=50_000)
    low = mechanic_client.post(
        "/service-tickets/", new_ticket(customer, vehicle_id=vehicle.pk, mileage_in=49_000)
    )
    assert low.status_code == 400 and "mileage_in" in low.json()
    body = mechanic_client.post(
        "/service-tickets/", new_ticket(customer, vehicle_id=vehicle.pk, mileage_in=50_100)
    ).json()
    out_low = mechanic_client.patch(f"/service-tickets/{body['id']}/", {"mileage_out": 50_050})
    assert out_low.status_code == 400 and "mileage_out" in out_low.json()
    assert (
        mechanic_client.patch(
            f"/service-tickets/{body['id']}/", {"mileage_out": 50_180}
        ).status_code
        == 200
    )
    ticket = ServiceTicket.objects.get(pk=body["id"])
    advance(mechanic_client, ticket, "completed")
    vehicle.refresh_from_db()
    assert vehicle.mileage == 50_180  # closing the ticket records the reading
