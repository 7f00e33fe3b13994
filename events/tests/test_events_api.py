"""Events through the API: what each service records, the list, and the
outbox guarantees (nothing from a rolled-back change, everything from a
committed one, once)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from customers.services import customer_create
from events import services, tasks
from events.models import Event
from events.signals import event_dispatched
from tests.factories import PartFactory

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = {
    "name": "Rosa Diaz",
    "email": "rosa@example.com",
    "phone": "555-0102",
    "password": "s3cure-Garage-pass",
}


def events_of(client, **params) -> list[dict]:
    response = client.get("/events/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def dispatched():
    """The events handed to the integrations, in order."""
    seen = []

    def receiver(sender, event, **kwargs):
        seen.append(event.pk)

    event_dispatched.connect(receiver)
    yield seen
    event_dispatched.disconnect(receiver)


def test_a_customer_registered_is_an_event_with_its_representation(anon, admin_client):
    answer = anon.post("/customers/", NEW_CUSTOMER).json()

    (event,) = events_of(admin_client)
    assert event["type"] == "customer.created"
    assert event["resource"] == {"type": "customer", "id": str(answer["id"])}
    assert event["data"] == answer
    assert set(event) == {"id", "type", "resource", "data", "created_at"}


def test_a_ticket_through_its_lifecycle(mechanic_client, admin_client, customer, part):
    ticket = mechanic_client.post(
        "/service-tickets/",
        {
            "customer_id": customer.pk,
            "vin": "1HGCM82633A004352",
            "service_date": "2026-03-14",
            "service_desc": "Front brakes grinding",
        },
    ).json()
    url = f"/service-tickets/{ticket['id']}/"
    assert mechanic_client.post(f"{url}add-part/{part.pk}/", {"quantity": 1}).status_code == 200
    assert mechanic_client.patch(url, {"service_desc": "Brakes and rotors"}).status_code == 200
    for action in ("approve", "start", "complete", "invoice"):
        assert mechanic_client.post(f"{url}{action}/").status_code == 200, action
    total = mechanic_client.get(url).json()["total"]
    payment = mechanic_client.post(f"{url}payments/", {"amount": total, "method": "card"}).json()

    events = list(reversed(events_of(admin_client)))
    assert [e["type"] for e in events] == [
        "vehicle.created",  # the VIN was new: registered with the ticket
        "ticket.created",
        "ticket.updated",
        "ticket.status_changed",  # approved
        "job.authorized",
        "ticket.status_changed",  # in progress
        "ticket.status_changed",  # completed
        "ticket.status_changed",  # invoiced
        "ticket.invoiced",
        "payment.created",
        "ticket.status_changed",  # paid
    ]
    statuses = [e["data"]["status"] for e in events if e["type"] == "ticket.status_changed"]
    assert statuses == ["approved", "in_progress", "completed", "invoiced", "paid"]
    # Each ticket event carries the ticket as the detail answered it then.
    assert events[-1]["data"] == mechanic_client.get(url).json()
    assert events[0]["resource"] == {"type": "vehicle", "id": str(ticket["vehicle_id"])}
    assert events[0]["data"]["vin"] == "1HGCM82633A004352"
    assert events[1]["resource"] == {"type": "ticket", "id": str(ticket["id"])}
    assert events[1]["data"]["service_desc"] == "Front brakes grinding"
    assert events[2]["data"]["service_desc"] == "Brakes and rotors"
    assert events[8]["data"]["invoice_number"] is not None
    assert events[4]["resource"]["type"] == "authorization"
    assert events[4]["data"]["approved_job_ids"] == [
        ticket_job["id"] for ticket_job in events[2]["data"]["jobs"]
    ]
    assert events[9]["data"] == {"ticket_id": ticket["id"], **payment}


def test_an_update_that_changes_nothing_is_no_event(mechanic_client, admin_client, ticket):
    url = f"/service-tickets/{ticket.pk}/"
    same = {"service_desc": ticket.service_desc, "mechanic_ids": [ticket.mechanics.get().pk]}

    assert mechanic_client.patch(url, same, format="json").status_code == 200
    assert [e["type"] for e in events_of(admin_client)] == []

    assert mechanic_client.patch(url, {"mechanic_ids": []}, format="json").status_code == 200
    assert [e["type"] for e in events_of(admin_client)] == ["ticket.updated"]


def test_low_stock_only_when_the_reorder_level_is_crossed(mechanic_client, admin_client, ticket):
    part = PartFactory(quantity_in_stock=5, reorder_level=3)
    for _ in range(4):  # 5 -> 4, 3 (crossed), 2, 1
        response = mechanic_client.post(
            f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 1}
        )
        assert response.status_code == 200

    (event,) = events_of(admin_client, type="part.low_stock")
    assert event["resource"] == {"type": "part", "id": str(part.pk)}
    assert event["data"]["quantity_in_stock"] == 3
    assert event["data"]["reorder_level"] == 3


def test_a_take_larger_than_the_reorder_level(mechanic_client, admin_client, ticket):
    """Taking more than the reorder level at once (reorder_level - quantity
    below zero: out of range for MariaDB's unsigned columns in SQL)."""
    part = PartFactory(quantity_in_stock=10, reorder_level=2)
    big = mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 5})
    assert big.status_code == 200, big.content
    assert events_of(admin_client, type="part.low_stock") == []
    rest = mechanic_client.post(
        f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 4}
    )
    assert rest.status_code == 200, rest.content
    (event,) = events_of(admin_client, type="part.low_stock")
    assert event["data"]["quantity_in_stock"] == 1


def test_the_list_filters_and_pages_by_cursor(anon, admin_client):
    for n in range(5):
        anon.post("/customers/", {**NEW_CUSTOMER, "email": f"rosa{n}@example.com"})
    everything = events_of(admin_client)
    assert len(everything) == 5
    assert [e["data"]["email"] for e in everything] == [
        f"rosa{n}@example.com" for n in range(4, -1, -1)
    ]

    first = admin_client.get("/events/", {"page_size": 2}).json()
    assert set(first) == {"next", "previous", "results"}
    second = admin_client.get(first["next"]).json()
    third = admin_client.get(second["next"]).json()
    paged = [e["id"] for page in (first, second, third) for e in page["results"]]
    assert paged == [e["id"] for e in everything]
    assert third["next"] is None

    Event.objects.filter(pk=everything[-1]["id"]).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    recent = events_of(admin_client, after=(timezone.now() - timedelta(minutes=5)).isoformat())
    assert len(recent) == 4
    assert events_of(admin_client, type="ticket.created") == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"type": "ticket.exploded"}, "type"),
        ({"type": ""}, "type"),
        ({"after": "yesterday"}, "after"),
        ({"page": 2}, "page"),
        ({"offset": 20}, "offset"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(admin_client, params, field):
    response = admin_client.get("/events/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_only_admins_read_events(anon, customer_client, mechanic_client):
    assert anon.get("/events/").status_code == 401
    assert customer_client.get("/events/").status_code == 403
    assert mechanic_client.get("/events/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_event(dispatched):
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_create(
            name="Rosa", email="rosa@example.com", phone="", password="s3cure-Garage-pass"
        )
        assert Event.objects.count() == 1  # written in the transaction...
        raise RuntimeError("the change fails after its event")
    assert Event.objects.count() == 0  # ...and gone with it
    assert dispatched == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_dispatched_once_after_its_commit(anon, dispatched):
    anon.post("/customers/", NEW_CUSTOMER)

    event = Event.objects.get()
    assert dispatched == [event.pk]
    assert event.dispatched_at is not None
    # The task again (a redelivered message), or the sweep: nothing more.
    assert tasks.event_dispatch(str(event.pk)) is False
    assert services.events_sweep(now=timezone.now() + timedelta(hours=1)) == 0
    assert dispatched == [event.pk]


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_at_commit_costs_nothing_and_the_sweep_dispatches(
    anon, dispatched, monkeypatch, settings
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.event_dispatch, "delay", unreachable)
    response = anon.post("/customers/", NEW_CUSTOMER)
    assert response.status_code == 201  # the request is not the broker's hostage
    event = Event.objects.get()
    assert event.dispatched_at is None and dispatched == []

    settings.EVENT_SWEEP_AFTER_SECONDS = 60
    assert tasks.events_sweep() == 0  # not yet: its own task may still come
    assert services.events_sweep(now=timezone.now() + timedelta(seconds=61)) == 1
    assert dispatched == [event.pk]
    assert services.events_sweep(now=timezone.now() + timedelta(seconds=61)) == 0


def test_events_are_purged_after_the_retention(anon, admin_client, settings):
    settings.EVENT_RETENTION_DAYS = 30
    anon.post("/customers/", NEW_CUSTOMER)
    anon.post("/customers/", {**NEW_CUSTOMER, "email": "old@example.com"})
    old = Event.objects.get(data__email="old@example.com")
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    assert tasks.events_purge() == 1
    assert [e["data"]["email"] for e in events_of(admin_client)] == ["rosa@example.com"]


def test_the_beat_schedule_runs_the_sweep_and_the_purge(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"events.tasks.events_sweep", "events.tasks.events_purge"} <= scheduled
    from mechanic_shop.celery import app

    app.loader.import_default_modules()
    assert {"events.tasks.events_sweep", "events.tasks.events_purge"} <= set(app.tasks)
