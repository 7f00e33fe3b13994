"""Declined work kept as recommendations on the vehicle, revived and
dismissed; canned jobs applied to a ticket. Through the HTTP API."""

from decimal import Decimal

import pytest

from inventory.models import Part
from tests.factories import CannedJobFactory, PartFactory, ServiceTicketFactory, VehicleFactory
from tickets.models import Job, Recommendation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rate(settings):
    settings.SHOP_LABOR_RATE = Decimal("90.00")


def url(ticket, tail=""):
    return f"/service-tickets/{ticket.pk}/{tail}"


def stock(part):
    return Part.objects.get(pk=part.pk).quantity_in_stock


@pytest.fixture
def car(customer):
    return VehicleFactory(customer=customer)


@pytest.fixture
def declined(mechanic_client, customer_client, customer, car, mechanic):
    """A ticket of the car whose "Timing belt" job (1 belt at 50.00, 3 h)
    the customer declined."""
    ticket = ServiceTicketFactory(customer=customer, vehicle=car, vin=car.vin)
    belt = PartFactory(price="50.00", quantity_in_stock=5)
    job = mechanic_client.post(url(ticket, "jobs/"), {"title": "Timing belt"}).json()
    mechanic_client.post(url(ticket, f"add-part/{belt.pk}/"), {"quantity": 1, "job_id": job["id"]})
    labor = {
        "mechanic_id": mechanic.pk,
        "description": "Belt",
        "hours": "3.00",
        "job_id": job["id"],
    }
    mechanic_client.post(url(ticket, "labor/"), labor)
    decision = {"declined_job_ids": [job["id"]], "declined_reason": "Next month"}
    response = customer_client.post(url(ticket, "authorizations/"), decision, format="json")
    assert response.status_code == 201, response.content
    return {"ticket": ticket, "job": job["id"], "belt": belt}


def test_a_declined_job_becomes_an_open_recommendation(customer_client, car, declined, mechanic):
    listed = customer_client.get(f"/vehicles/{car.pk}/recommendations/?status=open")
    assert listed.status_code == 200, listed.content
    (found,) = listed.json()["results"]
    assert found == {
        "id": found["id"],
        "vehicle_id": car.pk,
        "ticket_id": declined["ticket"].pk,
        "title": "Timing belt",
        "reason": "Next month",
        "amount": "320.00",
        "parts": [
            {
                "part_id": declined["belt"].pk,
                "name": declined["belt"].name,
                "quantity": 1,
                "unit_price": "50.00",
            }
        ],
        "labor": [
            {"mechanic_id": mechanic.pk, "description": "Belt", "hours": "3.00", "rate": "90.00"}
        ],
        "status": "open",
        "dismissed_reason": "",
        "revived_ticket_id": None,
        "revived_job_id": None,
        "revived_amount": None,
        "closed_at": None,
        "created_at": found["created_at"],
    }
    assert (
        customer_client.get(f"/vehicles/{car.pk}/recommendations/?status=revived").json()["count"]
        == 0
    )


def test_recommendations_are_the_owners_and_staffs(
    other_customer_client, mechanic_client, car, declined
):
    assert other_customer_client.get(f"/vehicles/{car.pk}/recommendations/").status_code == 404
    assert mechanic_client.get(f"/vehicles/{car.pk}/recommendations/").json()["count"] == 1
    bad = mechanic_client.get(f"/vehicles/{car.pk}/recommendations/?status=lost")
    assert bad.status_code == 400 and "status" in bad.json()


def test_new_tickets_of_the_vehicle_offer_it(mechanic_client, customer, car, declined):
    rec = Recommendation.objects.get()
    later = ServiceTicketFactory(customer=customer, vehicle=car, vin=car.vin)
    body = mechanic_client.get(url(later)).json()
    assert body["open_recommendations"] == [
        {"id": rec.pk, "title": "Timing belt", "amount": "320.00"}
    ]
    # Not on the ticket that declined it, nor on another vehicle's.
    assert mechanic_client.get(url(declined["ticket"])).json()["open_recommendations"] == []
    elsewhere = ServiceTicketFactory(customer=customer)
    assert mechanic_client.get(url(elsewhere)).json()["open_recommendations"] == []


def test_revive_copies_the_work_at_todays_prices(mechanic_client, customer, car, declined):
    rec = Recommendation.objects.get()
    Part.objects.filter(pk=declined["belt"].pk).update(price="55.00")
    later = ServiceTicketFactory(customer=customer, vehicle=car, vin=car.vin)
    response = mechanic_client.post(
        f"/recommendations/{rec.pk}/revive/", {"service_ticket_id": later.pk}
    )
    assert response.status_code == 200, response.content
    revived = response.json()
    assert (revived["status"], revived["revived_ticket_id"]) == ("revived", later.pk)
    assert revived["revived_amount"] == "325.00"
    job = Job.objects.get(pk=revived["revived_job_id"])
    assert (job.ticket_id, job.status, job.recommendation_id) == (later.pk, "pending", rec.pk)
    assert [(li.part_id, li.unit_price) for li in job.part_lines.all()] == [
        (declined["belt"].pk, Decimal("55.00"))
    ]
    assert stock(declined["belt"]) == 4
    body = mechanic_client.get(url(later)).json()
    assert body["open_recommendations"] == [] and body["total"] != "0.00"
    again = mechanic_client.post(
        f"/recommendations/{rec.pk}/revive/", {"service_ticket_id": later.pk}
    )
    assert again.status_code == 409 and again.json()["code"] == "recommendation_closed"


def test_revive_refusals(mechanic_client, customer_client, customer, car, declined):
    rec = Recommendation.objects.get()
    other_car = ServiceTicketFactory(customer=customer)
    wrong = mechanic_client.post(
        f"/recommendations/{rec.pk}/revive/", {"service_ticket_id": other_car.pk}
    )
    assert wrong.status_code == 400 and "service_ticket_id" in wrong.json()
    unknown = mechanic_client.post(
        f"/recommendations/{rec.pk}/revive/", {"service_ticket_id": 999999}
    )
    assert unknown.status_code == 400 and "service_ticket_id" in unknown.json()
    later = ServiceTicketFactory(customer=customer, vehicle=car, vin=car.vin)
    body = {"service_ticket_id": later.pk}
    assert customer_client.post(f"/recommendations/{rec.pk}/revive/", body).status_code == 403
    assert mechanic_client.post("/recommendations/999999/revive/", body).status_code == 404
    Part.objects.filter(pk=declined["belt"].pk).update(quantity_in_stock=0)
    short = mechanic_client.post(f"/recommendations/{rec.pk}/revive/", body)
    assert short.status_code == 409 and short.json()["code"] == "insufficient_stock"
    assert not Job.objects.filter(ticket=later).exists()
    assert Recommendation.objects.get().status == "open"


def test_dismiss(mechanic_client, customer_client, customer, car, declined):
    rec = Recommendation.objects.get()
    assert mechanic_client.post(f"/recommendations/{rec.pk}/dismiss/", {}).status_code == 400
    assert (
        customer_client.post(f"/recommendations/{rec.pk}/dismiss/", {"reason": "x"}).status_code
        == 403
    )
    response = mechanic_client.post(
        f"/recommendations/{rec.pk}/dismiss/", {"reason": "Sold the car"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["dismissed_reason"]) == (
        "dismissed",
        "Sold the car",
    )
    later = ServiceTicketFactory(customer=customer, vehicle=car, vin=car.vin)
    assert mechanic_client.get(url(later)).json()["open_recommendations"] == []
    again = mechanic_client.post(f"/recommendations/{rec.pk}/dismiss/", {"reason": "again"})
    assert again.status_code == 409


def test_a_canned_job_is_applied(mechanic_client, mechanic, ticket):
    pads = PartFactory(price="40.00", quantity_in_stock=5)
    canned = CannedJobFactory(
        name="Front pads",
        labor=[{"description": "Fit pads", "hours": Decimal("1.50")}],
        parts=[{"part": pads, "quantity": 2}],
    )
    response = mechanic_client.post(url(ticket, "jobs/"), {"canned_job_id": canned.pk})
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["title"], job["canned_job_id"], job["status"]) == (
        "Front pads",
        canned.pk,
        "pending",
    )
    assert [(p["part_id"], p["quantity"], p["unit_price"]) for p in job["parts"]] == [
        (pads.pk, 2, "40.00")
    ]
    assert [(li["mechanic_id"], li["hours"], li["rate"]) for li in job["labor"]] == [
        (mechanic.pk, "1.50", "90.00")
    ]
    assert job["subtotal"] == "215.00" and stock(pads) == 3


def test_a_canned_job_short_of_stock_creates_nothing(mechanic_client, ticket):
    pads = PartFactory(quantity_in_stock=1)
    canned = CannedJobFactory(name="Pads", labor=[], parts=[{"part": pads, "quantity": 2}])
    response = mechanic_client.post(url(ticket, "jobs/"), {"canned_job_id": canned.pk})
    assert response.status_code == 409 and response.json()["code"] == "insufficient_stock"
    assert not Job.objects.filter(ticket=ticket).exists() and stock(pads) == 1


def test_a_canned_jobs_labor_needs_a_mechanic(admin_client, mechanic, ticket):
    canned = CannedJobFactory(
        name="Diagnosis", labor=[{"description": "Scan", "hours": Decimal("0.50")}], parts=[]
    )
    refused = admin_client.post(url(ticket, "jobs/"), {"canned_job_id": canned.pk})
    assert refused.status_code == 400 and "mechanic_id" in refused.json()
    body = {"canned_job_id": canned.pk, "mechanic_id": mechanic.pk}
    assert admin_client.post(url(ticket, "jobs/"), body).status_code == 201
    both = admin_client.post(url(ticket, "jobs/"), {"canned_job_id": canned.pk, "title": "X"})
    assert both.status_code == 400 and "title" in both.json()
    unknown = admin_client.post(url(ticket, "jobs/"), {"canned_job_id": 999999})
    assert unknown.status_code == 400 and "canned_job_id" in unknown.json()
