"""manage.py seed_demo: idempotent, every status, consistent money."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone

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


def test_bulk_insert_stores_what_a_query_parameter_would():
    """The multi-row INSERTs escape each distinct value once (MySQL/MariaDB);
    quotes, backslashes, non-ASCII text, NULLs and money come back intact."""
    from django.db import connection

    from inventory.models import Part
    from tickets.management.commands.seed_demo import _insert

    moment = connection.ops.adapt_datetimefield_value(timezone.now())
    names = ['O\'Brien \\ "gasket"', "Bremsbeläge 🚗", "plain", "plain", "'; DROP TABLE x; --"]
    rows = [
        (name, f"PN-{i}", Decimal(price), stock, 0, moment, moment)
        for i, (name, price, stock) in enumerate(
            zip(names, ["0", "12.50", "1.00", "1", "99999999.99"], [0, 7, 7, 2**31, 1], strict=True)
        )
    ]
    _insert(
        Part,
        (
            "name",
            "part_number",
            "price",
            "quantity_in_stock",
            "reorder_level",
            "created_at",
            "updated_at",
        ),
        rows,
    )
    stored = list(
        Part.objects.order_by("part_number").values_list("name", "price", "quantity_in_stock")
    )
    assert stored == [(row[0], row[2], row[3]) for row in rows]


@pytest.mark.django_db(transaction=True)
def test_seed_leaves_the_planner_statistics_of_the_loaded_tables():
    """After a bulk load the database knows the tables' sizes (on MariaDB
    without waiting for InnoDB's background recount), so the list pages
    through its index instead of reading every ticket."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        seed(customers=5, mechanics=2, parts=4, tickets=120)
    assert any(q["sql"].upper().startswith("ANALYZE") for q in queries.captured_queries)
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(
                "SELECT n_rows FROM mysql.innodb_table_stats"
                " WHERE database_name = DATABASE() AND table_name = 'tickets_serviceticket'"
            )
            rows = cursor.fetchone()[0]
        else:
            cursor.execute(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'tickets_serviceticket' LIMIT 1"
            )
            rows = int(cursor.fetchone()[0].split()[0])
    assert rows == ServiceTicket.objects.count() == 120


def test_seed_inside_a_transaction_leaves_statistics_alone():
    """ANALYZE would commit the enclosing transaction on MySQL: a seed run
    inside one (as in a test) skips it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        seed(customers=2, mechanics=1, parts=2, tickets=5)
    assert not any(q["sql"].upper().startswith("ANALYZE") for q in queries.captured_queries)
    assert ServiceTicket.objects.count() == 5


def test_seed_has_jobs_partial_authorizations_and_recommendations():
    """Tickets in several jobs; past the estimate each with its
    authorization, some declining a job (an open recommendation on the
    vehicle); the seeded money is what the services compute."""
    from tickets.models import Authorization, Job, Recommendation
    from tickets.services.base import recalculate_totals

    seed(customers=6, mechanics=3, parts=8, tickets=200)
    per_ticket = Job.objects.values("ticket").annotate(n=Count("id"))
    assert max(row["n"] for row in per_ticket) > 1
    declined = Job.objects.filter(status="declined")
    assert declined.exists()
    partial = Authorization.objects.exclude(declined_job_ids=[]).first()
    assert partial is not None and partial.approved_job_ids
    assert set(
        Job.objects.filter(pk__in=partial.declined_job_ids).values_list("status", flat=True)
    ) == {"declined"}
    assert Recommendation.objects.filter(status="open").count() == declined.count()
    recommendation = Recommendation.objects.filter(job__isnull=False).select_related("job").first()
    assert recommendation.amount == recommendation.job.subtotal
    for ticket in ServiceTicket.objects.exclude(status__in=["invoiced", "paid"])[:60]:
        seeded = (ticket.total, ticket.authorized_total, ticket.tax)
        recalculate_totals(ticket)
        assert (ticket.total, ticket.authorized_total, ticket.tax) == seeded, ticket.pk
    for authorization in Authorization.objects.select_related("ticket")[:60]:
        assert authorization.authorized_amount == authorization.ticket.authorized_total
