"""The shop's rates price what is priced after they change: an existing
ticket keeps the tax rates it was opened with and its totals, while a new
ticket and a new labor line take the new ones. Worked through the API."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client

from approvals import services as approval_services
from mail.models import OutboundEmail
from shop import services
from tests.factories import PartFactory, ServiceTicketFactory

pytestmark = pytest.mark.django_db

MONEY = ("parts_total", "labor_total", "parts_tax", "labor_tax", "tax", "total", "balance_due")


@pytest.fixture
def old_rates(shop):
    """Labor 95.00 an hour, parts taxed 8.25 %, labor 5 %."""
    shop.labor_rate = Decimal("95.00")
    shop.parts_tax_rate = Decimal("0.0825")
    shop.labor_tax_rate = Decimal("0.05")
    shop.save()
    return shop


def open_ticket(client, customer) -> dict:
    response = client.post(
        "/service-tickets/",
        {
            "customer_id": customer.pk,
            "vin": "1HGCM82633A004352",
            "service_date": "2026-03-14",
            "service_desc": "Brakes",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def add_part(client, ticket_id, price) -> dict:
    part = PartFactory(price=price, quantity_in_stock=10)
    response = client.post(f"/service-tickets/{ticket_id}/add-part/{part.pk}/", {"quantity": 1})
    assert response.status_code == 200, response.content
    return response.json()


def add_labor(client, ticket_id, mechanic, hours) -> dict:
    response = client.post(
        f"/service-tickets/{ticket_id}/labor/",
        {"description": "Work", "hours": hours, "mechanic_id": mechanic.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def money(body) -> dict:
    return {name: body[name] for name in ("parts_tax_rate", "labor_tax_rate", *MONEY)}


def test_an_existing_ticket_keeps_its_rates_new_work_takes_the_new_ones(
    admin_client, mechanic_client, mechanic, customer, old_rates
):
    ticket = open_ticket(mechanic_client, customer)
    add_part(mechanic_client, ticket["id"], "100.00")
    body = add_labor(mechanic_client, ticket["id"], mechanic, "2")
    # parts 100.00, labor 2 h x 95.00 = 190.00; tax 100.00 x 8.25 % = 8.25
    # and 190.00 x 5 % = 9.50; total 307.75
    before = {
        "parts_tax_rate": "0.0825",
        "labor_tax_rate": "0.0500",
        "parts_total": "100.00",
        "labor_total": "190.00",
        "parts_tax": "8.25",
        "labor_tax": "9.50",
        "tax": "17.75",
        "total": "307.75",
        "balance_due": "307.75",
    }
    assert money(body) == before

    response = admin_client.patch(
        "/shop/",
        {"labor_rate": "110.00", "parts_tax_rate": "0.10", "labor_tax_rate": "0"},
        format="json",
    )
    assert response.status_code == 200, response.content

    # The existing ticket's totals have not moved, even once recalculated
    # (a discount of 0.00 changes the discount type, which recomputes them).
    assert money(mechanic_client.get(f"/service-tickets/{ticket['id']}/").json()) == before
    body = mechanic_client.patch(
        f"/service-tickets/{ticket['id']}/",
        {"discount_type": "amount", "discount_value": "0.00"},
        format="json",
    ).json()
    assert body["discount_type"] == "amount"
    assert money(body) == before

    # A new labor line on it: 1 h at the new 110.00, taxed at the ticket's
    # own 5 %: labor 300.00, labor tax 15.00; total 100 + 300 + 8.25 + 15 = 423.25.
    body = add_labor(mechanic_client, ticket["id"], mechanic, "1")
    assert [line["rate"] for line in body["labor"]] == ["95.00", "110.00"]
    assert money(body) == {
        **before,
        "labor_total": "300.00",
        "labor_tax": "15.00",
        "tax": "23.25",
        "total": "423.25",
        "balance_due": "423.25",
    }

    # A new ticket, the same work: labor 2 h x 110.00 = 220.00; parts taxed
    # 10 % = 10.00, labor untaxed; total 330.00.
    new = open_ticket(mechanic_client, customer)
    add_part(mechanic_client, new["id"], "100.00")
    body = add_labor(mechanic_client, new["id"], mechanic, "2")
    assert money(body) == {
        "parts_tax_rate": "0.1000",
        "labor_tax_rate": "0.0000",
        "parts_total": "100.00",
        "labor_total": "220.00",
        "parts_tax": "10.00",
        "labor_tax": "0.00",
        "tax": "10.00",
        "total": "330.00",
        "balance_due": "330.00",
    }


def test_a_canned_jobs_line_without_a_rate_takes_the_shops(
    admin_client, mechanic_client, mechanic, customer, old_rates
):
    canned = admin_client.post(
        "/canned-jobs/",
        {"name": "Inspection", "labor": [{"description": "Look", "hours": "0.50"}]},
        format="json",
    ).json()
    services.shop_settings_update(actor=None, labor_rate=Decimal("120.00"))
    ticket = open_ticket(mechanic_client, customer)
    response = mechanic_client.post(
        f"/service-tickets/{ticket['id']}/jobs/",
        {"canned_job_id": canned["id"], "mechanic_id": mechanic.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = mechanic_client.get(f"/service-tickets/{ticket['id']}/").json()
    assert [(line["rate"], line["line_total"]) for line in body["labor"]] == [("120.00", "60.00")]


def test_the_rates_are_read_only_on_a_ticket(mechanic_client, customer, old_rates):
    ticket = open_ticket(mechanic_client, customer)
    response = mechanic_client.patch(
        f"/service-tickets/{ticket['id']}/", {"parts_tax_rate": "0"}, format="json"
    )
    assert response.status_code == 200, response.content  # as any read-only field: ignored
    assert mechanic_client.get(f"/service-tickets/{ticket['id']}/").json()["parts_tax_rate"] == (
        "0.0825"
    )


def test_the_approval_page_and_mail_carry_the_shops_name(mechanic, shop):
    services.shop_settings_update(actor=None, name="Dana's Garage")
    ticket = ServiceTicketFactory(mechanics=[mechanic])
    issued = approval_services.approval_link_create(
        by=mechanic.user, ticket=ticket, send_email=True, site_url="http://testserver/"
    )
    response = Client().get(urlsplit(issued.url).path)
    assert response.status_code == 200
    assert "Dana&#x27;s Garage" in response.content.decode()
    email = OutboundEmail.objects.get(ticket=ticket)
    assert email.subject.startswith("Dana's Garage: ")
