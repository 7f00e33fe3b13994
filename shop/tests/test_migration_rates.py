"""The migration that gave tickets their own tax rates: the tickets that
existed keep the environment's rates, the ones their totals were computed
with."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tickets", "0007_ticketevent_document_emailed")]
AFTER = [("tickets", "0008_ticket_tax_rates")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def latest_schema_after():
    """Every app back at its latest migration, whatever the test left."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


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
