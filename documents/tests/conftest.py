"""Tickets worth printing: jobs with part and labor lines, a declined job,
and the same ticket invoiced with a payment."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tests.factories import PartFactory, ServiceTicketFactory, VehicleFactory
from tickets import services as ticket_services
from tickets.models import AuthorizationMethod

SHOP_NAME = "Harbor Street Garage"


@pytest.fixture(autouse=True)
def shop_header(shop):
    shop.name = SHOP_NAME
    shop.address = "12 Harbor Street\nPortland, OR 97201"
    shop.phone = "555-0142"
    shop.save()
    return shop


def printed_ticket(customer, mechanic, *, jobs=("Front brakes", "Oil change"), lines=1):
    """An estimate of ``customer``'s: each job with ``lines`` part lines and
    a labor line, and a declined "Wiper blades" job."""
    vehicle = VehicleFactory(
        customer=customer, make="Honda", model="Civic", year=2019, license_plate="7ABC123"
    )
    ticket = ServiceTicketFactory(
        customer=customer, vehicle=vehicle, vin=vehicle.vin, mechanics=[mechanic], mileage_in=48_210
    )
    for title in jobs:
        job = ticket_services.job_create(ticket=ticket, title=title)
        for n in range(lines):
            part = PartFactory(name=f"{title} part {n + 1}", price="12.50", quantity_in_stock=100)
            ticket_services.ticket_add_part(ticket=ticket, part=part, quantity=2, job_id=job.pk)
        ticket_services.ticket_add_labor(
            ticket=ticket,
            mechanic=mechanic,
            description=f"{title} labor",
            hours=Decimal("1.50"),
            job_id=job.pk,
        )
    wipers = ticket_services.job_create(ticket=ticket, title="Wiper blades")
    part = PartFactory(name="Wiper blade", price="9.00", quantity_in_stock=10)
    ticket_services.ticket_add_part(ticket=ticket, part=part, quantity=2, job_id=wipers.pk)
    ticket_services.ticket_authorize(
        ticket=ticket,
        method=AuthorizationMethod.IN_PERSON,
        declined_job_ids=[wipers.pk],
        declined_reason="Next visit",
    )
    ticket.refresh_from_db()
    return ticket


def invoiced(ticket, *, paid="20.00"):
    """``ticket`` approved, worked, invoiced, with a payment of ``paid``."""
    for action in ("approve", "start", "complete", "invoice"):
        ticket = ticket_services.ticket_transition(ticket=ticket, action=action)
    ticket_services.ticket_record_payment(
        ticket=ticket, amount=Decimal(paid), method="card", reference="AUTH-778"
    )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def estimate(customer, mechanic):
    return printed_ticket(customer, mechanic)


@pytest.fixture
def invoice(estimate):
    return invoiced(estimate)


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return "\n".join(pdf_pages(content))
