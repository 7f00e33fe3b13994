"""The migration that gave tickets their own tax rates: the tickets that
existed keep the environment's rates, the ones their totals were computed
with."""

import pytest
from django.conf import settings

from tests.factories import CustomerFactory
from tests.migrations import latest_schema_after, migrate  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tickets", "0007_ticketevent_document_emailed")]
AFTER = [("tickets", "0008_ticket_tax_rates")]


def test_existing_tickets_get_the_environments_rates():
    apps = migrate(BEFORE)
    try:
        customer = CustomerFactory()
        Ticket = apps.get_model("tickets", "ServiceTicket")
        ticket = Ticket.objects.create(
            customer_id=customer.pk, vin="1HGCM82633A004352", service_date="2026-01-02"
        )
    finally:
        apps = migrate(AFTER)
    migrated = apps.get_model("tickets", "ServiceTicket").objects.get(pk=ticket.pk)
    assert (migrated.parts_tax_rate, migrated.labor_tax_rate) == (
        settings.SHOP_PARTS_TAX_RATE,
        settings.SHOP_LABOR_TAX_RATE,
    )
