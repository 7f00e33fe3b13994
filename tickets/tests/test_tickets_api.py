"""/service-tickets/ through the HTTP API: the ticket itself and its mechanics."""

import datetime

import pytest

from tests.factories import CustomerFactory, MechanicFactory, ServiceTicketFactory
from tickets.models import ServiceTicket, TicketMechanic

pytestmark = pytest.mark.django_db

VIN = "1HGCM82633A004352"


def new_ticket(customer, **extra):
    return {
        "customer_id": customer.pk,
        "vin": VIN.lower(),
        "service_date": "2026-03-14",
        "service_desc": "Front brakes grinding",
        **extra,
    }


def test_staff_open_a_ticket(mechanic_client, customer, mechanic):
    other = MechanicFactory(name="Aaron First")
    response = mechanic_client.post(
        "/service-tickets/", new_ticket(customer, mechanic_ids=[mechanic.pk, other.pk])
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["vin"] == VIN  # upper-cased
    assert body["customer"] == {"id": customer.pk, "name": customer.name}
    assert body["service_date"] == "2026-03-14"
    assert [m["name"] for m in body["mechanics"]] == ["Aaron First", mechanic.name]
    assert body["parts"] == [] and body["parts_total"] == "0.00"
    assert set(body) >= {
        "id",
        "customer",
        "vin",
        "service_date",
        "service_desc",
        "mechanics",
        "parts",
        "parts_total",
        "created_at",
        "updated_at",
    }
    datetime.datetime.fromisoformat(body["created_at"])


@pytest.mark.parametrize("who, expected", [("anon", 401), ("customer", 403)])
def test_others_cannot_open_tickets(request, customer, who, expected):
    client = request.getfixturevalue("anon" if who == "anon" else "customer_client")
    assert client.post("/service-tickets/", new_ticket(customer)).status_code == expected
    assert not ServiceTicket.objects.exists()


@pytest.mark.parametrize(
    "vin",
    [
        "1HGCM82633A00435",
        "1HGCM82633A0043521",
        "1HGCM82633A00435I",
        "1HGCM82633A00435O",
        "1HGCM82633A00435Q",
        "1HGCM82633A0043-2",
        "",
    ],
)
def test_bad_vin_is_400(mechanic_client, customer, vin):
    response = mechanic_client.post("/service-tickets/", new_ticket(customer, vin=vin))
    assert response.status_code == 400
    assert "vin" in response.json()
    assert not ServiceTicket.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"customer_id": 999999}, "customer_id"),
        ({"customer_id": "abc"}, "customer_id"),
        ({"mechanic_ids": [999999]}, "mechanic_ids"),
        ({"mechanic_ids": "1"}, "mechanic_ids"),
        ({"service_date": "14/03/2026"}, "service_date"),
        ({"service_desc": ""}, "service_desc"),
    ],
)
def test_ticket_validation(mechanic_client, customer, body, field):
    response = mechanic_client.post("/service-tickets/", new_ticket(customer, **body))
    assert response.status_code == 400
    assert field in response.json()
    assert not ServiceTicket.objects.exists()


def test_unknown_mechanic_among_known_leaves_nothing(mechanic_client, customer, mechanic):
    response = mechanic_client.post(
        "/service-tickets/", new_ticket(customer, mechanic_ids=[mechanic.pk, 424242])
    )
    assert response.status_code == 400
    assert "424242" in str(response.json()["mechanic_ids"])
    assert not ServiceTicket.objects.exists() and not TicketMechanic.objects.exists()


def test_list_staff_see_all_customer_own(
    customer, other_customer, customer_client, mechanic_client
):
    mine = ServiceTicketFactory(customer=customer)
    ServiceTicketFactory(customer=other_customer)
    assert mechanic_client.get("/service-tickets/").json()["count"] == 2
    body = customer_client.get("/service-tickets/").json()
    assert body["count"] == 1 and body["results"][0]["id"] == mine.pk


def test_retrieve_own_and_other(customer, other_customer, customer_client, admin_client):
    mine = ServiceTicketFactory(customer=customer)
    theirs = ServiceTicketFactory(customer=other_customer)
    assert customer_client.get(f"/service-tickets/{mine.pk}/").status_code == 200
    assert customer_client.get(f"/service-tickets/{theirs.pk}/").status_code == 404
    assert admin_client.get(f"/service-tickets/{theirs.pk}").status_code == 200
    assert admin_client.get("/service-tickets/999999/").status_code == 404


def test_anonymous_cannot_read(anon, ticket):
    assert anon.get("/service-tickets/").status_code == 401
    assert anon.get(f"/service-tickets/{ticket.pk}/").status_code == 401


def test_filters(mechanic_client):
    alice, bob = CustomerFactory(), CustomerFactory()
    m1, m2 = MechanicFactory(), MechanicFactory()
    t1 = ServiceTicketFactory(
        customer=alice, mechanics=[m1], vin=VIN, service_date=datetime.date(2026, 1, 10)
    )
    t2 = ServiceTicketFactory(
        customer=alice, mechanics=[m1, m2], service_date=datetime.date(2026, 2, 10)
    )
    t3 = ServiceTicketFactory(customer=bob, mechanics=[m2], service_date=datetime.date(2026, 3, 10))

    def ids(query):
        response = mechanic_client.get(f"/service-tickets/?{query}")
        assert response.status_code == 200, response.content
        return [t["id"] for t in response.json()["results"]]

    assert ids(f"customer={alice.pk}") == [t2.pk, t1.pk]  # newest service date first
    assert ids(f"mechanic={m2.pk}") == [t3.pk, t2.pk]
    assert ids(f"vin={VIN.lower()}") == [t1.pk]
    assert ids("service_date_after=2026-02-01") == [t3.pk, t2.pk]
    assert ids("service_date_before=2026-02-10") == [t2.pk, t1.pk]
    assert ids("service_date_after=2026-02-01&service_date_before=2026-02-28") == [t2.pk]
    assert ids(f"customer={alice.pk}&mechanic={m2.pk}") == [t2.pk]
    assert ids("ordering=service_date") == [t1.pk, t2.pk, t3.pk]


@pytest.mark.parametrize("query", ["customer=abc", "mechanic=x", "service_date_after=yesterday"])
def test_bad_filter_is_400(mechanic_client, query):
    assert mechanic_client.get(f"/service-tickets/?{query}").status_code == 400


def test_customer_filter_cannot_widen_own_view(customer, other_customer, customer_client):
    ServiceTicketFactory(customer=other_customer)
    body = customer_client.get(f"/service-tickets/?customer={other_customer.pk}").json()
    assert body["count"] == 0


def test_update_ticket(mechanic_client, ticket, mechanic):
    other = MechanicFactory()
    response = mechanic_client.patch(
        f"/service-tickets/{ticket.pk}/",
        {"service_desc": "Also rotate tyres", "mechanic_ids": [other.pk]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["service_desc"] == "Also rotate tyres"
    assert [m["id"] for m in response.json()["mechanics"]] == [other.pk]


def test_put_requires_all_fields(mechanic_client, ticket):
    response = mechanic_client.put(f"/service-tickets/{ticket.pk}/", {"service_desc": "x"})
    assert response.status_code == 400
    assert {"customer_id", "service_date"} <= set(response.json())


def test_a_vehicle_must_be_named(mechanic_client, customer):
    body = new_ticket(customer)
    del body["vin"]
    response = mechanic_client.post("/service-tickets/", body)
    assert response.status_code == 400
    assert "vin" in response.json()


def test_put_replaces(mechanic_client, ticket, other_customer):
    response = mechanic_client.put(f"/service-tickets/{ticket.pk}", new_ticket(other_customer))
    assert response.status_code == 200
    assert response.json()["customer"]["id"] == other_customer.pk


def test_customer_cannot_change_own_ticket(customer_client, ticket):
    response = customer_client.patch(
        f"/service-tickets/{ticket.pk}/", {"service_desc": "free work"}
    )
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.service_desc != "free work"


def test_delete_is_for_admins(mechanic_client, admin_client, ticket):
    assert mechanic_client.delete(f"/service-tickets/{ticket.pk}/").status_code == 403
    assert admin_client.delete(f"/service-tickets/{ticket.pk}/").status_code == 204
    assert not ServiceTicket.objects.filter(pk=ticket.pk).exists()
    assert admin_client.delete(f"/service-tickets/{ticket.pk}/").status_code == 404


def test_assign_and_remove_mechanic_are_idempotent(mechanic_client, ticket, mechanic):
    other = MechanicFactory()
    url = f"/service-tickets/{ticket.pk}/assign-mechanic/{other.pk}/"
    for _ in range(2):
        response = mechanic_client.put(url)
        assert response.status_code == 200
        assert {m["id"] for m in response.json()["mechanics"]} == {mechanic.pk, other.pk}
    url = f"/service-tickets/{ticket.pk}/remove-mechanic/{other.pk}"
    for _ in range(2):
        response = mechanic_client.put(url)
        assert response.status_code == 200
        assert [m["id"] for m in response.json()["mechanics"]] == [mechanic.pk]


def test_assign_unknown_ticket_or_mechanic_is_404(mechanic_client, ticket, mechanic):
    assert (
        mechanic_client.put(f"/service-tickets/999999/assign-mechanic/{mechanic.pk}/").status_code
        == 404
    )
    assert (
        mechanic_client.put(f"/service-tickets/{ticket.pk}/assign-mechanic/999999/").status_code
        == 404
    )
    assert (
        mechanic_client.put(f"/service-tickets/{ticket.pk}/remove-mechanic/999999/").status_code
        == 404
    )


def test_assign_roles(customer_client, anon, ticket, mechanic):
    url = f"/service-tickets/{ticket.pk}/assign-mechanic/{mechanic.pk}/"
    assert customer_client.put(url).status_code == 403
    assert anon.put(url).status_code == 401


def test_edit_adds_and_removes(mechanic_client, ticket, mechanic):
    a, b = MechanicFactory(), MechanicFactory()
    response = mechanic_client.put(
        f"/service-tickets/{ticket.pk}/edit/",
        {"add_ids": [a.pk, b.pk], "remove_ids": [mechanic.pk]},
    )
    assert response.status_code == 200
    assert {m["id"] for m in response.json()["mechanics"]} == {a.pk, b.pk}


def test_edit_with_unknown_id_changes_nothing(mechanic_client, ticket, mechanic):
    a = MechanicFactory()
    response = mechanic_client.put(
        f"/service-tickets/{ticket.pk}/edit/",
        {"add_ids": [a.pk], "remove_ids": [mechanic.pk, 777777]},
    )
    assert response.status_code == 400
    assert "remove_ids" in response.json()
    assert set(ticket.mechanics.values_list("id", flat=True)) == {mechanic.pk}


@pytest.mark.parametrize("body", [{"add_ids": "x"}, {"add_ids": [0]}, {"remove_ids": [None]}])
def test_edit_bad_body_is_400(mechanic_client, ticket, body):
    assert mechanic_client.put(f"/service-tickets/{ticket.pk}/edit/", body).status_code == 400


def test_edit_unknown_ticket_is_404(mechanic_client):
    assert mechanic_client.put("/service-tickets/999999/edit/", {"add_ids": []}).status_code == 404
