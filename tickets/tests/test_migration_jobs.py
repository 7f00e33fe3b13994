"""The migration that brought jobs: every ticket's lines move to one job,
"General", approved when the ticket was past its approval."""

from decimal import Decimal

import pytest

from tests.factories import CustomerFactory, MechanicFactory, PartFactory
from tests.migrations import latest_schema_after, migrate  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tickets", "0003_link_vehicles_and_totals")]
AFTER = [("tickets", "0004_jobs_and_authorizations")]


def test_lines_move_to_a_general_job():
    apps = migrate(BEFORE)
    try:
        # The other apps' tables are as they are now: their rows by factory.
        customer = CustomerFactory()
        worker = MechanicFactory()
        part = PartFactory(price="10.00", quantity_in_stock=5)
        Ticket = apps.get_model("tickets", "ServiceTicket")
        TicketPart = apps.get_model("tickets", "TicketPart")
        LaborLine = apps.get_model("tickets", "LaborLine")
        common = {
            "customer_id": customer.pk,
            "vin": "1HGCM82633A004352",
            "service_date": "2026-01-02",
        }
        estimate = Ticket.objects.create(status="estimate", total="10.00", **common)
        paid = Ticket.objects.create(status="paid", total="33.00", **common)
        empty = Ticket.objects.create(status="estimate", **common)
        started = Ticket.objects.create(status="in_progress", **common)
        for ticket in (estimate, paid):
            TicketPart.objects.create(
                ticket=ticket, part_id=part.pk, quantity=1, unit_price="10.00"
            )
        LaborLine.objects.create(
            ticket=paid,
            mechanic_id=worker.pk,
            description="Fit",
            hours="0.5",
            rate="40",
            line_total="20",
        )
    finally:
        apps = migrate(AFTER)
    Job = apps.get_model("tickets", "Job")
    Ticket = apps.get_model("tickets", "ServiceTicket")
    jobs = {job.ticket_id: (job.title, job.status) for job in Job.objects.all()}
    assert jobs == {
        estimate.pk: ("General", "pending"),
        paid.pk: ("General", "approved"),
        started.pk: ("General", "approved"),  # approved once: it may go on
    }
    assert empty.pk not in jobs
    moved = apps.get_model("tickets", "TicketPart").objects.all()
    assert {line.ticket_id: line.job.ticket_id for line in moved} == {
        estimate.pk: estimate.pk,
        paid.pk: paid.pk,
    }
    assert apps.get_model("tickets", "LaborLine").objects.get().job.ticket_id == paid.pk
    assert Ticket.objects.get(pk=paid.pk).authorized_total == Decimal("33.00")
    assert Ticket.objects.get(pk=estimate.pk).authorized_total == Decimal("0.00")
