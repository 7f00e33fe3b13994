"""Rate limits: JSON 429 with Retry-After; the login limit per IP and email."""

import pytest

from tests.factories import PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }

    return set_rates


def login(client, email, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/customers/login/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_login_throttle_counts_failed_attempts_and_answers_429(anon, customer):
    email = customer.user.email
    for _ in range(5):
        assert login(anon, email, "wrong").status_code == 401
    response = login(anon, email)  # even the right password: the limit is reached
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_login_throttle_is_per_email(anon, customer):
    colleague = CustomerFactory()
    for _ in range(6):
        login(anon, customer.user.email, "wrong")
    assert login(anon, customer.user.email).status_code == 429
    # Same IP, another account: not blocked.
    assert login(anon, colleague.user.email).status_code == 200


def test_login_throttle_is_per_ip(anon, customer):
    for _ in range(6):
        login(anon, customer.user.email, "wrong", ip="10.0.0.1")
    assert login(anon, customer.user.email, ip="10.0.0.2").status_code == 200


def test_login_throttle_ignores_email_case(anon, customer):
    for _ in range(5):
        login(anon, customer.user.email.upper(), "wrong")
    assert login(anon, customer.user.email).status_code == 429


@pytest.mark.parametrize("door", ["/auth/login/", "/mechanics/login/"])
def test_every_login_door_is_throttled(anon, door):
    for _ in range(5):
        anon.post(door, {"email": "x@example.com", "password": "nope"})
    assert anon.post(door, {"email": "x@example.com", "password": "nope"}).status_code == 429


def test_login_rate_from_settings(anon, customer, rates):
    rates(login="2/min")
    login(anon, customer.user.email, "wrong")
    login(anon, customer.user.email, "wrong")
    assert login(anon, customer.user.email).status_code == 429


def test_anonymous_rate(anon, rates):
    rates(anon="3/min")
    statuses = [anon.get("/inventory/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Retry-After" in anon.get("/inventory/")


def test_user_rate_is_per_user(customer_client, other_customer_client, rates):
    rates(user="2/min")
    assert [customer_client.get("/auth/me/").status_code for _ in range(3)] == [200, 200, 429]
    assert other_customer_client.get("/auth/me/").status_code == 200


def test_throttle_rates_read_from_environment(monkeypatch):
    """THROTTLE_ANON / THROTTLE_USER / THROTTLE_LOGIN feed the settings."""
    import importlib

    import mechanic_shop.settings.base as base

    monkeypatch.setenv("THROTTLE_ANON", "7/min")
    monkeypatch.setenv("THROTTLE_USER", "8/hour")
    monkeypatch.setenv("THROTTLE_LOGIN", "9/day")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
            "anon": "7/min",
            "user": "8/hour",
            "login": "9/day",
        }
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_rate_limit_headers_count_down(anon, rates):
    rates(anon="3/min")
    remaining = []
    for _ in range(4):
        response = anon.get("/inventory/")
        assert response["X-RateLimit-Limit"] == "3"
        assert 1 <= int(response["X-RateLimit-Reset"]) <= 60
        remaining.append(response["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0", "0"]
    assert response.status_code == 429
    assert response["Retry-After"] == response["X-RateLimit-Reset"]


def test_cached_answers_carry_the_rate_limit_headers(anon, rates):
    rates(anon="5/min")
    anon.get("/inventory/")
    hit = anon.get("/inventory/")
    assert hit["X-Cache"] == "HIT"
    assert (hit["X-RateLimit-Limit"], hit["X-RateLimit-Remaining"]) == ("5", "3")


def test_rate_limit_headers_follow_the_limit_closest_to_its_end(anon, customer, rates):
    # A login counts both the anonymous limit (100) and the login limit (2).
    rates(login="2/min", anon="100/min")
    response = login(anon, customer.user.email, "wrong")
    assert response.status_code == 401
    assert (response["X-RateLimit-Limit"], response["X-RateLimit-Remaining"]) == ("2", "1")


def test_authenticated_callers_see_their_user_limit(customer_client, rates):
    rates(user="7/min")
    response = customer_client.get("/vehicles/")
    assert response.status_code == 200
    assert (response["X-RateLimit-Limit"], response["X-RateLimit-Remaining"]) == ("7", "6")
