"""Fixtures shared by every app's tests: API clients per role, factories."""

import os

import pytest
from django.core.cache import caches
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from mechanic_shop import redis_retry
from tests.factories import (
    AdminFactory,
    CustomerFactory,
    MechanicFactory,
    PartFactory,
    ServiceTicketFactory,
)

# Property-based tests: no time limit per example (the machine is shared and
# some examples hit the database); in CI, derandomized and without the local
# example database, so every run tries the same examples.
hypothesis_settings.register_profile(
    "dev", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
hypothesis_settings.register_profile(
    "ci",
    parent=hypothesis_settings.get_profile("dev"),
    derandomize=True,
    database=None,
    print_blob=True,
)
# The worker and SMTP server fixtures (tests/worker.py).
pytest_plugins = ["tests.worker"]

hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


def mysql_only():
    """Mark for tests that only prove something on MySQL/MariaDB (row locks).

    Skipped on SQLite, unless REQUIRE_MYSQL_TESTS=1 (CI's MariaDB pass sets
    it), in which case running on anything else fails instead of skipping.
    """
    if os.environ.get("REQUIRE_MYSQL_TESTS") == "1":
        return pytest.mark.mariadb
    return pytest.mark.skipif(
        connection.vendor != "mysql", reason="needs MySQL/MariaDB (DATABASE_URL)"
    )


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches: no cached answer or throttle count
    leaks from one test into the next."""
    redis_retry.reset()  # a Redis another test found unreachable is asked again
    for alias in caches:
        caches[alias].clear()
    yield


@pytest.fixture(autouse=True)
def _bumps_at_the_request_end(request, monkeypatch):
    """In a test that runs inside one transaction (``django_db`` without
    ``transaction=True``) nothing ever commits, so a cached answer would
    never be bumped: there, a write bumps its namespaces as it happens,
    which is what the next request sees once a real write commits. The
    tests with real commits (``transaction=True``) keep the bump after the
    commit, and test it."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction") or (marker.args and marker.args[0]):
        yield
        return
    from mechanic_shop.api import response_cache

    monkeypatch.setattr(response_cache, "bump_on_commit", response_cache.bump)
    yield


def client_for(user=None) -> APIClient:
    """An API client sending a real JWT for ``user`` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        refresh = RefreshToken.for_user(user)
        refresh["role"] = user.role
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh.access_token}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def other_customer(db):
    return CustomerFactory()


@pytest.fixture
def mechanic(db):
    return MechanicFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def customer_client(customer):
    return client_for(customer.user)


@pytest.fixture
def other_customer_client(other_customer):
    return client_for(other_customer.user)


@pytest.fixture
def mechanic_client(mechanic):
    return client_for(mechanic.user)


@pytest.fixture
def admin_client(admin_user):
    return client_for(admin_user)


@pytest.fixture
def part(db):
    return PartFactory(quantity_in_stock=10, price="12.50")


@pytest.fixture
def ticket(customer, mechanic):
    return ServiceTicketFactory(customer=customer, mechanics=[mechanic])


@pytest.fixture
def shop(db):
    """The shop's settings row (shop.models.ShopSettings). A test changes
    them with ``shop.bays = 1; shop.save()`` or through
    ``shop.services.shop_settings_update``; every read sees it at once."""
    from shop.selectors import shop_settings

    return shop_settings()
