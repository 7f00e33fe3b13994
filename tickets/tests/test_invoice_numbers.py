"""Invoice numbers: sequential from the first invoice on, also when the
counter row does not exist yet (a new shop, or a shop whose invoices were
numbered before the counter). The concurrent case is in test_concurrency."""

import pytest

from tests.factories import ServiceTicketFactory
from tickets import services
from tickets.models import InvoiceCounter

pytestmark = pytest.mark.django_db


def invoiced(ticket):
    for action in ("approve", "start", "complete", "invoice"):
        ticket = services.ticket_transition(ticket=ticket, action=action)
    return ticket


def test_ticket_transition_invoice_numbers_on_from_the_last_invoice():
    ServiceTicketFactory(invoice_number=41)
    assert not InvoiceCounter.objects.exists()

    first = invoiced(ServiceTicketFactory())
    second = invoiced(ServiceTicketFactory())

    assert (first.invoice_number, second.invoice_number) == (42, 43)
    assert InvoiceCounter.objects.get().last_number == 43
