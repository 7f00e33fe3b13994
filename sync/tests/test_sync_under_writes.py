"""A client mirrors the tickets through updated_after and the cursor while
another thread creates and changes tickets: at the end the mirror equals
the database. On MariaDB (READ COMMITTED, transactions that commit after
they stamp updated_at), where a gap would show: with SYNC_SETTLE_SECONDS
at 0 this test fails, the mirror missing rows committed behind its cursor."""

import random
import threading
import time

import pytest
from django.db import connections, transaction

from conftest import client_for, mysql_only
from tests.factories import AdminFactory, CustomerFactory, ServiceTicketFactory
from tickets.models import ServiceTicket

pytestmark = [pytest.mark.mariadb, mysql_only(), pytest.mark.django_db(transaction=True)]

WRITING_SECONDS = 4
SETTLE_SECONDS = 1.0


def write_tickets(customer, stop: threading.Event, errors: list, seed: int):
    """New tickets and changes to existing ones, each transaction held open
    a while after the row is stamped: with several writers, a row stamped
    later often commits before one stamped earlier."""
    rng = random.Random(seed)
    n = 0
    try:
        while not stop.is_set():
            n += 1
            with transaction.atomic():
                if n % 3:
                    ServiceTicketFactory(customer=customer, service_desc=f"new {seed}.{n}")
                else:
                    ticket = ServiceTicket.objects.order_by("?").first()
                    ticket.service_desc = f"changed {seed}.{n}"
                    ticket.save()
                time.sleep(rng.uniform(0, 0.15))
    except Exception as error:  # reported by the test, not lost in the thread
        errors.append(error)
    finally:
        connections.close_all()


def snapshot_of(rows) -> dict:
    return {row["id"]: (row["service_desc"], row["updated_at"]) for row in rows}


def test_a_mirror_through_the_cursor_equals_the_database_after_concurrent_writes(settings):
    settings.SYNC_SETTLE_SECONDS = SETTLE_SECONDS
    customer = CustomerFactory()
    ServiceTicketFactory.create_batch(10, customer=customer)
    client = client_for(AdminFactory())

    stop, errors = threading.Event(), []
    writers = [
        threading.Thread(target=write_tickets, args=(customer, stop, errors, seed))
        for seed in range(3)
    ]
    for writer in writers:
        writer.start()
    mirror: dict = {}
    url = "/service-tickets/?ordering=updated_at&cursor=&page_size=7"
    pages = 0
    started = time.monotonic()
    try:
        while time.monotonic() - started < WRITING_SECONDS:
            page = client.get(url)
            assert page.status_code == 200, page.content
            body = page.json()
            mirror.update(snapshot_of(body["results"]))
            url = body["next"] or url
            pages += 1
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert not errors
    # Writes are over: once they have settled the client catches up.
    time.sleep(SETTLE_SECONDS + 0.1)
    while True:
        body = client.get(url).json()
        if not body["results"]:
            break
        mirror.update(snapshot_of(body["results"]))
        url = body["next"]

    database = snapshot_of(
        client.get("/service-tickets/", {"page_size": 100, "ordering": "id"}).json()["results"]
        + [
            row
            for page in range(2, 20)
            for row in client.get(
                "/service-tickets/", {"page_size": 100, "ordering": "id", "page": page}
            )
            .json()
            .get("results", [])
        ]
    )
    assert pages > 5
    assert len(database) > 20
    assert mirror == database
