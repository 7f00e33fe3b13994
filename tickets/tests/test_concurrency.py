"""Stock under concurrent requests, on a real MySQL/MariaDB server.

SQLite serializes whole-database writes, so it would prove nothing here:
these run only when DATABASE_URL points at MySQL/MariaDB (CI does).
"""

import threading

import pytest
from django.db import connection, connections

from conftest import client_for, mysql_only
from inventory.models import Part
from tests.factories import MechanicFactory, PartFactory, ServiceTicketFactory
from tickets.models import TicketPart

pytestmark = [pytest.mark.mariadb, mysql_only(), pytest.mark.django_db(transaction=True)]


def test_really_on_mysql():
    assert connection.vendor == "mysql"


def run_concurrently(count, work):
    """Start ``count`` threads that call ``work(i)`` at the same moment."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_threads_add_a_part_with_stock_five():
    part = PartFactory(quantity_in_stock=5, price="30.00")
    mechanic = MechanicFactory()
    tickets = [ServiceTicketFactory() for _ in range(20)]
    clients = [client_for(mechanic.user) for _ in range(20)]

    def add(i):
        return (
            clients[i]
            .post(f"/service-tickets/{tickets[i].pk}/add-part/{part.pk}/", {"quantity": 1})
            .status_code
        )

    statuses = run_concurrently(20, add)
    assert sorted(statuses) == [200] * 5 + [409] * 15
    assert Part.objects.get(pk=part.pk).quantity_in_stock == 0
    assert TicketPart.objects.filter(part=part).count() == 5


def test_concurrent_adds_to_one_ticket_make_one_line():
    part = PartFactory(quantity_in_stock=8)
    mechanic = MechanicFactory()
    ticket = ServiceTicketFactory()
    clients = [client_for(mechanic.user) for _ in range(10)]

    statuses = run_concurrently(
        10,
        lambda i: clients[i].post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/").status_code,
    )
    assert sorted(statuses) == [200] * 8 + [409] * 2
    line = TicketPart.objects.get(ticket=ticket, part=part)
    assert line.quantity == 8
    assert Part.objects.get(pk=part.pk).quantity_in_stock == 0


def completed_ticket(total_part_price=None):
    from tickets import services

    ticket = ServiceTicketFactory()
    if total_part_price:
        part = PartFactory(price=total_part_price, quantity_in_stock=1)
        services.ticket_add_part(ticket=ticket, part=part)
    for action in ("approve", "start", "complete"):
        services.ticket_transition(ticket=ticket, action=action)
    return ticket


def test_ten_concurrent_invoices_get_ten_consecutive_numbers():
    from tests.factories import AdminFactory

    tickets = [completed_ticket("10.00") for _ in range(10)]
    clients = [client_for(AdminFactory()) for _ in range(10)]
    responses = run_concurrently(
        10, lambda i: clients[i].post(f"/service-tickets/{tickets[i].pk}/invoice/")
    )
    assert [r.status_code for r in responses] == [200] * 10
    numbers = sorted(r.json()["invoice_number"] for r in responses)
    assert numbers == list(range(numbers[0], numbers[0] + 10))


def test_concurrent_invoices_of_one_ticket_give_one_number():
    ticket = completed_ticket("10.00")
    mechanic = MechanicFactory()
    clients = [client_for(mechanic.user) for _ in range(5)]
    statuses = run_concurrently(
        5, lambda i: clients[i].post(f"/service-tickets/{ticket.pk}/invoice/").status_code
    )
    assert sorted(statuses) == [200] + [409] * 4


def test_concurrent_payments_never_overpay(settings):
    from decimal import Decimal

    from tickets import services
    from tickets.models import Payment, ServiceTicket

    settings.SHOP_PARTS_TAX_RATE = Decimal("0")
    ticket = completed_ticket("100.00")
    services.ticket_transition(ticket=ticket, action="invoice")
    mechanic = MechanicFactory()
    clients = [client_for(mechanic.user) for _ in range(12)]
    # 12 x 30.00 = 360.00 against a balance of 100.00: at most three fit.
    statuses = run_concurrently(
        12,
        lambda i: (
            clients[i]
            .post(f"/service-tickets/{ticket.pk}/payments/", {"amount": "30.00", "method": "cash"})
            .status_code
        ),
    )
    assert sorted(statuses) == [201] * 3 + [400] * 9
    ticket = ServiceTicket.objects.get(pk=ticket.pk)
    assert ticket.amount_paid == Decimal("90.00") and ticket.balance_due == Decimal("10.00")
    assert sum(p.amount for p in Payment.objects.filter(ticket=ticket)) == Decimal("90.00")


def test_a_job_is_decided_once_under_concurrent_authorizations():
    """Ten staff record a decision on the same pending job at the same
    moment, half approving and half declining it: the ticket's lock lets one
    through; the others find the job no longer pending (400 naming it), and
    exactly one authorization is recorded."""
    from tickets.models import Authorization, Job

    part = PartFactory(quantity_in_stock=10, price="30.00")
    mechanic = MechanicFactory()
    ticket = ServiceTicketFactory()
    staff = client_for(mechanic.user)
    assert (
        staff.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 2}).status_code
        == 200
    )
    job = Job.objects.get(ticket=ticket)
    clients = [client_for(mechanic.user) for _ in range(10)]

    def decide(i):
        field = "approved_job_ids" if i % 2 else "declined_job_ids"
        response = clients[i].post(
            f"/service-tickets/{ticket.pk}/authorizations/", {field: [job.pk]}, format="json"
        )
        return response.status_code

    statuses = run_concurrently(10, decide)
    assert sorted(statuses) == [201] + [400] * 9
    assert Authorization.objects.filter(ticket=ticket).count() == 1
    job.refresh_from_db()
    # Declined or approved, the stock is right: back on the shelf only when declined.
    assert Part.objects.get(pk=part.pk).quantity_in_stock == (10 if job.status == "declined" else 8)
