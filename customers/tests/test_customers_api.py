"""/customers/ through the HTTP API."""

import pytest
from django.contrib.auth import get_user_model

from conftest import client_for
from tests.factories import PASSWORD, CustomerFactory, ServiceTicketFactory

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Rosa Diaz",
    "email": "Rosa@Example.com",
    "phone": "+1 555 010 2030",
    "password": "s3cure-Garage-pass",
}


def test_anyone_can_register_and_password_is_hashed(anon):
    response = anon.post("/customers/", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "name", "email", "phone"}
    assert body["email"] == "rosa@example.com"
    user = get_user_model().objects.get(email="rosa@example.com")
    assert user.role == "customer"
    assert user.password != NEW["password"] and user.password.startswith(("md5$", "pbkdf2"))
    login = anon.post(
        "/customers/login/", {"email": "rosa@example.com", "password": NEW["password"]}
    )
    assert login.status_code == 200


def test_register_without_trailing_slash(anon):
    assert anon.post("/customers", NEW).status_code == 201


def test_duplicate_email_is_400_on_email(anon, customer):
    response = anon.post("/customers/", {**NEW, "email": customer.user.email.upper()})
    assert response.status_code == 400
    assert "email" in response.json()


@pytest.mark.parametrize(
    "field, value",
    [
        ("password", "123"),
        ("password", "password"),
        ("password", "rosa@example.com"),
        ("email", "not-an-email"),
        ("phone", "call me"),
        ("name", ""),
        ("name", "x" * 121),
    ],
)
def test_register_validation_names_the_field(anon, field, value):
    response = anon.post("/customers/", {**NEW, "email": "rosa@example.com", field: value})
    assert response.status_code == 400
    assert field in response.json()
    assert not get_user_model().objects.exists()  # nothing half-written


@pytest.mark.parametrize("missing", ["name", "email", "phone", "password"])
def test_register_requires_each_field(anon, missing):
    body = {k: v for k, v in NEW.items() if k != missing}
    response = anon.post("/customers/", body)
    assert response.status_code == 400
    assert missing in response.json()


def test_list_is_for_staff(anon, customer_client, mechanic_client, admin_client, customer):
    assert anon.get("/customers/").status_code == 401
    assert customer_client.get("/customers/").status_code == 403
    for client in (mechanic_client, admin_client):
        response = client.get("/customers/")
        assert response.status_code == 200
        assert response.json()["count"] == 1
        assert response.json()["results"][0] == {
            "id": customer.pk,
            "name": customer.name,
            "email": customer.user.email,
            "phone": customer.phone,
        }


def test_list_search_by_name_or_email(mechanic_client):
    CustomerFactory(name="Alice Martin")
    CustomerFactory(name="Bob Stone", user__email="bob.martin@example.com")
    CustomerFactory(name="Carol King")

    def names(q):
        return sorted(
            c["name"] for c in mechanic_client.get(f"/customers/?search={q}").json()["results"]
        )

    assert names("martin") == ["Alice Martin", "Bob Stone"]
    assert names("KING") == ["Carol King"]


def test_retrieve_own_other_and_staff(customer, other_customer, customer_client, mechanic_client):
    assert customer_client.get(f"/customers/{customer.pk}/").json()["id"] == customer.pk
    assert customer_client.get(f"/customers/{other_customer.pk}/").status_code == 404
    assert mechanic_client.get(f"/customers/{other_customer.pk}").status_code == 200
    assert mechanic_client.get("/customers/999999/").status_code == 404


def test_update_own_profile_and_new_password_is_hashed(anon, customer, customer_client):
    response = customer_client.patch(
        f"/customers/{customer.pk}/",
        {"phone": "555-9999", "password": "another-Strong-pass-9", "current_password": PASSWORD},
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "555-9999"
    assert "password" not in response.json()
    user = get_user_model().objects.get(pk=customer.user.pk)
    assert user.check_password("another-Strong-pass-9")
    ok = anon.post("/customers/login/", {"email": user.email, "password": "another-Strong-pass-9"})
    assert ok.status_code == 200
    old = anon.post("/customers/login/", {"email": user.email, "password": PASSWORD})
    assert old.status_code == 401


def test_put_replaces_fields(customer, customer_client):
    response = customer_client.put(
        f"/customers/{customer.pk}/",
        {
            "name": "New Name",
            "email": "new@example.com",
            "phone": "555-1111",
            "current_password": PASSWORD,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": customer.pk,
        "name": "New Name",
        "email": "new@example.com",
        "phone": "555-1111",
    }


def test_put_missing_field_is_400(customer, customer_client):
    response = customer_client.put(f"/customers/{customer.pk}/", {"name": "Only name"})
    assert response.status_code == 400
    assert {"email", "phone"} <= set(response.json())


def test_update_to_taken_email_is_400(customer, other_customer, customer_client):
    response = customer_client.patch(
        f"/customers/{customer.pk}/", {"email": other_customer.user.email}
    )
    assert response.status_code == 400
    assert "email" in response.json()


def test_update_weak_password_is_400(customer, customer_client):
    response = customer_client.patch(f"/customers/{customer.pk}/", {"password": "12345678"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_cannot_update_another_customer(other_customer, customer_client):
    response = customer_client.patch(f"/customers/{other_customer.pk}/", {"name": "Hacked"})
    assert response.status_code == 404
    other_customer.refresh_from_db()
    assert other_customer.name != "Hacked"


def test_role_cannot_be_set_through_profile(customer, customer_client):
    customer_client.patch(f"/customers/{customer.pk}/", {"role": "admin", "is_staff": True})
    customer.user.refresh_from_db()
    assert customer.user.role == "customer" and not customer.user.is_staff


def test_staff_can_update_a_customer(customer, admin_client):
    response = admin_client.patch(f"/customers/{customer.pk}/", {"name": "Fixed by desk"})
    assert response.status_code == 200
    assert response.json()["name"] == "Fixed by desk"


def test_delete_customer_without_tickets(customer, customer_client):
    response = customer_client.delete(f"/customers/{customer.pk}/")
    assert response.status_code == 204
    assert not get_user_model().objects.filter(pk=customer.user.pk).exists()


def test_delete_customer_with_tickets_is_409(customer, admin_client):
    ServiceTicketFactory(customer=customer)
    response = admin_client.delete(f"/customers/{customer.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert get_user_model().objects.filter(pk=customer.user.pk).exists()


def test_delete_other_customer_is_404(other_customer, customer_client):
    assert customer_client.delete(f"/customers/{other_customer.pk}/").status_code == 404


def test_my_tickets_lists_only_own(
    customer, other_customer, customer_client, mechanic_client, admin_client
):
    mine = [ServiceTicketFactory(customer=customer) for _ in range(3)]
    ServiceTicketFactory(customer=other_customer)
    response = customer_client.get("/customers/my-tickets/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {t["id"] for t in body["results"]} == {t.pk for t in mine}
    assert all(t["customer"]["id"] == customer.pk for t in body["results"])
    assert mechanic_client.get("/customers/my-tickets/").status_code == 403
    assert admin_client.get("/customers/my-tickets").status_code == 403


def test_my_tickets_is_paginated(customer, customer_client):
    for _ in range(5):
        ServiceTicketFactory(customer=customer)
    page = customer_client.get("/customers/my-tickets/?page=2&page_size=2").json()
    assert page["count"] == 5 and len(page["results"]) == 2
    assert page["previous"] is not None and page["next"] is not None


def test_my_tickets_anonymous_is_401(anon):
    assert anon.get("/customers/my-tickets/").status_code == 401


def test_password_never_in_responses(anon, customer, admin_client):
    responses = [
        anon.post("/customers/", {**NEW, "email": "x1@example.com"}),
        admin_client.get("/customers/"),
        admin_client.get(f"/customers/{customer.pk}/"),
        admin_client.patch(f"/customers/{customer.pk}/", {"password": "brand-New-pass-77"}),
        client_for(customer.user).get("/auth/me/"),
    ]
    for response in responses:
        text = response.content.decode()
        assert "password" not in text
        assert "pbkdf2" not in text and "md5$" not in text
        assert NEW["password"] not in text


def test_new_password_ends_other_sessions(anon, customer, customer_client):
    old = anon.post(
        "/customers/login/", {"email": customer.user.email, "password": PASSWORD}
    ).json()
    response = customer_client.patch(
        f"/customers/{customer.pk}/",
        {"password": "fresh-Clutch-cable-7", "current_password": PASSWORD},
    )
    assert response.status_code == 200
    refused = anon.post("/auth/token/refresh/", {"refresh": old["refresh"]})
    assert refused.status_code == 401
    new = anon.post(
        "/customers/login/", {"email": customer.user.email, "password": "fresh-Clutch-cable-7"}
    )
    assert anon.post("/auth/token/refresh/", {"refresh": new.json()["refresh"]}).status_code == 200


def test_mechanic_may_fix_contact_details_but_not_the_login(
    customer, mechanic_client, admin_client
):
    url = f"/customers/{customer.pk}/"
    assert mechanic_client.patch(url, {"phone": "555-4444", "name": "Fixed"}).status_code == 200
    for body in ({"email": "taken-over@example.com"}, {"password": "mechanic-Chose-this-1"}):
        response = mechanic_client.patch(url, body)
        assert response.status_code == 403, body
        assert "email or password" in response.json()["detail"]
    same_email = {"name": "N", "email": customer.user.email, "phone": "555-1212"}
    assert mechanic_client.put(url, same_email).status_code == 200
    customer.user.refresh_from_db()
    assert customer.user.email != "taken-over@example.com"
    assert customer.user.check_password(PASSWORD)
    assert admin_client.patch(url, {"email": "moved@example.com"}).status_code == 200


def test_mechanic_cannot_delete_a_customer(customer, mechanic_client, customer_client):
    assert mechanic_client.delete(f"/customers/{customer.pk}/").status_code == 403
    assert customer_client.delete(f"/customers/{customer.pk}/").status_code == 204


@pytest.mark.parametrize(
    "change",
    [{"password": "fresh-Clutch-cable-7"}, {"email": "moved-away@example.com"}],
    ids=["password", "email"],
)
@pytest.mark.parametrize(
    ("proof", "message"),
    [({}, "Send your current password"), ({"current_password": "not-it"}, "not correct")],
    ids=["missing", "wrong"],
)
def test_changing_own_login_takes_the_current_password(
    customer, customer_client, change, proof, message
):
    """A stolen access token alone cannot take the account over."""
    before = (customer.user.email, customer.user.password)
    response = customer_client.patch(f"/customers/{customer.pk}/", {**change, **proof})
    assert response.status_code == 400
    assert message in response.json()["current_password"][0]
    customer.user.refresh_from_db()
    assert (customer.user.email, customer.user.password) == before
    proven = customer_client.patch(
        f"/customers/{customer.pk}/", {**change, "current_password": PASSWORD}
    )
    assert proven.status_code == 200, proven.json()
    assert "current_password" not in proven.json()


def test_profile_changes_and_the_same_email_take_no_current_password(customer, customer_client):
    url = f"/customers/{customer.pk}/"
    assert customer_client.patch(url, {"phone": "555-2020"}).status_code == 200
    same = {"name": "Same Login", "email": customer.user.email, "phone": "555-2021"}
    assert customer_client.put(url, same).status_code == 200


def test_an_admin_resets_a_login_without_the_customers_password(customer, admin_client):
    response = admin_client.patch(
        f"/customers/{customer.pk}/", {"password": "desk-Reset-pass-31", "email": "r@example.com"}
    )
    assert response.status_code == 200, response.json()


def test_guessing_the_current_password_is_throttled_like_a_login(customer, customer_client):
    url = f"/customers/{customer.pk}/"
    statuses = [
        customer_client.patch(
            url, {"password": "fresh-Clutch-cable-7", "current_password": f"guess-{n}"}
        )
        for n in range(6)
    ]
    assert [r.status_code for r in statuses] == [400] * 5 + [429]
    assert int(statuses[-1]["Retry-After"]) > 0
    customer.user.refresh_from_db()
    assert customer.user.check_password(PASSWORD)


def test_registration_ignores_a_current_password(anon):
    response = anon.post(
        "/customers/",
        {
            "name": "New Comer",
            "email": "new.comer@example.com",
            "phone": "555-3030",
            "password": "first-Brake-pads-8",
            "current_password": "anything",
        },
    )
    assert response.status_code == 201, response.json()
    assert "current_password" not in response.json()
