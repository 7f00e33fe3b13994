"""Invalidation of the cached answers: every namespace a transaction made
stale is bumped once, after it commits, in one round trip; nothing is
bumped for a rolled back write, and a rollback never swallows the bump of
a later write."""

from contextlib import suppress

import pytest
from django.core.cache import cache
from django.db import transaction

from mechanic_shop.api import response_cache
from mechanic_shop.api.response_cache import bump_on_commit, generation
from tests.factories import CustomerFactory, MechanicFactory
from tickets.receivers import TICKET_COUNTS

# Real commits: the bumps run when the writing transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bumps(monkeypatch):
    calls = []
    monkeypatch.setattr(response_cache, "bump", lambda *names: calls.append(set(names)))
    return calls


def test_one_write_bumps_its_namespaces_once(bumps, mechanic_client):
    """A ticket with two mechanics saves three rows that each invalidate
    something (the ticket, two assignments): one bump after the commit."""
    customer = CustomerFactory()
    mechanics = [MechanicFactory(), MechanicFactory()]
    bumps.clear()
    response = mechanic_client.post(
        "/service-tickets/",
        {
            "customer_id": customer.pk,
            "vin": "1HGCM82633A004352",
            "service_date": "2026-03-01",
            "service_desc": "Brakes",
            "mechanic_ids": [m.pk for m in mechanics],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert len(bumps) == 1
    assert {TICKET_COUNTS, "popular"} <= bumps[0]


def test_nothing_is_bumped_before_the_commit(bumps):
    with transaction.atomic():
        bump_on_commit("a")
        bump_on_commit("b", "a")
        assert bumps == []
    assert bumps == [{"a", "b"}]


def test_a_rolled_back_transaction_bumps_nothing_and_the_next_one_does(bumps):
    with pytest.raises(RuntimeError), transaction.atomic():
        bump_on_commit("lost")
        raise RuntimeError
    assert bumps == []
    with transaction.atomic():
        bump_on_commit("kept")
    assert bumps == [{"kept"}]


def test_a_bump_first_asked_in_a_rolled_back_savepoint_starts_again(bumps):
    with transaction.atomic():
        with suppress(RuntimeError), transaction.atomic():
            bump_on_commit("inner")
            raise RuntimeError
        bump_on_commit("after")
    assert bumps == [{"after"}]


def test_a_savepoint_rolled_back_inside_never_loses_the_others(bumps):
    with transaction.atomic():
        bump_on_commit("outer")
        with suppress(RuntimeError), transaction.atomic():
            bump_on_commit("inner")
            raise RuntimeError
        bump_on_commit("after")
    assert len(bumps) == 1
    assert {"outer", "after"} <= bumps[0]  # "inner" may come along: a needless miss


def test_outside_a_transaction_the_bump_is_immediate(bumps):
    bump_on_commit("now")
    assert bumps == [{"now"}]


def test_bump_moves_every_generation_in_one_round_trip(monkeypatch):
    response_cache.bump("warm-up")  # a Redis that never ran the script loads it first
    before = {name: generation(name) for name in ("x", "y")}
    client = getattr(cache, "client", None)
    sent = []
    if client is not None and hasattr(client, "get_client"):  # Redis
        redis_client = client.get_client(write=True)
        execute = redis_client.execute_command

        def counting(*args, **kwargs):
            sent.append(args[0])
            return execute(*args, **kwargs)

        monkeypatch.setattr(redis_client, "execute_command", counting)
    response_cache.bump("x", "y", "x", "fresh")
    if client is not None and hasattr(client, "get_client"):
        assert sent == ["EVALSHA"], sent
    monkeypatch.undo()
    assert {name: generation(name) for name in ("x", "y")} == {
        name: value + 1 for name, value in before.items()
    }
    assert generation("fresh") > 0  # started from the clock


def test_a_redis_that_refuses_the_bump_never_fails_the_write(monkeypatch, mechanic_client, caplog):
    """The write has committed when the bump runs: a Redis error then (a
    read-only replica, out of memory) is logged, and the answer stays 201."""
    from redis.exceptions import ResponseError

    client = getattr(cache, "client", None)
    if client is None or not hasattr(client, "get_client"):
        pytest.skip("the answers are cached in Redis only with REDIS_URL")

    def refusing(*args, **kwargs):
        raise ResponseError("READONLY You can't write against a read only replica.")

    monkeypatch.setattr(response_cache, "registered", lambda client, source: refusing)
    response = mechanic_client.post(
        "/inventory/",
        {"name": "Fuse", "part_number": "F-9", "price": "1.00", "quantity_in_stock": 2},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert any("READONLY" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
