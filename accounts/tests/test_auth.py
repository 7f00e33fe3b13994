"""Logging in, refreshing and logging out, through the HTTP API."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import AccessToken

from conftest import client_for
from tests.factories import PASSWORD, AdminFactory, CustomerFactory, MechanicFactory

pytestmark = pytest.mark.django_db

DOORS = {
    "customer": "/customers/login/",
    "mechanic": "/mechanics/login/",
    "any": "/auth/login/",
}


def make(role):
    if role == "customer":
        return CustomerFactory().user
    if role == "mechanic":
        return MechanicFactory().user
    return AdminFactory()


@pytest.mark.parametrize(
    "role, door, expected",
    [
        ("customer", "customer", 200),
        ("customer", "mechanic", 401),
        ("customer", "any", 200),
        ("mechanic", "mechanic", 200),
        ("mechanic", "customer", 401),
        ("mechanic", "any", 200),
        ("admin", "any", 200),
        ("admin", "customer", 401),
        ("admin", "mechanic", 401),
    ],
)
def test_login_each_role_at_each_door(anon, role, door, expected):
    user = make(role)
    response = anon.post(DOORS[door], {"email": user.email, "password": PASSWORD})
    assert response.status_code == expected, response.content
    body = response.json()
    if expected == 200:
        assert set(body) == (
            {"access", "refresh", "role"} if door == "any" else {"access", "refresh"}
        )
        assert AccessToken(body["access"])["role"] == role
        assert AccessToken(body["access"])["user_id"] == str(user.pk)
        if door == "any":
            assert body["role"] == role
    else:
        # The wrong door answers exactly like a wrong password.
        assert body["code"] == "no_active_account"
        assert "access" not in body


@pytest.mark.parametrize("door", DOORS.values())
def test_wrong_password_is_401_json(anon, customer, door):
    response = anon.post(door, {"email": customer.user.email, "password": "wrong-password"})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "no_active_account"


def test_unknown_email_is_401(anon):
    response = anon.post("/auth/login/", {"email": "nobody@example.com", "password": PASSWORD})
    assert response.status_code == 401


def test_login_email_is_case_insensitive(anon, customer):
    response = anon.post(
        "/customers/login/", {"email": customer.user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200


def test_inactive_user_cannot_log_in(anon, customer):
    customer.user.is_active = False
    customer.user.save()
    response = anon.post("/customers/login/", {"email": customer.user.email, "password": PASSWORD})
    assert response.status_code == 401


@pytest.mark.parametrize("body, field", [({}, "email"), ({"email": "a@b.c"}, "password")])
def test_login_missing_fields_is_400(anon, body, field):
    response = anon.post("/auth/login/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_login_without_trailing_slash(anon, customer):
    response = anon.post("/customers/login", {"email": customer.user.email, "password": PASSWORD})
    assert response.status_code == 200


def login(anon, user):
    response = anon.post("/auth/login/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()


def test_refresh_rotates_and_old_refresh_is_refused(anon, customer):
    tokens = login(anon, customer.user)
    response = anon.post("/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != tokens["refresh"]
    assert AccessToken(body["access"])["role"] == "customer"
    # Rotation blacklists the refresh token that was used.
    again = anon.post("/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert again.status_code == 401


def test_logout_then_refresh_is_refused(anon, mechanic):
    tokens = login(anon, mechanic.user)
    response = anon.post("/auth/logout/", {"refresh": tokens["refresh"]})
    assert response.status_code == 204
    refused = anon.post("/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_not_valid"


def test_logout_with_garbage_token_is_401(anon):
    response = anon.post("/auth/logout/", {"refresh": "not-a-token"})
    assert response.status_code == 401


def test_refresh_with_access_token_is_refused(anon, customer):
    tokens = login(anon, customer.user)
    response = anon.post("/auth/token/refresh/", {"refresh": tokens["access"]})
    assert response.status_code == 401


def test_refresh_of_deleted_user_is_401_not_500(anon, customer):
    tokens = login(anon, customer.user)
    get_user_model().objects.filter(pk=customer.user.pk).delete()
    response = anon.post("/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_refresh_of_deactivated_user_is_401(anon, customer):
    tokens = login(anon, customer.user)
    customer.user.is_active = False
    customer.user.save()
    response = anon.post("/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_access_token_opens_protected_endpoint(anon, customer):
    tokens = login(anon, customer.user)
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = anon.get("/auth/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": customer.user.pk,
        "email": customer.user.email,
        "role": "customer",
        "customer_id": customer.pk,
        "mechanic_id": None,
    }


def test_expired_access_token_is_refused(anon, customer):
    token = AccessToken.for_user(customer.user)
    token["role"] = "customer"
    token.set_exp(lifetime=-datetime.timedelta(seconds=1))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = anon.get("/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_missing_token_is_401(anon):
    response = anon.get("/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_createsuperuser_noinput_makes_an_admin(anon, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Boss@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, verbosity=0)
    user = get_user_model().objects.get(email="boss@example.com")
    assert user.role == "admin" and user.is_staff and user.is_superuser
    response = anon.post("/auth/login/", {"email": "boss@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["role"] == "admin"


def test_passwords_are_stored_hashed(customer):
    user = get_user_model().objects.get(pk=customer.user.pk)
    assert user.password != PASSWORD
    assert user.check_password(PASSWORD)


def test_me_as_mechanic(mechanic):
    response = client_for(mechanic.user).get("/auth/me")
    assert response.status_code == 200
    assert response.json()["mechanic_id"] == mechanic.pk


def authenticate(token):
    """What the API's authentication makes of a request carrying ``token``."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from accounts.authentication import ShopJWTAuthentication

    http = APIRequestFactory().get("/auth/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    return ShopJWTAuthentication().authenticate(Request(http))


def test_the_user_loaded_per_request_is_the_orms(db):
    """The user a token authenticates is the one the ORM loads, value types
    included (booleans, aware datetimes), on every database; a token of an
    unknown user is refused."""
    from django.utils import timezone
    from rest_framework.exceptions import AuthenticationFailed

    from accounts.models import User
    from accounts.serializers import tokens_for

    admin = AdminFactory(last_login=timezone.now())
    token = tokens_for(admin).access_token
    loaded, expected = authenticate(token)[0], User.objects.get(pk=admin.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(loaded, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert loaded.is_staff is True and loaded.is_active is True
    assert timezone.is_aware(loaded.last_login) and timezone.is_aware(loaded.date_joined)
    assert not loaded._state.adding and loaded._state.db == "default"
    token["user_id"] = admin.pk + 1000
    with pytest.raises(AuthenticationFailed) as refused:
        authenticate(token)
    assert refused.value.detail["code"] == "user_not_found"


def test_check_revoke_token_refuses_a_token_of_another_password_hash(monkeypatch):
    """simplejwt's own check, when turned on: a token carries a digest of
    the password hash it was minted under, and another hash refuses it (here
    a hash written without ``set_password``, so the time of the change is
    not what refuses it)."""
    from django.contrib.auth.hashers import make_password
    from rest_framework_simplejwt.authentication import api_settings

    # simplejwt's modules hold the settings object they imported, which an
    # override of SIMPLE_JWT replaces without reaching them.
    monkeypatch.setattr(api_settings, "CHECK_REVOKE_TOKEN", True)
    customer = CustomerFactory()
    client = client_for(customer.user)
    assert client.get("/auth/me/").status_code == 200
    get_user_model().objects.filter(pk=customer.user.pk).update(
        password=make_password("another-Brake-pad-4")
    )
    response = client.get("/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "password_changed"


def test_a_deleted_or_deactivated_user_is_refused_with_a_valid_token(db):
    from conftest import client_for
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    client = client_for(customer.user)
    assert client.get("/auth/me/").status_code == 200
    customer.user.is_active = False
    customer.user.save()
    assert client.get("/auth/me/").status_code == 401
    other = CustomerFactory()
    client = client_for(other.user)
    other.delete()
    other.user.delete()
    assert client.get("/auth/me/").status_code == 401


@pytest.mark.django_db
def test_a_signed_token_with_a_user_id_that_is_no_id_is_a_401(client):
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken()
    token["user_id"] = "not-a-number"
    response = client.get("/auth/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response.json()["code"] in {"user_not_found", "authentication_failed"}
