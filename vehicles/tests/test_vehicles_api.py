"""/vehicles/ through the HTTP API."""

import pytest

from tests.factories import ServiceTicketFactory, VehicleFactory
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

VIN = "2T1BURHE0JC012345"
NEW = {
    "vin": VIN.lower(),
    "make": "Toyota",
    "model": "Corolla",
    "year": 2018,
    "license_plate": " abc 123 ",
    "mileage": 42000,
}


def test_customer_registers_own_vehicle(customer, customer_client):
    response = customer_client.post("/vehicles/", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "customer_id": customer.pk,
        "vin": VIN,
        "make": "Toyota",
        "model": "Corolla",
        "year": 2018,
        "license_plate": "ABC 123",
        "mileage": 42000,
    }


def test_customer_cannot_register_for_someone_else(customer_client, other_customer):
    response = customer_client.post("/vehicles/", {**NEW, "customer_id": other_customer.pk})
    assert response.status_code == 400
    assert "customer_id" in response.json()
    assert not Vehicle.objects.exists()


def test_staff_must_name_the_customer(mechanic_client, customer):
    assert mechanic_client.post("/vehicles/", NEW).status_code == 400
    response = mechanic_client.post("/vehicles/", {**NEW, "customer_id": customer.pk})
    assert response.status_code == 201
    assert response.json()["customer_id"] == customer.pk


def test_anonymous_is_401(anon):
    assert anon.post("/vehicles/", NEW).status_code == 401
    assert anon.get("/vehicles/").status_code == 401


@pytest.mark.parametrize(
    "field, value",
    [
        ("vin", "SHORT"),
        ("vin", "1HGCM82633A00435I"),
        ("year", 1800),
        ("year", 3000),
        ("mileage", -1),
        ("make", "x" * 61),
    ],
)
def test_validation(customer_client, field, value):
    response = customer_client.post("/vehicles/", {**NEW, field: value})
    assert response.status_code == 400
    assert field in response.json()


def test_vin_is_unique(customer_client, other_customer):
    VehicleFactory(customer=other_customer, vin=VIN)
    response = customer_client.post("/vehicles/", NEW)
    assert response.status_code == 400
    assert "vin" in response.json()


def test_lists_are_scoped(customer, other_customer, customer_client, admin_client):
    mine = VehicleFactory(customer=customer)
    VehicleFactory(customer=other_customer)
    body = customer_client.get("/vehicles/").json()
    assert [v["id"] for v in body["results"]] == [mine.pk]
    assert admin_client.get("/vehicles/").json()["count"] == 2
    assert admin_client.get(f"/vehicles/?customer={customer.pk}").json()["count"] == 1
    assert admin_client.get(f"/vehicles/?vin={mine.vin.lower()}").json()["count"] == 1


def test_another_customers_vehicle_is_404(other_customer, customer_client):
    theirs = VehicleFactory(customer=other_customer)
    assert customer_client.get(f"/vehicles/{theirs.pk}/").status_code == 404
    assert customer_client.patch(f"/vehicles/{theirs.pk}/", {"make": "X"}).status_code == 404
    assert customer_client.delete(f"/vehicles/{theirs.pk}/").status_code == 404
    assert customer_client.get(f"/vehicles/{theirs.pk}/history/").status_code == 404


def test_mileage_never_goes_back(customer, customer_client):
    vehicle = VehicleFactory(customer=customer, mileage=50_000)
    response = customer_client.patch(f"/vehicles/{vehicle.pk}/", {"mileage": 49_999})
    assert response.status_code == 400 and "mileage" in response.json()
    assert (
        customer_client.patch(f"/vehicles/{vehicle.pk}/", {"mileage": 51_000}).json()["mileage"]
        == 51_000
    )


def test_customer_cannot_give_vehicle_away(customer, other_customer, customer_client):
    vehicle = VehicleFactory(customer=customer)
    response = customer_client.patch(f"/vehicles/{vehicle.pk}/", {"customer_id": other_customer.pk})
    assert response.status_code == 400
    vehicle.refresh_from_db()
    assert vehicle.customer_id == customer.pk


def test_staff_move_a_sold_vehicle_with_its_history(customer, other_customer, admin_client):
    vehicle = VehicleFactory(customer=customer)
    ServiceTicketFactory(customer=customer, vehicle=vehicle, vin=vehicle.vin)
    response = admin_client.patch(f"/vehicles/{vehicle.pk}/", {"customer_id": other_customer.pk})
    assert response.status_code == 200
    assert response.json()["customer_id"] == other_customer.pk
    assert admin_client.get(f"/vehicles/{vehicle.pk}/history/").json()["count"] == 1


def test_history_lists_the_vehicles_tickets(customer, customer_client):
    vehicle = VehicleFactory(customer=customer)
    other = VehicleFactory(customer=customer)
    t1 = ServiceTicketFactory(customer=customer, vehicle=vehicle, vin=vehicle.vin)
    t2 = ServiceTicketFactory(customer=customer, vehicle=vehicle, vin=vehicle.vin)
    ServiceTicketFactory(customer=customer, vehicle=other, vin=other.vin)
    body = customer_client.get(f"/vehicles/{vehicle.pk}/history/").json()
    assert {t["id"] for t in body["results"]} == {t1.pk, t2.pk}
    assert all(t["vehicle_id"] == vehicle.pk for t in body["results"])


def test_delete(customer, customer_client):
    vehicle = VehicleFactory(customer=customer)
    assert customer_client.delete(f"/vehicles/{vehicle.pk}/").status_code == 204
    used = VehicleFactory(customer=customer)
    ServiceTicketFactory(customer=customer, vehicle=used, vin=used.vin)
    assert customer_client.delete(f"/vehicles/{used.pk}/").status_code == 409
    assert Vehicle.objects.filter(pk=used.pk).exists()


def test_put_replaces(customer, customer_client):
    vehicle = VehicleFactory(customer=customer)
    response = customer_client.put(f"/vehicles/{vehicle.pk}/", {**NEW, "mileage": 60_000})
    assert response.status_code == 200
    assert response.json()["vin"] == VIN
