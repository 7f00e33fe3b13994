"""Conventions every endpoint keeps: slashes, JSON errors, limits."""

import pytest
from django.test import Client

from tests.factories import PartFactory

pytestmark = pytest.mark.django_db

NEW_PART = {"name": "Fuse", "part_number": "F-1", "price": "1.00", "quantity_in_stock": 1}


@pytest.mark.parametrize("path", ["/inventory/", "/inventory"])
def test_get_with_and_without_slash_no_redirect(anon, path):
    response = anon.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/inventory/", "/inventory"])
def test_post_with_and_without_slash_no_redirect(mechanic_client, path):
    response = mechanic_client.post(path, NEW_PART)
    assert response.status_code == 201


UNKNOWN_URLS = [
    "/nowhere/",
    "/customers/%C2%84/",
    "/customers/%FF/",
    "/inventory/abc/",
    "/service-tickets/1/fly/",
    "/reports/",
    "/api/",
    "/a%0Ab/",
    "/static/nowhere.css",
]


# DEBUG on as under the dev settings: Django would answer its HTML debug page.
@pytest.mark.parametrize("debug", [False, True], ids=["no-debug", "debug"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", UNKNOWN_URLS)
def test_unknown_url_is_json_404(settings, debug, method, path):
    settings.DEBUG = debug
    # CSRF checks on, as for a browser: a POST to an unknown URL is a 404 too.
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("debug", [False, True], ids=["no-debug", "debug"])
def test_unknown_object_is_json_404(settings, anon, debug):
    settings.DEBUG = debug
    response = anon.get("/inventory/424242/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Part matches the given query.", "code": "not_found"}


def test_wrong_method_is_json_405(mechanic_client):
    response = mechanic_client.patch("/inventory/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_malformed_json_is_400(mechanic_client):
    response = mechanic_client.post(
        "/inventory/", data=b'{"name": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_wrong_content_type_is_415(mechanic_client):
    response = mechanic_client.post("/inventory/", data=b"name=x", content_type="text/plain")
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"


def test_body_over_limit_is_413(mechanic_client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    response = mechanic_client.post("/inventory/", {**NEW_PART, "name": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_invalid_token_is_401_json(anon):
    anon.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    response = anon.get("/service-tickets/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_money_is_a_two_place_string(anon):
    PartFactory(price="7.5")
    assert anon.get("/inventory/").json()["results"][0]["price"] == "7.50"
