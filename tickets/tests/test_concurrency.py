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
