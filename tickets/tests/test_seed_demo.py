"""manage.py seed_demo: idempotent, every status, consistent money."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum

from accounts.models import User
from tickets.models import InvoiceCounter, Payment, ServiceTicket
from tickets.workflow import Status
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db


def seed(**numbers):
    call_command(
        "seed_demo", "--quiet-logins", *[f"--{k}={v}" for k, v in numbers.items()], verbosity=0
    )


def test_seed_is_idempotent_and_grows_to_the_numbers_asked():
    seed(customers=5, mechanics=2, parts=4, tickets=30)
    counts = (User.objects.count(), Vehicle.objects.count(), ServiceTicket.objects.count())
    seed(customers=5, mechanics=2, parts=4, tickets=30)
    assert (User.objects.count(), Vehicle.objects.count(), ServiceTicket.objects.count()) == counts
    seed(customers=5, mechanics=2, parts=4, tickets=45)
    assert ServiceTicket.objects.count() == 45
    assert counts[0] == 1 + 5 + 2  # admin, customers, mechanics


def test_seed_covers_every_status_with_consistent_money():
    seed(customers=4, mechanics=2, parts=6, tickets=60)
    statuses = set(ServiceTicket.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    # Every billed ticket has a unique, gap-free invoice number.
    numbers = sorted(
        ServiceTicket.objects.exclude(invoice_number=None).values_list("invoice_number", flat=True)
    )
    assert numbers == list(range(1, len(numbers) + 1))
    assert InvoiceCounter.objects.get().last_number == len(numbers)
    # Paid tickets are paid in full by their payments; balances add up.
    for ticket in ServiceTicket.objects.annotate(paid=Sum("payments__amount")):
        assert ticket.amount_paid == (ticket.paid or Decimal("0"))
        assert ticket.balance_due == ticket.total - ticket.amount_paid
        if ticket.status == Status.PAID:
            assert ticket.balance_due == 0
    assert (
        not ServiceTicket.objects.filter(status=Status.CANCELLED)
        .annotate(n=Count("part_lines"))
        .filter(n__gt=0)
        .exists()
    )
    assert Payment.objects.filter(amount__gt=F("ticket__total")).count() == 0


def test_seed_rejects_negative_numbers():
    with pytest.raises(SystemExit):
        seed(tickets=-1)
