"""Forged, stale and revoked tokens are refused (OWASP API2). Each case
builds a token the way an attacker (or a stale client) would, and sends it
to a protected endpoint."""

import base64
import datetime
import json
import warnings

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.serializers import tokens_for
from tests.factories import AdminFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def admin_claims() -> dict:
    """The claims of a genuine admin access token (to copy into forgeries)."""
    return claims_of(str(tokens_for(AdminFactory()).access_token))


def alg_none(customer):
    header = {"alg": "none", "typ": "JWT"}
    return f"{b64(header)}.{b64(admin_claims())}."


def alg_none_uppercase(customer):
    header = {"alg": "NONE", "typ": "JWT"}
    return f"{b64(header)}.{b64(admin_claims())}."


def tampered_payload(customer):
    """A customer's genuine token with the payload swapped for an admin's."""
    header, _, signature = str(tokens_for(customer.user).access_token).split(".")
    return f"{header}.{b64(admin_claims())}.{signature}"


def tampered_signature(customer):
    token = str(tokens_for(customer.user).access_token)
    flipped = "A" if token[-1] != "A" else "B"
    return token[:-1] + flipped


def signed_with_another_key(customer):
    return jwt.encode(admin_claims(), "not-the-shop-key-" * 3, algorithm="HS256")


def another_hmac_algorithm(customer):
    """Right key, but HS512: only the configured algorithm is accepted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        return jwt.encode(admin_claims(), settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS512")


def expired(customer):
    token = AccessToken.for_user(customer.user)
    token.set_exp(lifetime=-datetime.timedelta(seconds=1))
    return str(token)


def refresh_used_as_access(customer):
    return str(tokens_for(customer.user))


def of_deleted_user(customer):
    token = str(tokens_for(customer.user).access_token)
    customer.user.delete()
    return token


def of_deactivated_user(customer):
    token = str(tokens_for(customer.user).access_token)
    customer.user.is_active = False
    customer.user.save()
    return token


def garbage(customer):
    return "not.a.token"


FORGERIES = [
    alg_none,
    alg_none_uppercase,
    tampered_payload,
    tampered_signature,
    signed_with_another_key,
    another_hmac_algorithm,
    expired,
    refresh_used_as_access,
    of_deleted_user,
    of_deactivated_user,
    garbage,
]


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda forge: forge.__name__)
@pytest.mark.parametrize("path", ["/auth/me/", "/customers/", "/mechanics/"])
def test_forged_or_stale_access_tokens_are_refused(forge, path):
    token = forge(CustomerFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get(path)
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] in {"token_not_valid", "user_not_found", "user_inactive"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer  ", "Token abc", "JWT abc", "Basic dXNlcjpwYXNz", "Bearer a b"],
)
def test_malformed_authorization_headers_grant_nothing(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/customers/")
    assert response.status_code == 401
    assert response.json()["code"] in {"not_authenticated", "bad_authorization_header"}


def test_a_role_claim_is_not_trusted_over_the_database():
    """A token minted while the user was an admin, then the user demoted:
    its role claim still says admin, the API goes by the stored role."""
    user = AdminFactory()
    token = tokens_for(user).access_token
    assert token["role"] == "admin"
    user.role, user.is_staff, user.is_superuser = "customer", False, False
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/auth/me/").json()["role"] == "customer"
    assert client.get("/mechanics/").status_code == 403


def refresh_after_logout(client, customer):
    refresh = str(tokens_for(customer.user))
    assert client.post("/auth/logout/", {"refresh": refresh}).status_code == 204
    return refresh


def refresh_after_rotation(client, customer):
    refresh = str(tokens_for(customer.user))
    assert client.post("/auth/token/refresh/", {"refresh": refresh}).status_code == 200
    return refresh


def refresh_of_deleted_user(client, customer):
    refresh = str(tokens_for(customer.user))
    customer.user.delete()
    return refresh


def refresh_of_deactivated_user(client, customer):
    refresh = str(tokens_for(customer.user))
    customer.user.is_active = False
    customer.user.save()
    return refresh


def refresh_expired(client, customer):
    token = RefreshToken.for_user(customer.user)
    token.set_exp(lifetime=-datetime.timedelta(seconds=1))
    return str(token)


def refresh_alg_none(client, customer):
    claims = claims_of(str(tokens_for(customer.user)))
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


def access_used_as_refresh(client, customer):
    return str(tokens_for(customer.user).access_token)


@pytest.mark.parametrize(
    "stale",
    [
        refresh_after_logout,
        refresh_after_rotation,
        refresh_of_deleted_user,
        refresh_of_deactivated_user,
        refresh_expired,
        refresh_alg_none,
        access_used_as_refresh,
    ],
    ids=lambda stale: stale.__name__,
)
def test_stale_or_forged_refresh_tokens_get_no_new_pair(stale):
    client = APIClient()
    refresh = stale(client, CustomerFactory())
    response = client.post("/auth/token/refresh/", {"refresh": refresh})
    assert response.status_code == 401, response.content
    assert "access" not in response.json()
