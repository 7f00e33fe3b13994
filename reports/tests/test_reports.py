"""Admin reports on known data."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import MechanicFactory, PartFactory, ServiceTicketFactory
from tickets import services
from tickets.models import Payment, ServiceTicket

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture(autouse=True)
def shop_rates(settings):
    settings.SHOP_PARTS_TAX_RATE = Decimal("0")
    settings.SHOP_LABOR_TAX_RATE = Decimal("0")
    settings.SHOP_LABOR_RATE = Decimal("100.00")


def at(day, hour=12):
    return datetime.datetime(2026, *day, hour, tzinfo=UTC)


def billed_ticket(*, mechanic, hours, part_price=None, completed, invoiced=None):
    """A ticket with labor (and a part), completed (and invoiced) at the given times."""
    ticket = ServiceTicketFactory(mechanics=[mechanic])
    services.ticket_add_labor(
        ticket=ticket, mechanic=mechanic, description="Work", hours=Decimal(hours)
    )
    if part_price:
        services.ticket_add_part(
            ticket=ticket, part=PartFactory(price=part_price, quantity_in_stock=9)
        )
    for action in ("approve", "start", "complete"):
        services.ticket_transition(ticket=ticket, action=action)
    if invoiced:
        services.ticket_transition(ticket=ticket, action="invoice")
    ServiceTicket.objects.filter(pk=ticket.pk).update(
        completed_at=completed, invoiced_at=invoiced if invoiced else None
    )
    ticket.refresh_from_db()
    return ticket


def test_revenue_by_day(admin_client, mechanic):
    a = billed_ticket(
        mechanic=mechanic, hours="1", completed=at((3, 1)), invoiced=at((3, 1))
    )  # 100.00
    b = billed_ticket(
        mechanic=mechanic, hours="2", completed=at((3, 1)), invoiced=at((3, 3))
    )  # 200.00
    billed_ticket(
        mechanic=mechanic, hours="1", completed=at((2, 27)), invoiced=at((2, 27))
    )  # outside
    services.ticket_record_payment(ticket=a, amount=Decimal("100.00"), method="cash")
    services.ticket_record_payment(ticket=b, amount=Decimal("50.00"), method="card")
    Payment.objects.filter(ticket=a).update(created_at=at((3, 2)))
    Payment.objects.filter(ticket=b).update(created_at=at((3, 3), 23))
    response = admin_client.get("/reports/revenue/?from=2026-03-01&to=2026-03-04&group=day")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"], body["group"]) == ("2026-03-01", "2026-03-04", "day")
    assert body["periods"] == [
        {
            "period": "2026-03-01",
            "invoiced": "100.00",
            "invoice_count": 1,
            "paid": "0.00",
            "payment_count": 0,
        },
        {
            "period": "2026-03-02",
            "invoiced": "0.00",
            "invoice_count": 0,
            "paid": "100.00",
            "payment_count": 1,
        },
        {
            "period": "2026-03-03",
            "invoiced": "200.00",
            "invoice_count": 1,
            "paid": "50.00",
            "payment_count": 1,
        },
        {
            "period": "2026-03-04",
            "invoiced": "0.00",
            "invoice_count": 0,
            "paid": "0.00",
            "payment_count": 0,
        },
    ]
    assert body["totals"] == {
        "invoiced": "300.00",
        "invoice_count": 2,
        "paid": "150.00",
        "payment_count": 2,
    }


def test_revenue_by_month(admin_client, mechanic):
    billed_ticket(mechanic=mechanic, hours="1", completed=at((1, 5)), invoiced=at((1, 5)))
    billed_ticket(mechanic=mechanic, hours="3", completed=at((1, 31), 23), invoiced=at((1, 31), 23))
    billed_ticket(mechanic=mechanic, hours="2", completed=at((3, 1)), invoiced=at((3, 1)))
    body = admin_client.get("/reports/revenue/?from=2026-01-01&to=2026-03-31&group=month").json()
    assert [(p["period"], p["invoiced"], p["invoice_count"]) for p in body["periods"]] == [
        ("2026-01-01", "400.00", 2),
        ("2026-02-01", "0.00", 0),
        ("2026-03-01", "200.00", 1),
    ]


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-03-05&to=2026-03-01", "from"),
        ("from=yesterday", "from"),
        ("group=week", "group"),
        ("from=2020-01-01&to=2026-01-01&group=day", "from"),
        ("to=2026-13-01", "to"),
    ],
)
def test_revenue_bad_parameters(admin_client, query, field):
    response = admin_client.get(f"/reports/revenue/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_revenue_defaults_to_the_last_30_days(admin_client):
    body = admin_client.get("/reports/revenue/").json()
    assert len(body["periods"]) == 30 and body["to"] == datetime.date.today().isoformat()


def test_mechanics_report(admin_client):
    ana, ben, cy = (
        MechanicFactory(name="Ana"),
        MechanicFactory(name="Ben"),
        MechanicFactory(name="Cy"),
    )
    billed_ticket(mechanic=ana, hours="1.5", completed=at((3, 2)), invoiced=at((3, 2)))
    billed_ticket(mechanic=ana, hours="2", completed=at((3, 3)))
    billed_ticket(mechanic=ben, hours="4", completed=at((3, 4)))
    billed_ticket(mechanic=ben, hours="9", completed=at((2, 1)))  # outside the range
    cancelled = ServiceTicketFactory(mechanics=[cy])
    services.ticket_add_labor(ticket=cancelled, mechanic=cy, description="x", hours=Decimal("5"))
    services.ticket_transition(ticket=cancelled, action="cancel")
    body = admin_client.get("/reports/mechanics/?from=2026-03-01&to=2026-03-31").json()
    rows = [
        (r["name"], r["tickets_completed"], r["labor_hours"], r["labor_revenue"])
        for r in body["results"]
    ]
    assert rows == [
        ("Ben", 1, "4.00", "400.00"),
        ("Ana", 2, "3.50", "350.00"),
        ("Cy", 0, "0.00", "0.00"),
    ]


def test_low_stock_report_with_reserved_quantities(admin_client, mechanic):
    low = PartFactory(name="Pads", quantity_in_stock=6, reorder_level=5)
    PartFactory(name="Plenty", quantity_in_stock=50, reorder_level=5)
    open_ticket = ServiceTicketFactory()
    done_ticket = ServiceTicketFactory()
    services.ticket_add_part(ticket=open_ticket, part=low, quantity=2)  # stock 4, reserved 2
    services.ticket_add_part(ticket=done_ticket, part=low, quantity=1)  # stock 3
    for action in ("approve", "start", "complete"):
        services.ticket_transition(ticket=done_ticket, action=action)
    body = admin_client.get("/reports/low-stock/").json()
    assert body["results"] == [
        {
            "id": low.pk,
            "name": "Pads",
            "part_number": low.part_number,
            "quantity_in_stock": 3,
            "reorder_level": 5,
            "shortfall": 2,
            "reserved_on_open_tickets": 2,
        }
    ]


@pytest.mark.parametrize("url", ["/reports/revenue/", "/reports/mechanics/", "/reports/low-stock/"])
def test_reports_are_for_admins(anon, customer_client, mechanic_client, admin_client, url):
    assert anon.get(url).status_code == 401
    assert customer_client.get(url).status_code == 403
    assert mechanic_client.get(url).status_code == 403
    assert admin_client.get(url.rstrip("/")).status_code == 200


@pytest.mark.parametrize("mechanics", [2, 6])
def test_mechanics_report_queries_do_not_grow_with_the_mechanics(
    admin_client, django_assert_num_queries, mechanics
):
    """The JWT's user, then two grouped queries (assignments, labor lines)
    over the tickets completed in the range, and the mechanics: never a
    query per mechanic."""
    for n in range(mechanics):
        billed_ticket(mechanic=MechanicFactory(), hours="1", completed=at((3, 2 + n)))
    with django_assert_num_queries(4):
        body = admin_client.get("/reports/mechanics/?from=2026-03-01&to=2026-03-31").json()
    assert body["count"] == mechanics
    assert all(row["tickets_completed"] == 1 for row in body["results"])


@pytest.mark.parametrize("parts", [1, 4])
def test_low_stock_queries_do_not_grow_with_the_parts(
    admin_client, django_assert_num_queries, mechanic, parts
):
    """The JWT's user, the count, the page, and one grouped query of the
    quantities on open tickets for the parts of the page."""
    for n in range(parts):
        part = PartFactory(quantity_in_stock=8, reorder_level=8)
        services.ticket_add_part(ticket=ServiceTicketFactory(), part=part, quantity=1 + n)
    with django_assert_num_queries(4):
        body = admin_client.get("/reports/low-stock/").json()
    assert sorted(row["reserved_on_open_tickets"] for row in body["results"]) == list(
        range(1, parts + 1)
    )
