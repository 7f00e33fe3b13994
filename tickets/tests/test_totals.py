"""Ticket totals on worked examples: discount, separate parts and labor tax
rates, half-up rounding to the cent. Each figure is worked out by hand in the
comments (rates: parts 8.25 %, labor 5 %, labor 95.00/h)."""

from decimal import Decimal

import pytest

from tests.factories import PartFactory
from tickets.totals import compute_totals, labor_line_total

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop_rates(settings):
    settings.SHOP_PARTS_TAX_RATE = Decimal("0.0825")
    settings.SHOP_LABOR_TAX_RATE = Decimal("0.05")
    settings.SHOP_LABOR_RATE = Decimal("95.00")


def money(body):
    keys = [
        "parts_total",
        "labor_total",
        "discount",
        "parts_tax",
        "labor_tax",
        "tax",
        "total",
        "amount_paid",
        "balance_due",
    ]
    return {k: body[k] for k in keys}


def add_part(client, ticket, price, quantity=1):
    part = PartFactory(price=price, quantity_in_stock=100)
    response = client.post(
        f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": quantity}
    )
    assert response.status_code == 200, response.content
    return response.json()


def add_labor(client, ticket, mechanic, hours, rate=None):
    body = {"description": "Work", "hours": hours, "mechanic_id": mechanic.pk}
    if rate is not None:
        body["rate"] = rate
    response = client.post(f"/service-tickets/{ticket.pk}/labor/", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_percent_discount_with_both_taxes(mechanic_client, ticket, mechanic):
    add_part(mechanic_client, ticket, "12.50", 2)  # parts 25.00
    add_labor(mechanic_client, ticket, mechanic, "1.5")  # 1.5 x 95.00 = 142.50
    body = mechanic_client.patch(
        f"/service-tickets/{ticket.pk}/", {"discount_type": "percent", "discount_value": "10"}
    ).json()
    # subtotal 167.50; discount 16.75, of which parts 16.75 x 25/167.5 = 2.50, labor 14.25
    # parts tax (25.00 - 2.50) x 0.0825 = 1.85625 -> 1.86; labor tax 128.25 x 0.05 = 6.4125 -> 6.41
    assert money(body) == {
        "parts_total": "25.00",
        "labor_total": "142.50",
        "discount": "16.75",
        "parts_tax": "1.86",
        "labor_tax": "6.41",
        "tax": "8.27",
        "total": "159.02",
        "amount_paid": "0.00",
        "balance_due": "159.02",
    }


def test_fixed_discount_is_split_in_proportion(mechanic_client, ticket, mechanic):
    add_part(mechanic_client, ticket, "30.00")
    add_labor(mechanic_client, ticket, mechanic, "1", rate="70.00")
    body = mechanic_client.patch(
        f"/service-tickets/{ticket.pk}/", {"discount_type": "amount", "discount_value": "20.00"}
    ).json()
    # parts share 20 x 30/100 = 6.00 -> tax 24.00 x 0.0825 = 1.98; labor share 14.00 -> 56.00 x 0.05 = 2.80
    assert money(body)["parts_tax"] == "1.98"
    assert money(body)["labor_tax"] == "2.80"
    assert money(body)["total"] == "84.78"  # 100 - 20 + 4.78


def test_tax_rounds_half_up(mechanic_client, ticket):
    body = add_part(mechanic_client, ticket, "10.00")
    # 10.00 x 0.0825 = 0.825 -> 0.83 (half-up; half-even would give 0.82)
    assert money(body)["parts_tax"] == "0.83"
    assert money(body)["total"] == "10.83"


def test_labor_line_rounds_half_up(mechanic_client, ticket, mechanic):
    body = add_labor(mechanic_client, ticket, mechanic, "0.5", rate="12.33")
    # 0.5 x 12.33 = 6.165 -> 6.17; tax 6.17 x 0.05 = 0.3085 -> 0.31
    assert body["labor"][0]["line_total"] == "6.17"
    assert money(body)["labor_total"] == "6.17"
    assert money(body)["labor_tax"] == "0.31"
    assert money(body)["total"] == "6.48"


def test_fixed_discount_never_exceeds_the_subtotal(mechanic_client, ticket):
    add_part(mechanic_client, ticket, "5.00")
    body = mechanic_client.patch(
        f"/service-tickets/{ticket.pk}/", {"discount_type": "amount", "discount_value": "50.00"}
    ).json()
    assert money(body)["discount"] == "5.00" and money(body)["total"] == "0.00"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"discount_type": "percent", "discount_value": "100.01"}, "discount_value"),
        ({"discount_type": "bogus"}, "discount_type"),
        ({"discount_value": "-1"}, "discount_value"),
    ],
)
def test_bad_discount_is_400(mechanic_client, ticket, body, field):
    response = mechanic_client.patch(f"/service-tickets/{ticket.pk}/", body)
    assert response.status_code == 400 and field in response.json()


def test_totals_follow_line_changes(mechanic_client, ticket, mechanic):
    body = add_labor(mechanic_client, ticket, mechanic, "2")
    line_id = body["labor"][0]["id"]
    body = mechanic_client.patch(
        f"/service-tickets/{ticket.pk}/labor/{line_id}/", {"hours": "1"}
    ).json()
    assert money(body)["labor_total"] == "95.00" and money(body)["total"] == "99.75"
    body = mechanic_client.delete(f"/service-tickets/{ticket.pk}/labor/{line_id}/").json()
    assert money(body)["total"] == "0.00"


def test_invoice_freezes_totals(mechanic_client, ticket, settings):
    add_part(mechanic_client, ticket, "100.00")
    for action in ("approve", "start", "complete", "invoice"):
        mechanic_client.post(f"/service-tickets/{ticket.pk}/{action}/")
    settings.SHOP_PARTS_TAX_RATE = Decimal("0.20")  # the rate changes later
    mechanic_client.post(
        f"/service-tickets/{ticket.pk}/payments/", {"amount": "10.00", "method": "cash"}
    )
    body = mechanic_client.get(f"/service-tickets/{ticket.pk}/").json()
    assert money(body)["tax"] == "8.25" and money(body)["total"] == "108.25"
    assert money(body)["balance_due"] == "98.25"


@pytest.mark.parametrize(
    "parts, labor, kind, value, expected",
    [
        # parts 33.33, labor 66.67, 10.00 off: parts share 3.333 -> 3.33, labor 6.67
        ("33.33", "66.67", "amount", "10.00", ("3.33", "6.67")),
        # 15 % of 0.10 = 0.015 -> 0.02 (half-up)
        ("0.10", "0.00", "percent", "15", ("0.02", "0.00")),
    ],
)
def test_discount_split_rounding(parts, labor, kind, value, expected):
    # With both tax rates at 100 %, each tax equals its taxable base, which
    # shows how the discount was split.
    totals = compute_totals(
        parts_total=Decimal(parts),
        labor_total=Decimal(labor),
        discount_type=kind,
        discount_value=Decimal(value),
        parts_tax_rate=Decimal("1"),
        labor_tax_rate=Decimal("1"),
    )
    parts_share = Decimal(parts) - totals.parts_tax
    labor_share = Decimal(labor) - totals.labor_tax
    assert (parts_share, labor_share) == (Decimal(expected[0]), Decimal(expected[1]))
    assert totals.discount == parts_share + labor_share


def test_labor_line_total_helper():
    assert labor_line_total(Decimal("1.25"), Decimal("33.33")) == Decimal("41.66")  # 41.6625
    assert labor_line_total(Decimal("0.01"), Decimal("0.50")) == Decimal("0.01")  # 0.005 -> 0.01
