"""A new password ends every session at once: the access tokens of earlier
logins are refused from the next request on (not when they expire), and so
are their refresh tokens, whichever way the password was changed."""

import pytest
from django.contrib.auth.hashers import make_password
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import PASSWORD, MechanicFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "fresh-Clutch-cable-7"


def login(door: str, email: str, password: str = PASSWORD) -> dict:
    response = APIClient().post(f"/{door}/login/", {"email": email, "password": password})
    assert response.status_code == 200, response.json()
    return response.json()


def bearer(tokens: dict) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


def assert_password_changed(response) -> None:
    assert response.status_code == 401, response.json()
    assert response.json()["code"] == "password_changed"


def test_a_customers_new_password_ends_every_session(customer):
    phone = login("customers", customer.user.email)
    laptop = login("customers", customer.user.email)
    assert bearer(laptop).get("/customers/my-tickets/").status_code == 200

    changed = bearer(phone).patch(
        f"/customers/{customer.pk}/", {"password": NEW_PASSWORD, "current_password": PASSWORD}
    )
    assert changed.status_code == 200

    for session in (phone, laptop):  # the one that changed it included
        assert_password_changed(bearer(session).get("/customers/my-tickets/"))
        refused = APIClient().post("/auth/token/refresh/", {"refresh": session["refresh"]})
        assert refused.status_code == 401
    fresh = login("customers", customer.user.email, NEW_PASSWORD)
    assert bearer(fresh).get("/customers/my-tickets/").status_code == 200
    renewed = APIClient().post("/auth/token/refresh/", {"refresh": fresh["refresh"]})
    assert renewed.status_code == 200
    assert bearer(renewed.json()).get("/customers/my-tickets/").status_code == 200


def test_a_password_set_by_an_admin_ends_the_mechanics_sessions(admin_client):
    mechanic = MechanicFactory()
    session = login("mechanics", mechanic.user.email)
    assert bearer(session).get("/service-tickets/").status_code == 200

    changed = admin_client.patch(f"/mechanics/{mechanic.pk}/", {"password": NEW_PASSWORD})
    assert changed.status_code == 200

    assert_password_changed(bearer(session).get("/service-tickets/"))
    assert (
        bearer(login("mechanics", mechanic.user.email, NEW_PASSWORD))
        .get("/service-tickets/")
        .status_code
        == 200
    )


def test_a_password_changed_outside_the_api_refuses_the_older_tokens(customer):
    """The Django admin's password form (or a shell) saves the user without
    the API's service: no refresh token is blacklisted, yet a refresh from an
    older login is refused rather than answering access tokens that would
    be."""
    session = login("customers", customer.user.email)
    user = User.objects.get(pk=customer.user.pk)
    user.set_password(NEW_PASSWORD)
    user.save()

    assert_password_changed(bearer(session).get("/customers/my-tickets/"))
    response = APIClient().post("/auth/token/refresh/", {"refresh": session["refresh"]})
    assert_password_changed(response)


def test_a_hash_upgraded_at_login_keeps_that_login(customer, settings):
    """Django re-hashes a password stored with an older hasher when it is
    next checked, and saves only the password field: the time of the change
    is saved with it, and the login that upgraded it stays valid."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    User.objects.filter(pk=customer.user.pk).update(
        password=make_password(PASSWORD, hasher="md5"), password_changed_at=None
    )
    session = login("customers", customer.user.email)

    user = User.objects.get(pk=customer.user.pk)
    assert user.password.startswith("scrypt$")  # upgraded
    assert user.password_changed_at is not None  # saved with it
    assert bearer(session).get("/customers/my-tickets/").status_code == 200
