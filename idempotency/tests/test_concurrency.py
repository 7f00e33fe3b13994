"""Keyed requests at the same moment, on a real MySQL/MariaDB server (row
locks; SQLite serializes every write and would prove nothing)."""

from decimal import Decimal

import pytest

from conftest import client_for, mysql_only
from tests.factories import AdminFactory, MechanicFactory
from tickets import services
from tickets.models import InvoiceCounter, Payment
from tickets.tests.test_concurrency import completed_ticket, run_concurrently

pytestmark = [pytest.mark.mariadb, mysql_only(), pytest.mark.django_db(transaction=True)]


def test_one_key_sent_twenty_times_at_once_pays_once(settings):
    settings.SHOP_PARTS_TAX_RATE = Decimal("0")
    ticket = services.ticket_transition(ticket=completed_ticket("100.00"), action="invoice")
    mechanic = MechanicFactory()
    clients = [client_for(mechanic.user) for _ in range(20)]

    answers = run_concurrently(
        20,
        lambda i: clients[i].post(
            f"/service-tickets/{ticket.pk}/payments/",
            {"amount": "30.00", "method": "cash"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="pay-once",
        ),
    )

    assert Payment.objects.filter(ticket=ticket).count() == 1
    payment = Payment.objects.get(ticket=ticket)
    for answer in answers:
        if answer.status_code == 201:
            assert answer.json()["id"] == payment.pk
        else:
            assert answer.status_code == 409, answer.content
            assert answer.json()["code"] == "idempotency_key_in_progress"
    created = [a for a in answers if a.status_code == 201]
    assert sum("Idempotent-Replayed" not in a for a in created) == 1


def test_ten_first_invoices_with_keys_get_ten_consecutive_numbers():
    """The invoice counter is made in a short transaction of its own before
    the invoice's: inside a keyed request's transaction, the invoices that
    lose that race deadlock, and are run again (idempotency.services)."""
    tickets = [completed_ticket("10.00") for _ in range(10)]
    assert not InvoiceCounter.objects.exists()
    clients = [client_for(AdminFactory()) for _ in range(10)]

    answers = run_concurrently(
        10,
        lambda i: clients[i].post(
            f"/service-tickets/{tickets[i].pk}/invoice/", HTTP_IDEMPOTENCY_KEY=f"invoice-{i}"
        ),
    )

    assert [a.status_code for a in answers] == [200] * 10, [a.content for a in answers]
    numbers = sorted(a.json()["invoice_number"] for a in answers)
    assert numbers == list(range(numbers[0], numbers[0] + 10))
