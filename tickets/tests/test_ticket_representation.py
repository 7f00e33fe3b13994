"""Every ticket answer (the list, my-tickets, the detail, a vehicle's
history, the answer of a write) is ServiceTicketSerializer's rendering of
the model instance, whatever queryset and path served it."""

import datetime
import json
from decimal import Decimal

import orjson
import pytest
from django.db.models import Prefetch
from django.db.models.functions import Now
from django.utils import timezone
from rest_framework import serializers

from mechanics.models import Mechanic
from tests.factories import MechanicFactory, PartFactory, ServiceTicketFactory, VehicleFactory
from tickets.models import Job, LaborLine, ServiceTicket, TicketPart
from tickets.serializers import ServiceTicketSerializer

pytestmark = pytest.mark.django_db


def reference(ticket_id: int) -> dict:
    """DRF's own field-by-field rendering of the model instance."""
    ticket = (
        ServiceTicket.objects.select_related("customer")
        .prefetch_related(
            Prefetch("mechanics", queryset=Mechanic.objects.order_by("name", "id")),
            Prefetch("part_lines", queryset=TicketPart.objects.select_related("part")),
            "labor_lines",
        )
        .get(pk=ticket_id)
    )
    data = serializers.Serializer.to_representation(ServiceTicketSerializer(), ticket)
    return json.loads(orjson.dumps(data))


@pytest.fixture
def full_ticket(customer):
    """A ticket with every field set: lines, discount, invoice, payment."""
    vehicle = VehicleFactory(customer=customer)
    zed, abe = MechanicFactory(name="Zed Last"), MechanicFactory(name="Abe First")
    ticket = ServiceTicketFactory(
        customer=customer,
        vehicle=vehicle,
        vin=vehicle.vin,
        mechanics=[zed, abe],
        mileage_in=60_000,
        mileage_out=60_120,
        declined_reason="Too expensive at first",
        discount_type="percent",
        discount_value=Decimal("12.5"),
        parts_total=Decimal("33.50"),
        labor_total=Decimal("142.50"),
        discount=Decimal("22.00"),
        parts_tax=Decimal("2.42"),
        labor_tax=Decimal("6.24"),
        tax=Decimal("8.66"),
        total=Decimal("162.66"),
        amount_paid=Decimal("100"),
        balance_due=Decimal("62.66"),
        invoice_number=41,
        status="invoiced",
        completed_at=timezone.now() - datetime.timedelta(hours=3),
        invoiced_at=timezone.now(),
    )
    job = Job.objects.create(ticket=ticket, title="Brakes", status="approved")
    for part, quantity, price in ((PartFactory(), 2, "12.50"), (PartFactory(), 1, "8.5")):
        TicketPart.objects.create(
            ticket=ticket, job=job, part=part, quantity=quantity, unit_price=price
        )
    LaborLine.objects.create(
        ticket=ticket,
        job=job,
        mechanic=zed,
        description="Pads",
        hours=Decimal("1.5"),
        rate=Decimal("95"),
    )
    return ticket


def test_every_ticket_answer_matches_drf_fields(
    admin_client, customer_client, full_ticket, customer
):
    expected = reference(full_ticket.pk)
    assert [m["name"] for m in expected["mechanics"]] == ["Abe First", "Zed Last"]
    assert expected["parts"][1]["unit_price"] == "8.50"
    assert expected["invoiced_at"].endswith("Z")
    answers = [
        admin_client.get(f"/service-tickets/{full_ticket.pk}/").json(),
        admin_client.get("/service-tickets/").json()["results"][0],
        admin_client.get("/service-tickets/?status=invoiced").json()["results"][0],
        admin_client.get("/service-tickets/?page_size=1&page=1").json()["results"][0],
        customer_client.get("/customers/my-tickets/").json()["results"][0],
        customer_client.get("/customers/my-tickets/?cursor=").json()["results"][0],
        customer_client.get(f"/service-tickets/{full_ticket.pk}/").json(),
        admin_client.get(f"/vehicles/{full_ticket.vehicle_id}/history/").json()["results"][0],
    ]
    for answer in answers:
        assert answer == expected
        assert list(answer) == list(expected)  # the same key order too


def test_an_empty_ticket_matches_drf_fields(admin_client, customer):
    ticket = ServiceTicketFactory(customer=customer)
    answer = admin_client.get(f"/service-tickets/{ticket.pk}/").json()
    assert answer == reference(ticket.pk)
    assert answer["mechanics"] == answer["parts"] == answer["labor"] == []
    assert answer["completed_at"] is None and answer["vehicle_id"] is None


def test_ticket_answers_in_another_time_zone_match_drf_fields(
    admin_client, customer_client, full_ticket, settings
):
    settings.TIME_ZONE = "America/Chicago"
    expected = reference(full_ticket.pk)
    assert expected["invoiced_at"].endswith(("-05:00", "-06:00"))
    answers = [
        admin_client.get(f"/service-tickets/{full_ticket.pk}/").json(),
        admin_client.get("/service-tickets/").json()["results"][0],
        customer_client.get("/customers/my-tickets/").json()["results"][0],
    ]
    for answer in answers:
        assert answer == expected


def test_mechanics_are_ordered_by_the_database_on_every_path(admin_client, customer):
    """Names that differ by case or accents: every path orders them as the
    database's collation does (case-insensitive on MariaDB, by code point on
    SQLite)."""
    names = ["zoe Lower", "Émile Accent", "Adam Upper", "eve lower"]
    ticket = ServiceTicketFactory(
        customer=customer, mechanics=[MechanicFactory(name=n) for n in names]
    )
    expected = reference(ticket.pk)
    assert sorted(m["name"] for m in expected["mechanics"]) == sorted(names)
    paths = [
        f"/service-tickets/{ticket.pk}/",
        "/service-tickets/",
        f"/service-tickets/?status={ticket.status}",
    ]

    def answers():
        found = [admin_client.get(paths[0]).json()]
        found += [admin_client.get(p).json()["results"][0] for p in paths[1:]]
        return [a["mechanics"] for a in found]

    assert answers() == [expected["mechanics"]] * 3
    part = PartFactory(quantity_in_stock=5)
    added = admin_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 1})
    assert added.status_code == 200, added.json()
    assert added.json()["mechanics"] == expected["mechanics"]


def test_a_time_written_by_the_database_matches_drf_fields(admin_client, full_ticket):
    """Now() in SQL stores milliseconds on SQLite, microseconds on MariaDB."""
    ServiceTicket.objects.filter(pk=full_ticket.pk).update(paid_at=Now())
    expected = reference(full_ticket.pk)
    assert expected["paid_at"] is not None
    assert admin_client.get(f"/service-tickets/{full_ticket.pk}/").json() == expected
    assert admin_client.get("/service-tickets/").json()["results"][0] == expected


def test_write_answers_are_the_ticket_as_read_back(mechanic_client, mechanic, ticket, part):
    """Every write action answers the ticket as a GET of it does right after."""
    url = f"/service-tickets/{ticket.pk}/"
    writes = [
        ("patch", url, {"service_desc": "Brakes, front and rear", "mileage_in": 4100}),
        (
            "post",
            f"{url}labor/",
            {"description": "Bleed", "hours": "1.50", "rate": "80.00", "mechanic_id": mechanic.pk},
        ),
        ("post", f"{url}add-part/{part.pk}/", {"quantity": 2}),
        ("post", f"{url}approve/", {}),
        ("post", f"{url}start/", {}),
    ]
    for method, path, body in writes:
        answer = getattr(mechanic_client, method)(path, body)
        assert answer.status_code in (200, 201), (path, answer.content)
        assert answer.json() == mechanic_client.get(url).json(), path
        assert answer.json() == reference(ticket.pk), path
