"""The ticket page of the Django admin: its inlines save through the
services (``ticket_add_part``, ``ticket_edit_mechanics``), and the save is
recorded in the object's history like any admin save."""

import pytest
from django.contrib.admin.models import LogEntry

from tests.factories import MechanicFactory, ServiceTicketFactory
from tickets.models import ServiceTicket, TicketPart
from tickets.services import ticket_add_part

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/tickets/serviceticket/add/"


def inline_data(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_ticket_admin_add_with_mechanics_and_part_line(staff_client, customer, part):
    mechanics = MechanicFactory.create_batch(2)
    response = staff_client.post(
        ADD_URL,
        {
            "customer": customer.pk,
            "vin": "1hgcm82633a004352",
            "service_date": "2026-03-02",
            "service_desc": "Front brake pads",
            **inline_data("assignments", [{"mechanic": m.pk} for m in mechanics]),
            **inline_data("part_lines", [{"part": part.pk, "quantity": 3}]),
        },
    )

    assert response.status_code == 302, response.content
    ticket = ServiceTicket.objects.get()
    assert ticket.vin == "1HGCM82633A004352"
    assert set(ticket.mechanics.all()) == set(mechanics)
    line = ticket.part_lines.get()
    assert (line.part, line.quantity, str(line.unit_price)) == (part, 3, "12.50")
    part.refresh_from_db()
    assert part.quantity_in_stock == 7
    ticket.refresh_from_db()
    assert str(ticket.parts_total) == "37.50"
    message = LogEntry.objects.get(object_id=str(ticket.pk)).get_change_message()
    assert "Added ticket part" in message
    assert message.count("Added ticket mechanic") == 2


def test_ticket_admin_change_quantity_and_remove_mechanic(staff_client, customer, part):
    kept, removed = MechanicFactory.create_batch(2)
    ticket = ServiceTicketFactory(customer=customer, mechanics=[kept, removed])
    line = ticket_add_part(ticket=ticket, part=part, quantity=3)
    kept_row, removed_row = ticket.assignments.order_by("pk")
    response = staff_client.post(
        f"/admin/tickets/serviceticket/{ticket.pk}/change/",
        {
            "customer": customer.pk,
            "vin": ticket.vin,
            "service_date": ticket.service_date.isoformat(),
            "service_desc": ticket.service_desc,
            **inline_data(
                "assignments",
                [
                    {"id": kept_row.pk, "ticket": ticket.pk, "mechanic": kept.pk},
                    {
                        "id": removed_row.pk,
                        "ticket": ticket.pk,
                        "mechanic": removed.pk,
                        "DELETE": "on",
                    },
                ],
                initial=2,
            ),
            **inline_data(
                "part_lines",
                [{"id": line.pk, "ticket": ticket.pk, "part": part.pk, "quantity": 5}],
                initial=1,
            ),
        },
    )

    assert response.status_code == 302, response.content
    assert list(ticket.mechanics.all()) == [kept]
    assert TicketPart.objects.get(pk=line.pk).quantity == 5
    part.refresh_from_db()
    assert part.quantity_in_stock == 5
    message = LogEntry.objects.get(object_id=str(ticket.pk)).get_change_message()
    assert "Changed Quantity for ticket part" in message
    assert "Deleted ticket mechanic" in message


def test_ticket_admin_refuses_more_than_in_stock(staff_client, customer, part):
    response = staff_client.post(
        ADD_URL,
        {
            "customer": customer.pk,
            "vin": "1HGCM82633A004352",
            "service_date": "2026-03-02",
            "service_desc": "Front brake pads",
            **inline_data("assignments", []),
            **inline_data("part_lines", [{"part": part.pk, "quantity": 11}]),
        },
    )

    assert response.status_code == 200
    assert "Only 10 of" in response.content.decode()
    assert not ServiceTicket.objects.exists()
    part.refresh_from_db()
    assert part.quantity_in_stock == 10
