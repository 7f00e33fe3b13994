"""Incremental sync through the API: updated_after, the (updated_at, id)
cursor, tombstones of deleted records and their purge."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import Customer
from inventory.models import Part
from sync.models import Tombstone
from tests.factories import (
    CustomerFactory,
    PartFactory,
    PaymentFactory,
    ServiceTicketFactory,
    VehicleFactory,
)
from tickets.models import Payment, ServiceTicket
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

LISTS = [
    ("/service-tickets/", ServiceTicket, ServiceTicketFactory),
    ("/customers/", Customer, CustomerFactory),
    ("/vehicles/", Vehicle, VehicleFactory),
    ("/inventory/", Part, PartFactory),
    ("/payments/", Payment, PaymentFactory),
]


@pytest.fixture
def settled(settings):
    """No settling delay: the records just written are in the sync order."""
    settings.SYNC_SETTLE_SECONDS = 0


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("path, model, factory", LISTS)
def test_updated_after_keeps_the_records_changed_since(admin_client, path, model, factory):
    old, new = factory(), factory()
    long_ago = timezone.now() - timedelta(days=3)
    model.objects.filter(pk=old.pk).update(updated_at=long_ago)
    since = (long_ago + timedelta(seconds=1)).isoformat()
    listed = ids(admin_client.get(path, {"updated_after": since}))
    assert new.pk in listed and old.pk not in listed


@pytest.mark.parametrize("path", [p for p, _, _ in LISTS] + ["/service-tickets/{ticket}/payments/"])
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", ""])
def test_a_bad_updated_after_is_a_400_naming_it(admin_client, path, value):
    path = path.format(ticket=ServiceTicketFactory().pk)
    response = admin_client.get(path, {"updated_after": value})
    assert response.status_code == 400
    assert "updated_after" in response.json()


def test_a_tickets_payments_take_updated_after(admin_client):
    old, new = PaymentFactory(), PaymentFactory()
    Payment.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    for payment, listed in ((old, []), (new, [new.pk])):
        path = f"/service-tickets/{payment.ticket_id}/payments/"
        assert ids(admin_client.get(path, {"updated_after": since})) == listed


def test_a_customer_mirrors_the_payments_of_its_own_tickets(customer_client, customer):
    mine = PaymentFactory(ticket=ServiceTicketFactory(customer=customer))
    PaymentFactory()  # another customer's

    listed = customer_client.get("/payments/").json()["results"]

    assert [(p["id"], p["ticket_id"], p["amount"]) for p in listed] == [
        (mine.pk, mine.ticket_id, "25.00")
    ]


@pytest.mark.parametrize("path, model, factory", LISTS)
def test_the_cursor_resumes_with_no_gap_and_no_repeat(settled, admin_client, path, model, factory):
    rows = [factory() for _ in range(5)]
    start = timezone.now() - timedelta(minutes=10)
    for i, row in enumerate(rows):  # distinct, known times: the order is (updated_at, id)
        model.objects.filter(pk=row.pk).update(updated_at=start + timedelta(seconds=i))
    since = (start - timedelta(seconds=1)).isoformat()
    query = {"updated_after": since, "ordering": "updated_at", "page_size": 2, "cursor": ""}
    first = admin_client.get(path, query)
    assert ids(first) == [rows[0].pk, rows[1].pk]
    assert "count" not in first.json()
    resume = first.json()["next"]

    # The first record changes after the client read it: it moves to the end.
    model.objects.filter(pk=rows[0].pk).update(updated_at=timezone.now())
    seen = []
    url = resume
    while url:
        page = admin_client.get(url)
        seen += ids(page)
        url = page.json()["next"]
    mine = [pk for pk in seen if pk in {r.pk for r in rows}]
    assert mine == [rows[2].pk, rows[3].pk, rows[4].pk, rows[0].pk]


def test_records_still_settling_wait_for_the_next_call(settings, admin_client):
    settings.SYNC_SETTLE_SECONDS = 60
    ticket = ServiceTicketFactory()
    synced = admin_client.get("/service-tickets/", {"ordering": "updated_at", "cursor": ""})
    assert ticket.pk not in ids(synced)
    assert ticket.pk in ids(admin_client.get("/service-tickets/"))


def test_the_sync_order_is_never_a_cached_answer(settled, admin_client):
    query = {"ordering": "updated_at", "cursor": ""}
    assert "X-Cache" not in admin_client.get("/inventory/", query)
    assert admin_client.get("/inventory/")["X-Cache"] == "MISS"


def test_a_cursor_of_another_ordering_is_a_400(settled, admin_client):
    PartFactory.create_batch(3)
    first = admin_client.get(
        "/inventory/", {"ordering": "updated_at", "cursor": "", "page_size": 1}
    )
    cursor = first.json()["next"].split("cursor=")[1].split("&")[0]
    response = admin_client.get("/inventory/", {"ordering": "name", "cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()


# -- tombstones ---------------------------------------------------------------


def test_deletions_leave_tombstones(admin_client, mechanic_client):
    ticket, part = ServiceTicketFactory(), PartFactory()
    customer = CustomerFactory()  # no tickets: may be deleted
    vehicle = VehicleFactory()
    vehicle_id = vehicle.pk
    assert admin_client.delete(f"/service-tickets/{ticket.pk}/").status_code == 204
    assert admin_client.delete(f"/inventory/{part.pk}/").status_code == 204
    assert admin_client.delete(f"/customers/{customer.pk}/").status_code == 204
    vehicle.delete()  # the admin and the services alike

    response = mechanic_client.get("/sync/deleted/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {(r["type"], r["id"]) for r in rows} >= {
        ("ticket", ticket.pk),
        ("part", part.pk),
        ("customer", customer.pk),
        ("vehicle", vehicle_id),
    }
    assert set(rows[0]) == {"type", "id", "deleted_at"}
    parts = mechanic_client.get("/sync/deleted/", {"type": "part"}).json()["results"]
    assert [(r["type"], r["id"]) for r in parts] == [("part", part.pk)]


def test_deleted_since_and_the_cursor(admin_client):
    long_ago = timezone.now() - timedelta(days=5)
    old = Tombstone.objects.create(type="ticket", object_id=1, deleted_at=long_ago)
    recent = [Tombstone.objects.create(type="part", object_id=i) for i in range(3)]
    since = (long_ago + timedelta(seconds=1)).isoformat()
    first = admin_client.get("/sync/deleted/", {"since": since, "page_size": 2})
    body = first.json()
    assert [r["id"] for r in body["results"]] == [recent[0].object_id, recent[1].object_id]
    assert "count" not in body
    rest = admin_client.get(body["next"]).json()
    assert [r["id"] for r in rest["results"]] == [recent[2].object_id]
    assert old.object_id not in [r["id"] for r in rest["results"]]
    assert admin_client.get("/sync/deleted/", {"since": "soon"}).status_code == 400
    assert admin_client.get("/sync/deleted/", {"type": "mechanic"}).status_code == 400


def test_deleted_records_are_for_staff(anon, customer_client):
    assert anon.get("/sync/deleted/").status_code == 401
    assert customer_client.get("/sync/deleted/").status_code == 403


def test_purge_keeps_the_tombstones_of_the_last_days(settings):
    settings.SYNC_TOMBSTONE_DAYS = 90
    now = timezone.now()
    Tombstone.objects.create(type="part", object_id=1, deleted_at=now - timedelta(days=91))
    kept = Tombstone.objects.create(type="part", object_id=2, deleted_at=now - timedelta(days=89))
    out = StringIO()
    call_command("purge_tombstones", stdout=out)
    assert "1 tombstones purged" in out.getvalue()
    assert list(Tombstone.objects.values_list("pk", flat=True)) == [kept.pk]
