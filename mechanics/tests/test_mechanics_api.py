"""/mechanics/ through the HTTP API."""

import pytest
from django.contrib.auth import get_user_model

from mechanics.models import Mechanic
from tests.factories import MechanicFactory, ServiceTicketFactory

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Marta Kowalski",
    "email": "marta@shop.example",
    "phone": "555-0303",
    "salary": "61000.00",
    "password": "torque-Wrench-42",
}


def test_admin_hires_a_mechanic_who_can_log_in(anon, admin_client):
    response = admin_client.post("/mechanics/", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Marta Kowalski",
        "email": "marta@shop.example",
        "phone": "555-0303",
        "salary": "61000.00",
    }
    login = anon.post("/mechanics/login/", {"email": NEW["email"], "password": NEW["password"]})
    assert login.status_code == 200
    assert get_user_model().objects.get(email=NEW["email"]).role == "mechanic"


@pytest.mark.parametrize("who, expected", [("anon", 401), ("customer", 403), ("mechanic", 403)])
def test_only_admins_hire(request, who, expected):
    client = request.getfixturevalue(f"{who}_client" if who != "anon" else "anon")
    assert client.post("/mechanics/", NEW).status_code == expected
    assert not Mechanic.objects.filter(name=NEW["name"]).exists()


@pytest.mark.parametrize(
    "field, value",
    [("salary", "-1"), ("salary", "abc"), ("email", "nope"), ("password", "123"), ("phone", "?")],
)
def test_hire_validation(admin_client, field, value):
    response = admin_client.post("/mechanics/", {**NEW, field: value})
    assert response.status_code == 400
    assert field in response.json()
    assert not get_user_model().objects.filter(email=NEW["email"]).exists()


def test_hire_requires_password(admin_client):
    response = admin_client.post("/mechanics/", {k: v for k, v in NEW.items() if k != "password"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_hire_duplicate_email(admin_client, customer):
    response = admin_client.post("/mechanics/", {**NEW, "email": customer.user.email})
    assert response.status_code == 400
    assert "email" in response.json()


def test_salary_shown_to_admins_only(mechanic, mechanic_client, admin_client):
    as_mechanic = mechanic_client.get("/mechanics/").json()["results"][0]
    assert "salary" not in as_mechanic
    assert set(as_mechanic) == {"id", "name", "email", "phone"}
    as_admin = admin_client.get("/mechanics/").json()["results"][0]
    assert as_admin["salary"] == "52000.00"
    assert "salary" not in mechanic_client.get(f"/mechanics/{mechanic.pk}/").json()
    assert admin_client.get(f"/mechanics/{mechanic.pk}").json()["salary"] == "52000.00"


def test_list_and_retrieve_roles(anon, customer_client, mechanic, mechanic_client):
    assert anon.get("/mechanics/").status_code == 401
    assert customer_client.get("/mechanics/").status_code == 403
    assert customer_client.get(f"/mechanics/{mechanic.pk}/").status_code == 403
    assert mechanic_client.get("/mechanics/999999/").status_code == 404


def test_admin_updates_a_mechanic(mechanic, admin_client, anon):
    response = admin_client.patch(
        f"/mechanics/{mechanic.pk}/", {"salary": "70000.50", "password": "new-Spanner-pass-1"}
    )
    assert response.status_code == 200
    assert response.json()["salary"] == "70000.50"
    assert (
        anon.post(
            "/mechanics/login/", {"email": mechanic.user.email, "password": "new-Spanner-pass-1"}
        ).status_code
        == 200
    )


def test_mechanic_cannot_raise_own_salary(mechanic, mechanic_client):
    response = mechanic_client.patch(f"/mechanics/{mechanic.pk}/", {"salary": "999999.00"})
    assert response.status_code == 403
    mechanic.refresh_from_db()
    assert str(mechanic.salary) == "52000.00"


def test_put_replaces(mechanic, admin_client):
    response = admin_client.put(
        f"/mechanics/{mechanic.pk}/",
        {"name": "Renamed", "email": "renamed@shop.example", "phone": "555-7777", "salary": "1.00"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "renamed@shop.example"


def test_delete_mechanic(mechanic, admin_client):
    assert admin_client.delete(f"/mechanics/{mechanic.pk}/").status_code == 204
    assert not get_user_model().objects.filter(pk=mechanic.user_id).exists()


def test_delete_mechanic_with_tickets_is_409(mechanic, admin_client):
    ServiceTicketFactory(mechanics=[mechanic])
    response = admin_client.delete(f"/mechanics/{mechanic.pk}/")
    assert response.status_code == 409
    assert Mechanic.objects.filter(pk=mechanic.pk).exists()


def test_delete_roles(mechanic, mechanic_client, admin_client):
    assert mechanic_client.delete(f"/mechanics/{mechanic.pk}/").status_code == 403
    assert admin_client.delete("/mechanics/999999/").status_code == 404


def test_search_is_case_insensitive_substring(mechanic_client):
    MechanicFactory(name="Mario Rossi")
    MechanicFactory(name="Amanda Ma")
    MechanicFactory(name="Tom Jones")
    response = mechanic_client.get("/mechanics/search/?name=MA")
    assert response.status_code == 200
    assert [m["name"] for m in response.json()["results"]] == ["Amanda Ma", "Mario Rossi"]
    assert response.json()["count"] == 2


def test_search_is_paginated(mechanic_client):
    for i in range(5):
        MechanicFactory(name=f"Max {i}")
    body = mechanic_client.get("/mechanics/search?name=max&limit=2&offset=2").json()
    assert body["count"] == 5 and [m["name"] for m in body["results"]] == ["Max 2", "Max 3"]


@pytest.mark.parametrize("query", ["", "?name=", "?other=1"])
def test_search_without_name_is_400(mechanic_client, query):
    response = mechanic_client.get(f"/mechanics/search/{query}")
    assert response.status_code == 400
    assert "name" in response.json()


def test_search_roles(anon, customer_client):
    assert anon.get("/mechanics/search/?name=a").status_code == 401
    assert customer_client.get("/mechanics/search/?name=a").status_code == 403


def test_popular_ranks_by_tickets_then_name(mechanic, mechanic_client, admin_client):
    busy = MechanicFactory(name="Zed Busy")
    b = MechanicFactory(name="Bea Two")
    a = MechanicFactory(name="Abe Two")
    idle = MechanicFactory(name="Ida Idle")
    for _ in range(3):
        ServiceTicketFactory(mechanics=[busy])
    ServiceTicketFactory(mechanics=[a, b])
    ServiceTicketFactory(mechanics=[a, b, busy])
    response = mechanic_client.get("/mechanics/popular/")
    assert response.status_code == 200
    ranking = [(m["name"], m["ticket_count"]) for m in response.json()["results"]]
    assert ranking == [
        ("Zed Busy", 4),
        ("Abe Two", 2),
        ("Bea Two", 2),
        ("Ida Idle", 0),
        (mechanic.name, 0),  # the caller, "Mechanic 0…", sorts after "Ida"
    ]
    assert "salary" not in response.json()["results"][0]
    assert "salary" in admin_client.get("/mechanics/popular/").json()["results"][0]
    assert idle.pk in [m["id"] for m in response.json()["results"]]


def test_popular_is_paginated(mechanic_client):
    for i in range(4):
        MechanicFactory(name=f"M{i}")
    body = mechanic_client.get("/mechanics/popular?page=2&page_size=3").json()
    assert body["count"] == 5 and len(body["results"]) == 2  # 4 + the caller


def test_popular_roles(anon, customer_client):
    assert anon.get("/mechanics/popular/").status_code == 401
    assert customer_client.get("/mechanics/popular/").status_code == 403
