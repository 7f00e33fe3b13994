"""Ticket lists count once per change of which tickets they hold: the
count stays exact after every write that can move it, and writes that
cannot (totals, lines) leave the cached count in place."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CustomerFactory,
    MechanicFactory,
    PartFactory,
    PaymentFactory,
    ServiceTicketFactory,
)
from tickets import services
from tickets.models import ServiceTicket

# Real commits: counts go stale when the writing transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def count(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def counted(client, url) -> bool:
    """Did reading the list run a COUNT query?"""
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_counts_follow_creates_deletes_and_filtered_fields(admin_client, customer, mechanic):
    other = CustomerFactory()
    tickets = [ServiceTicketFactory(customer=customer, mechanics=[mechanic]) for _ in range(3)]
    ServiceTicketFactory(customer=other)
    by_customer = f"/service-tickets/?customer={customer.pk}"
    by_mechanic = f"/service-tickets/?mechanic={mechanic.pk}"
    estimates = "/service-tickets/?status=estimate"
    assert count(admin_client, "/service-tickets/") == 4
    assert (count(admin_client, by_customer), count(admin_client, by_mechanic)) == (3, 3)
    assert count(admin_client, estimates) == 4
    assert not counted(admin_client, "/service-tickets/?page_size=2")  # cached

    ServiceTicketFactory(customer=customer)  # created
    assert count(admin_client, "/service-tickets/") == 5
    assert count(admin_client, by_customer) == 4

    services.ticket_transition(ticket=tickets[0], action="approve")  # status moved
    assert count(admin_client, estimates) == 4
    assert count(admin_client, "/service-tickets/?status=approved") == 1

    services.ticket_update(ticket=tickets[1], customer=other, vin=tickets[1].vin)  # customer
    assert count(admin_client, by_customer) == 3

    services.ticket_remove_mechanic(ticket=tickets[2], mechanic=mechanic)  # assignment
    assert count(admin_client, by_mechanic) == 2

    services.ticket_delete(ticket=tickets[2])  # deleted
    assert count(admin_client, "/service-tickets/") == 4
    assert count(admin_client, by_customer) == 2


def test_a_line_or_total_change_keeps_the_cached_count(admin_client, customer):
    ticket = ServiceTicketFactory(customer=customer)
    assert count(admin_client, "/service-tickets/") == 1
    services.ticket_add_part(ticket=ticket, part=PartFactory(quantity_in_stock=5), quantity=2)
    assert not counted(admin_client, "/service-tickets/")
    assert admin_client.get("/service-tickets/").json()["results"][0]["parts_total"] == "20.00"


def test_search_count_follows_a_customer_rename(admin_client, customer):
    ServiceTicketFactory(customer=customer)
    assert count(admin_client, "/service-tickets/?search=Zanzibar") == 0
    customer.name = "Zanzibar Motors"
    customer.save()
    assert count(admin_client, "/service-tickets/?search=Zanzibar") == 1


def test_counts_are_per_caller_and_per_endpoint(customer_client, customer, admin_client):
    ServiceTicketFactory(customer=customer)
    ServiceTicketFactory()
    assert count(admin_client, "/service-tickets/") == 2
    assert count(customer_client, "/service-tickets/") == 1
    assert count(customer_client, "/customers/my-tickets/") == 1
    # my-tickets ignores a customer filter; the list applies it.
    other_id = ServiceTicket.objects.exclude(customer=customer).get().customer_id
    assert count(customer_client, f"/customers/my-tickets/?customer={other_id}") == 1
    assert count(customer_client, f"/service-tickets/?customer={other_id}") == 0
    assert count(admin_client, f"/service-tickets/?customer={other_id}") == 1


def test_seed_demo_bulk_inserts_refresh_counts(admin_client):
    from django.core.management import call_command

    MechanicFactory()
    assert count(admin_client, "/service-tickets/") == 0
    call_command("seed_demo", "--quiet-logins", "--tickets=25", verbosity=0)
    assert count(admin_client, "/service-tickets/") == 25


def test_a_tickets_own_lists_are_counted_as_they_are(admin_client):
    # Not with the cached count of the ticket list, nor of another ticket's
    # list, under the same query.
    ServiceTicketFactory.create_batch(3)
    empty = ServiceTicketFactory()
    paid = PaymentFactory().ticket
    PaymentFactory(ticket=paid)
    assert count(admin_client, "/service-tickets/") == 5

    for path, expected in [
        (f"/service-tickets/{empty.pk}/payments/", 0),
        (f"/service-tickets/{paid.pk}/payments/", 2),
        (f"/service-tickets/{empty.pk}/history/", 0),
    ]:
        body = admin_client.get(path).json()
        assert (body["count"], len(body["results"])) == (expected, expected), path
