"""An estimate with two pending jobs, and links to its approval page."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from approvals import services as approval_services
from tests.factories import PartFactory, ServiceTicketFactory, VehicleFactory
from tickets import services as ticket_services
from tickets.models import Job, ServiceTicket


@dataclass
class Estimate:
    ticket: ServiceTicket
    brakes: Job  # 2 x 45.00 of pads + 1.50 h at 95.00 = 232.50
    belt: Job  # 3.00 h at 110.00 = 330.00

    def refresh(self) -> "Estimate":
        for row in (self.ticket, self.brakes, self.belt):
            row.refresh_from_db()
        return self


@pytest.fixture
def estimate(customer, mechanic) -> Estimate:
    vehicle = VehicleFactory(
        customer=customer, vin="1HGCM82633A004352", year=2018, make="Toyota", model="Corolla"
    )
    ticket = ServiceTicketFactory(
        customer=customer, vehicle=vehicle, vin=vehicle.vin, mechanics=[mechanic]
    )
    brakes = ticket_services.job_create(ticket=ticket, title="Front brakes")
    belt = ticket_services.job_create(ticket=ticket, title="Timing belt")
    pads = PartFactory(name="Brake pad set", price="45.00", quantity_in_stock=10)
    ticket_services.ticket_add_part(ticket=ticket, part=pads, quantity=2, job_id=brakes.pk)
    ticket_services.ticket_add_labor(
        ticket=ticket,
        mechanic=mechanic,
        description="Replace front pads",
        hours=Decimal("1.50"),
        rate=Decimal("95.00"),
        job_id=brakes.pk,
    )
    ticket_services.ticket_add_labor(
        ticket=ticket,
        mechanic=mechanic,
        description="Replace timing belt",
        hours=Decimal("3.00"),
        rate=Decimal("110.00"),
        job_id=belt.pk,
    )
    return Estimate(ticket=ticket, brakes=brakes, belt=belt).refresh()


def issue_link(ticket, *, by=None, **options) -> str:
    """A new link to ``ticket``'s approval page, as the path the client opens."""
    issued = approval_services.approval_link_create(
        by=by, ticket=ticket, site_url="http://testserver/", **options
    )
    return urlsplit(issued.url).path


@pytest.fixture
def page_path(estimate, mechanic) -> str:
    return issue_link(estimate.ticket, by=mechanic.user)


def decision(estimate, **changes) -> dict:
    """The form as a customer fills it in: brakes approved, the belt
    declined with a reason, signed."""
    return {
        f"job_{estimate.brakes.pk}": "approve",
        f"job_{estimate.belt.pk}": "decline",
        "declined_reason": "Next month",
        "signed_name": "Dana Whitfield",
        **changes,
    }
